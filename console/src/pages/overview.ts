import { gql } from "../api.js";
import { bars } from "../charts.js";
import { fill, h } from "../dom.js";
import { count, percent, plural, when, words } from "../format.js";
import { link } from "../router.js";
import { badge, empty, section, table } from "../ui.js";

interface BandCount { band: string; count: number; share: number; holdoutCount: number; minScore: number; maxScore: number; slaHours: number | null; play: string | null }
interface Transition { enteredAt: string; from: string | null; to: string; kind: string; slaStatus: string; slaDueAt: string | null; account: { id: string; name: string; domain: string } }
interface Page<T> { totalCount: number; edges: { node: T }[] }

const OVERVIEW = `query Overview($since: DateTime!) {
  activeScoringModel { id name version activatedAt }
  scoreDistribution { band count share holdoutCount minScore maxScore slaHours play }
  transitions: bandTransitions(since: $since, kind: BAND, first: 10) { totalCount edges { node { ...T } } }
  breaches: slaBreaches(since: $since, first: 10) { totalCount edges { node { ...T } } }
}
fragment T on BandTransition { enteredAt from to kind slaStatus slaDueAt account { id name domain } }`;

/** Start of today in the browser's time zone: what "today" means to the person reading. */
function startOfToday(): Date {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d;
}

export async function overviewPage(main: HTMLElement): Promise<void> {
  const since = startOfToday();
  const data = await gql<{
    activeScoringModel: { id: string; name: string; version: number; activatedAt: string | null } | null;
    scoreDistribution: BandCount[];
    transitions: Page<Transition>;
    breaches: Page<Transition>;
  }>(OVERVIEW, { since: since.toISOString() });
  const model = data.activeScoringModel;
  const entered = await enteredPerBand(data.scoreDistribution.map((b) => b.band), since);
  const total = data.scoreDistribution.reduce((n, b) => n + b.count, 0);
  const sinceText = () => h("p", { class: "muted small" }, `Today: since midnight in your time zone, ${when(since.toISOString())}.`);

  fill(main,
    h("h1", {}, "Overview"),
    h("p", { class: "lead" }, model
      ? ["Scores under ", h("strong", {}, `${model.name} v${model.version}`), `, active since ${when(model.activatedAt)}.`]
      : "No version of the default model is active, so nothing is scored yet."),
    section("Accounts per band now",
      total === 0
        ? empty(model ? `No account has a score under ${model.name} v${model.version} yet: no scoring run of it has finished.` : "Activate a model and run scoring to see bands.")
        : [bars({
          title: `Accounts per band, latest run (${plural(total, "account")})`, unit: "accounts",
          rows: data.scoreDistribution.map((b) => ({ label: b.band, value: b.count, text: `${count(b.count)} · ${percent(b.share)}`, className: "bar-band" })),
          testid: "bands-chart",
        }),
        table(["Band", "Score range", "Accounts", "Share", "In holdout", "SLA", "Play"], data.scoreDistribution.map((b) => [
          h("a", { href: link(["accounts"], { band: b.band }) }, b.band), `${b.minScore}–${b.maxScore}`, count(b.count), percent(b.share),
          count(b.holdoutCount), b.slaHours === null ? "—" : `${b.slaHours} h`, b.play ?? "—",
        ]), { num: [2, 3, 4] })]),
    section("Band transitions today", sinceText(),
      data.transitions.totalCount === 0
        ? empty("No account entered a band today: no scoring run today changed a band.")
        : [bars({
          title: `Accounts that entered each band today (${plural(data.transitions.totalCount, "transition")})`, unit: "accounts",
          rows: entered.map((e) => ({ label: e.band, value: e.count, text: count(e.count), className: "bar-band" })), testid: "entered-chart",
        }),
        h("p", {}, data.transitions.totalCount > data.transitions.edges.length ? `The latest ${data.transitions.edges.length}:` : "All of them:"),
        transitionTable(data.transitions.edges.map((e) => e.node), "transitions")]),
    section("SLA breaches today", sinceText(),
      data.breaches.totalCount === 0
        ? empty("No SLA breach among today's transitions: every account that entered a band with an SLA was touched in time, or is not due yet.")
        : [h("p", {}, `${plural(data.breaches.totalCount, "breach", "breaches")}: no sales touch by the due time.`,
          data.breaches.totalCount > data.breaches.edges.length ? ` The latest ${data.breaches.edges.length}:` : ""),
        transitionTable(data.breaches.edges.map((e) => e.node), "breaches")]));
}

/** Today's band entries per band, counted by the API (one aliased count per band). */
async function enteredPerBand(bands: string[], since: Date): Promise<{ band: string; count: number }[]> {
  if (bands.length === 0) return [];
  const fields = bands.map((_, i) => `b${i}: bandTransitions(since: $since, kind: BAND, band: [$band${i}], first: 1) { totalCount }`).join("\n");
  const vars = bands.map((_, i) => `$band${i}: String!`).join(", ");
  const data = await gql<Record<string, { totalCount: number }>>(`query EnteredPerBand($since: DateTime!, ${vars}) { ${fields} }`,
    Object.fromEntries([["since", since.toISOString()], ...bands.map((b, i) => [`band${i}`, b])]));
  return bands.map((band, i) => ({ band, count: data[`b${i}`]!.totalCount }));
}

function transitionTable(rows: Transition[], testid: string): HTMLElement {
  return table(["Account", "From", "To", "Entered", "SLA due", "SLA"], rows.map((t) => [
    h("a", { href: link(["accounts", t.account.id]) }, t.account.name), t.from ?? "—", t.to, when(t.enteredAt), when(t.slaDueAt), badge(words(t.slaStatus).replace("sla", "SLA"), t.slaStatus),
  ]), { testid });
}

import { gql } from "../api.js";
import { bars } from "../charts.js";
import { fill, h } from "../dom.js";
import { count, percent, plural, when } from "../format.js";
import { link } from "../router.js";
import { badge, empty, section, table } from "../ui.js";

interface BandCount { band: string; count: number; share: number; holdoutCount: number; minScore: number; maxScore: number; slaHours: number | null; play: string | null }
interface Transition { enteredAt: string; from: string | null; to: string; kind: string; slaStatus: string; slaDueAt: string | null; account: { id: string; name: string; domain: string } }
interface Page<T> { totalCount: number; edges: { node: T }[] }

const OVERVIEW = `query Overview($since: DateTime!) {
  activeScoringModel { id name version activatedAt }
  scoreDistribution { band count share holdoutCount minScore maxScore slaHours play }
  transitions: bandTransitions(since: $since, kind: BAND, first: 25) { totalCount edges { node { ...T } } }
  breaches: slaBreaches(since: $since, first: 25) { totalCount edges { node { ...T } } }
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
  const total = data.scoreDistribution.reduce((n, b) => n + b.count, 0);
  const sinceText = `since ${since.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })} today (${when(since.toISOString())})`;

  const byBand = new Map<string, number>();
  for (const { node } of data.transitions.edges) byBand.set(node.to, (byBand.get(node.to) ?? 0) + 1);

  fill(main,
    h("h1", {}, "Overview"),
    h("p", { class: "lead" }, model
      ? ["Scores of the ", h("strong", {}, `${model.name} v${model.version}`), `, active since ${when(model.activatedAt)}.`]
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
    section(`Band transitions ${sinceText}`,
      data.transitions.totalCount === 0
        ? empty("No account entered a band today: no scoring run today changed a band.")
        : [h("p", {}, `${plural(data.transitions.totalCount, "account")} entered a band today`,
          byBand.size ? ` (of the latest ${data.transitions.edges.length}: ${[...byBand].map(([band, n]) => `${n} into ${band}`).join(", ")})` : "", "."),
        transitionTable(data.transitions.edges.map((e) => e.node), "transitions")]),
    section(`SLA breaches ${sinceText}`,
      data.breaches.totalCount === 0
        ? empty("No SLA breach among today's transitions: every account that entered a band with an SLA was touched in time, or is not due yet.")
        : [h("p", {}, `${plural(data.breaches.totalCount, "breach", "breaches")}: no sales touch by the due time.`),
          transitionTable(data.breaches.edges.map((e) => e.node), "breaches")]));
}

function transitionTable(rows: Transition[], testid: string): HTMLElement {
  return table(["Account", "From", "To", "Entered", "SLA due", "SLA"], rows.map((t) => [
    h("a", { href: link(["accounts", t.account.id]) }, t.account.name), t.from ?? "—", t.to, when(t.enteredAt), when(t.slaDueAt), badge(t.slaStatus),
  ]), { testid });
}

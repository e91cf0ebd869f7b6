import { gql } from "../api.js";
import { intervals, type Estimate } from "../charts.js";
import { fill, h } from "../dom.js";
import { count, day, decimal, percent, plural } from "../format.js";
import { go, type Route } from "../router.js";
import { badge, empty, section, table } from "../ui.js";

interface Est { value: number | null; low: number | null; high: number | null; n: number; x: number | null }
interface Lift { estimate: number | null; low: number | null; high: number | null; pValue: number | null; significant: boolean }
interface Side { accounts: number; closedDeals: number; wonDeals: number; meetingRate: Est; opportunityRate: Est; winRate: Est }
interface Group { band: string; tier: string | null; treated: Side; holdout: Side; lift: { meetingRate: Lift; opportunityRate: Lift; winRate: Lift }; warnings: string[] }
interface Report {
  from: string; to: string; model: string; modelVersion: number; accounts: number; treatedAccounts: number; holdoutAccounts: number; warnings: string[];
  groups: Group[]; overall: Group;
  scoreQuality: { auc: number | null; aucAccounts: number; aucPositives: number; monotonic: boolean | null; notes: string[];
    conversionByBand: { band: string; accounts: number; accountsWon: number; conversion: Est }[] };
}

const SIDE = `accounts closedDeals wonDeals meetingRate { ...E } opportunityRate { ...E } winRate { ...E }`;
const LIFT = `estimate low high pValue significant`;
const KPIS = `query Kpis($input: BandKpiInput!) {
  bandKpis(input: $input) {
    from to model modelVersion accounts treatedAccounts holdoutAccounts warnings
    groups { ...G } overall { ...G }
    scoreQuality { auc aucAccounts aucPositives monotonic notes conversionByBand { band accounts accountsWon conversion { ...E } } }
  }
}
fragment E on KpiEstimate { value low high n x }
fragment G on BandKpiGroup { band tier warnings treated { ${SIDE} } holdout { ${SIDE} }
  lift { meetingRate { ${LIFT} } opportunityRate { ${LIFT} } winRate { ${LIFT} } } }`;

const DAY = 86_400_000;

export async function kpisPage(main: HTMLElement, route: Route): Promise<void> {
  const to = route.query.get("to") ?? day(new Date().toISOString());
  const from = route.query.get("from") ?? day(new Date(Date.parse(to) - 90 * DAY).toISOString());
  const form = h("form", { class: "filters", "data-testid": "kpi-window" },
    h("label", {}, "From", h("input", { type: "date", name: "from", value: from, required: true })),
    h("label", {}, "To", h("input", { type: "date", name: "to", value: to, required: true })),
    h("button", { type: "submit" }, "Show"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const fd = new FormData(form);
    go(["kpis"], { from: String(fd.get("from")), to: String(fd.get("to")) });
  });
  fill(main, h("h1", {}, "KPIs by band"), section("Window", form, h("p", { class: "muted" }, "Computing the report (bootstrap intervals take a few seconds)…")));

  const { bandKpis: r } = await gql<{ bandKpis: Report }>(KPIS, { input: { from: `${from}T00:00:00Z`, to: `${to}T00:00:00Z` } });
  // Highest band first, as on the overview; without a holdout there is only the treated side to draw.
  const groups = r.groups.filter((g) => !g.tier).reverse();
  const withHoldout = r.holdoutAccounts > 0;
  const side = (name: string, s: Side, pick: (s: Side) => Est, unit: string, className: string): Estimate => {
    const e = pick(s);
    return { name, value: e.value, low: e.low, high: e.high, className,
      text: e.value === null ? `no ${unit} (n=${e.n})` : `${percent(e.value)} (${e.x ?? "?"}/${e.n} ${unit})` };
  };
  const chart = (title: string, pick: (s: Side) => Est, unit: string, testid: string) => intervals({
    title, unit: `% of ${unit}`, max: Math.min(1, Math.max(0.05, ...groups.flatMap((g) => [pick(g.treated).high ?? pick(g.treated).value ?? 0, pick(g.holdout).high ?? pick(g.holdout).value ?? 0]))),
    categories: groups.map((g) => ({ label: g.band, series: [side("treated", g.treated, pick, unit, "series-treated"),
      ...(withHoldout ? [side("holdout", g.holdout, pick, unit, "series-holdout")] : [])] })),
    testid,
  });

  fill(main,
    h("h1", {}, "KPIs by band"),
    section("Window", form,
      h("p", {}, `${day(r.from)} to ${day(r.to)}: ${plural(r.accounts, "account")} (${count(r.treatedAccounts)} treated, ${count(r.holdoutAccounts)} held out), bands at the window's start under ${r.model} v${r.modelVersion}.`),
      r.warnings.length ? h("ul", { class: "warnings", "data-testid": "kpi-warnings" }, r.warnings.map((w) => h("li", {}, w))) : null),
    r.accounts === 0 ? section("Report", empty("No account was scored at the window's start, so there are no bands to compare. Choose a later window or run scoring."))
      : [
        section(withHoldout ? "Treated against holdout" : "Treated accounts by band",
          withHoldout ? null : h("p", { class: "notice", "data-testid": "no-holdout" }, "No account was in the holdout at the window's start, so the charts show treated accounts only and there is no lift to show."),
          chart("Meeting rate by band", (s) => s.meetingRate, "accounts", "kpi-meetings"),
          chart("Opportunity rate by band", (s) => s.opportunityRate, "accounts", "kpi-opportunities"),
          chart("Win rate by band", (s) => s.winRate, "closed deals", "kpi-winrate"),
          withHoldout ? liftTable([...groups, r.overall]) : null),
        qualityCard(r)]);
}

function liftTable(groups: Group[]): HTMLElement {
  const lift = (l: Lift) => l.estimate === null ? "—" : [`${decimal(l.estimate)}× [${decimal(l.low)}, ${decimal(l.high)}]`, l.significant ? [" ", badge("significant")] : null];
  return table(["Band", "Treated", "Holdout", "Meeting lift", "Opportunity lift", "Win-rate lift", "Warnings"], groups.map((g) => [
    g.band, count(g.treated.accounts), count(g.holdout.accounts), lift(g.lift.meetingRate), lift(g.lift.opportunityRate), lift(g.lift.winRate),
    g.warnings.length ? h("ul", { class: "warnings small" }, g.warnings.map((w) => h("li", {}, w))) : "—",
  ]), { num: [1, 2], testid: "kpi-lifts" });
}

function qualityCard(r: Report): HTMLElement {
  const q = r.scoreQuality;
  const rows = q.conversionByBand;
  return section("Does the score rank accounts?",
    h("p", {}, q.auc === null ? `AUC cannot be computed: ${plural(q.aucAccounts, "scored account")} with ${plural(q.aucPositives, "win")} (both outcomes are needed).`
      : `AUC of the score at the window's start for winning a deal in the window: ${decimal(q.auc)} over ${plural(q.aucAccounts, "account")} (${count(q.aucPositives)} won). `,
      q.monotonic === null ? "" : q.monotonic ? "Conversion never falls from one band to the next higher one." : "Conversion falls somewhere from a band to a higher one: the bands do not rank accounts."),
    rows.every((b) => b.accounts === 0) ? empty("No scored accounts in any band.")
      : intervals({
        title: "Accounts that won a deal in the window, by band at its start", unit: "% of accounts",
        categories: [...rows].reverse().map((b) => ({ label: b.band, series: [{ name: "conversion", value: b.conversion.value, low: b.conversion.low, high: b.conversion.high, className: "series-treated",
          text: b.conversion.value === null ? "no accounts" : `${percent(b.conversion.value)} (${b.accountsWon}/${b.accounts} accounts)` }] })),
        testid: "kpi-conversion",
      }),
    q.notes.length ? h("ul", { class: "muted small" }, q.notes.map((n) => h("li", {}, n))) : null);
}

/**
 * Turns the report statement's per-group counts into KPIs with intervals, lifts, p-values
 * (raw and Holm-adjusted), warnings and headlines (pure: no I/O; the same rows and seed give
 * the same report).
 */

import type { BandKpiGroup, BandKpiLifts, BandKpiSide, KpiBand, KpiBandConversion, KpiDefinition, KpiEstimate, KpiLift } from "./band-kpi.type";
import { KpiDirection } from "./band-kpi.enums";
import type { AucRow, GroupRow } from "./band-kpi.sql";
import type { BootstrapResult, BootstrapTask, ClusterTask, ValuesTask } from "./bootstrap.runner";
import {
  clusterBootstrap, type ClusterComparison, type ClusterKpi, type ClusterSample, compareRates, compareValues, holmAdjust, meanInterval, meanRatioInterval,
  medianInterval, sampleWarning, wilsonInterval, type RateComparison, type ValueComparison,
} from "./kpi-stats";

/** The band of accounts without a score at the window's start. */
export const UNSCORED = "UNSCORED";
/** The band label of the all-bands group. */
export const ALL_BANDS = "ALL";
/** Tier order when a report is split by tier. */
const TIER_ORDER = ["A", "B", "C", "UNTIERED"];
/** How the report's p-values are adjusted. */
export const P_VALUE_ADJUSTMENT = "holm";

export interface KpiOptions {
  readonly confidence: number;
  readonly seed: number;
  readonly iterations: number;
}

const HIGHER = KpiDirection.HIGHER_IS_BETTER;
const LOWER = KpiDirection.LOWER_IS_BETTER;

/** How a KPI's intervals and lift are computed, by the kind of figure it is. */
const METHOD = {
  PROPORTION: "Wilson per side; Koopman score interval for the lift, pooled z-test.",
  CLUSTERED: "Cluster bootstrap over accounts (percentile), per side and for the lift.",
  MEAN_PER_ACCOUNT: "Normal interval per side; delta method on the log ratio for the lift.",
} as const;

/** The KPIs, in display order: label, unit, which way is better, definition (DESIGN §5) and method. */
export const KPIS = [
  { key: "meetingRate", label: "Meeting rate", unit: "rate", direction: HIGHER,
    definition: "Accounts with a meeting_held event (not bot-flagged) in the window / accounts.", method: METHOD.PROPORTION },
  { key: "opportunityRate", label: "Opportunity rate", unit: "rate", direction: HIGHER,
    definition: "Accounts with a deal created in the window / accounts.", method: METHOD.PROPORTION },
  { key: "winRate", label: "Win rate", unit: "rate", direction: HIGHER,
    definition: "Deals won / deals closed (won or lost) in the window, whenever created.", method: METHOD.CLUSTERED },
  { key: "averageAcv", label: "Average won amount", unit: "amount", direction: HIGHER,
    definition: "Mean amount of the deals won in the window (the raw deal amount, not annualised; the API calls it averageAcv).", method: METHOD.CLUSTERED },
  { key: "medianVelocityDays", label: "Median velocity", unit: "days", direction: LOWER,
    definition: "Median days from creation to close of the deals won in the window; fewer days is better.", method: METHOD.CLUSTERED },
  { key: "pipelinePerAccount", label: "Pipeline per account", unit: "amount", direction: HIGHER,
    definition: "Amount of the deals created in the window / accounts.", method: METHOD.MEAN_PER_ACCOUNT },
  { key: "meetingsPerAccount", label: "Meetings per target account", unit: "count", direction: HIGHER,
    definition: "meeting_held events (not bot-flagged) in the window / accounts.", method: METHOD.MEAN_PER_ACCOUNT },
  { key: "expansionRate", label: "Expansion rate", unit: "rate", direction: HIGHER,
    definition: "Customers at from (a WON deal closed before from) with a WON deal closed in the window / customers at from.", method: METHOD.PROPORTION },
  { key: "medianHoursToFirstTouch", label: "Speed to first touch", unit: "hours", direction: LOWER,
    definition: "Median hours from the account's latest entry into its band at or before from to its first sales_touch after it and before to; untouched accounts are left out and counted; fewer hours is better.",
    method: "Order-statistic interval per side; seeded bootstrap of the ratio of medians (accounts resampled) for the lift." },
  { key: "sqlRate", label: "SQL rate", unit: "rate", direction: HIGHER,
    definition: "Contacts that first reached SQL in the window (contact score history of the line) / non-internal contacts of the accounts.", method: METHOD.PROPORTION },
] as const satisfies readonly KpiDefinition[];
export type KpiKey = (typeof KPIS)[number]["key"];

/** The KPI the headline leads with: the first outcome plays and routing move. */
export const HEADLINE_KPI: KpiKey = "opportunityRate";

const EMPTY: GroupRow = {
  level: "band", band: null, tier: null, holdout: false, accounts: 0, met: 0, meetings: 0, meetingsSd: null, withOpp: 0, opps: 0, pipeline: 0, pipelineSd: null,
  closed: 0, won: 0, accountsWon: 0, moved: 0, scoredNow: 0, customers: 0, expanded: 0, contacts: 0, sqlReached: 0, withEntry: 0, touched: 0, hours: null,
  clusterAccount: null, clusterClosed: null, clusterWon: null, dealDays: null, dealAmount: null, dealAccount: null,
};

function rateEstimate(x: number, n: number, confidence: number, what: string): KpiEstimate {
  const w = wilsonInterval(x, n, confidence);
  return { value: w?.estimate ?? null, low: w?.low ?? null, high: w?.high ?? null, n, x, method: "wilson", note: w ? null : `no ${what}` };
}

/** A side's deals grouped by account, as the cluster bootstrap takes them. */
export function clusterSample(row: GroupRow): ClusterSample {
  // Clusters in account-id order, so the resampling (and the report) is the same on every run.
  const ids = row.clusterAccount ?? [];
  const order = ids.map((_, i) => i).sort((a, b) => (BigInt(ids[a]!) < BigInt(ids[b]!) ? -1 : 1));
  const index = new Map(order.map((i, k) => [ids[i]!, k]));
  return {
    closed: order.map((i) => row.clusterClosed![i]!),
    won: order.map((i) => row.clusterWon![i]!),
    dealDays: row.dealDays ?? [],
    dealAmount: row.dealAmount ?? [],
    dealCluster: (row.dealAccount ?? []).map((id) => {
      const i = index.get(id);
      if (i === undefined) throw new Error(`won deal of account ${id} has no cluster`);
      return i;
    }),
  };
}

const sortedHours = (row: GroupRow) => [...(row.hours ?? [])].sort((a, b) => a - b);

function clusterEstimate(side: ClusterKpi["treated"], n: number, x: number | null): KpiEstimate {
  return { value: side.value, low: side.low, high: side.high, n, x, method: "cluster-bootstrap-percentile", note: side.reason };
}

/** One side's counts and KPI estimates; the win-rate, won-amount and velocity estimates come from the cluster bootstrap. */
export function sideOf(row: GroupRow, confidence: number, clusters: ClusterComparison, holdout: boolean): BandKpiSide {
  const pick = (k: ClusterKpi) => (holdout ? k.holdout : k.treated);
  const wonAmount = (row.dealAmount ?? []).reduce((a, b) => a + b, 0);
  const hours = sortedHours(row);
  const perAccount = meanInterval({ n: row.accounts, mean: row.accounts ? row.pipeline / row.accounts : 0, sd: row.pipelineSd ?? 0 }, confidence);
  const meetings = meanInterval({ n: row.accounts, mean: row.accounts ? row.meetings / row.accounts : 0, sd: row.meetingsSd ?? 0 }, confidence);
  const touch = medianInterval(hours, confidence);
  return {
    accounts: row.accounts,
    accountsWithMeeting: row.met,
    accountsWithOpportunity: row.withOpp,
    opportunitiesCreated: row.opps,
    pipelineCreated: row.pipeline,
    closedDeals: row.closed,
    wonDeals: row.won,
    wonAmount,
    accountsWon: row.accountsWon,
    accountsWithClosedDeals: (row.clusterAccount ?? []).length,
    meetings: row.meetings,
    customersAtFrom: row.customers,
    customersExpanded: row.expanded,
    contacts: row.contacts,
    contactsReachedSql: row.sqlReached,
    accountsWithBandEntry: row.withEntry,
    touchedAccounts: row.touched,
    untouched: row.withEntry - row.touched,
    movedDuringWindow: row.moved,
    meetingRate: rateEstimate(row.met, row.accounts, confidence, "accounts"),
    meetingsPerAccount: { value: meetings.estimate, low: meetings.low, high: meetings.high, n: row.accounts, x: row.meetings, method: "normal", note: meetings.reason },
    opportunityRate: rateEstimate(row.withOpp, row.accounts, confidence, "accounts"),
    winRate: { ...clusterEstimate(pick(clusters.winRate), row.closed, row.won), note: row.closed === 0 ? "no closed deals" : pick(clusters.winRate).reason },
    averageAcv: clusterEstimate(pick(clusters.averageWonAmount), row.won, null),
    medianVelocityDays: clusterEstimate(pick(clusters.medianVelocityDays), row.won, null),
    pipelinePerAccount: { value: perAccount.estimate, low: perAccount.low, high: perAccount.high, n: row.accounts, x: null, method: "normal", note: perAccount.reason },
    expansionRate: rateEstimate(row.expanded, row.customers, confidence, "customers at the window's start"),
    medianHoursToFirstTouch: { value: touch.estimate, low: touch.low, high: touch.high, n: hours.length, x: null, method: "order-statistic", note: touch.reason },
    sqlRate: rateEstimate(row.sqlReached, row.contacts, confidence, "contacts"),
  };
}

function significant(p: number | null, confidence: number): boolean {
  return p !== null && p < 1 - confidence;
}

function fromRates(c: RateComparison): KpiLift {
  return {
    estimate: c.lift, low: c.liftLow, high: c.liftHigh, pValue: c.pValue, adjustedPValue: c.pValue, significant: significant(c.pValue, c.confidence),
    method: c.liftMethod, pValueMethod: c.pValueMethod, note: c.liftNote, warning: c.warning,
  };
}

function fromValues(c: ValueComparison): KpiLift {
  return {
    estimate: c.lift, low: c.liftLow, high: c.liftHigh, pValue: c.pValue, adjustedPValue: c.pValue, significant: significant(c.pValue, c.confidence),
    method: c.liftMethod, pValueMethod: c.pValueMethod, note: c.liftNote, warning: c.warning,
  };
}

function fromClusters(k: ClusterKpi, confidence: number, warning: string | null): KpiLift {
  return {
    estimate: k.estimate, low: k.low, high: k.high, pValue: k.pValue, adjustedPValue: k.pValue, significant: significant(k.pValue, confidence),
    method: "cluster-bootstrap-percentile", pValueMethod: "cluster-bootstrap-percentile-inversion", note: k.reason, warning,
  };
}

function meanRatioLift(t: { n: number; total: number; sd: number | null }, h: { n: number; total: number; sd: number | null }, o: KpiOptions, warning: string | null): KpiLift {
  const r = meanRatioInterval(
    { n: t.n, mean: t.n ? t.total / t.n : 0, sd: t.sd ?? 0 },
    { n: h.n, mean: h.n ? h.total / h.n : 0, sd: h.sd ?? 0 },
    o.confidence);
  return {
    estimate: r.estimate, low: r.low, high: r.high, pValue: r.pValue, adjustedPValue: r.pValue, significant: significant(r.pValue, o.confidence),
    method: "delta-log", pValueMethod: "wald-log", note: r.reason, warning,
  };
}

/** The two resampling tasks of a group: the cluster bootstrap of the deal KPIs, and the ratio of median hours to first touch. */
export function bootstrapTasks(t: GroupRow, h: GroupRow, o: KpiOptions): [clusters: ClusterTask, touch: ValuesTask] {
  return [
    { kind: "clusters", treated: clusterSample(t), holdout: clusterSample(h), seed: o.seed, iterations: o.iterations, confidence: o.confidence },
    { treated: sortedHours(t), holdout: sortedHours(h), stat: "median", seed: o.seed, options: { confidence: o.confidence, iterations: o.iterations, label: "touched accounts" } },
  ];
}

/** Runs tasks inline (what worker threads do off the event loop). */
export function runInline(tasks: readonly BootstrapTask[]): BootstrapResult[] {
  return tasks.map((task) => (task.kind === "clusters"
    ? clusterBootstrap(task.treated, task.holdout, { seed: task.seed, iterations: task.iterations, confidence: task.confidence })
    : compareValues(task.treated, task.holdout, task.stat, task.seed, task.options)));
}

/**
 * Lift of every KPI, treated over holdout (raw p-values; `adjustedPValue` is set by
 * {@link adjustPValues} over the whole report). The resampled comparisons may be passed in,
 * computed elsewhere (see BootstrapRunner); otherwise they are computed here.
 */
export function liftsOf(t: GroupRow, h: GroupRow, o: KpiOptions, boot?: [ClusterComparison, ValueComparison]): BandKpiLifts {
  const accounts = (events: string) => ({ trials: "accounts", events: `accounts with ${events}`, nonEvents: `accounts without ${events}` });
  const [clusters, touch] = boot ?? (runInline(bootstrapTasks(t, h, o)) as [ClusterComparison, ValueComparison]);
  const rates = (labels: { trials: string; events: string; nonEvents: string }, ct: { x: number; n: number }, ch: { x: number; n: number }) =>
    fromRates(compareRates(ct, ch, { confidence: o.confidence, labels }));
  const deals = { trials: "closed deals", events: "won deals", nonEvents: "lost deals" };
  const winWarning = sampleWarning({ kind: "rate", treated: { x: t.won, n: t.closed }, holdout: { x: h.won, n: h.closed }, labels: deals });
  const wonWarning = sampleWarning({ kind: "values", treated: t.won, holdout: h.won, label: "won deals" });
  const perAccountWarning = (tx: number, hx: number, what: string) => (t.accounts === 0 || h.accounts === 0
    ? sampleWarning({ kind: "values", treated: t.accounts, holdout: h.accounts, label: "accounts" })
    : sampleWarning({ kind: "values", treated: tx, holdout: hx, label: what }));
  return {
    meetingRate: rates(accounts("a meeting"), { x: t.met, n: t.accounts }, { x: h.met, n: h.accounts }),
    opportunityRate: rates(accounts("a new opportunity"), { x: t.withOpp, n: t.accounts }, { x: h.withOpp, n: h.accounts }),
    winRate: fromClusters(clusters.winRate, o.confidence, winWarning),
    averageAcv: fromClusters(clusters.averageWonAmount, o.confidence, wonWarning),
    medianVelocityDays: fromClusters(clusters.medianVelocityDays, o.confidence, wonWarning),
    pipelinePerAccount: meanRatioLift({ n: t.accounts, total: t.pipeline, sd: t.pipelineSd }, { n: h.accounts, total: h.pipeline, sd: h.pipelineSd }, o,
      perAccountWarning(t.withOpp, h.withOpp, "accounts with new pipeline")),
    meetingsPerAccount: meanRatioLift({ n: t.accounts, total: t.meetings, sd: t.meetingsSd }, { n: h.accounts, total: h.meetings, sd: h.meetingsSd }, o,
      perAccountWarning(t.met, h.met, "accounts with a meeting")),
    expansionRate: rates({ trials: "customers at the window's start", events: "customers that expanded", nonEvents: "customers that did not expand" },
      { x: t.expanded, n: t.customers }, { x: h.expanded, n: h.customers }),
    medianHoursToFirstTouch: fromValues(touch),
    sqlRate: rates({ trials: "contacts", events: "contacts that reached SQL", nonEvents: "contacts that did not" }, { x: t.sqlReached, n: t.contacts }, { x: h.sqlReached, n: h.contacts }),
  };
}

/** Why a group cannot be compared, or null. */
function nothingToCompare(band: string, t: GroupRow, h: GroupRow): string | null {
  const all = band === ALL_BANDS;
  if (t.accounts === 0 && h.accounts === 0) return all ? "nothing to compare yet, because there were no target accounts at the window's start" : `nothing to compare yet, because no target account was in ${band} at the window's start`;
  if (h.accounts === 0) return all ? "nothing to compare yet, because no account was held out at the window's start" : `nothing to compare yet, because no holdout account was in ${band} at the window's start`;
  if (t.accounts === 0) return all ? "nothing to compare yet, because every target account was held out at the window's start" : `nothing to compare yet, because every target account in ${band} was held out at the window's start`;
  return null;
}

/** A group: both sides, the lifts and the group's warnings (headline filled in by {@link groupsOf}). */
export function groupOf(band: string, tier: string | null, t: GroupRow | undefined, h: GroupRow | undefined, o: KpiOptions, boot?: [ClusterComparison, ValueComparison]): BandKpiGroup {
  const treated = t ?? EMPTY;
  const holdout = h ?? { ...EMPTY, holdout: true };
  const [clusters, touch] = boot ?? (runInline(bootstrapTasks(treated, holdout, o)) as [ClusterComparison, ValueComparison]);
  const lift = liftsOf(treated, holdout, o, [clusters, touch]);
  const warnings = KPIS.flatMap(({ key, label }) => (lift[key].warning ? [`${label}: ${lift[key].warning}`] : []));
  const reason = nothingToCompare(band, treated, holdout);
  return {
    band, tier, treated: sideOf(treated, o.confidence, clusters, false), holdout: sideOf(holdout, o.confidence, clusters, true), lift, warnings,
    comparable: reason === null, nothingToCompare: reason, headline: "",
  };
}

/**
 * Holm adjustment over every lift p-value of the groups given (the whole report): sets each
 * lift's `adjustedPValue`, and `significant` from it. Returns how many p-values there were.
 */
export function adjustPValues(groups: readonly BandKpiGroup[], confidence: number): number {
  const lifts = groups.flatMap((g) => KPIS.map(({ key }) => g.lift[key]));
  const adjusted = holmAdjust(lifts.map((l) => l.pValue));
  lifts.forEach((l, i) => {
    l.adjustedPValue = adjusted[i]!;
    l.significant = significant(adjusted[i]!, confidence);
  });
  return adjusted.filter((p) => p !== null).length;
}

/** Bands in report order: the model's bands lowest first (with their ranges), then any others seen, UNSCORED last. */
export function bandOrder(modelBands: readonly Pick<KpiBand, "name" | "minScore" | "slaHours" | "play">[], seen: Iterable<string>): KpiBand[] {
  const sorted = [...modelBands].sort((a, b) => (a.minScore ?? 0) - (b.minScore ?? 0));
  const out: KpiBand[] = sorted.map((b, i) => {
    const next = sorted[i + 1]?.minScore ?? null;
    const low = b.minScore ?? 0;
    return { ...b, maxScore: next, range: next === null ? `${fmtScore(low)}–100` : `${fmtScore(low)}–${fmtScore(next)}` };
  });
  const known = new Set(out.map((b) => b.name));
  const extra = [...new Set(seen)].filter((b) => !known.has(b)).sort((a, b) => (a === UNSCORED ? 1 : b === UNSCORED ? -1 : a.localeCompare(b)));
  return [...out, ...extra.map((name) => ({ name, minScore: null, maxScore: null, range: name === UNSCORED ? "no score" : "not a band of this version", slaHours: null, play: null }))];
}

const fmtScore = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

const pct = (v: number | null) => (v === null ? "–" : `${(v * 100).toFixed(1)}%`);
const ratio = (v: number | null) => (v === null ? "∞" : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const pText = (p: number | null) => (p === null ? "–" : p < 0.001 ? "<0.001" : p.toFixed(3));

/**
 * The sentence a council can repeat for one group: the opportunity-rate comparison with its
 * counts, lift, interval and adjusted p-value and what it means; then every KPI whose
 * difference is clear after the Holm adjustment (or that none is).
 *
 * @example
 * "Hot (70–100, play 1:1, SLA 24 h): treated accounts opened an opportunity at 87.5% (7/8) against 75.0% (3/4)
 *  in the holdout: lift 1.17 (95% CI 0.62–2.19, adjusted p 1.000), no clear difference, and too few accounts to
 *  conclude anything. No KPI differs clearly after adjusting for 40 comparisons."
 */
export function headlineOf(g: BandKpiGroup, band: KpiBand | null, confidence: number, comparisons: number): string {
  const name = g.band === ALL_BANDS ? "All bands" : g.tier ? `${g.band} · tier ${g.tier}` : g.band;
  const about = band && g.band !== ALL_BANDS
    ? ` (${band.range}${band.play ? `, play ${band.play}` : ""}${band.slaHours ? `, SLA ${band.slaHours} h` : ""})`
    : "";
  if (!g.comparable) return `${name}${about}: ${g.nothingToCompare}.`;
  const ci = `${Math.round(confidence * 100)}% CI`;
  const t = g.treated.opportunityRate;
  const h = g.holdout.opportunityRate;
  const l = g.lift[HEADLINE_KPI];
  const interval = l.low === null ? "no interval" : `${ci} ${ratio(l.low)}–${l.high === null ? "∞" : ratio(l.high)}`;
  const verdict = l.estimate === null
    ? `no lift: ${l.note ?? "undefined"}`
    : `lift ${ratio(l.estimate)} (${interval}, adjusted p ${pText(l.adjustedPValue)}), ${l.significant ? (l.estimate > 1 ? "clearly higher" : "clearly lower") : "no clear difference"}`;
  const small = l.warning ? ", and too few accounts to conclude anything" : "";
  const clear = KPIS.filter(({ key }) => g.lift[key].significant && key !== HEADLINE_KPI).map(({ key, label, direction }) => {
    const x = g.lift[key];
    const good = (x.estimate ?? 1) > 1 === (direction === HIGHER);
    return `${label.toLowerCase()} ×${ratio(x.estimate)} (${ci} ${ratio(x.low)}–${x.high === null ? "∞" : ratio(x.high)}, ${good ? "better" : "worse"} for treated)`;
  });
  const tail = clear.length > 0
    ? ` Clear after adjusting for ${comparisons} comparisons: ${clear.join("; ")}.`
    : l.significant ? "" : ` No KPI differs clearly after adjusting for ${comparisons} comparisons.`;
  return `${name}${about}: treated accounts opened an opportunity at ${pct(t.value)} (${t.x}/${t.n}) against ${pct(h.value)} (${h.x}/${h.n}) in the holdout: ${verdict}${small}.${tail}`;
}

/**
 * Overall group, per-band groups (every band of the model, empty ones included) and, with
 * tiers, each band's tiers after it; p-values Holm-adjusted over all of them, and a headline
 * per group. The resampling of all groups goes to `runBootstraps` in one batch (worker
 * threads in the server; inline by default).
 */
export async function groupsOf(
  rows: readonly GroupRow[], bands: readonly KpiBand[], byTier: boolean, o: KpiOptions,
  runBootstraps: (tasks: BootstrapTask[]) => Promise<BootstrapResult[]> = async (tasks) => runInline(tasks),
): Promise<{ overall: BandKpiGroup; groups: BandKpiGroup[]; comparisons: number }> {
  const find = (level: GroupRow["level"], band: string | null, tier: string | null, holdout: boolean) =>
    rows.find((r) => r.level === level && r.band === band && r.tier === tier && r.holdout === holdout);
  const specs: { band: string; tier: string | null; t: GroupRow; h: GroupRow }[] = [];
  const spec = (band: string, tier: string | null, t: GroupRow | undefined, h: GroupRow | undefined) =>
    specs.push({ band, tier, t: t ?? EMPTY, h: h ?? { ...EMPTY, holdout: true } });
  spec(ALL_BANDS, null, find("overall", null, null, false), find("overall", null, null, true));
  for (const band of bands) {
    spec(band.name, null, find("band", band.name, null, false), find("band", band.name, null, true));
    if (!byTier) continue;
    const tiers = [...new Set(rows.filter((r) => r.level === "tier" && r.band === band.name).map((r) => r.tier!))]
      .sort((a, b) => TIER_ORDER.indexOf(a) - TIER_ORDER.indexOf(b));
    for (const tier of tiers) spec(band.name, tier, find("tier", band.name, tier, false), find("tier", band.name, tier, true));
  }
  const boot = await runBootstraps(specs.flatMap((s) => bootstrapTasks(s.t, s.h, o)));
  const groups = specs.map((s, i) => groupOf(s.band, s.tier, s.t, s.h, o, [boot[2 * i] as ClusterComparison, boot[2 * i + 1] as ValueComparison]));
  const comparisons = adjustPValues(groups, o.confidence);
  const byName = new Map(bands.map((b) => [b.name, b]));
  for (const g of groups) g.headline = headlineOf(g, byName.get(g.band) ?? null, o.confidence, comparisons);
  return { overall: groups[0]!, groups: groups.slice(1), comparisons };
}

/** Conversion and win rate per scored band (both sides together), lowest band first, and whether they rise with the band. */
export function conversionByBand(rows: readonly GroupRow[], bands: readonly KpiBand[], confidence: number): {
  conversion: KpiBandConversion[]; monotonic: boolean | null; winRateMonotonic: boolean | null;
} {
  const conversion = bands.filter((b) => b.name !== UNSCORED).map((b) => {
    const sides = rows.filter((r) => r.level === "band" && r.band === b.name);
    const sum = (k: "accounts" | "accountsWon" | "closed" | "won") => sides.reduce((n, r) => n + r[k], 0);
    const accounts = sum("accounts");
    const closed = sum("closed");
    return {
      band: b.name, accounts, accountsWon: sum("accountsWon"), closedDeals: closed, wonDeals: sum("won"),
      conversion: rateEstimate(sum("accountsWon"), accounts, confidence, "accounts"),
      winRate: rateEstimate(sum("won"), closed, confidence, "closed deals"),
    };
  });
  return {
    conversion,
    monotonic: nonDecreasing(conversion.filter((c) => c.accounts > 0).map((c) => c.conversion.value!)),
    winRateMonotonic: nonDecreasing(conversion.filter((c) => c.closedDeals > 0).map((c) => c.winRate.value!)),
  };
}

/** null for fewer than two values. */
function nonDecreasing(values: readonly number[]): boolean | null {
  if (values.length < 2) return null;
  return values.every((v, i) => i === 0 || v >= values[i - 1]!);
}

/**
 * AUC from the rank sum of the positives (Mann–Whitney):
 * `AUC = (Σ rank(positive) − P(P + 1)/2) / (P·N)`, ties given their average rank.
 * Example: totals 10, 20, 20, 30 with positives at 20 and 30 → ranks 1, 2.5, 2.5, 4;
 * (2.5 + 4 − 3) / (2·2) = 0.875. Null without both positives and negatives.
 */
export function aucOf(row: AucRow): number | null {
  const { positives: p, negatives: n, rankSum } = row;
  if (p === 0 || n === 0) return null;
  return (rankSum - (p * (p + 1)) / 2) / (p * n);
}

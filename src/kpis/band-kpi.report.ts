/**
 * Turns the report statement's per-group counts into KPIs with intervals, lifts, p-values and
 * warnings (pure: no I/O; the same rows and seed give the same report).
 */

import type { BandKpiGroup, BandKpiLifts, BandKpiSide, KpiBand, KpiBandConversion, KpiEstimate, KpiLift } from "./band-kpi.type";
import type { AucRow, GroupRow } from "./band-kpi.sql";
import type { BootstrapTask } from "./bootstrap.runner";
import {
  compareRates, compareValues, meanInterval, meanRatioInterval, medianInterval, sampleWarning, wilsonInterval,
  type RateComparison, type ValueComparison,
} from "./kpi-stats";

/** The band of accounts without a score at the window's start. */
export const UNSCORED = "UNSCORED";
/** The band label of the all-bands group. */
export const ALL_BANDS = "ALL";
/** Tier order when a report is split by tier. */
const TIER_ORDER = ["A", "B", "C", "UNTIERED"];

export interface KpiOptions {
  readonly confidence: number;
  readonly seed: number;
  readonly iterations: number;
}

/** The KPIs, in display order, with their labels. */
export const KPIS = [
  { key: "meetingRate", label: "Meeting rate", unit: "rate" },
  { key: "opportunityRate", label: "Opportunity rate", unit: "rate" },
  { key: "winRate", label: "Win rate", unit: "rate" },
  { key: "averageAcv", label: "Average ACV", unit: "amount" },
  { key: "medianVelocityDays", label: "Median velocity", unit: "days" },
  { key: "pipelinePerAccount", label: "Pipeline per account", unit: "amount" },
] as const;
export type KpiKey = (typeof KPIS)[number]["key"];

const EMPTY: GroupRow = {
  level: "band", band: null, tier: null, holdout: false, accounts: 0, met: 0, withOpp: 0, opps: 0, pipeline: 0, pipelineSd: null,
  closed: 0, won: 0, accountsWon: 0, late: 0, scoredNow: 0, acv: null, days: null,
};

function rateEstimate(x: number, n: number, confidence: number, what: string): KpiEstimate {
  const w = wilsonInterval(x, n, confidence);
  return { value: w?.estimate ?? null, low: w?.low ?? null, high: w?.high ?? null, n, x, method: "wilson", note: w ? null : `no ${what}` };
}

function sampleSd(values: readonly number[], mean: number): number {
  if (values.length < 2) return 0;
  let s = 0;
  for (const v of values) s += (v - mean) * (v - mean);
  return Math.sqrt(s / (values.length - 1));
}

/** One side's counts and KPI estimates. */
export function sideOf(row: GroupRow, confidence: number): BandKpiSide {
  const acv = row.acv ?? [];
  const acvMean = acv.length ? acv.reduce((a, b) => a + b, 0) / acv.length : 0;
  const acvInterval = meanInterval({ n: acv.length, mean: acvMean, sd: sampleSd(acv, acvMean) }, confidence);
  const velocity = medianInterval(row.days ?? [], confidence);
  const perAccount = meanInterval({ n: row.accounts, mean: row.accounts ? row.pipeline / row.accounts : 0, sd: row.pipelineSd ?? 0 }, confidence);
  return {
    accounts: row.accounts,
    accountsWithMeeting: row.met,
    accountsWithOpportunity: row.withOpp,
    opportunitiesCreated: row.opps,
    pipelineCreated: row.pipeline,
    closedDeals: row.closed,
    wonDeals: row.won,
    wonAmount: acv.reduce((a, b) => a + b, 0),
    accountsWon: row.accountsWon,
    meetingRate: rateEstimate(row.met, row.accounts, confidence, "accounts"),
    opportunityRate: rateEstimate(row.withOpp, row.accounts, confidence, "accounts"),
    winRate: rateEstimate(row.won, row.closed, confidence, "closed deals"),
    averageAcv: { value: acvInterval.estimate, low: acvInterval.low, high: acvInterval.high, n: acv.length, x: null, method: "normal", note: acvInterval.reason },
    medianVelocityDays: { value: velocity.estimate, low: velocity.low, high: velocity.high, n: (row.days ?? []).length, x: null, method: "order-statistic", note: velocity.reason },
    pipelinePerAccount: { value: perAccount.estimate, low: perAccount.low, high: perAccount.high, n: row.accounts, x: null, method: "normal", note: perAccount.reason },
  };
}

function significant(p: number | null, confidence: number): boolean {
  return p !== null && p < 1 - confidence;
}

function fromRates(c: RateComparison): KpiLift {
  return {
    estimate: c.lift, low: c.liftLow, high: c.liftHigh, pValue: c.pValue, significant: significant(c.pValue, c.confidence),
    method: c.liftMethod, pValueMethod: c.pValueMethod, note: c.liftNote, warning: c.warning,
  };
}

function fromValues(c: ValueComparison): KpiLift {
  return {
    estimate: c.lift, low: c.liftLow, high: c.liftHigh, pValue: c.pValue, significant: significant(c.pValue, c.confidence),
    method: c.liftMethod, pValueMethod: c.pValueMethod, note: c.liftNote, warning: c.warning,
  };
}

/** The two bootstrap comparisons of a group: ACV (ratio of means) and velocity (ratio of medians). */
export function bootstrapTasks(t: GroupRow, h: GroupRow, o: KpiOptions): [acv: BootstrapTask, velocity: BootstrapTask] {
  const options = { confidence: o.confidence, iterations: o.iterations, label: "won deals" };
  return [
    { treated: t.acv ?? [], holdout: h.acv ?? [], stat: "mean", seed: o.seed, options },
    { treated: t.days ?? [], holdout: h.days ?? [], stat: "median", seed: o.seed, options },
  ];
}

const inline = (task: BootstrapTask) => compareValues(task.treated, task.holdout, task.stat, task.seed, task.options);

/**
 * Lift of every KPI, treated over holdout. The bootstrap comparisons (ACV, velocity) may be
 * passed in, computed elsewhere (see BootstrapRunner); otherwise they are computed here.
 */
export function liftsOf(t: GroupRow, h: GroupRow, o: KpiOptions, boot?: [ValueComparison, ValueComparison]): BandKpiLifts {
  const accounts = (events: string) => ({ trials: "accounts", events: `accounts with ${events}`, nonEvents: `accounts without ${events}` });
  const [acv, velocity] = boot ?? bootstrapTasks(t, h, o).map(inline) as [ValueComparison, ValueComparison];
  const pipeline = meanRatioInterval(
    { n: t.accounts, mean: t.accounts ? t.pipeline / t.accounts : 0, sd: t.pipelineSd ?? 0 },
    { n: h.accounts, mean: h.accounts ? h.pipeline / h.accounts : 0, sd: h.pipelineSd ?? 0 },
    o.confidence);
  return {
    meetingRate: fromRates(compareRates({ x: t.met, n: t.accounts }, { x: h.met, n: h.accounts }, { confidence: o.confidence, labels: accounts("a meeting") })),
    opportunityRate: fromRates(compareRates({ x: t.withOpp, n: t.accounts }, { x: h.withOpp, n: h.accounts }, { confidence: o.confidence, labels: accounts("a new opportunity") })),
    winRate: fromRates(compareRates({ x: t.won, n: t.closed }, { x: h.won, n: h.closed },
      { confidence: o.confidence, labels: { trials: "closed deals", events: "won deals", nonEvents: "lost deals" } })),
    averageAcv: fromValues(acv),
    medianVelocityDays: fromValues(velocity),
    pipelinePerAccount: {
      estimate: pipeline.estimate, low: pipeline.low, high: pipeline.high, pValue: pipeline.pValue,
      significant: significant(pipeline.pValue, o.confidence), method: "delta-log", pValueMethod: "wald-log", note: pipeline.reason,
      warning: t.accounts === 0 || h.accounts === 0
        ? sampleWarning({ kind: "values", treated: t.accounts, holdout: h.accounts, label: "accounts" })
        : sampleWarning({ kind: "values", treated: t.withOpp, holdout: h.withOpp, label: "accounts with new pipeline" }),
    },
  };
}

/** A group: both sides, the lifts and the group's warnings. */
export function groupOf(band: string, tier: string | null, t: GroupRow | undefined, h: GroupRow | undefined, o: KpiOptions, boot?: [ValueComparison, ValueComparison]): BandKpiGroup {
  const treated = t ?? EMPTY;
  const holdout = h ?? { ...EMPTY, holdout: true };
  const lift = liftsOf(treated, holdout, o, boot);
  const warnings = KPIS.flatMap(({ key, label }) => (lift[key].warning ? [`${label}: ${lift[key].warning}`] : []));
  return { band, tier, treated: sideOf(treated, o.confidence), holdout: sideOf(holdout, o.confidence), lift, warnings };
}

/** Bands in report order: the model's bands lowest first, then any others seen, UNSCORED last. */
export function bandOrder(modelBands: readonly KpiBand[], seen: Iterable<string>): KpiBand[] {
  const out = [...modelBands].sort((a, b) => (a.minScore ?? 0) - (b.minScore ?? 0));
  const known = new Set(out.map((b) => b.name));
  const extra = [...new Set(seen)].filter((b) => !known.has(b)).sort((a, b) => (a === UNSCORED ? 1 : b === UNSCORED ? -1 : a.localeCompare(b)));
  return [...out, ...extra.map((name) => ({ name, minScore: null, slaHours: null, play: null }))];
}

/**
 * Overall group, per-band groups (every band of the model, empty ones included) and, with
 * tiers, each band's tiers after it. The bootstrap comparisons of all groups go to
 * `runBootstraps` in one batch (worker threads in the server; inline by default).
 */
export async function groupsOf(
  rows: readonly GroupRow[], bands: readonly KpiBand[], byTier: boolean, o: KpiOptions,
  runBootstraps: (tasks: BootstrapTask[]) => Promise<ValueComparison[]> = async (tasks) => tasks.map(inline),
): Promise<{ overall: BandKpiGroup; groups: BandKpiGroup[] }> {
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
  const groups = specs.map((s, i) => groupOf(s.band, s.tier, s.t, s.h, o, [boot[2 * i]!, boot[2 * i + 1]!]));
  return { overall: groups[0]!, groups: groups.slice(1) };
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

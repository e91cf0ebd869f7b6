import type {
  CalibrationReport, CoefficientEstimate, CrossValidationReport, HoldoutEvaluation,
} from "../../ml";
import type { Component } from "../scoring/model.types";
import { type Candidate, CANDIDATE_EVENT_RULE } from "./candidates.sql";
import type { CandidateFit } from "./fit-job";
import type { ComponentWeightChange, CriterionChange, CutoffChange } from "./proposal";

/**
 * The record of a training run, stored as jsonb (`training_runs.dataset`, `.report`,
 * `weight_proposals.details`) and served as is: plain JSON, no NaN (unknown numbers are null).
 */

/** The options a run used (defaults filled in), so it can be reproduced. */
export interface TrainingParams {
  readonly baseModelId: string;
  readonly l2: number;
  readonly seed: number;
  readonly holdoutShare: number;
  readonly folds: number;
  readonly closedFrom: string | null;
  readonly closedTo: string | null;
  readonly suggestNewCriteria: boolean;
  /** false: a dry run, which fits and reports but writes no proposal and no new version (absent in older runs: true). */
  readonly propose?: boolean;
}

/** A criterion of the base model the fit left out, and why. */
export interface DroppedCriterion {
  readonly criterion: string;
  readonly label: string;
  readonly component: Component;
  readonly feature: string;
  readonly reason: "constant" | "duplicate";
  /** For duplicates: the criterion it repeats (which was kept). */
  readonly duplicateOf: string | null;
  readonly detail: string;
}

export interface DatasetSummary {
  /** Closed deals (one training row each), won and lost. */
  readonly deals: number;
  readonly won: number;
  readonly lost: number;
  /** Criteria of the base model (one feature each), and how many the fit used. */
  readonly features: number;
  readonly usedFeatures: number;
  readonly droppedFeatures: DroppedCriterion[];
  /** Range of the deals' creation times: each row's features are as of its deal's creation. */
  readonly firstCreatedAt: string | null;
  readonly lastCreatedAt: string | null;
}

/** A coefficient of the final fit, named by its criterion, with its effect at full strength. */
export interface CriterionCoefficient extends Omit<CoefficientEstimate, "name"> {
  /** The dataset dump's column: the rule key, committee criteria as `committee.<key>`. */
  readonly criterion: string;
  /** The criterion's key in the model. */
  readonly key?: string;
  readonly label: string;
  readonly component: Component | null;
  readonly feature: string;
  /** The 95th percentile of its raw value over the training deals. */
  readonly p95?: number;
  /** `estimate × p95`: the log-odds change at the high end of the values it takes in the deals; null for the intercept. */
  readonly effect: number | null;
  readonly effectLow: number | null;
  readonly effectHigh: number | null;
}

/** The fitted model's metrics next to the current and proposed scoring models' on the same deals. */
export interface TrainingMetrics {
  readonly holdout: HoldoutEvaluation | null;
  readonly crossValidation: CrossValidationReport | null;
  /** AUC of the base model's total (as of each deal's creation) on all training deals. */
  readonly currentModelAuc: number | null;
  /** The same on the holdout deals only (the rows the holdout AUC is measured on). */
  readonly currentModelHoldoutAuc: number | null;
  /** AUC of the proposed model's total on all training deals — in-sample: its weights come from these deals. */
  readonly proposedModelAuc: number | null;
}

export interface TrainingRunReport {
  readonly backend: string;
  readonly fit: {
    readonly iterations: number;
    readonly converged: boolean;
    readonly logLikelihood: number;
    readonly objective: number;
    readonly durationMs: number;
    readonly finalFitMs: number;
    readonly intercept: CoefficientEstimate | null;
  };
  readonly metrics: TrainingMetrics;
  readonly coefficients: CriterionCoefficient[];
  readonly calibration: CalibrationReport;
  readonly warnings: string[];
  /** Candidate criteria tested for `suggestedCriteria` (0 when the run did not look). */
  readonly candidatesTested: number;
  /** Fields and event types the model does not use yet with a real effect (also on the proposal, when there is one). */
  readonly suggestedCriteria: SuggestedCriterion[];
  /** A dry run's would-be proposal (`propose: false`): nothing was written for it. */
  readonly dryRunProposal?: ProposalDetails;
}

/** Deals and win rate per band, by the current total and by the proposed one (whose band minimums may differ). */
export interface BandWinRate {
  readonly band: string;
  readonly minScore: number;
  readonly proposedMinScore: number;
  readonly currentDeals: number;
  readonly currentWon: number;
  /** Won / closed deals in the band; null when the band has none. */
  readonly current: number | null;
  readonly proposedDeals: number;
  readonly proposedWon: number;
  readonly proposed: number | null;
  /** 95% Wilson intervals of the win rates (null without deals). */
  readonly currentLow: number | null;
  readonly currentHigh: number | null;
  readonly proposedLow: number | null;
  readonly proposedHigh: number | null;
}

/** A field value or event type the base model does not use that moves the odds of winning. */
export interface SuggestedCriterion {
  readonly kind: "FIELD" | "EVENT_TYPE";
  readonly label: string;
  readonly field: string | null;
  readonly operator: "EQ" | "GTE" | null;
  readonly value: string | null;
  readonly min: number | null;
  readonly eventType: string | null;
  /** Deals where it applies (value > 0 in the probe), and their share. */
  readonly deals: number;
  readonly share: number;
  readonly winRateWith: number | null;
  readonly winRateWithout: number | null;
  /** Log-odds effect at full strength alongside the base criteria, its interval, odds ratio, p-value and Holm-adjusted p-value. */
  readonly effect: number;
  readonly effectLow: number;
  readonly effectHigh: number;
  readonly oddsRatio: number;
  readonly pValue: number;
  readonly adjustedPValue: number;
  /** Points of the 0–100 total it would be worth at full strength on the proposal's scale (negative: a penalty). */
  readonly suggestedPoints: number;
  /** A rule to paste into a ScoringModelInput (fitRules or engagementRules), points on the proposal's scale. */
  readonly rule: Record<string, unknown>;
}

/** The proposal's numbers, stored in `weight_proposals.details`. */
export interface ProposalDetails {
  readonly changes: CriterionChange[];
  readonly componentWeights: ComponentWeightChange[];
  readonly engagedThreshold: { readonly before: number; readonly after: number };
  readonly pointsPerLogOdds: number;
  /** Band minimums and thresholds re-set to keep their share of the training deals. */
  readonly cutoffs: CutoffChange[];
  readonly winRateByBand: BandWinRate[];
  readonly suggestedCriteria: SuggestedCriterion[];
  /** What the council must not miss, first: a verdict that is not better, a threshold or band minimum that moves. */
  readonly headlines?: string[];
  /** Is the fitted model better than the current one on the same deals, out of sample (see `compareWithCurrent`)? */
  readonly outcome: "BETTER" | "MIXED" | "NOT_BETTER" | "UNKNOWN";
  /** The same in a sentence, with the numbers. */
  readonly verdict: string;
}

/** A candidate is suggested when its Holm-adjusted p-value is below this. */
export const SUGGESTION_ALPHA = 0.05;

/**
 * The 95% Wilson score interval of a proportion `won / n`: honest for small bands (10 deals)
 * and rates near 0 or 1, where the normal approximation is not. Nulls when n = 0.
 *
 * @example wilson(3, 10) → [0.108, 0.603] (rounded)
 */
export function wilson(won: number, n: number): [number | null, number | null] {
  if (n === 0) return [null, null];
  const z = 1.959963984540054;
  const p = won / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * Win rate per band (highest band first), by each deal's band under the current and the
 * proposed model.
 */
export function winRateByBand(
  bands: readonly { name: string; minScore: number }[],
  proposedBands: readonly { name: string; minScore: number }[],
  current: readonly { band: string; won: boolean }[],
  proposed: readonly { band: string; won: boolean }[],
): BandWinRate[] {
  const count = (rows: readonly { band: string; won: boolean }[], band: string) => {
    const inBand = rows.filter((r) => r.band === band);
    return { deals: inBand.length, won: inBand.filter((r) => r.won).length };
  };
  return [...bands].reverse().map((b) => {
    const c = count(current, b.name);
    const p = count(proposed, b.name);
    const [currentLow, currentHigh] = wilson(c.won, c.deals);
    const [proposedLow, proposedHigh] = wilson(p.won, p.deals);
    return {
      band: b.name, minScore: b.minScore, proposedMinScore: proposedBands.find((x) => x.name === b.name)?.minScore ?? b.minScore,
      currentDeals: c.deals, currentWon: c.won, current: c.deals > 0 ? c.won / c.deals : null,
      proposedDeals: p.deals, proposedWon: p.won, proposed: p.deals > 0 ? p.won / p.deals : null,
      currentLow, currentHigh, proposedLow, proposedHigh,
    };
  });
}

/**
 * Candidates with a real effect: Holm-adjusted p-value below `SUGGESTION_ALPHA` over all
 * candidates tested, strongest first. `column(c)` gives candidate c's value per row.
 */
export function suggestCriteria(
  candidates: readonly Candidate[],
  fits: readonly CandidateFit[],
  stats: readonly { deals: number; wonWith: number; wonWithout: number }[],
  n: number,
  proposal: { pointsPerLogOdds: number; weights: Record<"FIT" | "ENGAGEMENT", number> } | null,
): SuggestedCriterion[] {
  const tested = fits.map((f, c) => ({ f, c })).filter((x) => x.f.coefficient !== null);
  const adjusted = holm(tested.map((x) => x.f.coefficient!.pValue));
  const out: SuggestedCriterion[] = [];
  tested.forEach(({ f, c }, k) => {
    const coef = f.coefficient!;
    if (!(adjusted[k]! < SUGGESTION_ALPHA)) return;
    const cand = candidates[c]!;
    const s = stats[c]!;
    const effect = coef.estimate * cand.fullStrength;
    const scale = proposal?.pointsPerLogOdds ?? 0;
    const suggestedPoints = Math.round(scale * effect * 10) / 10;
    const componentWeight = proposal ? (cand.kind === "FIELD" ? proposal.weights.FIT : proposal.weights.ENGAGEMENT) : 0;
    // Points inside its component (so that weight × points = suggestedPoints), or the total's points when the component has no weight.
    const inComponent = componentWeight > 0 ? suggestedPoints / componentWeight : suggestedPoints;
    const key = cand.kind === "FIELD"
      ? `${(cand.field ?? "").replace(/^attributes\./, "")}_${cand.value ?? "median"}`.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 60) || "suggested"
      : `${cand.eventType}`;
    const rule = cand.kind === "FIELD"
      ? { key, label: cand.label, field: cand.field, operator: cand.operator, ...(cand.value !== null ? { values: [cand.value] } : { min: cand.min }), points: round1(inComponent) }
      : {
        key, label: cand.label, eventTypes: [cand.eventType], points: Math.round((inComponent / cand.fullStrength) * 100) / 100,
        halfLifeDays: CANDIDATE_EVENT_RULE.halfLifeDays, lookbackDays: CANDIDATE_EVENT_RULE.lookbackDays,
        capPerContact: Math.max(Math.abs(round1(inComponent)), 0.1), capPerAccount: Math.max(Math.abs(round1(inComponent)), 0.1),
      };
    const withoutDeals = n - s.deals;
    out.push({
      kind: cand.kind, label: cand.label, field: cand.field, operator: cand.operator, value: cand.value, min: cand.min, eventType: cand.eventType,
      deals: s.deals, share: n > 0 ? s.deals / n : 0,
      winRateWith: s.deals > 0 ? s.wonWith / s.deals : null, winRateWithout: withoutDeals > 0 ? s.wonWithout / withoutDeals : null,
      effect, effectLow: Math.min(coef.ciLow, coef.ciHigh) * cand.fullStrength, effectHigh: Math.max(coef.ciLow, coef.ciHigh) * cand.fullStrength,
      oddsRatio: Math.exp(effect), pValue: coef.pValue, adjustedPValue: adjusted[k]!, suggestedPoints, rule,
    });
  });
  return out.sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect));
}

/**
 * Holm's step-down adjustment: sort p ascending, `p'_(i) = max_{k ≤ i} min(1, (m − k + 1)·p_(k))`.
 * Controls the chance of any false suggestion at α across all candidates tested.
 *
 * @example holm([0.01, 0.04, 0.03]) → [0.03, 0.06, 0.06]
 */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    out[i] = running;
  });
  return out;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Replaces non-finite numbers by null, so the value can be stored as jsonb. */
export function jsonSafe<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v))) as T;
}

/**
 * Everything on the record of one run, as one JSON document: what the GraphQL `report` field,
 * `quorum train --json` and the HTML report show.
 */
export interface TrainingRunView {
  readonly id: string;
  readonly status: string;
  readonly progress: number;
  readonly stage: string | null;
  readonly error: string | null;
  readonly backend: string | null;
  readonly baseModel: { readonly id: string; readonly name: string; readonly version: number } | null;
  readonly params: TrainingParams;
  readonly dataset: DatasetSummary | null;
  readonly report: TrainingRunReport | null;
  readonly proposal: (ProposalDetails & {
    readonly id: string;
    readonly status: string;
    readonly summary: string;
    readonly proposedModel: { readonly id: string; readonly name: string; readonly version: number; readonly status: string } | null;
    readonly reviews: { readonly reviewer: string; readonly decision: string; readonly comment: string; readonly createdAt: string }[];
    readonly createdAt: string;
    readonly decidedAt: string | null;
  }) | null;
  readonly startedBy: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

type ModelRef = { id: string; name: string; version: number; status: string };

/** Puts a run, its models, proposal and reviews together (see `TrainingRunView`). */
export function trainingRunView(
  run: {
    id: string; status: string; progress: number; stage: string | null; error: string | null; backend: string | null; params: TrainingParams;
    dataset: DatasetSummary | null; report: TrainingRunReport | null; startedBy: string | null; createdAt: Date; startedAt: Date | null; finishedAt: Date | null;
  },
  baseModel: ModelRef | null,
  proposal: { id: string; status: string; summary: string; details: ProposalDetails; createdAt: Date; decidedAt: Date | null } | null,
  proposedModel: ModelRef | null,
  reviews: readonly { reviewer: string; decision: string; comment: string; createdAt: Date }[],
): TrainingRunView {
  return {
    id: run.id, status: run.status, progress: run.progress, stage: run.stage, error: run.error, backend: run.backend,
    baseModel: baseModel ? { id: baseModel.id, name: baseModel.name, version: baseModel.version } : null,
    params: run.params, dataset: run.dataset, report: run.report,
    proposal: proposal ? {
      ...proposal.details,
      id: proposal.id, status: proposal.status, summary: proposal.summary,
      proposedModel: proposedModel ? { id: proposedModel.id, name: proposedModel.name, version: proposedModel.version, status: proposedModel.status } : null,
      reviews: reviews.map((r) => ({ reviewer: r.reviewer, decision: r.decision, comment: r.comment, createdAt: r.createdAt.toISOString() })),
      createdAt: proposal.createdAt.toISOString(), decidedAt: proposal.decidedAt?.toISOString() ?? null,
    } : null,
    startedBy: run.startedBy, createdAt: run.createdAt.toISOString(), startedAt: run.startedAt?.toISOString() ?? null, finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

import type { CoefficientEstimate, DroppedFeature } from "../../ml";
import type { ScoringModelInputData } from "../scoring/model-validation";
import { COMPONENTS, type Component, type ModelDefinition } from "../scoring/model.types";
import { type CriterionFeature, ruleOf, weightOf } from "./criteria";
import { pointsPerUnit } from "./raw-criteria";

/** What the council should notice about a criterion's proposed points. */
export type ProposalFlag =
  /** The 95 % interval of its effect includes 0: no evidence to change, so it keeps its current points. */
  | "SPANS_ZERO"
  /**
   * Its estimated effect on winning is clearly negative: it becomes a penalty (fit, engagement
   * and intent rules may take points away); a committee criterion, which cannot be negative, gets 0.
   */
  | "NEGATIVE_EFFECT"
  /** Constant in the training deals: no estimate, so it keeps its current points. */
  | "NOT_ESTIMABLE"
  /** Its 95th percentile over the training deals is 0 (fewer than 1 in 20 deals have it): no evidence at that strength, so it keeps its points. */
  | "RARE"
  /** An exact copy of another criterion in the training deals: that one carries the effect; this one gets 0. */
  | "DUPLICATE"
  /** A disqualifier: it keeps its points (it decides status, not weight). */
  | "KEPT_PENALTY"
  /** The committee's required roles share one `pointsPerRole`: each gets the mean of their proposed points. */
  | "SHARED_POINTS"
  /** Its component had no criterion with a clearly positive effect: the component's weight is 0. */
  | "COMPONENT_UNWEIGHTED";

/** One criterion, current against proposed. */
export interface CriterionChange {
  readonly criterion: string;
  readonly label: string;
  readonly component: Component;
  /** The training feature: the dataset dump's column and the coefficient's name. */
  readonly feature: string;
  /** Points of the 0–100 total the criterion is worth at its 95th-percentile raw value: component weight × points per unit × p95. */
  readonly before: number;
  readonly after: number;
  /** The rule's own points: per match (fit), per event (engagement), per signal at full strength (intent), per role, the breadth bonus. */
  readonly pointsBefore: number;
  readonly pointsAfter: number;
  /** The 95th percentile of its raw value over the training deals (see `raw-criteria.ts`). */
  readonly p95: number;
  /**
   * Log-odds effect on winning of the criterion at its 95th-percentile raw value (coefficient ×
   * p95), with its 95 % interval; null when not estimable. `oddsRatio = e^effect`.
   */
  readonly effect: number | null;
  readonly effectLow: number | null;
  readonly effectHigh: number | null;
  readonly oddsRatio: number | null;
  readonly pValue: number | null;
  readonly spansZero: boolean;
  readonly flags: ProposalFlag[];
  /** A sentence for the council. */
  readonly note: string;
}

export interface ComponentWeightChange {
  readonly component: Component;
  readonly before: number;
  readonly after: number;
}

export interface ProposedWeights {
  /** The new version, ready for `ScoringModelService.create`. */
  readonly input: ScoringModelInputData;
  readonly changes: CriterionChange[];
  readonly weights: ComponentWeightChange[];
  /** Points of the total per unit of log-odds: `100 / S`, S the summed positive effects at p95. */
  readonly pointsPerLogOdds: number;
  /** The committee's engaged threshold moves with the engagement rules' overall scale. */
  readonly engagedThreshold: { readonly before: number; readonly after: number };
}

export interface ProposalInput {
  readonly base: { readonly id: string; readonly name: string; readonly version: number; readonly definition: ModelDefinition };
  readonly runId: string;
  readonly features: readonly CriterionFeature[];
  /** The final fit's coefficients per raw unit, by feature name (features left out of the fit have none). */
  readonly coefficients: ReadonlyMap<string, CoefficientEstimate>;
  readonly dropped: ReadonlyMap<string, DroppedFeature>;
  /** Each feature's 95th-percentile raw value over the training deals (`p95Columns`). */
  readonly p95: ReadonlyMap<string, number>;
}

/**
 * A new version of the base model whose points follow each criterion's effect on winning across
 * the values it takes in the training deals (DESIGN §9), with the attainable total still 0–100.
 *
 * For criterion j with coefficient `β_j` per raw unit (see `raw-criteria.ts`) and 95th-percentile
 * raw value `q_j` over the training deals, its effect is `δ_j = β_j × q_j` log-odds. Criteria with
 * no evidence keep their current points: an interval spanning zero ("no evidence to change"), a
 * constant criterion, q_j = 0, and disqualifiers. A duplicate gets 0. A clearly negative effect
 * is a penalty (a committee criterion, which cannot be negative, gets 0). With the re-weighted
 * criteria and `S = Σ max(δ_j, 0)`:
 *
 * - component weight `w'_k = Σ_{j∈k} max(δ_j, 0) / S`;
 * - criterion j's strength at p95 inside its component `P_j = 100 × δ_j / Σ_{i∈k} max(δ_i, 0)`, so
 *   each component's positive criteria at p95 sum to 100 and contribute `(100 / S) × δ_j` points
 *   of the total: **points ∝ effect at the 95th percentile**; above it the engine's caps and the
 *   component clamp at 100 keep the total within 0–100;
 * - the rule's points per unit are `P_j / q_j`: a fit rule's points (q = 1); an engagement rule's
 *   points per event and its caps, which stay at the same raw value (the rule's cap); an intent
 *   rule's points and cap. Required roles share one `pointsPerRole` (the mean of their P).
 *
 * Bands, thresholds, roll-up, role multipliers and lead rules are unchanged here (cut-offs are
 * matched afterwards, `withMatchedCutoffs`); the committee's `engagedThreshold` is multiplied by
 * the engagement rules' overall scale `Σ|u'_j|·q_j / Σ|u_j|·q_j`, so "engaged" keeps roughly its
 * meaning — and says so as a headline.
 *
 * Returns null when no criterion has a clearly positive effect (one whose 95 % interval lies
 * above 0): the data then support no re-weighting.
 *
 * @example
 * // Two fit rules (weight fit 1), β = 1.2 and 0.4 per match, both matched by over 5% of deals (q = 1):
 * // S = 1.6; points 75 and 25; 100 / 1.6 = 62.5 points of the total per unit of log-odds.
 * // An engagement rule with β = 0.3 per event and q = 6 events has δ = 1.8, not β × its cap.
 */
export function proposeWeights(input: ProposalInput): ProposedWeights | null {
  const def = input.base.definition;
  type Row = {
    f: CriterionFeature; component: Component; coef: CoefficientEstimate | null; q: number; unit: number;
    effect: number | null; low: number | null; high: number | null; used: number; flags: ProposalFlag[];
    /** Keeps its current points (no evidence to change). */
    keep: boolean;
  };
  const rows: Row[] = input.features.map((f) => {
    const rule = ruleOf(def, f.index);
    const component = rule.component;
    const coef = input.coefficients.get(f.feature) ?? null;
    const q = input.p95.get(f.feature) ?? 0;
    const unit = pointsPerUnit(def, f.index);
    const flags: ProposalFlag[] = [];
    const base = { f, component, q, unit, coef: null, effect: null, low: null, high: null, used: 0, flags };
    if (rule.kind === "fit" && def.fitRules[rule.position]!.disqualify) return { ...base, flags: ["KEPT_PENALTY"], keep: true };
    if (!coef) {
      const drop = input.dropped.get(f.feature);
      return drop?.reason === "duplicate" ? { ...base, flags: ["DUPLICATE"], keep: false } : { ...base, flags: ["NOT_ESTIMABLE"], keep: true };
    }
    const effect = coef.estimate * q;
    const [low, high] = [coef.ciLow * q, coef.ciHigh * q].sort((a, b) => a - b) as [number, number];
    const row = { ...base, coef, effect, low, high };
    if (coef.spansZero) return { ...row, flags: ["SPANS_ZERO"], keep: true };
    if (!(q > 0)) return { ...row, flags: ["RARE"], keep: true };
    if (effect < 0) {
      flags.push("NEGATIVE_EFFECT");
      // A committee criterion cannot take points away: 0.
      return { ...row, used: component === "COMMITTEE" ? 0 : effect, keep: false };
    }
    return { ...row, used: effect, keep: false };
  });

  const S = rows.reduce((s, r) => s + (r.keep ? 0 : Math.max(r.used, 0)), 0);
  if (!(S > 0) || !rows.some((r) => !r.keep && r.used > 0)) return null;
  const positiveIn = (k: Component) => rows.filter((r) => r.component === k && !r.keep).reduce((s, r) => s + Math.max(r.used, 0), 0);
  const weights = roundWeights(Object.fromEntries(COMPONENTS.map((k) => [k, positiveIn(k) / S])) as Record<Component, number>);

  // New points per raw unit; kept criteria (and every criterion of an unweighted component) keep theirs.
  const unitAfter = rows.map((r) => {
    if (r.keep || weights[r.component] === 0) return r.unit;
    if (r.flags.includes("DUPLICATE") || r.used === 0) return 0;
    return clamp((100 * r.used) / positiveIn(r.component), -100, 100) / r.q;
  });
  rows.forEach((r) => {
    if (!r.keep && weights[r.component] === 0 && r.coef) r.flags.push("COMPONENT_UNWEIGHTED");
  });

  const fitRules = def.fitRules.map((rule, i) => ({ ...rule, values: [...rule.values], points: round(bounded(unitAfter[i]!, 100), 4) }));
  const F = def.fitRules.length;
  const E = def.engagementRules.length;
  /** A cap stays at the same raw value: old cap ÷ old points × new points (unchanged when the rule was at 0 points). */
  const recap = (cap: number | null, before: number, after: number) => (cap === null ? null : before === 0 ? cap : bounded(positive((cap / Math.abs(before)) * Math.abs(after)), 1000));
  const engagementRules = def.engagementRules.map((rule, i) => {
    const u = unitAfter[F + i]!;
    if (u === rule.points) return { ...rule, eventTypes: [...rule.eventTypes] };
    if (u === 0) return { ...rule, eventTypes: [...rule.eventTypes], points: 0 };
    return {
      ...rule, eventTypes: [...rule.eventTypes], points: bounded(round(u, 4), 1000),
      capPerContact: recap(rule.capPerContact, rule.points, u), capPerAccount: recap(rule.capPerAccount, rule.points, u),
    };
  });
  const intentRules = def.intentRules.map((rule, i) => {
    const u = unitAfter[F + E + i]!;
    if (u === rule.points) return { ...rule, topics: [...rule.topics] };
    if (u === 0) return { ...rule, topics: [...rule.topics], points: 0 };
    return { ...rule, topics: [...rule.topics], points: bounded(round(u, 4), 1000), capPerAccount: recap(rule.capPerAccount, rule.points, u) };
  });
  const roleIdx = rows.map((r, j) => j).filter((j) => ruleOf(def, rows[j]!.f.index).kind === "role");
  const breadthIdx = rows.findIndex((r) => ruleOf(def, r.f.index).kind === "breadth");
  const reweightedRoles = roleIdx.filter((j) => !rows[j]!.keep);
  const pointsPerRole = weights.COMMITTEE === 0 || reweightedRoles.length === 0
    ? def.committee.pointsPerRole
    : clamp(round(reweightedRoles.reduce((s, j) => s + Math.max(unitAfter[j]!, 0), 0) / reweightedRoles.length, 4), 0, 100);
  if (weights.COMMITTEE > 0 && roleIdx.length > 1 && reweightedRoles.length > 0) roleIdx.forEach((j) => rows[j]!.flags.push("SHARED_POINTS"));
  const breadthBonus = breadthIdx < 0 || weights.COMMITTEE === 0 || rows[breadthIdx]!.keep
    ? def.committee.breadthBonus : clamp(round(Math.max(unitAfter[breadthIdx]!, 0), 4), 0, 100);

  // "Engaged" moves with the engagement rules' overall scale at p95.
  const engagementRows = rows.slice(F, F + E);
  const strengthBefore = engagementRows.reduce((s, r) => s + Math.abs(r.unit) * r.q, 0);
  const strengthAfter = engagementRows.reduce((s, r, i) => s + Math.abs(engagementRules[i]!.points) * r.q, 0);
  const rho = strengthBefore > 0 ? strengthAfter / strengthBefore : 1;
  const engagedThreshold = weights.ENGAGEMENT === 0 || !(rho > 0)
    ? def.committee.engagedThreshold
    : clamp(round(def.committee.engagedThreshold * rho, 2), 0.01, 100);

  const pointsAfterOf = (j: number): number => {
    const rule = ruleOf(def, rows[j]!.f.index);
    switch (rule.kind) {
      case "fit": return fitRules[rule.position]!.points;
      case "engagement": return engagementRules[rule.position]!.points;
      case "intent": return intentRules[rule.position]!.points;
      case "role": return pointsPerRole;
      case "breadth": return breadthBonus;
    }
  };
  const changes: CriterionChange[] = rows.map((r, j) => {
    const pointsAfter = pointsAfterOf(j);
    return {
      criterion: r.f.criterion.key, label: r.f.criterion.label, component: r.component, feature: r.f.feature,
      before: round(weightOf(def, r.component) * r.unit * r.q, 2),
      after: round(weights[r.component] * pointsAfter * r.q, 2),
      pointsBefore: r.unit, pointsAfter, p95: r.q,
      effect: r.effect, effectLow: r.low, effectHigh: r.high, oddsRatio: r.effect === null ? null : Math.exp(r.effect),
      pValue: r.coef?.pValue ?? null, spansZero: r.coef?.spansZero ?? false, flags: r.flags,
      note: noteFor(r.flags, r.effect, r.low, r.high, r.q, r.component === "COMMITTEE"),
    };
  });

  const modelInput: ScoringModelInputData = {
    name: input.base.name,
    description: `Proposed by training run ${input.runId} from ${input.base.name} v${input.base.version}: points follow each criterion's effect on winning at its 95th-percentile value in the training deals, as of each deal's creation.`,
    basedOnId: input.base.id,
    weights: { fit: weights.FIT, engagement: weights.ENGAGEMENT, intent: weights.INTENT, committee: weights.COMMITTEE },
    fitRules: fitRules.map((r) => ({ ...r, values: r.values.length ? r.values : null })),
    engagementRules,
    roleMultipliers: def.roleMultipliers.map((m) => ({ ...m })),
    intentRules,
    committee: { ...def.committee, requiredRoles: [...def.committee.requiredRoles], pointsPerRole, breadthBonus, engagedThreshold },
    bands: def.bands.map((b) => ({ ...b })),
    thresholds: { ...def.thresholds },
    rollup: def.rollup,
    leadRules: {
      weights: { ...def.leadRules.weights },
      fitRules: def.leadRules.fitRules.map((r) => ({ ...r, values: r.values.length ? [...r.values] : null })),
      thresholds: { ...def.leadRules.thresholds },
    },
  };
  return {
    input: modelInput,
    changes,
    weights: COMPONENTS.map((k) => ({ component: k, before: weightOf(def, k), after: weights[k] })),
    pointsPerLogOdds: 100 / S,
    engagedThreshold: { before: def.committee.engagedThreshold, after: engagedThreshold },
  };
}

function noteFor(flags: readonly ProposalFlag[], effect: number | null, low: number | null, high: number | null, q: number, committee: boolean): string {
  const odds = (x: number) => `×${formatOdds(Math.exp(x))}`;
  const parts: string[] = [];
  if (effect !== null && low !== null && high !== null && q > 0) {
    parts.push(`At its 95th-percentile value in the training deals (${formatValue(q)}) it multiplies the odds of winning by ${odds(effect)} (95% interval ${odds(low)} to ${odds(high)}).`);
  }
  if (flags.includes("SPANS_ZERO")) parts.push("The interval spans no effect: no evidence to change, so it keeps its current points.");
  if (flags.includes("RARE")) parts.push("Fewer than 1 in 20 training deals have it, so its 95th-percentile value is 0: no evidence to change, so it keeps its current points.");
  if (flags.includes("NEGATIVE_EFFECT")) {
    parts.push(committee ? "Deals with it were won clearly less often, all else equal; a committee criterion cannot take points away: 0 points." : "Deals with it were won clearly less often, all else equal: it now takes points away.");
  }
  if (flags.includes("NOT_ESTIMABLE")) parts.push("It never varies in the training deals, so the data cannot weigh it: no evidence to change, so it keeps its current points.");
  if (flags.includes("DUPLICATE")) parts.push("It is identical to another criterion in the training deals, which carries the effect: 0 points.");
  if (flags.includes("KEPT_PENALTY")) parts.push("A disqualifier: it keeps its points.");
  if (flags.includes("SHARED_POINTS")) parts.push("Required roles share one points value: the mean of their proposed points.");
  if (flags.includes("COMPONENT_UNWEIGHTED")) parts.push("No criterion of its component clearly helps win deals: the component's weight is 0.");
  return parts.join(" ");
}

function formatValue(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

function formatOdds(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** Weights rounded to 4 decimals that still sum to exactly 1 (the largest absorbs the rounding). */
function roundWeights(raw: Record<Component, number>): Record<Component, number> {
  const out = Object.fromEntries(COMPONENTS.map((k) => [k, Math.round(raw[k] * 10_000) / 10_000])) as Record<Component, number>;
  const largest = COMPONENTS.reduce((a, b) => (out[b] > out[a] ? b : a));
  out[largest] = Math.round((1 - COMPONENTS.filter((k) => k !== largest).reduce((s, k) => s + out[k], 0)) * 10_000) / 10_000;
  return out;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function bounded(x: number, limit: number): number {
  return clamp(x, -limit, limit);
}

/** A cap scaled down stays a valid (positive) cap. */
function positive(x: number): number {
  return Math.max(round(x, 4), 0.0001);
}

/** A band minimum or status threshold, current against proposed. */
export interface CutoffChange {
  /** `band:<name>`, or the threshold's name (`nurture`, `mqa`, `sqa`, `minFit`). */
  readonly name: string;
  readonly before: number;
  readonly after: number;
  /** Training deals at or above it: under the current model, and under the proposed one. */
  readonly dealsBefore: number;
  readonly dealsAfter: number;
}

/**
 * Cut-offs that keep each band's and status's share of the training deals: for a current
 * cut-off t reached by k deals, the proposed cut-off is the k-th highest proposed value (rounded
 * down to 0.1, so at least those k deals reach it). A cut-off of 0 is kept; one no deal reaches
 * stays out of reach (just above the highest proposed value, or unchanged). Results are made non-decreasing (band minimums strictly increasing by 0.1) and ≤ 100.
 * The proposed weights rescale totals (every criterion at full strength adds up to 100), so
 * without this a band could empty or swell; with it, "Hot" keeps its volume and SLA load, and
 * win rates by band compare bands of the same size.
 *
 * @example matchCutoffs([10, 40, 60, 80], [5, 20, 30, 50], [0, 35, 55], true) → [0, 20, 30]
 */
export function matchCutoffs(current: readonly number[], proposed: readonly number[], cutoffs: readonly number[], strict: boolean): number[] {
  const desc = [...proposed].sort((a, b) => b - a);
  const out: number[] = [];
  for (const t of cutoffs) {
    const k = current.filter((v) => v >= t).length;
    // No deal reaches it now: it stays out of reach of every proposed total too (or as it is).
    let next = t <= 0 ? t
      : k > 0 ? Math.floor(desc[k - 1]! * 10) / 10
        : desc.length > 0 && desc[0]! >= t ? (Math.floor(desc[0]! * 10) + 1) / 10 : t;
    const previous = out[out.length - 1];
    if (previous !== undefined) next = Math.max(next, strict ? Math.round((previous + 0.1) * 10) / 10 : previous);
    out.push(Math.min(100, Math.max(0, next)));
  }
  return out;
}

/**
 * Re-sets a proposed model's band minimums and total thresholds (nurture, MQA, SQA) by the
 * totals, and `minFit` by the fit component, so each keeps its share of the training deals
 * (see `matchCutoffs`). Returns the updated input and what moved.
 */
export function withMatchedCutoffs(
  input: ScoringModelInputData,
  current: readonly { total: number; fit: number }[],
  proposed: readonly { total: number; fit: number }[],
): { input: ScoringModelInputData; cutoffs: CutoffChange[] } {
  const totalsNow = current.map((r) => r.total);
  const totalsNew = proposed.map((r) => r.total);
  const bands = input.bands;
  const bandMins = matchCutoffs(totalsNow, totalsNew, bands.map((b) => b.minScore), true);
  const t = input.thresholds;
  const [nurture, mqa, sqa] = matchCutoffs(totalsNow, totalsNew, [t.nurture, t.mqa, t.sqa], false) as [number, number, number];
  const [minFit] = matchCutoffs(current.map((r) => r.fit), proposed.map((r) => r.fit), [t.minFit], false) as [number];
  const reach = (values: readonly number[], cut: number) => values.filter((v) => v >= cut).length;
  const fitsNow = current.map((r) => r.fit);
  const fitsNew = proposed.map((r) => r.fit);
  const cutoffs: CutoffChange[] = [
    ...bands.map((b, i) => ({ name: `band:${b.name}`, before: b.minScore, after: bandMins[i]!, dealsBefore: reach(totalsNow, b.minScore), dealsAfter: reach(totalsNew, bandMins[i]!) })),
    { name: "nurture", before: t.nurture, after: nurture, dealsBefore: reach(totalsNow, t.nurture), dealsAfter: reach(totalsNew, nurture) },
    { name: "mqa", before: t.mqa, after: mqa, dealsBefore: reach(totalsNow, t.mqa), dealsAfter: reach(totalsNew, mqa) },
    { name: "sqa", before: t.sqa, after: sqa, dealsBefore: reach(totalsNow, t.sqa), dealsAfter: reach(totalsNew, sqa) },
    { name: "minFit", before: t.minFit, after: minFit, dealsBefore: reach(fitsNow, t.minFit), dealsAfter: reach(fitsNew, minFit) },
  ];
  return {
    input: { ...input, bands: bands.map((b, i) => ({ ...b, minScore: bandMins[i]! })), thresholds: { ...t, nurture, mqa, sqa, minFit } },
    cutoffs,
  };
}

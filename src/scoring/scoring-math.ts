import type { AccountStatus, Band, LeadStatus, ModelDefinition } from "./model.types";

/**
 * The scoring arithmetic of DESIGN §3 in plain TypeScript. The engine runs the same formulas
 * in SQL (scoring-engine.sql.ts); these serve single-record reads (a contact's fit-only lead
 * score) and unit tests, and document the formulas in one place.
 */

const MS_PER_DAY = 86_400_000;

/**
 * Exponential decay with a half-life: `0.5^(ageDays / halfLifeDays)`.
 *
 * @example decay(0, 30) === 1; decay(30, 30) === 0.5; decay(60, 30) === 0.25
 */
export function decay(ageDays: number, halfLifeDays: number): number {
  return Math.pow(0.5, ageDays / halfLifeDays);
}

export function ageInDays(asOf: Date, at: Date): number {
  return (asOf.getTime() - at.getTime()) / MS_PER_DAY;
}

/** Bounds a sum's magnitude: a cap of 20 turns 26 into 20 and −26 into −20. */
export function cap(value: number, limit: number | null): number {
  if (limit === null) return value;
  return Math.max(-limit, Math.min(limit, value));
}

export function clamp(value: number, lo = 0, hi = 100): number {
  return Math.max(lo, Math.min(hi, value));
}

/**
 * A component's value, `clamp(Σ parts, 0, 100)`, and each part's share of it, so the shares add
 * up to the clamped value exactly. Within range a part keeps its points. Above 100, the
 * positive parts shrink in proportion (negative parts keep theirs); below 0, the negative parts
 * shrink in proportion (positive parts keep theirs).
 *
 * @example clampParts([80, 40, -10]) → value 100, shares [73.33…, 36.67…, -10]
 *          (positives scaled by (100 + 10) / 120)
 * @example clampParts([10, -30]) → value 0, shares [10, -10] (negatives scaled by 10 / 30)
 */
export function clampParts(parts: readonly number[]): { value: number; shares: number[] } {
  let pos = 0;
  let neg = 0;
  for (const v of parts) {
    if (v > 0) pos += v;
    else neg -= v;
  }
  const sum = pos - neg;
  const kPos = sum > 100 ? (100 + neg) / pos : 1;
  const kNeg = sum < 0 ? pos / neg : 1;
  return { value: clamp(sum), shares: parts.map((v) => (v >= 0 ? v * kPos : v * kNeg)) };
}

/** The highest band whose minimum the total reaches (bands are stored lowest first). */
export function bandFor(total: number, bands: readonly Band[]): Band {
  let found = bands[0]!;
  for (const b of bands) if (total >= b.minScore) found = b;
  return found;
}

/**
 * Profile × engagement grade: fit letter A (≥ 75), B (≥ 50), C (≥ 25), D, then engagement digit
 * 1 (≥ 75), 2 (≥ 50), 3 (≥ 25), 4. "A1" is a perfect-fit, highly engaged account.
 */
export function grade(fit: number, engagement: number): string {
  const letter = fit >= 75 ? "A" : fit >= 50 ? "B" : fit >= 25 ? "C" : "D";
  const digit = engagement >= 75 ? "1" : engagement >= 50 ? "2" : engagement >= 25 ? "3" : "4";
  return letter + digit;
}

/**
 * DISQUALIFIED when a disqualifier matched; SQA needs the SQA total, the minimum fit and the
 * minimum engaged contacts; MQA the MQA total and the minimum fit; NURTURE the nurture total.
 */
export function accountStatus(def: ModelDefinition, s: { total: number; fit: number; engagedContacts: number; disqualified: boolean }): AccountStatus {
  const t = def.thresholds;
  if (s.disqualified) return "DISQUALIFIED";
  if (s.total >= t.sqa && s.fit >= t.minFit && s.engagedContacts >= t.minEngagedContacts) return "SQA";
  if (s.total >= t.mqa && s.fit >= t.minFit) return "MQA";
  if (s.total >= t.nurture) return "NURTURE";
  return "UNQUALIFIED";
}

/** DISQUALIFIED when a lead disqualifier matched or the account is disqualified; then SQL, MQL (both need the lead minimum fit), NURTURE. */
export function leadStatus(def: ModelDefinition, s: { total: number; fit: number; disqualified: boolean }): LeadStatus {
  const t = def.leadRules.thresholds;
  if (s.disqualified) return "DISQUALIFIED";
  if (s.total >= t.sql && s.fit >= t.minFit) return "SQL";
  if (s.total >= t.mql && s.fit >= t.minFit) return "MQL";
  if (s.total >= t.nurture) return "NURTURE";
  return "UNQUALIFIED";
}

/** Rounds to float4 precision, as stored in `real` columns, so decisions match stored numbers. */
export function toReal(n: number): number {
  return Math.fround(n);
}

/**
 * A lead score from its fit points alone (no counted engagement): what `contact.score`
 * reports for contacts the run stored no snapshot for.
 */
export function fitOnlyLeadScore(def: ModelDefinition, fitPoints: readonly number[], disqualified: boolean) {
  const fit = clampParts(fitPoints);
  const w = def.leadRules.weights;
  const total = toReal(clamp(w.fit * fit.value));
  const fitReal = toReal(fit.value);
  const contributions = [...fit.shares.map((s) => w.fit * s), ...def.engagementRules.map(() => 0)];
  return { total, fit: fitReal, engagement: 0, status: leadStatus(def, { total, fit: fitReal, disqualified }), contributions };
}

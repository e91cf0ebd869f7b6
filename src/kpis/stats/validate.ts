/**
 * Argument checks shared by the KPI statistics. Invalid input (a programming or data-loading
 * error, e.g. NaN, negative counts, x > n) throws a RangeError; *valid but uninformative*
 * input (empty groups, zero events) is not an error and yields nulls with a reason instead.
 *
 * @packageDocumentation
 */

/** Throws unless 0 < confidence < 1. */
export function assertConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be strictly between 0 and 1, got ${confidence}`);
  }
}

/** Throws unless `successes` and `trials` are integers with 0 ≤ successes ≤ trials. */
export function assertCount(successes: number, trials: number, what = "count"): void {
  if (!Number.isSafeInteger(trials) || trials < 0) {
    throw new RangeError(`${what}: trials must be a non-negative integer, got ${trials}`);
  }
  if (!Number.isSafeInteger(successes) || successes < 0 || successes > trials) {
    throw new RangeError(`${what}: successes must be an integer in [0, ${trials}], got ${successes}`);
  }
}

/** Throws unless every value is a finite number. */
export function assertFiniteValues(values: ArrayLike<number>, what = "values"): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(`${what}: every value must be a finite number, got ${String(v)} at index ${i}`);
    }
  }
}

/** Throws unless every value is a finite number ≥ 0. */
export function assertNonNegativeValues(values: ArrayLike<number>, what = "values"): void {
  assertFiniteValues(values, what);
  for (let i = 0; i < values.length; i++) {
    if (values[i]! < 0) {
      throw new RangeError(`${what}: every value must be ≥ 0, got ${values[i]} at index ${i}`);
    }
  }
}

/** The largest PostgreSQL bigint: every id in this API is one. */
const MAX_BIGINT = 9_223_372_036_854_775_807n;

/**
 * Whether `id` can name a row: decimal digits within bigint. Any other id names nothing, so
 * callers answer "not found" (or "not valid") instead of sending PostgreSQL a value it would
 * refuse with an error.
 *
 * @example isRowId("42")                   // true
 * @example isRowId("99999999999999999999") // false: beyond bigint
 */
export function isRowId(id: string): boolean {
  return /^\d{1,19}$/.test(id) && BigInt(id) <= MAX_BIGINT;
}

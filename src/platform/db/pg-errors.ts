/** The SQLSTATE of a PostgreSQL error (node-postgres puts it in `code`), or undefined. */
export function sqlState(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/**
 * A serialization failure (40001) or a deadlock (40P01): another transaction won a race, this
 * one was rolled back whole and may be tried again.
 */
export function isConcurrencyFailure(err: unknown): boolean {
  const code = sqlState(err);
  return code === "40001" || code === "40P01";
}

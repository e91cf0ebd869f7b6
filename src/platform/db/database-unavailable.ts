/**
 * PostgreSQL error classes that mean "the server cannot serve us right now", not "this
 * statement is wrong": connection exceptions (08…, but not 08P01 protocol_violation, which is
 * our bug — e.g. a statement sent more parameters than it uses), shutdown and start-up
 * (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now) and
 * too_many_connections (53300).
 */
const UNAVAILABLE_SQLSTATE = /^(08(?!P01)|57P0[1-3]$|53300$)/;
const UNAVAILABLE_SOCKET = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);
/** What pg and pg-pool say when a connection breaks or cannot be had in time. */
const UNAVAILABLE_MESSAGE = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i;

/**
 * Whether `err` says the database is unreachable (down, restarting, failing over, out of
 * connections) rather than that a statement failed: the request may simply be retried.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_SOCKET.has(code))) return true;
  return UNAVAILABLE_MESSAGE.test(String((err as { message?: unknown }).message ?? ""));
}

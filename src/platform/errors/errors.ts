/** Codes clients see in `extensions.code`. */
export type ErrorCode = "NOT_FOUND" | "BAD_USER_INPUT" | "UNAUTHENTICATED" | "FORBIDDEN" | "CONFLICT" | "SERVICE_UNAVAILABLE" | "CANCELLED";

/** An expected failure whose message is safe to show and says what to change. */
export class AppError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, key: string) {
    super("NOT_FOUND", `${what} ${key} does not exist`);
  }
}

export class BadInputError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super("BAD_USER_INPUT", message, details);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super("CONFLICT", message, details);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = "Send an API key as `Authorization: Bearer <key>`") {
    super("UNAUTHENTICATED", message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super("FORBIDDEN", message);
  }
}

export class UnavailableError extends AppError {
  /**
   * Read by Apollo, which answers with this HTTP status when the error ends a request before
   * execution (while authenticating); during execution the error plugin sets it.
   */
  readonly extensions = { http: { status: 503 } };

  constructor(message: string) {
    super("SERVICE_UNAVAILABLE", message);
  }
}

/** PostgreSQL is down, restarting or out of connections: nothing the client sent is wrong. */
export class DatabaseUnavailableError extends UnavailableError {
  constructor() {
    super("The database is unavailable right now (it may be restarting); retry the request in a few seconds.");
  }
}

/** The client closed the connection before the answer: its work was stopped. Nobody reads this message. */
export class CancelledError extends AppError {
  constructor() {
    super("CANCELLED", "The client went away before the answer; the work was cancelled.");
  }
}

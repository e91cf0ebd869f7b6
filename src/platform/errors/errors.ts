/** Codes clients see in `extensions.code`. */
export type ErrorCode = "NOT_FOUND" | "BAD_USER_INPUT" | "UNAUTHENTICATED" | "FORBIDDEN" | "CONFLICT" | "SERVICE_UNAVAILABLE";

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
  constructor(message: string) {
    super("SERVICE_UNAVAILABLE", message);
  }
}

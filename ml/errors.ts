/** What was wrong with a training request; stable strings for mapping to API errors. */
export type TrainingErrorCode =
  /** Fewer won (y = 1) or lost (y = 0) rows than `minOutcomesPerClass`. */
  | "TOO_FEW_OUTCOMES"
  /** Shapes disagree, names missing or repeated, no rows. */
  | "INVALID_INPUT"
  /** A feature value is NaN or ±Infinity. */
  | "NON_FINITE_VALUE"
  /** An outcome is not 0 or 1. */
  | "INVALID_OUTCOME"
  /** An option is out of range (negative l2, holdout share ≥ 1, more folds than outcomes…). */
  | "INVALID_OPTION";

/**
 * A training request the math cannot honour as given. The message says what to change;
 * `details` carries the numbers behind it for clients.
 *
 * @example
 * try { await trainLogistic(matrix) }
 * catch (e) { if (e instanceof TrainingInputError && e.code === "TOO_FEW_OUTCOMES") … }
 */
export class TrainingInputError extends Error {
  override readonly name = "TrainingInputError";

  constructor(
    readonly code: TrainingErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** The backend asked for by name cannot be loaded on this machine. */
export class BackendUnavailableError extends Error {
  override readonly name = "BackendUnavailableError";
  readonly code = "BACKEND_UNAVAILABLE";

  constructor(
    readonly backend: string,
    readonly reason: string,
  ) {
    super(`TensorFlow.js backend "${backend}" is not available: ${reason}`);
  }
}

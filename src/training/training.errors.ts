import { AppError } from "../platform/errors/errors";

/**
 * A training run that cannot produce a model as asked (too few won or lost deals, an option
 * the data cannot honour, no criterion with a positive effect). `reason` is a stable code
 * (`TOO_FEW_OUTCOMES`, `INVALID_OPTION`, `NO_POSITIVE_EFFECT`, …); the message says what to change.
 */
export class TrainingFailedError extends AppError {
  constructor(readonly reason: string, message: string, details: Record<string, unknown> = {}) {
    super("BAD_USER_INPUT", `${reason}: ${message}`, { reason, ...details });
  }
}

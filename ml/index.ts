/**
 * Training math for Quorum: numeric matrix in, fitted model and report out. No database,
 * no environment. See README.md in this folder.
 */
export { BACKEND_PREFERENCE, getBackend } from "./backend";
export type { BackendName, BackendOptions, SkippedBackend, Tf, TfBackend } from "./backend";
export { BackendUnavailableError, TrainingInputError } from "./errors";
export type { TrainingErrorCode } from "./errors";
export { screenFeatures } from "./features";
export {
  fitLogistic,
  INTERCEPT_NAME,
  predict,
  predictMany,
  trainLogistic,
  TRAINING_DEFAULTS,
} from "./logistic";
export type {
  FitOptions,
  LogisticFit,
  LogisticModel,
  TrainingMatrix,
  TrainingResult,
  TrainingStage,
  TrainOptions,
} from "./logistic";
export { auc, brier, calibrationTable, logLoss, meanAndSd } from "./metrics";
export type { CalibrationBin } from "./metrics";
export { normalCdf, twoSidedPValue, Z_95 } from "./normal";
export { gaussian, mulberry32, shuffleInPlace } from "./random";
export type { Rng } from "./random";
export type {
  CalibrationReport,
  CoefficientEstimate,
  CrossValidationReport,
  DroppedFeature,
  FoldEvaluation,
  HoldoutEvaluation,
  MetricSet,
  TrainingReport,
} from "./report";
export { stratifiedFolds, stratifiedSplit } from "./split";
export type { Split } from "./split";
export { simulateLogistic } from "./synthetic";
export type { SimulatedFeature } from "./synthetic";

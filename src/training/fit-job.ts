import {
  fitLogistic, trainLogistic, TrainingInputError, type CoefficientEstimate, type LogisticModel, type TrainingReport,
} from "../../ml";

/** The numeric part of a training run: what crosses into the fit process. No database, no config. */
export interface FitJob {
  /** Row-major `n × p`: one row per closed deal, one column per criterion of the base model. */
  readonly X: Float64Array;
  readonly n: number;
  readonly p: number;
  /** 1 = won, 0 = lost. */
  readonly y: Uint8Array;
  readonly featureNames: string[];
  readonly options: { readonly l2: number; readonly seed: number; readonly holdoutShare: number; readonly folds: number };
  /**
   * Candidate criteria the model does not use yet (row-major `n × names.length`): each is
   * tested by a fit of the base features plus that one candidate.
   */
  readonly candidates: { readonly X: Float64Array; readonly names: string[] } | null;
}

/** One candidate's coefficient in a fit alongside the base features, or why it has none. */
export interface CandidateFit {
  readonly name: string;
  readonly status: "fitted" | "constant" | "duplicate" | "failed";
  readonly coefficient: CoefficientEstimate | null;
  readonly detail: string | null;
}

export interface FitJobResult {
  readonly model: LogisticModel;
  readonly report: TrainingReport;
  readonly candidates: CandidateFit[];
}

/** Fraction done (0–1, non-decreasing) and what is running ("holdout", "cross-validation", "final", "screening"). */
export type FitProgress = (fraction: number, stage: string) => void;

/** Share of the progress bar the main fit takes when candidates are screened after it. */
const MAIN_FIT_SHARE = 0.8;

/**
 * Trains the logistic model (`trainLogistic`: holdout, cross-validation, final fit) and, when
 * given candidates, fits base features + one candidate for each, with the same L2 strength.
 * Guards (too few outcomes, bad values) throw `TrainingInputError` from `ml/`.
 */
export async function runFitJob(job: FitJob, onProgress: FitProgress = () => undefined): Promise<FitJobResult> {
  const matrix = { X: job.X, n: job.n, p: job.p, y: job.y, featureNames: job.featureNames };
  const share = job.candidates && job.candidates.names.length > 0 ? MAIN_FIT_SHARE : 1;
  const { model, report } = await trainLogistic(matrix, {
    ...job.options,
    onProgress: (fraction, stage) => onProgress(fraction * share, stage),
  });
  const candidates: CandidateFit[] = [];
  if (job.candidates && job.candidates.names.length > 0) {
    const { names, X: C } = job.candidates;
    const q = names.length;
    const dropped = new Set(report.droppedFeatures.map((d) => d.name));
    const kept = job.featureNames.map((_, j) => j).filter((j) => !dropped.has(job.featureNames[j]!));
    const width = kept.length + 1;
    const X = new Float64Array(job.n * width);
    for (let i = 0; i < job.n; i++) {
      for (let k = 0; k < kept.length; k++) X[i * width + k] = job.X[i * job.p + kept[k]!]!;
    }
    const featureNames = [...kept.map((j) => job.featureNames[j]!), ""];
    for (let c = 0; c < q; c++) {
      onProgress(share + ((1 - share) * c) / q, "screening");
      const name = names[c]!;
      for (let i = 0; i < job.n; i++) X[i * width + width - 1] = C[i * q + c]!;
      featureNames[width - 1] = name;
      try {
        const fit = await fitLogistic({ X, n: job.n, p: width, y: job.y, featureNames }, { l2: job.options.l2 });
        const coefficient = fit.coefficients.find((x) => x.name === name) ?? null;
        const drop = fit.droppedFeatures.find((d) => d.name === name);
        candidates.push(coefficient
          ? { name, status: "fitted", coefficient, detail: null }
          : { name, status: drop?.reason ?? "failed", coefficient: null, detail: drop?.detail ?? "left out of the fit" });
      } catch (err) {
        if (!(err instanceof TrainingInputError)) throw err;
        candidates.push({ name, status: "failed", coefficient: null, detail: err.message });
      }
    }
  }
  onProgress(1, "done");
  return { model, report, candidates };
}

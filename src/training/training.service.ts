import crypto from "node:crypto";
import type { PoolClient } from "pg";
import type { Logger } from "pino";
import { auc, stratifiedSplit, TRAINING_DEFAULTS, TrainingInputError, type CoefficientEstimate, type DroppedFeature } from "../../ml";
import type { Principal } from "../auth/api-key.service";
import type { Config } from "../platform/config/config";
import type { Database } from "../platform/db/database";
import { AppError, BadInputError, ConflictError, NotFoundError } from "../platform/errors/errors";
import { decodeCursor, encodeCursor, pageSize, toPage, withLazyCount } from "../platform/graphql/connection";
import { isRowId } from "../platform/graphql/ids";
import { decodeId } from "../platform/graphql/global-id";
import { mixedDealsWarning } from "../ingest/data-sources.service";
import { ensureDefaultModel } from "../scoring/default-model";
import { DEFAULT_MODEL_NAME } from "../scoring/latest-run";
import { computeImpact, impactSentence } from "../council";
import { normaliseModelInput, type ScoringModelInputData } from "../scoring/model-validation";
import type { ModelRow } from "../scoring/model.types";
import { bandFor } from "../scoring/scoring-math";
import type { ScoringModelService } from "../scoring/scoring-model.service";
import { type Candidate, discoverCandidates } from "./candidates.sql";
import { type CriterionFeature, criterionFeatures } from "./criteria";
import { p95Columns, rawProbes, rawValues } from "./raw-criteria";
import type { CandidateFit, FitJob } from "./fit-job";
import { type FitMode, runFit } from "./fit-runner";
import { type CutoffChange, proposeWeights, type ProposedWeights, withMatchedCutoffs } from "./proposal";
import { trainingSummary } from "./summary";
import { TrainingFailedError } from "./training.errors";
import {
  type CriterionCoefficient, type DatasetSummary, type DroppedCriterion, jsonSafe, type ProposalDetails, suggestCriteria, type SuggestedCriterion,
  type TrainingMetrics, type TrainingParams, type TrainingRunReport, trainingRunView, type TrainingRunView, winRateByBand,
} from "./training-report";
import { type EvaluatedDeal, evaluateDeals } from "./training-set.sql";

/** A proposal's stored details (the training report's shape), for the council's hand-written drafts. */
export type { ProposalDetails } from "./training-report";

export type TrainingRunStatus = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED";
export type ProposalStatus = "PENDING" | "APPROVED" | "REJECTED";
export type ReviewDecision = "APPROVE" | "REJECT";

/** What a client may set (`TrainingRunInput`); everything has a default. */
export interface TrainingRunInputData {
  baseModelId?: string | null;
  l2?: number | null;
  seed?: number | null;
  holdoutShare?: number | null;
  folds?: number | null;
  closedFrom?: Date | null;
  closedTo?: Date | null;
  suggestNewCriteria?: boolean | null;
  /** false: a dry run (no proposal, no new version). */
  propose?: boolean | null;
}

export interface TrainingRunRow {
  readonly id: string;
  readonly status: TrainingRunStatus;
  readonly progress: number;
  readonly stage: string | null;
  readonly error: string | null;
  readonly backend: string | null;
  readonly baseModelId: string;
  readonly params: TrainingParams;
  readonly dataset: DatasetSummary | null;
  readonly report: TrainingRunReport | null;
  readonly startedBy: string | null;
  /** The API key that started it (null from the CLI or ADMIN_API_KEY). */
  readonly startedByKeyId: string | null;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
}

/** TRAINED: a training run's DRAFT; SUBMITTED: a hand-written DRAFT put up for review. */
export type ProposalKind = "TRAINED" | "SUBMITTED";
/** NOT_RECOMMENDED: the fit was not better than the current model on the same deals. UNASSESSED: a hand-written draft. */
export type ProposalRecommendation = "RECOMMENDED" | "NOT_RECOMMENDED" | "UNASSESSED";

export interface ProposalRow {
  readonly id: string;
  readonly kind: ProposalKind;
  /** Null for a SUBMITTED proposal. */
  readonly trainingRunId: string | null;
  readonly proposedModelId: string;
  readonly status: ProposalStatus;
  readonly recommendation: ProposalRecommendation;
  /** The key that started the run or submitted the draft (it may not review it). */
  readonly authorKeyId: string | null;
  readonly authorName: string | null;
  /** The submitter's reason (SUBMITTED). */
  readonly comment: string | null;
  /** The impact preview stored when the proposal was made (`src/council/impact.sql.ts`). */
  readonly impact: unknown;
  readonly summary: string;
  readonly details: ProposalDetails;
  readonly createdAt: Date;
  readonly decidedAt: Date | null;
}

export interface ReviewRow {
  readonly id: string;
  readonly proposalId: string;
  readonly reviewer: string;
  readonly reviewerKeyId: string | null;
  readonly reviewerRole: string | null;
  readonly acknowledgedNotRecommended: boolean;
  readonly decision: ReviewDecision;
  readonly comment: string;
  readonly createdAt: Date;
}

/** Advisory lock class of the training owners (see the `owner` column). */
const OWNER_LOCK = 4_212_010;
/** Progress is written at most this often. */
const PROGRESS_EVERY_MS = 250;

const RUN_COLUMNS = `r.id::text AS id, r.status, r.progress, r.stage, r.error, r.backend, r.base_model_id::text AS "baseModelId", r.params,
  r.dataset, r.report, r.started_by AS "startedBy", r.started_by_key_id::text AS "startedByKeyId", r.created_at AS "createdAt", r.started_at AS "startedAt", r.finished_at AS "finishedAt"`;
/** The columns of a `ProposalRow`, from `weight_proposals p`. */
export const PROPOSAL_COLUMNS = `p.id::text AS id, p.kind, p.training_run_id::text AS "trainingRunId", p.proposed_model_id::text AS "proposedModelId", p.status,
  p.recommendation, p.author_key_id::text AS "authorKeyId", p.author_name AS "authorName", p.comment, p.impact,
  p.summary, p.details, p.created_at AS "createdAt", p.decided_at AS "decidedAt"`;
/** The columns of a `ReviewRow`, from `proposal_reviews v`. */
export const REVIEW_COLUMNS = `v.id::text AS id, v.proposal_id::text AS "proposalId", v.reviewer, v.api_key_id::text AS "reviewerKeyId", v.reviewer_role AS "reviewerRole",
  v.acknowledged_not_recommended AS "acknowledgedNotRecommended", v.decision, v.comment, v.created_at AS "createdAt"`;

/** What a synchronous run (`quorum train`) hands back besides the stored run. */
export interface TrainingOutcome {
  readonly run: TrainingRunRow;
  readonly proposal: ProposalRow | null;
  /** The training rows (deal, features, label) for `--dump-dataset`. */
  readonly rows: readonly EvaluatedDeal[];
  /** The training matrix: each row's raw criterion values, in `features` order (what the fit saw). */
  readonly raw: readonly (readonly number[])[];
  readonly features: readonly CriterionFeature[];
}

/**
 * Training runs: a point-in-time training set in SQL, the logistic fit of `ml/` (in a child
 * process, see `fit-runner.ts`), a proposed DRAFT model, and the council's reviews of it.
 * `start` returns a QUEUED run at once and works in the background, one run at a time per
 * process; `train` does the same work synchronously (the CLI). See README.md in this folder.
 */
export class TrainingService {
  /** This process's owner key: it holds `pg_advisory_lock(OWNER_LOCK, owner)` while it has work. */
  private readonly owner = crypto.randomInt(1, 2 ** 31 - 1);
  private ownerClient: PoolClient | null = null;
  private ownerLocking: Promise<void> | null = null;
  private readonly queue: string[] = [];
  private draining: Promise<void> | null = null;
  private readonly stopping = new AbortController();

  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly models: ScoringModelService,
    private readonly log: Logger,
    /** Where background runs fit: a child process unless told otherwise. */
    private readonly fitMode: FitMode = "process",
  ) {}

  /** Validates the input, records a QUEUED run and starts it in the background. */
  async start(input: TrainingRunInputData, startedBy: string | null, startedByKeyId: string | null = null): Promise<TrainingRunRow> {
    if (this.stopping.signal.aborted) throw new ConflictError("The server is shutting down; start the training run again in a moment.");
    const params = await this.resolveParams(input);
    await this.holdOwnerLock();
    const run = await this.insertRun(params, startedBy, startedByKeyId);
    this.queue.push(run.id);
    // After this request has its answer: the run is returned QUEUED, the work happens outside it.
    setImmediate(() => { this.draining ??= this.drain(); });
    return run;
  }

  /**
   * Trains now, in this process (the CLI): records the run, works it like a background run,
   * and returns it with its rows. Throws what the run failed with (the run is FAILED then).
   */
  async train(input: TrainingRunInputData, startedBy: string | null, opts: { fitMode?: FitMode; onProgress?: (fraction: number, stage: string) => void } = {}): Promise<TrainingOutcome> {
    const params = await this.resolveParams(input);
    await this.holdOwnerLock();
    try {
      const run = await this.insertRun(params, startedBy, null);
      return await this.execute(run.id, opts.fitMode ?? "in-process", opts.onProgress);
    } finally {
      await this.releaseOwnerLockIfIdle();
    }
  }

  /** A run by its id or rowId (null when there is none). */
  async byId(id: string): Promise<TrainingRunRow | null> {
    const rowId = decodeId(id, "TrainingRun");
    if (rowId === null) return null;
    const rows = await this.db.query<TrainingRunRow>(`SELECT ${RUN_COLUMNS} FROM training_runs r WHERE r.id = $1`, [rowId]);
    return rows[0] ?? null;
  }

  async byIds(ids: readonly string[]): Promise<TrainingRunRow[]> {
    return this.db.query<TrainingRunRow>(`SELECT ${RUN_COLUMNS} FROM training_runs r WHERE r.id = ANY($1::bigint[])`, [ids]);
  }

  /** Training runs, newest first. */
  async list(first: number | undefined, after: string | undefined) {
    const limit = pageSize(first, this.config.pageSize);
    const before = after ? String(decodeCursor(after, 1)[0]) : null;
    if (before !== null && !isRowId(before)) throw new BadInputError("The cursor is not valid for this list; pass an endCursor from the same query.", { field: "after" });
    const rows = await this.db.query<TrainingRunRow>(
      `SELECT ${RUN_COLUMNS} FROM training_runs r WHERE ($1::bigint IS NULL OR r.id < $1) ORDER BY r.id DESC LIMIT $2`, [before, limit + 1]);
    const page = toPage(rows, limit, after, (r) => encodeCursor([r.id]), (r) => r);
    return withLazyCount(page, () => this.db.query<{ n: number }>("SELECT count(*)::int AS n FROM training_runs").then((r) => r[0]!.n));
  }

  /** Everything on the record of a run as one JSON document (see `TrainingRunView`). */
  async view(id: string): Promise<TrainingRunView | null> {
    const run = await this.byId(id);
    if (!run) return null;
    const [proposal] = await this.proposalsByRunIds([run.id]);
    const [base, proposed, reviews] = await Promise.all([
      this.models.byId(run.baseModelId),
      proposal ? this.models.byId(proposal.proposedModelId) : null,
      proposal ? this.reviewsByProposalIds([proposal.id]) : [],
    ]);
    return trainingRunView(run, base, proposal ?? null, proposed, reviews);
  }

  async proposalsByRunIds(runIds: readonly string[]): Promise<ProposalRow[]> {
    return this.db.query<ProposalRow>(`SELECT ${PROPOSAL_COLUMNS} FROM weight_proposals p WHERE p.training_run_id = ANY($1::bigint[])`, [runIds]);
  }

  /** A proposal by its id or rowId (null when there is none). */
  async proposalById(id: string): Promise<ProposalRow | null> {
    const rowId = decodeId(id, "WeightProposal");
    if (rowId === null) return null;
    const rows = await this.db.query<ProposalRow>(`SELECT ${PROPOSAL_COLUMNS} FROM weight_proposals p WHERE p.id = $1`, [rowId]);
    return rows[0] ?? null;
  }

  async reviewsByProposalIds(ids: readonly string[]): Promise<ReviewRow[]> {
    return this.db.query<ReviewRow>(`SELECT ${REVIEW_COLUMNS} FROM proposal_reviews v WHERE v.proposal_id = ANY($1::bigint[]) ORDER BY v.created_at, v.id`, [ids]);
  }

  /**
   * Start-up: marks FAILED every QUEUED or RUNNING run whose owner is gone (its owner lock is
   * free — the process that ran it stopped). Runs of live processes (other replicas) are left
   * alone. Returns how many runs it failed.
   */
  async recoverAbandoned(): Promise<number> {
    const owners = await this.db.query<{ owner: number | null }>("SELECT DISTINCT owner FROM training_runs WHERE status IN ('QUEUED', 'RUNNING')");
    let failed = 0;
    for (const { owner } of owners) {
      failed += await this.db.tx(async (client) => {
        if (owner !== null) {
          const { rows } = await client.query<{ free: boolean }>("SELECT pg_try_advisory_xact_lock($1, $2) AS free", [OWNER_LOCK, owner]);
          if (!rows[0]!.free) return 0;
        }
        const result = await client.query(
          `UPDATE training_runs SET status = 'FAILED', stage = 'abandoned', finished_at = now(),
                  error = 'Abandoned: the process running it stopped before it finished. Start a new training run.'
            WHERE status IN ('QUEUED', 'RUNNING') AND owner IS NOT DISTINCT FROM $1`, [owner]);
        return result.rowCount ?? 0;
      });
    }
    if (failed > 0) this.log.warn({ failed }, "training runs abandoned by a stopped process marked FAILED");
    return failed;
  }

  /** Shutdown: stops the running fit, fails what is queued, waits for the runner, releases the owner lock. */
  async stop(): Promise<void> {
    this.stopping.abort();
    const queued = this.queue.splice(0);
    if (queued.length > 0) {
      await this.db.query(
        `UPDATE training_runs SET status = 'FAILED', stage = 'stopped', finished_at = now(), error = 'The server stopped before the run started. Start a new training run.'
          WHERE id = ANY($1::bigint[]) AND status = 'QUEUED'`, [queued]).catch(() => undefined);
    }
    await this.draining?.catch(() => undefined);
    await this.releaseOwnerLockIfIdle();
  }

  // ---------------------------------------------------------------------------------------

  private async resolveParams(input: TrainingRunInputData): Promise<TrainingParams> {
    const l2 = input.l2 ?? TRAINING_DEFAULTS.l2;
    if (!(Number.isFinite(l2) && l2 >= 0 && l2 <= 1e6)) throw new BadInputError(`l2 must be a number from 0 to 1,000,000 (got ${l2}); 1 is a mild ridge.`, { field: "l2" });
    const seed = input.seed ?? TRAINING_DEFAULTS.seed;
    if (!Number.isInteger(seed)) throw new BadInputError(`seed must be a whole number (got ${seed}).`, { field: "seed" });
    const holdoutShare = input.holdoutShare ?? TRAINING_DEFAULTS.holdoutShare;
    if (!(holdoutShare >= 0 && holdoutShare <= 0.5)) throw new BadInputError(`holdoutShare must be from 0 (no holdout) to 0.5 (got ${holdoutShare}).`, { field: "holdoutShare" });
    const folds = input.folds ?? TRAINING_DEFAULTS.folds;
    if (!(Number.isInteger(folds) && (folds === 0 || (folds >= 2 && folds <= 20)))) {
      throw new BadInputError(`folds must be 0 (no cross-validation) or a whole number from 2 to 20 (got ${folds}).`, { field: "folds" });
    }
    const { closedFrom, closedTo } = input;
    if (closedFrom && closedTo && !(closedFrom < closedTo)) {
      throw new BadInputError(`closedFrom (${closedFrom.toISOString()}) must be before closedTo (${closedTo.toISOString()}).`, { field: "closedFrom" });
    }
    const base = await this.resolveBaseModel(input.baseModelId ?? null);
    return {
      baseModelId: base.id, l2, seed, holdoutShare, folds,
      closedFrom: closedFrom?.toISOString() ?? null, closedTo: closedTo?.toISOString() ?? null,
      suggestNewCriteria: input.suggestNewCriteria ?? true,
      propose: input.propose ?? true,
    };
  }

  private async resolveBaseModel(id: string | null): Promise<ModelRow> {
    if (id !== null) {
      const model = await this.models.byId(id);
      if (!model) throw new BadInputError(`baseModelId ${id} is not a scoring model; pass the id of the version to re-weight, or omit it for the ACTIVE "${DEFAULT_MODEL_NAME}" model.`, { field: "baseModelId" });
      return model;
    }
    let model = await this.models.active(DEFAULT_MODEL_NAME);
    if (!model && (await this.models.list(null, DEFAULT_MODEL_NAME)).length === 0) {
      await ensureDefaultModel(this.db);
      model = await this.models.active(DEFAULT_MODEL_NAME);
    }
    if (!model) throw new BadInputError(`The "${DEFAULT_MODEL_NAME}" model line has no ACTIVE version; pass baseModelId.`, { field: "baseModelId" });
    return model;
  }

  private async insertRun(params: TrainingParams, startedBy: string | null, startedByKeyId: string | null): Promise<TrainingRunRow> {
    const [row] = await this.db.query<TrainingRunRow>(
      `INSERT INTO training_runs AS r (base_model_id, status, progress, stage, params, started_by, started_by_key_id, owner)
       VALUES ($1, 'QUEUED', 0, 'queued', $2, $3, $4, $5) RETURNING ${RUN_COLUMNS}`,
      [params.baseModelId, JSON.stringify(params), startedBy, startedByKeyId, this.owner]);
    return row!;
  }

  private async drain(): Promise<void> {
    try {
      for (let id = this.queue.shift(); id !== undefined; id = this.queue.shift()) {
        if (this.stopping.signal.aborted) break;
        await this.execute(id, this.fitMode).catch((err: unknown) => {
          // Recorded on the run already; the background has no caller to throw to.
          if (!(err instanceof AppError)) this.log.error({ err, runId: id }, "training run failed");
        });
      }
    } finally {
      this.draining = null;
      await this.releaseOwnerLockIfIdle();
      // A run queued while this loop was finishing gets a loop of its own.
      if (this.queue.length > 0 && !this.stopping.signal.aborted) {
        await this.holdOwnerLock();
        this.draining ??= this.drain();
      }
    }
  }

  /**
   * One run, start to finish: the training set as of each deal's creation, the fit, the
   * proposal (a DRAFT version of the base model's line) and its numbers, all stored.
   * Failures are stored on the run (FAILED, with a message that says what to change) and rethrown.
   */
  private async execute(id: string, fitMode: FitMode, onProgress?: (fraction: number, stage: string) => void): Promise<TrainingOutcome> {
    let lastWrite = 0;
    let reported = 0;
    const progress = async (fraction: number, stage: string, force = false) => {
      reported = Math.max(reported, Math.min(1, fraction));
      onProgress?.(reported, stage);
      const now = Date.now();
      if (!force && now - lastWrite < PROGRESS_EVERY_MS) return;
      lastWrite = now;
      await this.db.query("UPDATE training_runs SET progress = $2, stage = $3 WHERE id = $1 AND status = 'RUNNING'", [id, reported, stage]);
    };
    try {
      const started = await this.db.query<TrainingRunRow>(
        `UPDATE training_runs r SET status = 'RUNNING', started_at = now(), stage = 'extracting', progress = 0.01
          WHERE r.id = $1 AND r.status = 'QUEUED' RETURNING ${RUN_COLUMNS}`, [id]);
      const run = started[0];
      if (!run) throw new ConflictError(`Training run ${id} is not QUEUED any more.`);
      const params = run.params;
      const base = (await this.models.byId(run.baseModelId))!;
      const def = base.definition;
      const features = criterionFeatures(def);

      // 1. The training set: the base model's criteria as of each deal's creation (SQL).
      const rows = await evaluateDeals(this.db, def, {
        closedFrom: params.closedFrom ? new Date(params.closedFrom) : null, closedTo: params.closedTo ? new Date(params.closedTo) : null,
      });
      await progress(0.1, "extracting", true);
      const n = rows.length;
      const p = features.length;
      const won = rows.filter((r) => r.won).length;
      // ml/ refuses these too (and an empty matrix differently); saying so here spares the fit's start-up.
      const need = TRAINING_DEFAULTS.minOutcomesPerClass;
      if (won < need || n - won < need) {
        throw new TrainingFailedError("TOO_FEW_OUTCOMES",
          `Training needs at least ${need} won and ${need} lost deals; found ${won} won and ${n - won} lost. Widen the date range or wait for more deals to close.`,
          { positives: won, negatives: n - won, required: need });
      }
      const y = Uint8Array.from(rows, (r) => (r.won ? 1 : 0));
      // The fit trains on raw criterion values (per point), so a criterion at 0 points stays estimable.
      const probes = rawProbes(def);
      const dealIds = rows.map((r) => r.dealId);
      const probeParts = async (probe: ModelRow["definition"] | null) =>
        probe ? new Map((await evaluateDeals(this.db, probe, { dealIds })).map((r) => [r.dealId, r.parts])) : null;
      const [engagementProbe, othersProbe] = [await probeParts(probes.engagement), await probeParts(probes.others)];
      const raw = rows.map((r) => rawValues(def, r.parts, { engagement: engagementProbe?.get(r.dealId), others: othersProbe?.get(r.dealId) }));
      const X = new Float64Array(n * p);
      raw.forEach((values, i) => values.forEach((v, j) => (X[i * p + j] = v)));
      const p95 = new Map(p95Columns(X, n, p).map((q, j) => [features[j]!.feature, q]));

      // 2. Candidates the model does not use yet, measured by the engine through a probe model.
      const { candidates, candidateX, candidateStats } = params.suggestNewCriteria
        ? await this.measureCandidates(def, rows, y)
        : { candidates: [], candidateX: null, candidateStats: [] };
      await progress(0.15, "fitting", true);

      // 3. The fit (ml/), in a child process unless in-process was asked for.
      const currentTotals = rows.map((r) => r.total);
      const holdoutRows = params.holdoutShare > 0 && n > 1 ? stratifiedSplit(y, params.holdoutShare, params.seed).test : [];
      const job: FitJob = {
        X, n, p, y, featureNames: features.map((f) => f.feature),
        options: { l2: params.l2, seed: params.seed, holdoutShare: params.holdoutShare, folds: params.folds },
        candidates: candidateX ? { X: candidateX, names: candidates.map((c) => c.name) } : null,
      };
      const fit = await runFit(job, fitMode, (fraction, stage) => {
        progress(0.15 + 0.75 * fraction, stage === "screening" ? "screening" : `fitting: ${stage}`).catch(() => undefined);
      }, this.stopping.signal).catch((err: unknown) => {
        if (err instanceof TrainingInputError) throw new TrainingFailedError(err.code, err.message, { ...err.details });
        throw err;
      });
      await progress(0.9, "proposing", true);

      const report = fit.report;
      const byFeature = new Map(features.map((f) => [f.feature, f]));
      const coefficients = new Map<string, CoefficientEstimate>(report.coefficients.filter((c) => byFeature.has(c.name)).map((c) => [c.name, c]));
      const dropped = new Map<string, DroppedFeature>(report.droppedFeatures.map((d) => [d.name, d]));
      const dataset: DatasetSummary = {
        deals: n, won, lost: n - won, features: p, usedFeatures: coefficients.size,
        droppedFeatures: report.droppedFeatures.map((d): DroppedCriterion => {
          const f = byFeature.get(d.name)!;
          return {
            criterion: f.criterion.key, label: f.criterion.label, component: f.criterion.component, feature: f.feature, reason: d.reason,
            duplicateOf: d.duplicateOf ? byFeature.get(d.duplicateOf)?.criterion.key ?? d.duplicateOf : null, detail: d.detail,
          };
        }),
        firstCreatedAt: new Date(rows.reduce((t, r) => Math.min(t, r.createdAt.getTime()), Infinity)).toISOString(),
        lastCreatedAt: new Date(rows.reduce((t, r) => Math.max(t, r.createdAt.getTime()), -Infinity)).toISOString(),
      };

      // 4. The proposal: a DRAFT of the base model's line, re-scored on the same deals by the engine.
      const proposed = proposeWeights({ base, runId: id, features, coefficients, dropped, p95 });
      let proposedRows: EvaluatedDeal[] | null = null;
      let proposedInput: ScoringModelInputData | null = null;
      let proposedDef: ModelRow["definition"] | null = null;
      let cutoffs: CutoffChange[] = [];
      if (proposed) {
        // Score the deals with the proposed weights, re-set bands and thresholds to keep their
        // share of the deals. Bands do not change totals. The version is stored with its
        // proposal, below, in one transaction.
        const draft = normaliseModelInput(proposed.input, { eventTypes: this.config.eventTypes }).definition;
        const draftRows = await evaluateDeals(this.db, draft, { dealIds: rows.map((r) => r.dealId) });
        const draftByDeal = new Map(draftRows.map((r) => [r.dealId, r]));
        const matched = withMatchedCutoffs(proposed.input, rows, rows.map((r) => draftByDeal.get(r.dealId) ?? { total: 0, fit: 0 }));
        cutoffs = matched.cutoffs;
        proposedInput = matched.input;
        proposedDef = normaliseModelInput(matched.input, { eventTypes: this.config.eventTypes }).definition;
        const bands = proposedDef.bands;
        proposedRows = draftRows.map((r) => ({ ...r, band: bandFor(r.total, bands).name }));
      }
      const proposedByDeal = new Map((proposedRows ?? []).map((r) => [r.dealId, r]));
      const proposedTotals = proposedRows ? rows.map((r) => proposedByDeal.get(r.dealId)?.total ?? 0) : null;
      const metrics = {
        holdout: report.holdout,
        crossValidation: report.crossValidation,
        currentModelAuc: n > 0 ? auc(currentTotals, y) : null,
        currentModelHoldoutAuc: holdoutRows.length > 0 ? auc(holdoutRows.map((i) => currentTotals[i]!), holdoutRows.map((i) => y[i]!)) : null,
        proposedModelAuc: proposedTotals ? auc(proposedTotals, y) : null,
      };
      const criterionCoefficients: CriterionCoefficient[] = features.flatMap((f) => {
        const c = coefficients.get(f.feature);
        if (!c) return [];
        const { name: _name, ...rest } = c;
        const q = p95.get(f.feature) ?? 0;
        const [low, high] = [c.ciLow * q, c.ciHigh * q].sort((a, b) => a - b) as [number, number];
        // Named as the dataset dump's column (committee criteria as committee.<key>).
        return [{ ...rest, criterion: f.feature, key: f.criterion.key, label: f.criterion.label, component: f.criterion.component, feature: f.feature, p95: q, effect: c.estimate * q, effectLow: low, effectHigh: high }];
      });
      // Suggestions are priced on the proposal's scale (or, without one, on the same rule applied to every positive effect).
      const positiveEffects = criterionCoefficients.reduce((sum, c) => sum + Math.max(c.effect ?? 0, 0), 0);
      const scale = proposed
        ? { pointsPerLogOdds: proposed.pointsPerLogOdds, weights: Object.fromEntries(proposed.weights.map((w) => [w.component, w.after])) as Record<"FIT" | "ENGAGEMENT", number> }
        : { pointsPerLogOdds: positiveEffects > 0 ? 100 / positiveEffects : 0, weights: { FIT: def.weights.fit, ENGAGEMENT: def.weights.engagement } };
      const suggestedCriteria = suggestCriteria(candidates, fit.candidates, candidateStats, n, scale);
      const warnings = [...report.warnings];
      if (params.propose === false) {
        warnings.push("Dry run (propose: false): the fit and the would-be proposal (report.dryRunProposal) are reported; no proposal and no new version were written.");
      }
      const mixed = await mixedDealsWarning(this.db);
      if (mixed) warnings.push(mixed);
      if (!proposed) {
        warnings.push("No criterion has a clearly positive effect on winning in these deals (no 95% interval lies above 0), so the data support no re-weighting: no proposal was made.");
      }
      const stored: TrainingRunReport = jsonSafe({
        backend: report.backend,
        fit: {
          iterations: report.iterations, converged: report.converged, logLikelihood: report.logLikelihood, objective: report.objective,
          durationMs: report.durationMs, finalFitMs: report.finalFitMs, intercept: report.coefficients.find((c) => !byFeature.has(c.name)) ?? null,
        },
        metrics,
        coefficients: criterionCoefficients,
        calibration: report.calibration,
        warnings,
        candidatesTested: fit.candidates.filter((c: CandidateFit) => c.coefficient !== null).length,
        suggestedCriteria,
      });

      let proposalRow: ProposalRow | null = null;
      let proposedModel: ModelRow | null = null;
      const details = proposed && proposedDef && proposedRows
        ? this.proposalDetails(proposed, def, proposedDef, cutoffs, rows, proposedByDeal, suggestedCriteria, metrics) : null;
      // What the proposal would do to today's scores, before the write (it scores every account).
      const impact = details && proposedDef && params.propose !== false
        ? await this.db.tx((client) => computeImpact(client, base.name, proposedDef, new Date())) : null;
      await this.db.tx(async (client) => {
        if (proposed && proposedInput && details && impact) {
          // The DRAFT and its proposal commit together: no version without its review record.
          proposedModel = await this.models.createIn(client, proposedInput, `training run ${id}`);
          const summary = trainingSummary({ runId: id, base, dataset, metrics, proposed, details }) + `\n${impactSentence(impact)}`;
          const recommendation = details.outcome === "BETTER" ? "RECOMMENDED" : "NOT_RECOMMENDED";
          const inserted = await client.query<ProposalRow>(
            `INSERT INTO weight_proposals AS p (kind, training_run_id, proposed_model_id, summary, details, recommendation, author_key_id, author_name, impact)
             VALUES ('TRAINED', $1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${PROPOSAL_COLUMNS}`,
            [id, proposedModel.id, summary, JSON.stringify(jsonSafe(details)), recommendation, run.startedByKeyId, run.startedBy, JSON.stringify(impact)]);
          proposalRow = inserted.rows[0]!;
        }
        const storedReport: TrainingRunReport = details && params.propose === false ? { ...stored, dryRunProposal: jsonSafe(details) } : stored;
        await client.query(
          `UPDATE training_runs SET status = 'SUCCEEDED', progress = 1, stage = 'done', dataset = $2, report = $3, backend = $4, finished_at = now()
            WHERE id = $1`, [id, JSON.stringify(jsonSafe(dataset)), JSON.stringify(storedReport), report.backend]);
      });
      onProgress?.(1, "done");
      this.log.info({ runId: id, deals: n, backend: report.backend, currentModelAuc: metrics.currentModelAuc, proposedModelId: (proposedModel as ModelRow | null)?.id }, "training run finished");
      return { run: (await this.byId(id))!, proposal: proposalRow, rows, raw, features };
    } catch (err) {
      const message = err instanceof AppError ? err.message
        : this.stopping.signal.aborted ? "The server stopped while the run was in progress. Start a new training run."
          : `Training failed unexpectedly; the server log has the details (training run ${id}).`;
      await this.db.query(
        "UPDATE training_runs SET status = 'FAILED', error = $2, finished_at = now() WHERE id = $1 AND status IN ('QUEUED', 'RUNNING')",
        [id, message.slice(0, 4_000)]).catch((e: unknown) => this.log.error({ err: e, runId: id }, "could not record the failed training run"));
      throw err;
    }
  }

  /**
   * The candidates of `discoverCandidates`, measured per training row by the engine through the
   * probe model (row-major, one column per candidate), and how many deals have each.
   */
  private async measureCandidates(def: ModelRow["definition"], rows: readonly EvaluatedDeal[], y: Uint8Array) {
    const none = { candidates: [] as Candidate[], candidateX: null as Float64Array | null, candidateStats: [] as { deals: number; wonWith: number; wonWithout: number }[] };
    const dealIds = rows.map((r) => r.dealId);
    const found = await discoverCandidates(this.db, def, dealIds, this.config.eventTypes);
    if (!found) return none;
    const probeRows = await evaluateDeals(this.db, found.probe, { dealIds });
    const byDeal = new Map(probeRows.map((r) => [r.dealId, r.parts]));
    const n = rows.length;
    const q = found.candidates.length;
    const candidateX = new Float64Array(n * q);
    rows.forEach((r, i) => {
      const parts = byDeal.get(r.dealId) ?? [];
      for (let c = 0; c < q; c++) candidateX[i * q + c] = parts[c] ?? 0;
    });
    const won = y.reduce((s, v) => s + v, 0);
    const candidateStats = found.candidates.map((_, c) => {
      let deals = 0;
      let wonWith = 0;
      for (let i = 0; i < n; i++) {
        if (candidateX[i * q + c]! > 0) {
          deals++;
          wonWith += y[i]!;
        }
      }
      return { deals, wonWith, wonWithout: won - wonWith };
    });
    return { candidates: found.candidates, candidateX, candidateStats };
  }

  private proposalDetails(
    proposed: ProposedWeights, def: ModelRow["definition"], proposedDef: ModelRow["definition"], cutoffs: CutoffChange[],
    rows: readonly EvaluatedDeal[], proposedByDeal: ReadonlyMap<string, EvaluatedDeal>, suggestedCriteria: SuggestedCriterion[], metrics: TrainingMetrics,
  ): ProposalDetails {
    const comparison = compareWithCurrent(metrics);
    return {
      headlines: proposalHeadlines(comparison, proposed.engagedThreshold, cutoffs),
      changes: proposed.changes,
      componentWeights: proposed.weights,
      engagedThreshold: proposed.engagedThreshold,
      pointsPerLogOdds: proposed.pointsPerLogOdds,
      cutoffs,
      winRateByBand: winRateByBand(def.bands, proposedDef.bands, rows.map((r) => ({ band: r.band, won: r.won })), rows.map((r) => ({ band: proposedByDeal.get(r.dealId)?.band ?? r.band, won: r.won }))),
      suggestedCriteria,
      ...comparison,
    };
  }

  private async holdOwnerLock(): Promise<void> {
    if (this.ownerClient) return;
    this.ownerLocking ??= (async () => {
      const client = await this.db.pool.connect();
      try {
        await client.query("SELECT pg_advisory_lock($1, $2)", [OWNER_LOCK, this.owner]);
        this.ownerClient = client;
      } catch (err) {
        client.release();
        throw err;
      }
    })().finally(() => { this.ownerLocking = null; });
    await this.ownerLocking;
  }

  private async releaseOwnerLockIfIdle(): Promise<void> {
    if (!this.ownerClient || this.draining || this.queue.length > 0) return;
    const client = this.ownerClient;
    this.ownerClient = null;
    await client.query("SELECT pg_advisory_unlock($1, $2)", [OWNER_LOCK, this.owner]).catch(() => undefined);
    client.release();
  }
}

/**
 * What the council must read first: a fit that is not better (the proposal is NOT_RECOMMENDED),
 * and every threshold that moves — the engaged threshold and band minimums or status cut-offs.
 */
export function proposalHeadlines(
  comparison: { outcome: Comparison; verdict: string },
  engaged: { before: number; after: number },
  cutoffs: readonly CutoffChange[],
): string[] {
  const out: string[] = [];
  if (comparison.outcome !== "BETTER") out.push(`NOT RECOMMENDED: ${comparison.verdict} Approving it needs acknowledgeNotRecommended and a comment that says why.`);
  if (engaged.before !== engaged.after) {
    out.push(`Threshold change: a contact counts as engaged from ${engaged.after} points of decayed engagement instead of ${engaged.before}, because the engagement points are rescaled; committee coverage and breadth move with it.`);
  }
  const moved = cutoffs.filter((c) => c.before !== c.after);
  if (moved.length) {
    const name = (c: CutoffChange) => (c.name.startsWith("band:") ? `band ${c.name.slice(5)}` : c.name);
    out.push(`Threshold change: ${moved.map((c) => `${name(c)} ${c.before} → ${c.after}`).join(", ")} (each keeps its share of the training deals under the new totals).`);
  }
  return out;
}

/** How the fitted model compares with the current model on the same deals, out of sample. */
export type Comparison = "BETTER" | "MIXED" | "NOT_BETTER" | "UNKNOWN";

/**
 * Better or not, honestly and like for like: the fitted model's pooled out-of-fold AUC against
 * the current model's AUC on all training deals, and its holdout AUC against the current
 * model's on the holdout deals. (The proposed points are a rescaled copy of the fitted
 * model's linear score, so its out-of-sample AUC is the proposal's best honest measure; the
 * proposed model's own AUC on the deals is in-sample.)
 */
export function compareWithCurrent(m: Pick<TrainingMetrics, "currentModelAuc" | "currentModelHoldoutAuc" | "proposedModelAuc" | "holdout" | "crossValidation">): { outcome: Comparison; verdict: string } {
  const f = (x: number) => x.toFixed(3);
  const checks: { label: string; fitted: number; current: number }[] = [];
  if (m.crossValidation && m.currentModelAuc !== null) checks.push({ label: "cross-validated AUC", fitted: m.crossValidation.outOfFold.auc, current: m.currentModelAuc });
  if (m.holdout && m.currentModelHoldoutAuc !== null) checks.push({ label: "holdout AUC", fitted: m.holdout.auc, current: m.currentModelHoldoutAuc });
  if (checks.length === 0) return { outcome: "UNKNOWN", verdict: "No out-of-sample measure was taken (holdoutShare and folds are 0), so whether the proposal is better is unknown." };
  const wins = checks.filter((c) => c.fitted >= c.current).length;
  const outcome: Comparison = wins === checks.length ? "BETTER" : wins === 0 ? "NOT_BETTER" : "MIXED";
  const detail = checks.map((c) => `${c.label} ${f(c.fitted)} against the current model's ${f(c.current)} (${c.fitted >= c.current ? "+" : ""}${f(c.fitted - c.current)})`).join("; ");
  const head = { BETTER: "Better", MIXED: "Mixed", NOT_BETTER: "Not better", UNKNOWN: "" }[outcome];
  const advice = outcome === "BETTER" ? "" : " The council should weigh that before approving.";
  return { outcome, verdict: `${head} on the same deals: ${detail}.${advice}` };
}

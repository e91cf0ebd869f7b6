import { GlobalIdOf, Node } from "../platform/graphql/node.type";
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { TRAINING_DEFAULTS } from "../../ml";
import { PageInfo } from "../platform/graphql/connection";
import { JSONObject } from "../platform/graphql/scalars";
import { ScoreComponent } from "../scoring/scoring-model.type";
import type { ProposalRow, TrainingRunRow } from "./training.service";

export enum TrainingRunStatus { QUEUED = "QUEUED", RUNNING = "RUNNING", SUCCEEDED = "SUCCEEDED", FAILED = "FAILED" }
registerEnumType(TrainingRunStatus, { name: "TrainingRunStatus", description: "QUEUED → RUNNING → SUCCEEDED or FAILED (with an error that says what to change)." });

export enum ProposalStatus { PENDING = "PENDING", APPROVED = "APPROVED", REJECTED = "REJECTED" }
registerEnumType(ProposalStatus, {
  name: "ProposalStatus",
  description: "APPROVED once COUNCIL_APPROVALS distinct COUNCIL keys (not its author) approved and none rejected; any REJECT makes it REJECTED, even after APPROVED, until the version is activated. Only an APPROVED proposal's model can be activated (besides a rollback or an ADMIN break-glass).",
});

export enum ReviewDecision { APPROVE = "APPROVE", REJECT = "REJECT" }
registerEnumType(ReviewDecision, { name: "ReviewDecision" });

export enum ProposalKind { TRAINED = "TRAINED", SUBMITTED = "SUBMITTED" }
registerEnumType(ProposalKind, { name: "ProposalKind", description: "TRAINED: a training run's DRAFT. SUBMITTED: a hand-written DRAFT put up with submitModelForReview." });

export enum ProposalRecommendation { RECOMMENDED = "RECOMMENDED", NOT_RECOMMENDED = "NOT_RECOMMENDED", UNASSESSED = "UNASSESSED" }
registerEnumType(ProposalRecommendation, {
  name: "ProposalRecommendation",
  description: "RECOMMENDED: the fit was better than the current model on the same deals. NOT_RECOMMENDED: it was not; each approving review must set acknowledgeNotRecommended. UNASSESSED: a hand-written draft nobody measured on deals.",
});

export enum ProposalFlag {
  SPANS_ZERO = "SPANS_ZERO", NEGATIVE_EFFECT = "NEGATIVE_EFFECT", NOT_ESTIMABLE = "NOT_ESTIMABLE", DUPLICATE = "DUPLICATE",
  KEPT_PENALTY = "KEPT_PENALTY", SHARED_POINTS = "SHARED_POINTS", COMPONENT_UNWEIGHTED = "COMPONENT_UNWEIGHTED", RARE = "RARE",
}
registerEnumType(ProposalFlag, {
  name: "ProposalFlag",
  description: "Why a criterion's proposed points need a second look: SPANS_ZERO (interval includes no effect: no evidence to change, keeps its points), NEGATIVE_EFFECT, NOT_ESTIMABLE (never varies: keeps its points), RARE (95th percentile 0: keeps its points), DUPLICATE, KEPT_PENALTY (a disqualifier), SHARED_POINTS (required roles share one value), COMPONENT_UNWEIGHTED.",
});

export enum ProposalComparison { BETTER = "BETTER", MIXED = "MIXED", NOT_BETTER = "NOT_BETTER", UNKNOWN = "UNKNOWN" }
registerEnumType(ProposalComparison, { name: "ProposalComparison", description: "The fitted model's out-of-sample AUC against the current model's on the same deals." });

export enum SuggestionKind { FIELD = "FIELD", EVENT_TYPE = "EVENT_TYPE" }
registerEnumType(SuggestionKind, { name: "SuggestionKind" });

@InputType({ description: "A training run: every option has a default." })
export class TrainingRunInput {
  @Field(() => ID, { nullable: true, description: "The model version to re-weight; the ACTIVE \"default\" model when omitted." }) baseModelId?: string;
  @Field(() => Float, { nullable: true, description: "L2 strength on standardised features (default 1; larger shrinks more)." }) l2?: number;
  @Field(() => Int, { nullable: true, description: "Seed of the holdout split and the folds (default 1)." }) seed?: number;
  @Field(() => Float, { nullable: true, description: "Share of deals held out for the holdout metrics, 0–0.5 (default 0.25)." }) holdoutShare?: number;
  @Field(() => Int, { nullable: true, description: "Cross-validation folds, 0 or 2–20 (default 5)." }) folds?: number;
  @Field(() => Date, { nullable: true, description: "Only deals closed at or after this time." }) closedFrom?: Date;
  @Field(() => Date, { nullable: true, description: "Only deals closed before this time." }) closedTo?: Date;
  @Field(() => Boolean, { nullable: true, description: "Also test account fields and event types the model does not use (default true)." }) suggestNewCriteria?: boolean;
  @Field(() => Boolean, { nullable: true, description: "false: a dry run that fits and reports (the would-be proposal in report.dryRunProposal) but writes no proposal and no new version (default true)." }) propose?: boolean;
}

@ObjectType({ simpleResolvers: true, description: "The options a run used, defaults filled in." })
export class TrainingParams {
  @GlobalIdOf("ScoringModel")
  @Field(() => ID) baseModelId!: string;
  @Field(() => Float) l2!: number;
  @Field(() => Int) seed!: number;
  @Field(() => Float) holdoutShare!: number;
  @Field(() => Int) folds!: number;
  @Field(() => Date, { nullable: true }) closedFrom!: Date | null;
  @Field(() => Date, { nullable: true }) closedTo!: Date | null;
  @Field(() => Boolean) suggestNewCriteria!: boolean;
  @Field(() => Boolean, { description: "false for a dry run." }) propose!: boolean;
}

@ObjectType({ simpleResolvers: true, description: "A criterion the fit left out." })
export class DroppedCriterion {
  @Field(() => String) criterion!: string;
  @Field(() => String) label!: string;
  @Field(() => ScoreComponent) component!: ScoreComponent;
  @Field(() => String, { description: "constant (one value in every deal) or duplicate (identical to another criterion)." }) reason!: string;
  @Field(() => String, { nullable: true, description: "For duplicates: the criterion kept in its place." }) duplicateOf!: string | null;
  @Field(() => String) detail!: string;
}

@ObjectType({ simpleResolvers: true, description: "The training set: one row per closed deal, the base model's criteria as of the deal's creation." })
export class TrainingDataset {
  @Field(() => Int) deals!: number;
  @Field(() => Int) won!: number;
  @Field(() => Int) lost!: number;
  @Field(() => Int, { description: "Criteria of the base model (one feature each)." }) features!: number;
  @Field(() => Int, { description: "Criteria the fit used." }) usedFeatures!: number;
  @Field(() => [DroppedCriterion]) droppedFeatures!: DroppedCriterion[];
  @Field(() => Date, { nullable: true }) firstCreatedAt!: Date | null;
  @Field(() => Date, { nullable: true }) lastCreatedAt!: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class TrainingMetricSet {
  @Field(() => Float, { nullable: true, description: "Area under the ROC curve; 0.5 is chance." }) auc!: number | null;
  @Field(() => Float, { nullable: true, description: "Mean cross-entropy; lower is better." }) logLoss!: number | null;
  @Field(() => Float, { nullable: true, description: "Mean squared error of the probability; lower is better." }) brier!: number | null;
}

@ObjectType({ simpleResolvers: true, description: "Fit on a stratified share of the deals, scored on the rest." })
export class TrainingHoldoutMetrics extends TrainingMetricSet {
  @Field(() => Float) share!: number;
  @Field(() => Int) trainRows!: number;
  @Field(() => Int) testRows!: number;
  @Field(() => Int) testWon!: number;
  @Field(() => Int) testLost!: number;
}

@ObjectType({ simpleResolvers: true })
export class TrainingFoldMetrics extends TrainingMetricSet {
  @Field(() => Int) fold!: number;
  @Field(() => Int) trainRows!: number;
  @Field(() => Int) testRows!: number;
}

@ObjectType({ simpleResolvers: true, description: "Stratified k-fold cross-validation." })
export class TrainingCrossValidation {
  @Field(() => Int) folds!: number;
  @Field(() => TrainingMetricSet, { description: "Mean over folds." }) mean!: TrainingMetricSet;
  @Field(() => TrainingMetricSet, { description: "Standard deviation over folds." }) sd!: TrainingMetricSet;
  @Field(() => TrainingMetricSet, { description: "All out-of-fold predictions pooled." }) outOfFold!: TrainingMetricSet;
  @Field(() => [TrainingFoldMetrics]) perFold!: TrainingFoldMetrics[];
}

@ObjectType({ simpleResolvers: true })
export class TrainingMetrics {
  @Field(() => TrainingHoldoutMetrics, { nullable: true }) holdout!: TrainingHoldoutMetrics | null;
  @Field(() => TrainingCrossValidation, { nullable: true }) crossValidation!: TrainingCrossValidation | null;
  @Field(() => Float, { nullable: true, description: "AUC of the current (base) model's total on all training deals." }) currentModelAuc!: number | null;
  @Field(() => Float, { nullable: true, description: "The same on the holdout deals only." }) currentModelHoldoutAuc!: number | null;
  @Field(() => Float, { nullable: true, description: "AUC of the proposed model's total on all training deals (in-sample)." }) proposedModelAuc!: number | null;
  @Field(() => Int) iterations!: number;
  @Field(() => Boolean) converged!: boolean;
}

@ObjectType({ simpleResolvers: true, description: "A coefficient of the final fit: log-odds of winning per unit of the criterion's value (its points)." })
export class TrainingCoefficient {
  @Field(() => String, { description: "The dataset dump's column (--dump-dataset): the rule key; committee criteria as committee.<key>." }) criterion!: string;
  @Field(() => String, { nullable: true, description: "The criterion's key in the model." }) key!: string | null;
  @Field(() => Float, { nullable: true, description: "The 95th percentile of its raw value (per point: a match, an event, a role) over the training deals." }) p95!: number | null;
  @Field(() => String) label!: string;
  @Field(() => ScoreComponent, { nullable: true }) component!: ScoreComponent | null;
  @Field(() => Float) estimate!: number;
  @Field(() => Float, { description: "Per standard deviation of the feature." }) standardized!: number;
  @Field(() => Float) stdError!: number;
  @Field(() => Float) ciLow!: number;
  @Field(() => Float) ciHigh!: number;
  @Field(() => Float) zValue!: number;
  @Field(() => Float) pValue!: number;
  @Field(() => Float) oddsRatio!: number;
  @Field(() => Boolean, { description: "The 95% interval includes 0." }) spansZero!: boolean;
  @Field(() => Float, { nullable: true, description: "Log-odds effect at the criterion's 95th-percentile raw value (estimate × p95); estimate is per raw unit." }) effect!: number | null;
  @Field(() => Float, { nullable: true }) effectLow!: number | null;
  @Field(() => Float, { nullable: true }) effectHigh!: number | null;
}

@ObjectType({ simpleResolvers: true, description: "One bin of the calibration table: predicted against observed win rate." })
export class TrainingCalibrationBin {
  @Field(() => Int) bin!: number;
  @Field(() => Int) count!: number;
  @Field(() => Float) minPredicted!: number;
  @Field(() => Float) maxPredicted!: number;
  @Field(() => Float) meanPredicted!: number;
  @Field(() => Float) observedRate!: number;
}

@ObjectType({ simpleResolvers: true, description: "Win rate per band under the current and the proposed weights (highest band first)." })
export class BandWinRate {
  @Field(() => String) band!: string;
  @Field(() => Float) minScore!: number;
  @Field(() => Float, { description: "The band's minimum in the proposed model." }) proposedMinScore!: number;
  @Field(() => Float, { nullable: true, description: "Won / closed deals in the band by the current total." }) current!: number | null;
  @Field(() => Float, { nullable: true }) proposed!: number | null;
  @Field(() => Int) currentDeals!: number;
  @Field(() => Int) currentWon!: number;
  @Field(() => Int) proposedDeals!: number;
  @Field(() => Int) proposedWon!: number;
  @Field(() => Float, { nullable: true, description: "95% Wilson interval of the current win rate." }) currentLow!: number | null;
  @Field(() => Float, { nullable: true }) currentHigh!: number | null;
  @Field(() => Float, { nullable: true, description: "95% Wilson interval of the proposed win rate." }) proposedLow!: number | null;
  @Field(() => Float, { nullable: true }) proposedHigh!: number | null;
}

@ObjectType({ simpleResolvers: true, description: "A criterion, current against proposed." })
export class CriterionWeightChange {
  @Field(() => String) criterion!: string;
  @Field(() => String) label!: string;
  @Field(() => ScoreComponent) component!: ScoreComponent;
  @Field(() => String, { nullable: true, description: "The dataset dump's column and the coefficient's name." }) feature!: string | null;
  @Field(() => Float, { description: "Points of the 0–100 total at the criterion's 95th-percentile raw value in the training deals, current model." }) before!: number;
  @Field(() => Float, { description: "The same, proposed." }) after!: number;
  @Field(() => Float, { description: "The rule's own points, current." }) pointsBefore!: number;
  @Field(() => Float, { description: "The rule's own points, proposed (equal to pointsBefore when there is no evidence to change)." }) pointsAfter!: number;
  @Field(() => Float, { nullable: true, description: "The 95th percentile of its raw value over the training deals." }) p95!: number | null;
  @Field(() => Float, { nullable: true, description: "Log-odds effect at the 95th-percentile raw value." }) effect!: number | null;
  @Field(() => Float, { nullable: true }) effectLow!: number | null;
  @Field(() => Float, { nullable: true }) effectHigh!: number | null;
  @Field(() => Float, { nullable: true }) oddsRatio!: number | null;
  @Field(() => Float, { nullable: true }) pValue!: number | null;
  @Field(() => Boolean) spansZero!: boolean;
  @Field(() => [ProposalFlag]) flags!: ProposalFlag[];
  @Field(() => String) note!: string;
}

@ObjectType({ simpleResolvers: true })
export class ComponentWeightChange {
  @Field(() => ScoreComponent) component!: ScoreComponent;
  @Field(() => Float) before!: number;
  @Field(() => Float) after!: number;
}

@ObjectType({ simpleResolvers: true, description: "A band minimum or threshold re-set to keep its share of the training deals." })
export class CutoffChange {
  @Field(() => String, { description: "band:<name>, nurture, mqa, sqa or minFit." }) name!: string;
  @Field(() => Float) before!: number;
  @Field(() => Float) after!: number;
  @Field(() => Int) dealsBefore!: number;
  @Field(() => Int) dealsAfter!: number;
}

@ObjectType({ simpleResolvers: true })
export class ThresholdChange {
  @Field(() => Float) before!: number;
  @Field(() => Float) after!: number;
}

@ObjectType({ simpleResolvers: true, description: "A field value or event type the model does not use that moves the odds of winning (Holm-adjusted p < 0.05)." })
export class SuggestedCriterion {
  @Field(() => SuggestionKind) kind!: SuggestionKind;
  @Field(() => String) label!: string;
  @Field(() => String, { nullable: true }) field!: string | null;
  @Field(() => String, { nullable: true }) operator!: string | null;
  @Field(() => String, { nullable: true }) value!: string | null;
  @Field(() => Float, { nullable: true }) min!: number | null;
  @Field(() => String, { nullable: true }) eventType!: string | null;
  @Field(() => Int) deals!: number;
  @Field(() => Float) share!: number;
  @Field(() => Float, { nullable: true }) winRateWith!: number | null;
  @Field(() => Float, { nullable: true }) winRateWithout!: number | null;
  @Field(() => Float) effect!: number;
  @Field(() => Float) effectLow!: number;
  @Field(() => Float) effectHigh!: number;
  @Field(() => Float) oddsRatio!: number;
  @Field(() => Float) pValue!: number;
  @Field(() => Float) adjustedPValue!: number;
  @Field(() => Float, { description: "Points of the total at full strength on the proposal's scale." }) suggestedPoints!: number;
  @Field(() => JSONObject, { description: "A rule to paste into a ScoringModelInput." }) rule!: Record<string, unknown>;
}

@ObjectType({ simpleResolvers: true, description: "One council member's decision." })
export class ProposalReview {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: "The reviewer's API key name." }) reviewer!: string;
  @Field(() => ID, { nullable: true, description: "The reviewer's API key id (reviews count once per key)." }) reviewerKeyId!: string | null;
  @Field(() => String, { nullable: true, description: "The reviewer's role when reviewing (only COUNCIL reviews count)." }) reviewerRole!: string | null;
  @Field(() => Boolean, { description: "The approval acknowledged that the proposal is NOT_RECOMMENDED." }) acknowledgedNotRecommended!: boolean;
  @Field(() => ReviewDecision) decision!: ReviewDecision;
  @Field(() => String) comment!: string;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType({ description: "A DRAFT version up for the council: a training run's re-weighting of its base model, or a hand-written draft submitted for review.", implements: Node })
export class WeightProposal {
  @Field(() => ID, { name: "rowId", description: "The database id (every id argument accepts it, or the global `id`)." }) id!: string;
  @Field(() => ProposalKind) kind!: ProposalKind;
  @Field(() => ProposalStatus) status!: ProposalStatus;
  @Field(() => ProposalRecommendation) recommendation!: ProposalRecommendation;
  @Field(() => String, { nullable: true, description: "The key name that started the run or submitted the draft; it cannot review this proposal." }) author!: string | null;
  @Field(() => String, { nullable: true, description: "The submitter's reason (SUBMITTED proposals)." }) comment!: string | null;
  @Field(() => [String], { description: "What the council must read first: a fit that is not better, thresholds that move." }) headlines!: string[];
  @Field(() => String, { description: "What changed and why, in plain language." }) summary!: string;
  @Field(() => ProposalComparison) outcome!: ProposalComparison;
  @Field(() => String) verdict!: string;
  @Field(() => [CriterionWeightChange]) changes!: CriterionWeightChange[];
  @Field(() => [ComponentWeightChange]) componentWeights!: ComponentWeightChange[];
  @Field(() => [CutoffChange]) cutoffs!: CutoffChange[];
  @Field(() => ThresholdChange, { description: "The committee's engaged threshold." }) engagedThreshold!: ThresholdChange;
  @Field(() => Float, { description: "Points of the total per unit of log-odds." }) pointsPerLogOdds!: number;
  @Field(() => [BandWinRate]) winRateByBand!: BandWinRate[];
  @Field(() => [SuggestedCriterion]) suggestedCriteria!: SuggestedCriterion[];
  @Field(() => Int, { description: "APPROVE decisions needed (with no REJECT) for APPROVED." }) approvalsNeeded!: number;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) decidedAt!: Date | null;
  /** Not fields: resolved by loaders. */
  proposedModelId!: string;
  trainingRunId!: string | null;
  authorKeyId!: string | null;
  /** The stored impact preview (JSON), served by the `impact` field. */
  storedImpact!: unknown;
}

@ObjectType({ description: "A training run: a logistic model of won against lost deals on the base model's criteria, and the weights it proposes.", implements: Node })
export class TrainingRun {
  @Field(() => ID, { name: "rowId", description: "The database id (every id argument accepts it, or the global `id`)." }) id!: string;
  @Field(() => TrainingRunStatus) status!: TrainingRunStatus;
  @Field(() => Float, { description: "0–1." }) progress!: number;
  @Field(() => String, { nullable: true, description: "What it is doing: queued, extracting, fitting: holdout | cross-validation | final, screening, proposing, done." }) stage!: string | null;
  @Field(() => String, { nullable: true, description: "Why a FAILED run failed." }) error!: string | null;
  @Field(() => String, { nullable: true, description: "The TensorFlow.js backend of the fit: tensorflow, wasm or cpu." }) backend!: string | null;
  @Field(() => TrainingParams) params!: TrainingParams;
  @Field(() => TrainingDataset, { nullable: true }) dataset!: TrainingDataset | null;
  @Field(() => TrainingMetrics, { nullable: true }) metrics!: TrainingMetrics | null;
  @Field(() => [TrainingCoefficient], { description: "One per criterion the fit used (empty until SUCCEEDED)." }) coefficients!: TrainingCoefficient[];
  @Field(() => TrainingCoefficient, { nullable: true }) intercept!: TrainingCoefficient | null;
  @Field(() => [TrainingCalibrationBin]) calibration!: TrainingCalibrationBin[];
  @Field(() => String, { nullable: true, description: "out-of-fold, holdout or in-sample." }) calibrationSource!: string | null;
  @Field(() => [String]) warnings!: string[];
  @Field(() => Int, { description: "Fields and event types the model does not use that were tested." }) candidatesTested!: number;
  @Field(() => [SuggestedCriterion], { description: "Those with a real effect (Holm-adjusted p < 0.05), even when there is no proposal." }) suggestedCriteria!: SuggestedCriterion[];
  @Field(() => String, { nullable: true }) startedBy!: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
  /** Not fields. */
  baseModelId!: string;
  row!: TrainingRunRow;
}

@ObjectType({ simpleResolvers: true })
export class TrainingRunEdge {
  @Field(() => String) cursor!: string;
  @Field(() => TrainingRun) node!: TrainingRun;
}

@ObjectType({ simpleResolvers: true })
export class TrainingRunConnection {
  @Field(() => [TrainingRunEdge]) edges!: TrainingRunEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: Promise<number>;
}

/** The stored row as the GraphQL object: report parts become typed fields. */
export function toTrainingRun(row: TrainingRunRow): TrainingRun {
  const report = row.report;
  const m = report?.metrics;
  return {
    id: row.id, status: row.status as TrainingRunStatus, progress: row.progress, stage: row.stage, error: row.error, backend: row.backend,
    params: {
      // Runs recorded by hand (or before a parameter existed) show the defaults they ran with.
      baseModelId: row.params.baseModelId ?? row.baseModelId, l2: row.params.l2 ?? TRAINING_DEFAULTS.l2, seed: row.params.seed ?? TRAINING_DEFAULTS.seed,
      holdoutShare: row.params.holdoutShare ?? TRAINING_DEFAULTS.holdoutShare, folds: row.params.folds ?? TRAINING_DEFAULTS.folds,
      suggestNewCriteria: row.params.suggestNewCriteria ?? true,
      propose: row.params.propose ?? true,
      closedFrom: row.params.closedFrom ? new Date(row.params.closedFrom) : null, closedTo: row.params.closedTo ? new Date(row.params.closedTo) : null,
    },
    dataset: row.dataset ? {
      ...row.dataset,
      droppedFeatures: row.dataset.droppedFeatures.map((d) => ({ ...d, component: d.component as ScoreComponent })),
      firstCreatedAt: row.dataset.firstCreatedAt ? new Date(row.dataset.firstCreatedAt) : null,
      lastCreatedAt: row.dataset.lastCreatedAt ? new Date(row.dataset.lastCreatedAt) : null,
    } : null,
    metrics: m && report ? {
      holdout: m.holdout ? { ...m.holdout, testWon: m.holdout.testPositives, testLost: m.holdout.testNegatives } : null,
      crossValidation: m.crossValidation,
      currentModelAuc: m.currentModelAuc, currentModelHoldoutAuc: m.currentModelHoldoutAuc, proposedModelAuc: m.proposedModelAuc,
      iterations: report.fit.iterations, converged: report.fit.converged,
    } : null,
    coefficients: (report?.coefficients ?? []).map((c) => ({ ...c, key: c.key ?? null, p95: c.p95 ?? null, component: c.component as ScoreComponent | null })),
    intercept: report?.fit.intercept ? {
      ...report.fit.intercept, criterion: report.fit.intercept.name, label: "Intercept (log-odds of winning with every criterion at 0)", component: null,
      key: null, p95: null, effect: null, effectLow: null, effectHigh: null,
    } : null,
    calibration: report?.calibration.bins ?? [],
    calibrationSource: report?.calibration.source ?? null,
    warnings: report?.warnings ?? [],
    candidatesTested: report?.candidatesTested ?? 0,
    suggestedCriteria: (report?.suggestedCriteria ?? []).map((x) => ({ ...x, kind: x.kind as SuggestionKind })),
    startedBy: row.startedBy, createdAt: row.createdAt, startedAt: row.startedAt, finishedAt: row.finishedAt,
    baseModelId: row.baseModelId, row,
  };
}

export function toWeightProposal(row: ProposalRow, approvalsNeeded: number): WeightProposal {
  const d = row.details;
  return {
    id: row.id, kind: row.kind as ProposalKind, status: row.status as ProposalStatus, recommendation: row.recommendation as ProposalRecommendation,
    author: row.authorName, comment: row.comment, authorKeyId: row.authorKeyId, storedImpact: row.impact, summary: row.summary,
    headlines: d.headlines ?? [], outcome: d.outcome as ProposalComparison, verdict: d.verdict,
    changes: d.changes.map((c) => ({ ...c, feature: c.feature ?? null, p95: c.p95 ?? null, component: c.component as ScoreComponent, flags: c.flags as ProposalFlag[] })),
    componentWeights: d.componentWeights.map((w) => ({ ...w, component: w.component as ScoreComponent })),
    cutoffs: d.cutoffs, engagedThreshold: d.engagedThreshold, pointsPerLogOdds: d.pointsPerLogOdds, winRateByBand: d.winRateByBand,
    suggestedCriteria: d.suggestedCriteria.map((s) => ({ ...s, kind: s.kind as SuggestionKind })),
    approvalsNeeded, createdAt: row.createdAt, decidedAt: row.decidedAt,
    proposedModelId: row.proposedModelId, trainingRunId: row.trainingRunId,
  };
}


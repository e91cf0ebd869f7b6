import { gql, type GraphQLClient } from "graphql-request";

/** GraphQL documents of the training tests: named constants with fragments. */
export const TRAINING_RUN_FIELDS = gql`
  fragment TrainingRunFields on TrainingRun {
    id rowId status progress stage error backend startedBy createdAt startedAt finishedAt
    baseModel { id name version status }
    params { baseModelId l2 seed holdoutShare folds closedFrom closedTo suggestNewCriteria }
    dataset { deals won lost features usedFeatures firstCreatedAt lastCreatedAt droppedFeatures { criterion label component reason duplicateOf detail } }
    metrics {
      holdout { auc logLoss brier share trainRows testRows testWon testLost }
      crossValidation { folds mean { auc logLoss brier } sd { auc } outOfFold { auc logLoss brier } perFold { fold auc trainRows testRows } }
      currentModelAuc currentModelHoldoutAuc proposedModelAuc iterations converged
    }
    coefficients { criterion label component estimate standardized stdError ciLow ciHigh zValue pValue oddsRatio spansZero effect effectLow effectHigh }
    intercept { criterion estimate stdError }
    calibration { bin count minPredicted maxPredicted meanPredicted observedRate }
    calibrationSource
    warnings
  }
`;

export const PROPOSAL_FIELDS = gql`
  fragment ProposalFields on WeightProposal {
    id rowId kind status recommendation author summary outcome verdict approvalsNeeded approvals approvalsMissing createdAt decidedAt pointsPerLogOdds
    impact { asOf activeModelId accounts bandMatrix { from to accounts } targetMovesCount targetMoves(first: 500) { domain name from to } newlySqa noLongerSqa newlyMqa noLongerMqa slaClocksStarted }
    proposedModel { id name version status basedOn { id } weights { fit engagement intent committee } bands { name minScore } }
    changes { criterion feature label component before after pointsBefore pointsAfter p95 effect effectLow effectHigh oddsRatio pValue spansZero flags note }
    componentWeights { component before after }
    cutoffs { name before after dealsBefore dealsAfter }
    engagedThreshold { before after }
    winRateByBand { band minScore proposedMinScore current proposed currentDeals currentWon proposedDeals proposedWon currentLow currentHigh proposedLow proposedHigh }
    headlines
    suggestedCriteria { kind label field operator value min eventType deals share winRateWith winRateWithout effect oddsRatio pValue adjustedPValue suggestedPoints rule }
    reviews { id reviewer reviewerKeyId reviewerRole acknowledgedNotRecommended decision comment createdAt }
  }
`;

export const START_TRAINING = gql`
  mutation StartTraining($input: TrainingRunInput!) { startTrainingRun(input: $input) { ...TrainingRunFields } }
  ${TRAINING_RUN_FIELDS}
`;

export const TRAINING_RUN = gql`
  query TrainingRun($id: ID!) { trainingRun(id: $id) { ...TrainingRunFields report proposal { ...ProposalFields } } }
  ${TRAINING_RUN_FIELDS}
  ${PROPOSAL_FIELDS}
`;

export const TRAINING_RUNS = gql`
  query TrainingRuns($first: Int, $after: String) {
    trainingRuns(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status proposal { id status } } } }
  }
`;

export const REVIEW = gql`
  mutation Review($id: ID!, $decision: ReviewDecision!, $comment: String!, $ack: Boolean) {
    reviewWeightProposal(id: $id, decision: $decision, comment: $comment, acknowledgeNotRecommended: $ack) { ...ProposalFields trainingRun { id } }
  }
  ${PROPOSAL_FIELDS}
`;

export const ACTIVATE = gql`mutation Activate($id: ID!) { activateScoringModel(id: $id) { id name version status } }`;
export const CREATE_MODEL = gql`mutation Create($input: ScoringModelInput!) { createScoringModel(input: $input) { id name version status } }`;
export const RUN_SCORING = gql`mutation Run($modelId: ID) { runScoring(modelId: $modelId) { id status accountsScored model { id version } } }`;

export interface Coefficient {
  criterion: string; label: string; component: string | null; estimate: number; stdError: number; ciLow: number; ciHigh: number;
  pValue: number; oddsRatio: number; spansZero: boolean; effect: number | null; effectLow: number | null; effectHigh: number | null;
}
export interface Proposal {
  id: string; rowId: string; kind: string; status: string; recommendation: string; author: string | null; approvals: number; approvalsMissing: number;
  impact: Impact | null; summary: string; outcome: string; verdict: string; approvalsNeeded: number; decidedAt: string | null; pointsPerLogOdds: number;
  proposedModel: { id: string; name: string; version: number; status: string; basedOn: { id: string } | null; weights: Record<string, number>; bands: { name: string; minScore: number }[] };
  changes: { criterion: string; feature: string | null; label: string; component: string; before: number; after: number; pointsBefore: number; pointsAfter: number; p95: number | null; effect: number | null; spansZero: boolean; flags: string[]; note: string }[];
  componentWeights: { component: string; before: number; after: number }[];
  cutoffs: { name: string; before: number; after: number; dealsBefore: number; dealsAfter: number }[];
  winRateByBand: { band: string; current: number | null; proposed: number | null; currentDeals: number; currentWon: number; proposedDeals: number; proposedWon: number;
    currentLow: number | null; currentHigh: number | null; proposedLow: number | null; proposedHigh: number | null }[];
  headlines: string[];
  suggestedCriteria: { kind: string; label: string; adjustedPValue: number; rule: Record<string, unknown> }[];
  reviews: { id: string; reviewer: string; decision: string; comment: string; createdAt: string }[];
}
export interface Impact {
  asOf: string; activeModelId: string | null; accounts: number; bandMatrix: { from: string | null; to: string | null; accounts: number }[];
  targetMovesCount: number; targetMoves: { domain: string; name: string; from: string | null; to: string | null }[];
  newlySqa: number; noLongerSqa: number; newlyMqa: number; noLongerMqa: number; slaClocksStarted: number;
}
export interface Run {
  id: string; rowId: string; status: string; progress: number; stage: string | null; error: string | null; backend: string | null; startedBy: string | null;
  createdAt: string; startedAt: string | null; finishedAt: string | null;
  baseModel: { id: string; name: string; version: number };
  params: { baseModelId: string; l2: number; seed: number; holdoutShare: number; folds: number; suggestNewCriteria: boolean };
  dataset: { deals: number; won: number; lost: number; features: number; usedFeatures: number; droppedFeatures: { criterion: string; reason: string }[] } | null;
  metrics: {
    holdout: { auc: number; testRows: number; testWon: number; testLost: number } | null;
    crossValidation: { folds: number; outOfFold: { auc: number }; perFold: { fold: number; auc: number }[] } | null;
    currentModelAuc: number | null; currentModelHoldoutAuc: number | null; proposedModelAuc: number | null; converged: boolean;
  } | null;
  coefficients: Coefficient[];
  intercept: { criterion: string; estimate: number } | null;
  calibration: { bin: number; count: number; meanPredicted: number; observedRate: number }[];
  calibrationSource: string | null;
  warnings: string[];
  report?: Record<string, unknown>;
  proposal?: Proposal | null;
}

/** Polls trainingRun(id) until it is SUCCEEDED or FAILED. */
export async function waitForRun(client: GraphQLClient, id: string, timeoutMs = 120_000): Promise<Run> {
  const until = Date.now() + timeoutMs;
  const seen: number[] = [];
  for (;;) {
    const { trainingRun } = await client.request<{ trainingRun: Run }>(TRAINING_RUN, { id });
    seen.push(trainingRun.progress);
    if (trainingRun.status === "SUCCEEDED" || trainingRun.status === "FAILED") return Object.assign(trainingRun, { progressSeen: seen });
    if (Date.now() > until) throw new Error(`training run ${id} still ${trainingRun.status} (${trainingRun.stage}) after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

import { gql } from "graphql-request";

/** GraphQL documents of the KPI and holdout tests: named constants with fragments. */
export const KPI_ESTIMATE = gql`
  fragment KpiEstimateFields on KpiEstimate { value low high n x method note }
`;

export const KPI_LIFT = gql`
  fragment KpiLiftFields on KpiLift { estimate low high pValue adjustedPValue significant method pValueMethod note warning }
`;

export const KPI_SIDE = gql`
  fragment KpiSideFields on BandKpiSide {
    accounts accountsWithMeeting accountsWithOpportunity opportunitiesCreated pipelineCreated closedDeals wonDeals wonAmount accountsWon
    accountsWithClosedDeals meetings customersAtFrom customersExpanded contacts contactsReachedSql accountsWithBandEntry touchedAccounts untouched movedDuringWindow
    meetingRate { ...KpiEstimateFields } opportunityRate { ...KpiEstimateFields } winRate { ...KpiEstimateFields }
    averageAcv { ...KpiEstimateFields } medianVelocityDays { ...KpiEstimateFields } pipelinePerAccount { ...KpiEstimateFields }
    meetingsPerAccount { ...KpiEstimateFields } expansionRate { ...KpiEstimateFields } medianHoursToFirstTouch { ...KpiEstimateFields } sqlRate { ...KpiEstimateFields }
  }
  ${KPI_ESTIMATE}
`;

export const KPI_GROUP = gql`
  fragment KpiGroupFields on BandKpiGroup {
    band tier warnings comparable nothingToCompare headline
    treated { ...KpiSideFields }
    holdout { ...KpiSideFields }
    lift {
      meetingRate { ...KpiLiftFields } opportunityRate { ...KpiLiftFields } winRate { ...KpiLiftFields }
      averageAcv { ...KpiLiftFields } medianVelocityDays { ...KpiLiftFields } pipelinePerAccount { ...KpiLiftFields }
      meetingsPerAccount { ...KpiLiftFields } expansionRate { ...KpiLiftFields } medianHoursToFirstTouch { ...KpiLiftFields } sqlRate { ...KpiLiftFields }
    }
  }
  ${KPI_SIDE}
  ${KPI_LIFT}
`;

export const BAND_KPIS = gql`
  query BandKpis($input: BandKpiInput!) {
    bandKpis(input: $input) {
      from to model modelId modelVersion versionSource versionReason bandRule confidence seed bootstrapIterations
      asOfRun { id asOf modelId modelVersion }
      accounts treatedAccounts holdoutAccounts scoredAsOfFrom unscoredAccounts holdoutEnteredAfterFrom holdoutLeftDuringWindow movedDuringWindow
      comparisons pValueAdjustment nothingToCompare headlines
      kpis { key label unit direction definition method }
      bands { name minScore maxScore range slaHours play }
      overall { ...KpiGroupFields }
      groups { ...KpiGroupFields }
      warnings
      scoreQuality {
        conversionByBand { band accounts accountsWon closedDeals wonDeals conversion { ...KpiEstimateFields } winRate { ...KpiEstimateFields } }
        monotonic winRateMonotonic auc aucAccounts aucPositives notes
        distributionOverTime { runId asOf modelVersion accounts averageScore bands { band accounts share averageScore } }
      }
    }
  }
  ${KPI_GROUP}
`;

export const HOLDOUT_ASSIGNMENT = gql`
  fragment HoldoutAssignmentFields on HoldoutAssignment {
    id seed share stratifyBy model runId replaceExisting accountsIn accountsAdded accountsRemoved assignedAt assignedBy
    strata { stratum targets holdout added share }
  }
`;

export const ASSIGN_HOLDOUT = gql`
  mutation AssignHoldout($input: HoldoutInput!) {
    assignHoldout(input: $input) { ...HoldoutAssignmentFields }
  }
  ${HOLDOUT_ASSIGNMENT}
`;

export const HOLDOUT_ASSIGNMENTS = gql`
  query HoldoutAssignments($first: Int, $after: String) {
    holdoutAssignments(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ...HoldoutAssignmentFields } }
    }
  }
  ${HOLDOUT_ASSIGNMENT}
`;

export const HOLDOUT_HISTORY_ENTRY = gql`
  fragment HoldoutHistoryEntryFields on HoldoutHistoryEntry {
    id accountId accountDomain accountName enteredAt enteredBy entryReason assignmentId exitedAt exitedBy exitReason exitAssignmentId
  }
`;

export const RELEASE_HOLDOUT = gql`
  mutation ReleaseHoldout($input: HoldoutReleaseInput!) {
    releaseHoldout(input: $input) { released entries { ...HoldoutHistoryEntryFields } }
  }
  ${HOLDOUT_HISTORY_ENTRY}
`;

export const HOLDOUT_HISTORY = gql`
  query HoldoutHistory($accountDomain: String, $first: Int, $after: String) {
    holdoutHistory(accountDomain: $accountDomain, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ...HoldoutHistoryEntryFields } }
    }
  }
  ${HOLDOUT_HISTORY_ENTRY}
`;

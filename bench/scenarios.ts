import type { BenchData } from "./data";

export interface Scenario {
  readonly name: string;
  readonly operationName: string;
  readonly query: string;
  variables(data: BenchData): Record<string, unknown>;
}

/** The dashboard queries of DESIGN §7, as a BI tool sends them. */
export const DASHBOARD_SCENARIOS: Scenario[] = [
  {
    name: "account page (50 accounts)",
    operationName: "AccountPage",
    query: `query AccountPage($first: Int!, $from: DateTime!) {
      accounts(first: $first, orderBy: { field: SCORE, direction: DESC }) {
        totalCount
        edges { cursor node {
          rowId name domain industry employees tier isHoldout
          score { total fit engagement intent committee band grade status engagedContacts contributions { component criterion label points } }
          scoreHistory(from: $from) { asOf total band }
          buyingCommittee { coverage engagedContacts missingRequiredRoles members { role engagement lastEngagedAt contact { rowId name title email } } }
          contacts { rowId name title role seniority }
        } }
      }
    }`,
    variables: (data) => ({ first: 50, from: new Date(data.now.getTime() - 30 * 86_400_000).toISOString() }),
  },
  {
    name: "band distribution",
    operationName: "BandDistribution",
    query: `query BandDistribution { scoreDistribution { band count share } }`,
    variables: () => ({}),
  },
  {
    name: "KPI report (28 days)",
    operationName: "KpiReport",
    query: `query KpiReport($from: DateTime!, $to: DateTime!) {
      bandKpis(input: { from: $from, to: $to }) {
        accounts holdoutAccounts warnings
        groups {
          band tier warnings
          treated { accounts meetingRate { value low high } winRate { value low high } averageAcv { value low high } medianVelocityDays { value low high } }
          holdout { accounts meetingRate { value low high } winRate { value low high } averageAcv { value low high } medianVelocityDays { value low high } }
          lift { meetingRate { estimate low high pValue warning } winRate { estimate low high pValue warning } averageAcv { estimate low high pValue } }
        }
        scoreQuality { auc }
      }
    }`,
    // From the oldest bench snapshot: a window starting before any run would score every account as of `from` per request.
    variables: (data) => ({ from: new Date(data.now.getTime() - 28 * 86_400_000).toISOString(), to: data.now.toISOString() }),
  },
];

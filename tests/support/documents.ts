import { gql } from "graphql-request";

/** Shared GraphQL documents for tests and benchmarks: named constants with fragments. */
export const ACCOUNT_CORE = gql`
  fragment AccountCore on Account {
    id domain name industry employees annualRevenue country region tier isTarget isHoldout technologies
  }
`;

export const ACCOUNTS_PAGE = gql`
  query AccountsPage($filter: AccountFilter, $orderBy: AccountOrder, $first: Int, $after: String) {
    accounts(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { ...AccountCore } }
    }
  }
  ${ACCOUNT_CORE}
`;

/** The dashboard's account page: accounts with their committee, contacts and deals. */
export const ACCOUNT_PAGE_WITH_RELATIONS = gql`
  query AccountPageWithRelations($first: Int) {
    accounts(first: $first) {
      edges { node {
        ...AccountCore
        parent { id name }
        subsidiaries { id name }
        contacts { id email role title }
        deals { id outcome amount }
        intentSignals { topic strength }
        buyingCommittee { coverage engagedContacts missingRequiredRoles members { role engagement contact { email } } }
        engagement(first: 5) { totalCount edges { node { type occurredAt } } }
      } }
    }
  }
  ${ACCOUNT_CORE}
`;

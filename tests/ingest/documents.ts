import { gql } from "graphql-request";

/** GraphQL documents the ingest tests send, as named constants. */

export const BATCH_RESULT = gql`
  fragment BatchResultFields on BatchResult { inserted updated unchanged held stitched errors { index field message } }
`;

export const UPSERT_ACCOUNTS = gql`
  ${BATCH_RESULT}
  mutation UpsertAccounts($input: [AccountInput!]!) { upsertAccounts(input: $input) { ...BatchResultFields } }
`;

export const UPSERT_CONTACTS = gql`
  ${BATCH_RESULT}
  mutation UpsertContacts($input: [ContactInput!]!) { upsertContacts(input: $input) { ...BatchResultFields } }
`;

export const RECORD_ENGAGEMENT = gql`
  ${BATCH_RESULT}
  mutation RecordEngagement($input: [EngagementEventInput!]!) { recordEngagement(input: $input) { ...BatchResultFields } }
`;

export const RECORD_INTENT = gql`
  ${BATCH_RESULT}
  mutation RecordIntent($input: [IntentSignalInput!]!) { recordIntent(input: $input) { ...BatchResultFields } }
`;

export const UPSERT_DEALS = gql`
  ${BATCH_RESULT}
  mutation UpsertDeals($input: [DealInput!]!) { upsertDeals(input: $input) { ...BatchResultFields } }
`;

export const ACCOUNT = gql`
  query Account($domain: String!) {
    account(domain: $domain) {
      id domain name industry employees annualRevenue country region technologies attributes tier isTarget lastEngagedAt
      parent { domain }
      subsidiaries { domain }
      contacts { email isInternal }
      deals { externalId outcome amount }
      intentSignals { topic strength }
      engagement(first: 100) { totalCount edges { node { externalId type isBot botReason contactEmail occurredAt } } }
    }
  }
`;

export const HELD_CONTACTS = gql`
  query HeldContacts { contacts(filter: { held: true }, first: 100) { totalCount edges { node { email isInternal } } } }
`;

export const INGEST_STATUS = gql`
  query IngestStatus($first: Int) {
    ingestStatus(first: $first) {
      heldContacts unstitchableContacts heldEvents eventsAwaitingContact heldIntentSignals heldDeals heldParentLinks
      domains { domain contacts events intentSignals deals subsidiaries total }
    }
  }
`;

export interface RowError { index: number; field: string; message: string }
export interface BatchResult { inserted: number; updated: number; unchanged: number; held: number; stitched: number; errors: RowError[] }

export interface AccountView {
  id: string; domain: string; name: string; industry: string | null; employees: number | null; annualRevenue: number | null;
  country: string | null; region: string | null; technologies: string[]; attributes: Record<string, unknown>; tier: string | null;
  isTarget: boolean; lastEngagedAt: string | null;
  parent: { domain: string } | null;
  subsidiaries: { domain: string }[];
  contacts: { email: string; isInternal: boolean }[];
  deals: { externalId: string; outcome: string; amount: number }[];
  intentSignals: { topic: string; strength: number }[];
  engagement: { totalCount: number; edges: { node: { externalId: string; type: string; isBot: boolean; botReason: string | null; contactEmail: string | null; occurredAt: string } }[] };
}

import type { GraphQLClient } from "graphql-request";
import {
  type AccountView, ACCOUNT, type BatchResult, RECORD_ENGAGEMENT, RECORD_INTENT, UPSERT_ACCOUNTS, UPSERT_CONTACTS, UPSERT_DEALS,
} from "./documents";

/** Thin wrappers so tests read as what they send. */
export function ingestApi(client: GraphQLClient) {
  return {
    accounts: (input: object[]) => client.request<{ upsertAccounts: BatchResult }>(UPSERT_ACCOUNTS, { input }).then((r) => r.upsertAccounts),
    contacts: (input: object[]) => client.request<{ upsertContacts: BatchResult }>(UPSERT_CONTACTS, { input }).then((r) => r.upsertContacts),
    events: (input: object[]) => client.request<{ recordEngagement: BatchResult }>(RECORD_ENGAGEMENT, { input }).then((r) => r.recordEngagement),
    intent: (input: object[]) => client.request<{ recordIntent: BatchResult }>(RECORD_INTENT, { input }).then((r) => r.recordIntent),
    deals: (input: object[]) => client.request<{ upsertDeals: BatchResult }>(UPSERT_DEALS, { input }).then((r) => r.upsertDeals),
  };
}

export function accountOf(client: GraphQLClient, domain: string): Promise<AccountView | null> {
  return client.request<{ account: AccountView | null }>(ACCOUNT, { domain }).then((r) => r.account);
}

/** A batch result with these counts and no errors (held/stitched checked only when given). */
export function counts(c: Partial<Pick<BatchResult, "inserted" | "updated" | "unchanged" | "held" | "stitched">>) {
  return { ...c, errors: [] };
}

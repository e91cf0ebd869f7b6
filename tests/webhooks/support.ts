import { gql, type GraphQLClient } from "graphql-request";

/**
 * Facts that put accounts into known places under the shipped default model when scored:
 * hot.example enters Hot (SQA) with all three committee roles engaged; warm.example enters
 * Warm (MQA) with its champion and decision maker; cold.example stays Cold but becomes NURTURE.
 */
export const HOT = "hot.example";
export const WARM = "warm.example";
export const COLD = "cold.example";

const ICP = { industry: "Software", employees: 800, technologies: ["salesforce", "snowflake"], region: "NA" };

const UPSERT_ACCOUNTS = gql`mutation HookAccounts($input: [AccountInput!]!) { upsertAccounts(input: $input) { inserted errors { message } } }`;
const UPSERT_CONTACTS = gql`mutation HookContacts($input: [ContactInput!]!) { upsertContacts(input: $input) { inserted errors { message } } }`;
const RECORD = gql`mutation HookEvents($input: [EngagementEventInput!]!) { recordEngagement(input: $input) { inserted errors { message } } }`;
export const RUN_SCORING = gql`mutation HookRun($asOf: DateTime) { runScoring(asOf: $asOf) { id status transitions } }`;

let serial = 0;

/** Loads the three accounts (and `extra` more hot ones: hot-1.example, …) through the ingest API. */
export async function loadAccounts(client: GraphQLClient, opts: { extraHot?: number; at?: Date } = {}): Promise<void> {
  const at = opts.at ?? new Date(Date.now() - 86_400_000);
  const hot = [HOT, ...Array.from({ length: opts.extraHot ?? 0 }, (_, i) => `hot-${i + 1}.example`)];
  await client.request(UPSERT_ACCOUNTS, { input: [...hot, WARM, COLD].map((domain) => ({ domain, name: `${domain.split(".")[0]} Inc`, ...ICP })) });
  const contacts = [
    ...hot.flatMap((d) => [
      { email: `dm@${d}`, role: "DECISION_MAKER" }, { email: `champ@${d}`, role: "CHAMPION" }, { email: `tech@${d}`, role: "TECHNICAL_EVALUATOR" },
    ]),
    { email: `dm@${WARM}`, role: "DECISION_MAKER" }, { email: `champ@${WARM}`, role: "CHAMPION" },
  ];
  await client.request(UPSERT_CONTACTS, { input: contacts.map((c) => ({ ...c, name: c.email })) });
  const event = (email: string, type: string) => ({ externalId: `hook-${++serial}-${email}-${type}`, type, occurredAt: at.toISOString(), contactEmail: email });
  const events = [
    ...hot.flatMap((d) => [event(`dm@${d}`, "demo_request"), event(`champ@${d}`, "meeting_held"), event(`tech@${d}`, "trial_signup"),
      event(`champ@${d}`, "pricing_page_view"), event(`champ@${d}`, "pricing_page_view"), event(`tech@${d}`, "webinar_attended")]),
    event(`dm@${WARM}`, "demo_request"), event(`champ@${WARM}`, "meeting_held"),
  ];
  for (let i = 0; i < events.length; i += 2_000) {
    const r = await client.request<{ recordEngagement: { errors: unknown[] } }>(RECORD, { input: events.slice(i, i + 2_000) });
    if (r.recordEngagement.errors.length) throw new Error(JSON.stringify(r.recordEngagement.errors));
  }
}

export const CREATE_WEBHOOK = gql`
  mutation CreateHook($input: WebhookInput!) {
    createWebhook(input: $input) { secret webhook { id url events bands causes description enabled } }
  }
`;
export const DELIVERIES = gql`
  query Deliveries($webhookId: ID, $status: DeliveryStatus, $first: Int, $after: String) {
    webhookDeliveries(webhookId: $webhookId, status: $status, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id webhookId messageId event eventId status attempts nextAttemptAt lastAttemptAt lastResponseStatus lastError deliveredAt body } }
    }
  }
`;

export interface DeliveryNode {
  id: string; webhookId: string; messageId: string; event: string; eventId: string; status: string; attempts: number;
  nextAttemptAt: string | null; lastAttemptAt: string | null; lastResponseStatus: number | null; lastError: string | null; deliveredAt: string | null; body: string;
}

export async function deliveries(client: GraphQLClient, vars: { webhookId?: string; status?: string } = {}): Promise<DeliveryNode[]> {
  const out: DeliveryNode[] = [];
  let after: string | null = null;
  for (;;) {
    const r: { webhookDeliveries: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: DeliveryNode }[] } } =
      await client.request(DELIVERIES, { ...vars, first: 500, after });
    out.push(...r.webhookDeliveries.edges.map((e) => e.node));
    if (!r.webhookDeliveries.pageInfo.hasNextPage) return out;
    after = r.webhookDeliveries.pageInfo.endCursor;
  }
}

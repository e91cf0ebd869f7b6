/**
 * Every mutation, fed hostile values one leaf at a time (issue "Hardening", item 4).
 *
 * Mutations and their arguments come from the executable schema, so a mutation added later is
 * fuzzed as soon as it has a baseline here — and fails the first test until it does. For each
 * one a valid baseline is sent first (it must succeed and read back), then copies of it with
 * one leaf replaced by a hostile value: SQL metacharacters, tricky unicode, NUL bytes, lone
 * surrogates, huge strings and bodies, NaN / Infinity / -0 / 2^53+1 / beyond-Int32 numbers,
 * wrong types, broken dates, unknown enum values, deep nesting and oversized lists, sent as
 * JSON variables, as raw JSON tokens or as literals in the document.
 *
 * Every answer must be either a coded client error — no 5xx, no INTERNAL_SERVER_ERROR, no SQL
 * or stack in the text — with every table exactly as before, or a success that stored the
 * value verbatim (read back through the API) and touched only the tables that mutation owns.
 * Which leaf a value lands on rotates deterministically (no randomness), so a failure names
 * the same case on every run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, type GraphQLClient } from "graphql-request";
import type { GraphQLField } from "graphql";
import { getSchema } from "../../src/platform/graphql/schema";
import { ensureDefaultModel } from "../../src/scoring/default-model";
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from "../support/server";
import {
  changedTables, CLIENT_ERROR_CODES, fieldName, fingerprint, getAt, HOSTILE, type Hostile, type HostileClass, inputLeaves, type Leaf,
  leaks, type Operation, post, requestBody, sameValue, setAt, showPath, stableHash,
} from "../support/fuzz";

const MAX_BODY_BYTES = 1_000_000;
const MAX_BATCH_SIZE = 50;
const ACCOUNT = "fuzz-acct.example";
const PARENT = "fuzz-parent.example";
const CONTACT = "known@fuzz-acct.example";

type Args = Record<string, unknown>;
type Row = Record<string, unknown>;

interface Ctx {
  readonly server: TestServer;
  readonly admin: GraphQLClient;
  readonly defaultModelId: string;
  /** A COUNCIL key's Authorization header (only COUNCIL keys review). */
  readonly councilAuth: string;
}

interface MutationSpec {
  /** The result's selection set. */
  readonly selection: string;
  /** How many baseline shapes (e.g. runScoring by model name, and by model id). */
  readonly variants?: number;
  /** Valid arguments. Setup they refer to (a key to revoke) is made here, before the fingerprint. */
  baseline(ctx: Ctx, n: number, variant: number): Promise<Args> | Args;
  /** Distinct valid rows for the batch argument `input`. */
  row?(n: number, i: number): Row;
  /** Tables a success may change (a prefix covers partitions: account_scores_…). */
  readonly writes: readonly string[];
  /** Reads back through the API what a success stored, shaped like the arguments. */
  readBack(ctx: Ctx, sent: Args, data: Row): Promise<Args>;
  /** Input fields that are used but not stored anywhere readable, and why. */
  readonly notStored?: Readonly<Record<string, string>>;
  /** Waits for work a success started in the background. */
  settle?(ctx: Ctx, data: Row): Promise<void>;
  /** The Authorization header to send (ADMIN_API_KEY when absent). */
  auth?(ctx: Ctx): string;
}

const BATCH_RESULT = "{ inserted updated unchanged held stitched errors { index field message } }";

const ACCOUNT_READ = gql`
  query FuzzAccount($domain: String!) {
    account(domain: $domain) { domain name industry employees annualRevenue country region technologies attributes tier isTarget parent { domain } }
  }
`;
const CONTACTS_READ = gql`
  query FuzzContacts($search: String!) {
    contacts(filter: { search: $search }, first: 50) { edges { node { email name title seniority department role account { domain } } } }
  }
`;
const FACTS_READ = gql`
  query FuzzFacts($domain: String!) {
    account(domain: $domain) {
      domain
      engagement(first: 500) { edges { node { externalId type occurredAt contactEmail channel asset source isBot } } }
      intentSignals { topic strength observedAt source }
      deals { externalId name amount stage outcome createdAt closedAt }
    }
  }
`;
const MODEL_READ = gql`query FuzzModel($id: ID!) { scoringModel(id: $id) { id: rowId name status description basedOn { id: rowId } definition } }`;
const RUN_READ = gql`query FuzzRun($id: ID!) { scoringRun(id: $id) { asOf model { id: rowId name } } }`;
const HOLDOUTS_READ = gql`query FuzzHoldouts { holdoutAssignments(first: 500) { edges { node { id seed share stratifyBy model replaceExisting reason } } } }`;
const HOLDOUT_HISTORY_READ = gql`query FuzzHoldoutHistory($domain: String!) { holdoutHistory(accountDomain: $domain, first: 10) { edges { node { accountDomain exitReason } } } }`;
const TRAINING_READ = gql`
  query FuzzTraining($id: ID!) {
    trainingRun(id: $id) { status baseModel { id: rowId } params { l2 seed holdoutShare folds closedFrom closedTo suggestNewCriteria } }
  }
`;
const PROPOSAL_READ = gql`query FuzzProposal($id: ID!) { weightProposal(id: $id) { id: rowId status comment proposedModel { id: rowId } reviews { reviewer decision comment acknowledgedNotRecommended } } }`;
const CHANGES_READ = gql`query FuzzChanges($line: String) { modelChanges(line: $line, first: 1) { edges { node { kind reason model { id: rowId } } } } }`;
const KEYS_READ = gql`query FuzzKeys { apiKeys { id name role revokedAt } }`;
const WEBHOOKS_READ = gql`query FuzzWebhooks { webhooks { id url events bands causes description enabled } }`;
const DELIVERIES_READ = gql`query FuzzDeliveries($id: ID!) { webhookDeliveries(webhookId: $id) { edges { node { id status nextAttemptAt } } } }`;
/** Events and the deliveries they fan out to are written by triggers with every fact that makes one. */
const OUTBOX = ["outbox_events", "webhook_deliveries"];
const WEBHOOK_INPUT = (n: number): Row => ({
  url: `http://127.0.0.1:9/hooks/${n}`, events: ["BAND_ENTERED", "SLA_BREACHED"], bands: ["Hot", "Warm"], causes: ["EVENTS"], description: "CRM router", enabled: true,
});

async function webhookById(ctx: Ctx, id: unknown): Promise<Row | undefined> {
  return (await ctx.admin.request<{ webhooks: Row[] }>(WEBHOOKS_READ)).webhooks.find((w) => w.id === id);
}

async function setupWebhook(ctx: Ctx, n: number): Promise<string> {
  return (await ctx.server.app.services.webhooks.create(WEBHOOK_INPUT(n) as never, "fuzz-setup")).webhook.id;
}
const SEED_ACCOUNTS = gql`mutation FuzzSeedAccounts($input: [AccountInput!]!) { upsertAccounts(input: $input) { inserted errors { message } } }`;
const SEED_CONTACTS = gql`mutation FuzzSeedContacts($input: [ContactInput!]!) { upsertContacts(input: $input) { inserted errors { message } } }`;
const SEED_SCORING = gql`mutation FuzzSeedScoring { runScoring(asOf: "2026-05-01T00:00:00Z") { id status } }`;

interface Facts {
  engagement: { edges: { node: Row }[] };
  intentSignals: Row[];
  deals: Row[];
}

async function facts(ctx: Ctx, domain: string): Promise<Facts | null> {
  return (await ctx.admin.request<{ account: Facts | null }>(FACTS_READ, { domain })).account;
}

/** Reads back a batch of facts of ACCOUNT, row by row, by the key each row was sent with. */
function readFacts(pick: (f: Facts) => Row[], key: string, toInput: (stored: Row) => Row) {
  return async (ctx: Ctx, sent: Args): Promise<Args> => {
    const rows = sent.input as Row[];
    const stored = rows.some((r) => r.accountDomain === ACCOUNT || r.accountDomain === undefined) ? await facts(ctx, ACCOUNT) : null;
    return { input: rows.map((r) => {
      const found = stored ? pick(stored).find((s) => s[key] === r[key]) : undefined;
      return found ? toInput(found) : {};
    }) };
  };
}

const MODEL_INPUT = (name: string, basedOnId: string): Row => ({
  name, description: "Fuzz model", basedOnId,
  weights: { fit: 0.4, engagement: 0.3, intent: 0.1, committee: 0.2 },
  fitRules: [
    { key: "ind", label: "Core industry", field: "industry", operator: "IN", values: ["Software"], points: 20, disqualify: false },
    { key: "size", label: "Mid-size", field: "employees", operator: "BETWEEN", min: 50, max: 5000, points: 30, disqualify: false },
  ],
  engagementRules: [{ key: "web", label: "Pricing visits", eventTypes: ["page_view"], points: 5, halfLifeDays: 30, lookbackDays: 90, capPerContact: 20, capPerAccount: 50, assetPattern: "*pricing*" }],
  roleMultipliers: [{ role: "CHAMPION", multiplier: 1.5 }],
  intentRules: [{ key: "abm", label: "Category research", topics: ["account based marketing"], points: 40, halfLifeDays: 21, lookbackDays: 60, capPerAccount: 80 }],
  committee: { requiredRoles: ["DECISION_MAKER", "CHAMPION"], pointsPerRole: 30, minEngagedContacts: 2, breadthBonus: 40, engagedThreshold: 10 },
  bands: [{ name: "Cold", minScore: 0, slaHours: 72, play: "1:many" }, { name: "Hot", minScore: 60, slaHours: 24, play: "1:1" }],
  thresholds: { nurture: 20, mqa: 50, sqa: 70, minFit: 10, minEngagedContacts: 1 },
  rollup: "NONE",
  leadRules: {
    weights: { fit: 0.5, engagement: 0.5 },
    fitRules: [{ key: "lead_vp", label: "VP or above", field: "seniority", operator: "IN", values: ["VP"], points: 50, disqualify: false }],
    thresholds: { nurture: 10, mql: 40, sql: 70, minFit: 0 },
  },
});

/** A DRAFT version, made through the service (setup, not the surface under test). */
async function draftModel(ctx: Ctx, name: string): Promise<string> {
  const { id } = await ctx.server.app.services.scoringModels.create(MODEL_INPUT(name, ctx.defaultModelId) as never, "fuzz-setup");
  return id;
}

const SPECS: Record<string, MutationSpec> = {
  createWebhook: {
    selection: "{ secret webhook { id url events bands causes description enabled } }",
    baseline: (_ctx, n) => ({ input: WEBHOOK_INPUT(n) }),
    writes: ["webhooks"],
    async readBack(ctx, _sent, data) {
      const { id: _id, ...input } = (await webhookById(ctx, (data.webhook as Row).id)) ?? {};
      return { input };
    },
  },

  updateWebhook: {
    selection: "{ id url events bands causes description enabled }",
    baseline: async (ctx, n) => ({ id: await setupWebhook(ctx, n), input: { ...WEBHOOK_INPUT(n + 1), events: ["STATUS_CHANGED"], bands: ["Cold"], causes: ["DECAY", "MODEL_CHANGE"], enabled: false } }),
    writes: ["webhooks"],
    async readBack(ctx, sent) {
      const { id, ...input } = (await webhookById(ctx, sent.id)) ?? {};
      return { id, input };
    },
  },

  deleteWebhook: {
    selection: "",
    baseline: async (ctx, n) => ({ id: await setupWebhook(ctx, n) }),
    writes: ["webhooks", "webhook_deliveries"],
    async readBack(ctx, sent) {
      return (await webhookById(ctx, sent.id)) ? {} : { id: sent.id };
    },
  },

  redeliverWebhookDelivery: {
    selection: "{ id messageId status attempts }",
    async baseline(ctx, n) {
      // A delivery on the record: a webhook, and an event the outbox trigger fans out to it (fixture rows).
      const webhookId = await setupWebhook(ctx, n);
      const db = ctx.server.database.db;
      await db.query("UPDATE webhooks SET events = '{SCORING_RUN_FINISHED}' WHERE id = $1", [webhookId]);
      await db.query(`INSERT INTO outbox_events (type, body) VALUES ('SCORING_RUN_FINISHED', '{"type":"SCORING_RUN_FINISHED","timestamp":"2026-06-01T00:00:00.000Z","data":{}}')`);
      const [d] = await db.query<{ id: string }>("UPDATE webhook_deliveries SET status = 'FAILED', next_attempt_at = NULL, attempts = 8 WHERE webhook_id = $1 RETURNING id::text AS id", [webhookId]);
      await db.query("UPDATE webhooks SET enabled = false WHERE id = $1", [webhookId]);
      return { id: d!.id, webhookId };
    },
    writes: ["webhook_deliveries"],
    async readBack(ctx, sent) {
      const { webhookDeliveries } = await ctx.admin.request<{ webhookDeliveries: { edges: { node: Row }[] } }>(DELIVERIES_READ, { id: sent.webhookId });
      const d = webhookDeliveries.edges.map((e) => e.node).find((x) => x.id === sent.id);
      return d?.status === "PENDING" ? { id: d.id } : {};
    },
  },

  upsertAccounts: {
    selection: BATCH_RESULT,
    row: (n, i) => ({
      domain: `a${n}-${i}-fuzz.example`, name: "Fuzz Co", parentDomain: PARENT, industry: "Software", employees: 250, annualRevenue: 1_250_000.5,
      country: "DE", region: "EMEA", technologies: ["salesforce", "snowflake"], attributes: { segment: "mid-market", seats: 7, nested: { ok: true } },
      tier: "A", isTarget: true,
    }),
    baseline: (_ctx, n) => ({ input: [SPECS.upsertAccounts!.row!(n, 0), SPECS.upsertAccounts!.row!(n, 1)] }),
    writes: ["accounts"],
    async readBack(ctx, sent) {
      const input = [];
      for (const row of sent.input as Row[]) {
        const { account } = await ctx.admin.request<{ account: Row & { parent: { domain: string } | null } | null }>(ACCOUNT_READ, { domain: row.domain });
        input.push(account ? { ...account, parentDomain: account.parent?.domain ?? null } : {});
      }
      return { input };
    },
  },

  upsertContacts: {
    selection: BATCH_RESULT,
    row: (n, i) => ({ email: `c${n}-${i}@${ACCOUNT}`, name: "Ada Fuzz", title: "VP Sales", seniority: "VP", department: "Sales", role: "CHAMPION", accountDomain: ACCOUNT }),
    baseline: (_ctx, n) => ({ input: [SPECS.upsertContacts!.row!(n, 0), SPECS.upsertContacts!.row!(n, 1)] }),
    writes: ["contacts"],
    async readBack(ctx, sent) {
      const input = [];
      for (const row of sent.input as Row[]) {
        const found = typeof row.email === "string"
          ? (await ctx.admin.request<{ contacts: { edges: { node: Row & { account: { domain: string } | null } }[] } }>(CONTACTS_READ, { search: row.email }))
            .contacts.edges.map((e) => e.node).find((c) => c.email === row.email)
          : undefined;
        input.push(found ? { ...found, accountDomain: found.account?.domain ?? null } : {});
      }
      return { input };
    },
  },

  recordEngagement: {
    selection: BATCH_RESULT,
    row: (n, i) => ({
      externalId: `ev-${n}-${i}`, type: "page_view", occurredAt: "2026-03-01T10:00:00Z", contactEmail: CONTACT, accountDomain: ACCOUNT,
      channel: "web", asset: "https://fuzz-acct.example/pricing", source: "fuzz", isBot: false, userAgent: "Mozilla/5.0 (X11; Linux x86_64)",
      deliveredAt: "2026-03-01T09:00:00Z",
    }),
    baseline: (_ctx, n) => ({ input: [SPECS.recordEngagement!.row!(n, 0), SPECS.recordEngagement!.row!(n, 1)] }),
    writes: ["engagement_events", "accounts"],
    readBack: readFacts((f) => f.engagement.edges.map((e) => e.node), "externalId", (s) => ({ ...s, accountDomain: ACCOUNT })),
    notStored: {
      userAgent: "only decides whether the event is noise (isBot)",
      deliveredAt: "only decides whether an open or click is a prefetch (isBot)",
    },
  },

  recordIntent: {
    selection: BATCH_RESULT,
    row: (n, i) => ({ accountDomain: ACCOUNT, topic: `topic ${n}-${i}`, strength: 60, observedAt: "2026-03-02T08:00:00Z", source: "fuzz-src" }),
    baseline: (_ctx, n) => ({ input: [SPECS.recordIntent!.row!(n, 0), SPECS.recordIntent!.row!(n, 1)] }),
    writes: ["intent_signals"],
    readBack: readFacts((f) => f.intentSignals, "topic", (s) => ({ ...s, accountDomain: ACCOUNT })),
  },

  upsertDeals: {
    selection: BATCH_RESULT,
    row: (n, i) => ({
      externalId: `deal-${n}-${i}`, accountDomain: ACCOUNT, name: "Fuzz renewal", amount: 12_000.5, stage: "Closed Won", outcome: "WON",
      createdAt: "2026-01-10T00:00:00Z", closedAt: "2026-02-10T00:00:00Z",
    }),
    baseline: (_ctx, n) => ({ input: [SPECS.upsertDeals!.row!(n, 0), SPECS.upsertDeals!.row!(n, 1)] }),
    writes: ["deals"],
    readBack: readFacts((f) => f.deals, "externalId", (s) => ({ ...s, accountDomain: ACCOUNT })),
  },

  createScoringModel: {
    selection: "{ id name version status }",
    baseline: (ctx) => ({ input: MODEL_INPUT("fuzz", ctx.defaultModelId) }),
    writes: ["scoring_models"],
    async readBack(ctx, _sent, data) {
      const { scoringModel: m } = await ctx.admin.request<{ scoringModel: { name: string; description: string | null; basedOn: { id: string } | null; definition: Row } | null }>(MODEL_READ, { id: data.id });
      return { input: m ? { ...m.definition, name: m.name, description: m.description, basedOnId: m.basedOn?.id ?? null } : {} };
    },
  },

  activateScoringModel: {
    selection: "{ id name version status }",
    // ADMIN_API_KEY: a draft without an approved proposal goes live only by break-glass, with a reason.
    baseline: async (ctx, n) => ({ id: await draftModel(ctx, `fuzz-activate-${n % 7}`), override: "Fuzz baseline: restore service now, council review follows." }),
    // Activation scores every account with the version first (its first FULL run), then switches.
    writes: ["scoring_models", "model_changes", "scoring_runs", "account_scores", "contact_scores", "band_transitions", "current_scores", ...OUTBOX],
    async readBack(ctx, _sent, data) {
      const { scoringModel: m } = await ctx.admin.request<{ scoringModel: { id: string; name: string; status: string } | null }>(MODEL_READ, { id: data.id });
      if (m?.status !== "ACTIVE") return {};
      const { modelChanges } = await ctx.admin.request<{ modelChanges: { edges: { node: { kind: string; reason: string | null; model: { id: string } } }[] } }>(CHANGES_READ, { line: m.name });
      const last = modelChanges.edges[0]?.node;
      return last?.kind === "BREAK_GLASS" && last.model.id === m.id ? { id: m.id, override: last.reason } : { id: m.id };
    },
  },

  submitModelForReview: {
    selection: "{ id kind status comment }",
    baseline: async (ctx, n) => ({ id: await draftModel(ctx, `fuzz-submit-${n % 7}`), comment: "Hand-written pricing weights for the council." }),
    writes: ["weight_proposals", "model_changes", ...OUTBOX],
    async readBack(ctx, _sent, data) {
      const { weightProposal: p } = await ctx.admin.request<{ weightProposal: { comment: string | null; proposedModel: { id: string } } | null }>(PROPOSAL_READ, { id: data.id });
      return p ? { id: p.proposedModel.id, comment: p.comment } : {};
    },
  },

  runScoring: {
    selection: "{ id status asOf model { id name } }",
    variants: 2,
    baseline: (ctx, _n, variant) => (variant === 0 ? { asOf: "2026-06-01T00:00:00Z", model: "default" } : { asOf: "2026-06-02T00:00:00Z", modelId: ctx.defaultModelId }),
    writes: ["scoring_runs", "account_scores", "contact_scores", "band_transitions", ...OUTBOX],
    async readBack(ctx, _sent, data) {
      const { scoringRun: r } = await ctx.admin.request<{ scoringRun: { asOf: string; model: { id: string; name: string } } | null }>(RUN_READ, { id: data.id });
      return r ? { asOf: r.asOf, model: r.model.name, modelId: r.model.id } : {};
    },
  },

  assignHoldout: {
    selection: "{ id seed share stratifyBy model replaceExisting accountsIn }",
    variants: 2,
    baseline: (_ctx, _n, variant) => ({
      input: variant === 0
        ? { share: 0.1, seed: 7, stratifyBy: "TIER", replaceExisting: false, reason: "fuzz draw" }
        : { share: 0.25, seed: 3, stratifyBy: "BAND", model: "default", replaceExisting: true },
    }),
    writes: ["holdout_assignments", "accounts", "holdout_memberships"],
    async readBack(ctx, _sent, data) {
      const { holdoutAssignments } = await ctx.admin.request<{ holdoutAssignments: { edges: { node: Row }[] } }>(HOLDOUTS_READ);
      return { input: holdoutAssignments.edges.map((e) => e.node).find((h) => h.id === data.id) ?? {} };
    },
  },

  releaseHoldout: {
    selection: "{ released entries { accountDomain exitReason } }",
    async baseline(ctx, n) {
      // A held-out target account of its own per case (a success releases it).
      const domain = `release-${n}.fuzz.example`;
      const db = ctx.server.database.db;
      const [row] = await db.query<{ id: string }>(
        "INSERT INTO accounts (domain, name, is_target, is_holdout, holdout_assigned_at) VALUES ($1, $1, true, true, now()) RETURNING id::text", [domain]);
      await db.query("INSERT INTO holdout_memberships (account_id, entered_at, entry_reason) VALUES ($1, now(), 'fuzz')", [row!.id]);
      return { input: { accountDomains: [domain], reason: "customer asked for a call" } };
    },
    writes: ["holdout_memberships", "accounts"],
    async readBack(ctx, sent) {
      const domain = ((sent.input as Row).accountDomains as string[])[0]!;
      const { holdoutHistory } = await ctx.admin.request<{ holdoutHistory: { edges: { node: Row }[] } }>(HOLDOUT_HISTORY_READ, { domain });
      const closed = holdoutHistory.edges.map((e) => e.node).find((m) => m.exitReason !== null);
      return closed ? { input: { accountDomains: [closed.accountDomain], reason: closed.exitReason } } : {};
    },
  },

  startTrainingRun: {
    selection: "{ id status }",
    baseline: (ctx) => ({
      input: { baseModelId: ctx.defaultModelId, l2: 1, seed: 7, holdoutShare: 0.25, folds: 5, closedFrom: "2025-01-01T00:00:00Z", closedTo: "2027-01-01T00:00:00Z", suggestNewCriteria: true },
    }),
    writes: ["training_runs"],
    async settle(ctx, data) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { trainingRun } = await ctx.admin.request<{ trainingRun: { status: string } }>(TRAINING_READ, { id: data.id });
        if (trainingRun.status === "SUCCEEDED" || trainingRun.status === "FAILED") return;
        if (Date.now() > deadline) throw new Error(`training run ${String(data.id)} did not finish`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async readBack(ctx, _sent, data) {
      const { trainingRun: r } = await ctx.admin.request<{ trainingRun: { baseModel: { id: string }; params: Row } | null }>(TRAINING_READ, { id: data.id });
      return { input: r ? { ...r.params, baseModelId: r.baseModel.id } : {} };
    },
  },

  reviewWeightProposal: {
    selection: "{ id status reviews { reviewer decision comment } }",
    async baseline(ctx, n) {
      // A proposal on the record, as a finished training run leaves one (fixture rows: training itself is tested elsewhere).
      const db = ctx.server.database.db;
      const modelId = await draftModel(ctx, `fuzz-proposed-${n % 7}`);
      const [run] = await db.query<{ id: string }>(
        "INSERT INTO training_runs (base_model_id, status, progress, stage, finished_at) VALUES ($1, 'SUCCEEDED', 1, 'done', now()) RETURNING id::text AS id",
        [ctx.defaultModelId]);
      const details = { outcome: "UNKNOWN", verdict: "fixture", changes: [], componentWeights: [], cutoffs: [], engagedThreshold: { before: 10, after: 10 }, pointsPerLogOdds: 1, winRateByBand: [], suggestedCriteria: [] };
      const [proposal] = await db.query<{ id: string }>(
        "INSERT INTO weight_proposals (training_run_id, proposed_model_id, summary, details) VALUES ($1, $2, 'fixture', $3) RETURNING id::text AS id",
        [run!.id, modelId, JSON.stringify(details)]);
      return { id: proposal!.id, decision: "APPROVE", comment: "The pricing weight matches what sales sees.", acknowledgeNotRecommended: true };
    },
    auth: (ctx) => ctx.councilAuth,
    writes: ["proposal_reviews", "weight_proposals", "model_changes", ...OUTBOX],
    async readBack(ctx, sent) {
      const { weightProposal: p } = await ctx.admin.request<{ weightProposal: { id: string; reviews: Row[] } | null }>(PROPOSAL_READ, { id: sent.id });
      const review = p?.reviews.at(-1);
      return p && review ? { id: p.id, decision: review.decision, comment: review.comment, acknowledgeNotRecommended: review.decision === "APPROVE" ? review.acknowledgedNotRecommended : sent.acknowledgeNotRecommended } : {};
    },
  },

  createApiKey: {
    selection: "{ key apiKey { id name role } }",
    baseline: () => ({ name: "looker dashboards", role: "VIEWER" }),
    writes: ["api_keys"],
    async readBack(ctx, _sent, data) {
      const id = (data.apiKey as Row).id;
      const key = (await ctx.admin.request<{ apiKeys: Row[] }>(KEYS_READ)).apiKeys.find((k) => k.id === id);
      return key ? { name: key.name, role: key.role } : {};
    },
  },

  revokeApiKey: {
    selection: "{ id revokedAt }",
    baseline: async (ctx, n) => ({ id: (await ctx.server.app.services.apiKeys.create(`to-revoke-${n}`, "VIEWER" as never)).apiKey.id }),
    writes: ["api_keys"],
    async readBack(ctx, sent) {
      const key = (await ctx.admin.request<{ apiKeys: Row[] }>(KEYS_READ)).apiKeys.find((k) => k.id === sent.id);
      return key?.revokedAt ? { id: key.id } : {};
    },
  },
};

const schema = getSchema();
const mutations = Object.values(schema.getMutationType()!.getFields()) as GraphQLField<unknown, unknown>[];

let server: TestServer;
let ctx: Ctx;
let serial = 0;
const AUTH = `Bearer ${TEST_ADMIN_KEY}`;

beforeAll(async () => {
  // Webhooks point at loopback here, and nothing delivers in the background while tables are compared.
  server = await startTestServer({ MAX_BODY_BYTES: String(MAX_BODY_BYTES), MAX_BATCH_SIZE: String(MAX_BATCH_SIZE), WEBHOOK_ALLOW_PRIVATE_TARGETS: "true", WEBHOOK_DELIVERY: "false" });
  await ensureDefaultModel(server.database.db);
  const admin = server.rawClient(AUTH);
  const model = await server.app.services.scoringModels.active("default");
  const council = await server.app.services.apiKeys.create("fuzz-council", "COUNCIL" as never);
  ctx = { server, admin, defaultModelId: model!.id, councilAuth: `Bearer ${council.key}` };
  // What baselines refer to: a parent account, the account facts land on, a contact of it, and scores to stratify by.
  const accounts = await admin.request<{ upsertAccounts: { inserted: number } }>(SEED_ACCOUNTS, {
    input: [{ domain: PARENT, name: "Fuzz Parent" }, { domain: ACCOUNT, name: "Fuzz Account", tier: "B", isTarget: true }],
  });
  expect(accounts.upsertAccounts.inserted).toBe(2);
  const contacts = await admin.request<{ upsertContacts: { inserted: number } }>(SEED_CONTACTS, { input: [{ email: CONTACT, name: "Known Contact" }] });
  expect(contacts.upsertContacts.inserted).toBe(1);
  expect((await admin.request<{ runScoring: { status: string } }>(SEED_SCORING)).runScoring.status).toBe("SUCCEEDED");
});
afterAll(async () => { await server?.stop(); });

describe("mutation fuzzing", () => {
  it("has a baseline for every mutation in the schema, and none for mutations that are gone", () => {
    const names = mutations.map((m) => m.name).sort();
    expect(names.length).toBeGreaterThanOrEqual(13);
    expect(names.filter((n) => !SPECS[n])).toEqual([]);
    expect(Object.keys(SPECS).filter((n) => !names.includes(n))).toEqual([]);
  });

  it("notices a change to one row of one table, which every case below relies on", async () => {
    const db = server.database.db;
    const before = await fingerprint(db);
    await db.query("UPDATE accounts SET region = 'Fuzz' WHERE domain = $1", [PARENT]);
    const changed = changedTables(before, await fingerprint(db));
    await db.query("UPDATE accounts SET region = NULL WHERE domain = $1", [PARENT]);
    expect(changed).toEqual(["accounts"]);
    expect(changedTables(before, await fingerprint(db))).toEqual([]);
  });

  for (const field of mutations) {
    it(`${field.name}: hostile values are refused with a code and write nothing, or are stored verbatim`, async () => {
      const spec = SPECS[field.name];
      if (!spec) throw new Error(`Mutation ${field.name} has no fuzz baseline: add one to SPECS in this file`);
      const op: Operation = { field: field.name, args: field.args, selection: spec.selection };

      // The baseline itself must succeed and read back, or refusals below would prove nothing.
      const failures: string[] = [];
      const leaves: Leaf[] = [];
      for (let variant = 0; variant < (spec.variants ?? 1); variant++) {
        const args = await spec.baseline(ctx, ++serial, variant);
        const found = inputLeaves(field.args, args, variant);
        leaves.push(...found);
        const outcome = await send(spec, op, requestBody(op, args, "json"));
        if (outcome.kind !== "accepted") throw new Error(`The ${field.name} baseline (variant ${variant}) was refused: ${outcome.detail}`);
        const stored = await spec.readBack(ctx, args, outcome.data);
        for (const leaf of found) {
          if (leaf.kind === "object" || (leaf.kind === "list" && !leaf.ofStrings) || spec.notStored?.[fieldName(leaf.path)]) continue;
          if (!sameValue(getAt(stored, leaf.path), leaf.base, leaf.kind)) {
            failures.push(`baseline ${showPath(leaf.path)}: sent ${preview(leaf.base)}, read back ${preview(getAt(stored, leaf.path))}`);
          }
        }
      }
      expect(failures, "the baseline must read back as sent").toEqual([]);

      const cases = plan(field.name, leaves);
      const classes = new Set(cases.map((c) => c.hostile.cls));
      const tally = { accepted: 0, refused: 0 };
      for (const { hostile, leaf } of cases) {
        const problem = await fuzzCase(spec, op, hostile, leaf, tally);
        if (problem) failures.push(`${field.name} ${showPath(leaf.path)} ← ${hostile.cls} ${hostile.label} (${hostile.mode}): ${problem}`);
      }
      console.log(`${field.name}: ${cases.length} cases over ${classes.size} classes (${[...classes].join(", ")}); ${tally.refused} refused, ${tally.accepted} stored`);
      expect(failures).toEqual([]);
      // Every mutation meets at least the classes every argument list can take.
      for (const cls of ["wrong-type", "deep"] as HostileClass[]) expect(classes, `${field.name} got no ${cls} case`).toContain(cls);
    });
  }

  it("still answers /healthz and ordinary queries afterwards, with every table in place", async () => {
    const health = await fetch(new URL("/healthz", server.url));
    expect(health.status).toBe(200);
    const { accounts } = await ctx.admin.request<{ accounts: { totalCount: number } }>(gql`{ accounts { totalCount } }`);
    expect(accounts.totalCount).toBeGreaterThanOrEqual(4);
    const tables = [...(await fingerprint(server.database.db)).keys()];
    expect(tables).toEqual(expect.arrayContaining(["accounts", "contacts", "engagement_events", "intent_signals", "deals", "api_keys", "scoring_models"]));
  });
});

/**
 * The cases of one mutation: each hostile value on one leaf of a kind it applies to. Within a
 * class the leaf rotates from a fixed offset per mutation and class, so values spread over
 * the leaves and the same run always makes the same cases.
 */
function plan(mutation: string, leaves: Leaf[]): { hostile: Hostile; leaf: Leaf }[] {
  const cases: { hostile: Hostile; leaf: Leaf }[] = [];
  const index = new Map<HostileClass, number>();
  for (const hostile of HOSTILE) {
    const candidates = leaves.filter((l) => hostile.kinds.includes(l.kind) && (hostile.when?.(l) ?? true));
    if (candidates.length === 0) continue;
    const i = index.get(hostile.cls) ?? 0;
    index.set(hostile.cls, i + 1);
    if (hostile.every) {
      for (const leaf of candidates) cases.push({ hostile, leaf });
      continue;
    }
    cases.push({ hostile, leaf: candidates[(stableHash(`${mutation}:${hostile.cls}`) + i) % candidates.length]! });
  }
  return cases;
}

type Outcome =
  | { kind: "accepted"; data: Row; changed: string[] }
  | { kind: "refused"; codes: string[]; rowErrors: { index: number; field: string; message: string }[] | null; text: string; changed: string[]; detail: string }
  | { kind: "broken"; detail: string; changed: string[] };

async function send(spec: MutationSpec, op: Operation, body: string): Promise<Outcome> {
  const before = await fingerprint(server.database.db);
  const res = await post(server.url, spec.auth?.(ctx) ?? AUTH, body);
  const errors = res.json?.errors ?? [];
  const data = res.json?.data?.[op.field] as Row | null | undefined;
  if (res.status < 500 && errors.length === 0 && data && spec.settle) await spec.settle(ctx, data);
  const changed = changedTables(before, await fingerprint(server.database.db));
  if (res.status >= 500) return { kind: "broken", detail: `HTTP ${res.status}: ${clip(res.text)}`, changed };
  if (!res.json) return { kind: "broken", detail: `HTTP ${res.status} with a body that is not JSON: ${clip(res.text)}`, changed };
  const rowErrors = errors.length === 0 && data && Array.isArray(data.errors) && data.errors.length > 0 ? data.errors as { index: number; field: string; message: string }[] : null;
  if (errors.length > 0 || rowErrors) {
    const codes = errors.map((e) => String(e.extensions?.code ?? "NO_CODE"));
    const detail = errors.length ? errors.map((e) => `${String(e.extensions?.code)}: ${clip(e.message)}`).join("; ") : rowErrors!.map((e) => `row ${e.index} ${e.field}: ${clip(e.message)}`).join("; ");
    if (rowErrors && (data!.inserted !== 0 || data!.updated !== 0)) return { kind: "broken", detail: `row errors, yet ${String(data!.inserted)} inserted and ${String(data!.updated)} updated`, changed };
    return { kind: "refused", codes, rowErrors, text: res.text, changed, detail };
  }
  if (!data) return { kind: "broken", detail: `no data and no error: ${clip(res.text)}`, changed };
  return { kind: "accepted", data, changed };
}

async function fuzzCase(spec: MutationSpec, op: Operation, hostile: Hostile, planned: Leaf, tally: { accepted: number; refused: number }): Promise<string | null> {
  const n = ++serial;
  const args = await spec.baseline(ctx, n, planned.variant);
  const leaf: Leaf = { ...planned, base: getAt(args, planned.path) };
  const made = hostile.make(leaf, {
    maxBodyBytes: MAX_BODY_BYTES,
    maxBatchSize: MAX_BATCH_SIZE,
    rows(count) {
      if (!spec.row) throw new Error(`${op.field} has a batch argument but its spec has no row()`);
      return Array.from({ length: count }, (_, i) => spec.row!(n, i));
    },
  });
  const outcome = await send(spec, op, requestBody(op, args, hostile.mode, { path: leaf.path, value: made.value, text: made.text }));
  if (outcome.kind === "broken") return outcome.detail;

  if (outcome.kind === "refused") {
    tally.refused++;
    const bad = outcome.codes.filter((c) => !CLIENT_ERROR_CODES.has(c));
    if (bad.length) return `refused with ${bad.join(", ")} (${outcome.detail})`;
    const leak = leaks(outcome.text);
    if (leak) return `the error shows internals ("${leak}"): ${clip(outcome.text)}`;
    if (outcome.changed.length) return `refused (${outcome.detail}) but changed ${outcome.changed.join(", ")}`;
    if (hostile.expect === "named") {
      const name = fieldName(leaf.path);
      if (outcome.rowErrors) {
        const row = typeof leaf.path[1] === "number" ? leaf.path[1] : null;
        if (!outcome.rowErrors.some((e) => e.field === name && (row === null || e.index === row))) return `row errors do not name ${name} of row ${String(row)}: ${outcome.detail}`;
      } else {
        if (outcome.codes[0] !== "BAD_USER_INPUT") return `refused with ${outcome.codes.join(", ")} instead of BAD_USER_INPUT naming ${name}: ${outcome.detail}`;
        if (!new RegExp(`\\b${name}\\b`).test(outcome.text)) return `the BAD_USER_INPUT error does not name ${name}: ${outcome.detail}`;
      }
    }
    return null;
  }

  tally.accepted++;
  if (hostile.expect !== "either") return "accepted a value that must be refused";
  const foreign = outcome.changed.filter((t) => !spec.writes.some((w) => t === w || t.startsWith(`${w}_`)));
  if (foreign.length) return `succeeded but changed ${foreign.join(", ")}, which ${op.field} does not own`;
  if (spec.notStored?.[fieldName(leaf.path)]) return null;
  const stored = getAt(await spec.readBack(ctx, setAt(args, leaf.path, made.value), outcome.data), leaf.path);
  if (!sameValue(stored, made.value, leaf.kind)) return `accepted, but reads back as ${preview(stored)} instead of the value sent`;
  return null;
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function preview(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(clip(value, 60));
  try {
    return clip(JSON.stringify(value) ?? String(value), 80);
  } catch {
    return "(too deep to show)";
  }
}

import { gql, type GraphQLClient } from "graphql-request";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../src/auth/roles";
import { errorCode, startTestServer, type TestServer } from "../support/server";
import { waitFor } from "../support/wait";
import { startReceiver, type WebhookReceiver } from "../support/webhook-receiver";
import { COLD, CREATE_WEBHOOK, deliveries, HOT, loadAccounts, RUN_SCORING, WARM } from "./support";
import { decodeId } from "../../src/platform/graphql/global-id";

/**
 * Webhooks end to end: facts ingested over GraphQL, a scoring run, and a real HTTP receiver on
 * loopback that verifies every request with the `standardwebhooks` package, as a Sales tool's
 * endpoint would.
 */
const REDELIVER = gql`mutation Redeliver($id: ID!) { redeliverWebhookDelivery(id: $id) { id messageId status attempts nextAttemptAt } }`;
const UPDATE = gql`mutation UpdateHook($id: ID!, $input: WebhookInput!) { updateWebhook(id: $id, input: $input) { id url events bands enabled } }`;
const DELETE = gql`mutation DeleteHook($id: ID!) { deleteWebhook(id: $id) }`;
const LIST = gql`query Hooks { webhooks { id url events bands causes description enabled } }`;

interface Created { createWebhook: { secret: string; webhook: { id: string; url: string; events: string[]; bands: string[]; causes: string[] } } }

let server: TestServer;
let admin: GraphQLClient;
let receiver: WebhookReceiver;
/** Per path: how many requests to refuse with 500 before answering 200 (Infinity: always). */
const failFirst = new Map<string, number>();
const seen = new Map<string, number>();

async function createHook(input: Record<string, unknown>): Promise<Created["createWebhook"]> {
  return (await admin.request<Created>(CREATE_WEBHOOK, { input })).createWebhook;
}

beforeAll(async () => {
  receiver = await startReceiver(({ path }) => {
    const n = (seen.get(path) ?? 0) + 1;
    seen.set(path, n);
    return n <= (failFirst.get(path) ?? 0) ? 500 : 200;
  });
  server = await startTestServer({
    WEBHOOK_ALLOW_PRIVATE_TARGETS: "true", WEBHOOK_RETRY_BASE_MS: "300", WEBHOOK_MAX_ATTEMPTS: "3", WEBHOOK_TIMEOUT_MS: "3000",
  });
  admin = await server.client(Role.ADMIN);
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

describe("webhooks", () => {
  let all: Created["createWebhook"];
  let hotOnly: Created["createWebhook"];
  let decayOnly: Created["createWebhook"];
  let flaky: Created["createWebhook"];
  let down: Created["createWebhook"];
  let runId: string;

  it("delivers a signed BAND_ENTERED a receiver verifies with standardwebhooks, with what Sales acts on", async () => {
    all = await createHook({ url: `${receiver.url}/all`, events: ["BAND_ENTERED", "STATUS_CHANGED", "SCORING_RUN_FINISHED", "SLA_BREACHED"], description: "CRM router" });
    expect(all.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{20,}$/);
    hotOnly = await createHook({ url: `${receiver.url}/hot`, events: ["BAND_ENTERED"], bands: ["Hot"] });
    decayOnly = await createHook({ url: `${receiver.url}/decay`, events: ["BAND_ENTERED", "STATUS_CHANGED"], causes: ["DECAY"] });
    failFirst.set("/flaky", 1);
    flaky = await createHook({ url: `${receiver.url}/flaky`, events: ["SCORING_RUN_FINISHED"] });
    failFirst.set("/down", Infinity);
    down = await createHook({ url: `${receiver.url}/down`, events: ["SCORING_RUN_FINISHED"] });

    await loadAccounts(admin);
    const run = await admin.request<{ runScoring: { id: string; status: string; transitions: number } }>(RUN_SCORING, {});
    expect(run.runScoring.status).toBe("SUCCEEDED");
    runId = run.runScoring.id;

    await waitFor("BAND_ENTERED for the hot account", () => receiver.ofType("BAND_ENTERED", "/all").some((r) => r.json.data.account.domain === HOT), 15_000);
    const hot = receiver.ofType("BAND_ENTERED", "/all").find((r) => r.json.data.account.domain === HOT)!;

    // As a receiver verifies: the raw body, the three headers, the secret it was shown once.
    const verified = new StandardWebhook(all.secret).verify(hot.body, hot.headers) as { type: string };
    expect(verified.type).toBe("BAND_ENTERED");
    expect(() => new StandardWebhook(hotOnly.secret).verify(hot.body, hot.headers)).toThrow();
    expect(() => new StandardWebhook(all.secret).verify(hot.body.replace("Hot", "Cold"), hot.headers)).toThrow();
    expect(hot.headers["webhook-id"]).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(hot.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/=]{44}$/);
    expect(Math.abs(Number(hot.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);

    const { data } = hot.json;
    expect(hot.json.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(data.account).toMatchObject({ domain: HOT, name: "hot Inc" });
    expect(data).toMatchObject({ band: "Hot", play: "1:1", status: "SQA", cause: "EVENTS", kind: "BAND", to: "Hot", slaHours: 24, runId });
    expect(new Date(data.slaDueAt).getTime() - new Date(data.enteredAt).getTime()).toBe(24 * 3_600_000);
    expect(data.committee).toEqual({ engagedRoles: ["CHAMPION", "DECISION_MAKER", "TECHNICAL_EVALUATOR"], missingRoles: [] });
    expect(data.topContributions.length).toBeGreaterThan(0);
    const points = data.topContributions.map((c: { points: number }) => c.points);
    expect(points).toEqual([...points].sort((a: number, b: number) => b - a));
    expect(data.topContributions[0]).toMatchObject({ component: expect.any(String), criterion: expect.any(String), label: expect.any(String) });
    expect(data.score).toBeGreaterThanOrEqual(68);

    // BAND and STATUS for hot and warm, STATUS for cold, and the run.
    await waitFor("all six events", () => receiver.received.filter((r) => r.path === "/all").length === 6, 10_000);
    const warm = receiver.ofType("BAND_ENTERED", "/all").find((r) => r.json.data.account.domain === WARM)!;
    expect(warm.json.data).toMatchObject({ band: "Warm", play: "1:few", slaHours: 72 });
    expect(warm.json.data.committee).toEqual({ engagedRoles: ["CHAMPION", "DECISION_MAKER"], missingRoles: ["TECHNICAL_EVALUATOR"] });
    const cold = receiver.ofType("STATUS_CHANGED", "/all").find((r) => r.json.data.account.domain === COLD)!;
    expect(cold.json.data).toMatchObject({ band: "Cold", status: "NURTURE", from: null, to: "NURTURE", slaDueAt: null });

    const finished = receiver.ofType("SCORING_RUN_FINISHED", "/all");
    expect(finished.map((f) => f.json.data.runId)).toEqual([runId]);
    expect(finished[0]!.json.data).toMatchObject({ kind: "FULL", transitions: run.runScoring.transitions, model: { name: "default" } });
  });

  it("lists each delivery with the webhook-id it was sent with, and never the secret", async () => {
    await waitFor("every /all delivery delivered", async () => (await deliveries(admin, { webhookId: all.webhook.id })).every((d) => d.status === "DELIVERED"), 10_000);
    const listed = await deliveries(admin, { webhookId: all.webhook.id });
    // BAND and STATUS for hot and warm, STATUS for cold, and the run.
    expect(listed.map((d) => d.event).sort()).toEqual(["BAND_ENTERED", "BAND_ENTERED", "SCORING_RUN_FINISHED", "STATUS_CHANGED", "STATUS_CHANGED", "STATUS_CHANGED"]);
    const got = receiver.received.filter((r) => r.path === "/all");
    expect(got.map((r) => r.headers["webhook-id"]).sort()).toEqual(listed.map((d) => d.messageId).sort());
    for (const d of listed) {
      expect(d).toMatchObject({ status: "DELIVERED", attempts: 1, lastResponseStatus: 200, lastError: null, nextAttemptAt: null });
      expect(got.find((r) => r.headers["webhook-id"] === d.messageId)!.body).toBe(d.body);
    }
    const everything = JSON.stringify([await deliveries(admin), (await admin.request(LIST))]);
    for (const secret of [all.secret, hotOnly.secret, flaky.secret, down.secret]) expect(everything).not.toContain(secret.slice(6));
    expect((await deliveries(admin, { status: "DELIVERED", webhookId: all.webhook.id })).length).toBe(listed.length);
  });

  it("filters by event, band and cause", async () => {
    await waitFor("the Hot webhook's delivery", () => receiver.received.some((r) => r.path === "/hot"), 10_000);
    const hot = await deliveries(admin, { webhookId: hotOnly.webhook.id });
    expect(hot.map((d) => [d.event, (JSON.parse(d.body) as { data: { account: { domain: string }; band: string } }).data.account.domain])).toEqual([["BAND_ENTERED", HOT]]);
    // Every transition of this run has cause EVENTS: the DECAY-only webhook got no delivery at all.
    expect(await deliveries(admin, { webhookId: decayOnly.webhook.id })).toEqual([]);
    expect(receiver.received.filter((r) => r.path === "/decay")).toEqual([]);
  });

  it("retries a receiver that answers 500, then 200, with the same webhook-id and body", async () => {
    await waitFor("the flaky delivery delivered", async () => (await deliveries(admin, { webhookId: flaky.webhook.id }))[0]?.status === "DELIVERED", 15_000);
    const [d] = await deliveries(admin, { webhookId: flaky.webhook.id });
    expect(d).toMatchObject({ status: "DELIVERED", attempts: 2, lastResponseStatus: 200 });
    const tries = receiver.received.filter((r) => r.path === "/flaky");
    expect(tries.map((t) => t.status)).toEqual([500, 200]);
    expect(new Set(tries.map((t) => t.headers["webhook-id"]))).toEqual(new Set([d!.messageId]));
    expect(tries[0]!.body).toBe(tries[1]!.body);
    for (const t of tries) new StandardWebhook(flaky.secret).verify(t.body, t.headers);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(250);
  });

  it("marks a delivery FAILED after the last attempt, with backoff between attempts, and redelivers it with the same webhook-id", async () => {
    await waitFor("the delivery to a receiver that is down to fail", async () => (await deliveries(admin, { webhookId: down.webhook.id }))[0]?.status === "FAILED", 20_000);
    const [failed] = await deliveries(admin, { webhookId: down.webhook.id });
    expect(failed).toMatchObject({ status: "FAILED", attempts: 3, lastResponseStatus: 500, nextAttemptAt: null });
    expect(failed!.lastError).toMatch(/^HTTP 500/);
    const tries = receiver.received.filter((r) => r.path === "/down");
    expect(tries).toHaveLength(3);
    // 300 ms, then doubled.
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(250);
    expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(550);

    failFirst.set("/down", 0);
    const again = await admin.request<{ redeliverWebhookDelivery: { id: string; messageId: string; status: string } }>(REDELIVER, { id: failed!.id });
    expect(again.redeliverWebhookDelivery).toMatchObject({ id: failed!.id, messageId: failed!.messageId, status: "PENDING" });
    await waitFor("the redelivery", async () => (await deliveries(admin, { webhookId: down.webhook.id }))[0]?.status === "DELIVERED", 10_000);
    const ok = receiver.received.filter((r) => r.path === "/down" && r.status === 200);
    expect(ok).toHaveLength(1);
    expect(ok[0]!.headers["webhook-id"]).toBe(failed!.messageId);
    expect(ok[0]!.body).toBe(tries[0]!.body);
    new StandardWebhook(down.secret).verify(ok[0]!.body, ok[0]!.headers);

    // A delivered one can be sent again too (a receiver lost it): same id, once more.
    await admin.request(REDELIVER, { id: failed!.id });
    await waitFor("the second redelivery", () => receiver.received.filter((r) => r.path === "/down" && r.status === 200).length === 2, 10_000);
    expect(new Set(receiver.received.filter((r) => r.path === "/down").map((r) => r.headers["webhook-id"]))).toEqual(new Set([failed!.messageId]));
  });

  it("sends SLA_BREACHED when a transition's SLA is marked breached", async () => {
    // The SLA sweep is another feature's job; here the fact it writes is written by hand.
    const [t] = await server.database.db.query<{ id: string }>(
      "UPDATE band_transitions SET sla_breached_at = now() WHERE run_id = $1 AND kind = 'BAND' AND to_value = 'Hot' RETURNING id::text AS id", [decodeId(runId, "ScoringRun")]);
    await waitFor("SLA_BREACHED", () => receiver.ofType("SLA_BREACHED", "/all").length > 0, 10_000);
    const [breach] = receiver.ofType("SLA_BREACHED", "/all");
    expect(breach!.json.data).toMatchObject({ transitionId: t!.id, account: { domain: HOT }, band: "Hot", play: "1:1", slaHours: 24 });
    expect(breach!.json.data.slaBreachedAt).toEqual(expect.any(String));
    // Touching the row again is no new breach.
    await server.database.db.query("UPDATE band_transitions SET first_touch_at = now() WHERE id = $1", [t!.id]);
    await admin.request(RUN_SCORING, {});
    await waitFor("the second run's SCORING_RUN_FINISHED", () => receiver.ofType("SCORING_RUN_FINISHED", "/all").length === 2, 10_000);
    expect(receiver.ofType("SLA_BREACHED", "/all")).toHaveLength(1);
  });

  it("updates, disables and deletes webhooks", async () => {
    const updated = await admin.request<{ updateWebhook: { events: string[]; bands: string[]; enabled: boolean } }>(UPDATE, {
      id: hotOnly.webhook.id, input: { url: `${receiver.url}/hot`, events: ["BAND_ENTERED", "STATUS_CHANGED"], bands: ["Hot", "Warm"], enabled: false },
    });
    expect(updated.updateWebhook).toMatchObject({ events: ["BAND_ENTERED", "STATUS_CHANGED"], bands: ["Hot", "Warm"], enabled: false });
    // A disabled webhook gets no deliveries from new facts.
    const before = (await deliveries(admin, { webhookId: hotOnly.webhook.id })).length;
    await admin.request(RUN_SCORING, {});
    await waitFor("the third run's SCORING_RUN_FINISHED", () => receiver.ofType("SCORING_RUN_FINISHED", "/all").length === 3, 10_000);
    expect((await deliveries(admin, { webhookId: hotOnly.webhook.id })).length).toBe(before);

    expect((await admin.request<{ deleteWebhook: boolean }>(DELETE, { id: decayOnly.webhook.id })).deleteWebhook).toBe(true);
    expect((await admin.request<{ webhooks: { id: string }[] }>(LIST)).webhooks.map((w) => w.id)).not.toContain(decayOnly.webhook.id);
    expect(await errorCode(admin.request(DELETE, { id: decayOnly.webhook.id }))).toBe("NOT_FOUND");
    expect(await errorCode(admin.request(REDELIVER, { id: "999999" }))).toBe("NOT_FOUND");
  });

  it("prunes old events no delivery waits for, and keeps those one does", async () => {
    const db = server.database.db;
    // Paused webhooks: nothing is sent meanwhile, and a delivery of a paused webhook waits.
    await db.query("UPDATE webhooks SET enabled = false");
    const [{ id: waiting }] = await db.query<{ id: string }>(
      `INSERT INTO outbox_events (type, body, created_at) VALUES ('SCORING_RUN_FINISHED', '{}', now() - interval '40 days') RETURNING id::text AS id`) as [{ id: string }];
    await db.query("INSERT INTO webhook_deliveries (webhook_id, event_id, message_id, next_attempt_at) VALUES ($1, $2, 'msg_prune_test', now())", [all.webhook.id, waiting]);
    await db.query("UPDATE webhook_deliveries SET status = 'DELIVERED', next_attempt_at = NULL WHERE event_id <> $1 AND status = 'PENDING'", [waiting]);
    await db.query("UPDATE outbox_events SET created_at = now() - interval '40 days' WHERE id < $1", [waiting]);
    const [{ n: before }] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox_events") as [{ n: number }];
    const removed = await server.app.services.webhooks.prune(new Date(Date.now() - 30 * 86_400_000));
    const left = await db.query<{ id: string }>("SELECT id::text FROM outbox_events WHERE created_at < now() - interval '30 days'");
    expect(left.map((r) => r.id)).toEqual([waiting]);
    expect(removed).toBe(before - 1 - (await db.query("SELECT 1 FROM outbox_events WHERE created_at >= now() - interval '30 days'")).length);
    expect(removed).toBeGreaterThan(0);
  });

  it("is managed by ADMIN keys only", async () => {
    for (const role of [Role.VIEWER, Role.ANALYST, Role.COUNCIL, Role.INGEST]) {
      const client = await server.client(role);
      expect(await errorCode(client.request(LIST))).toBe("FORBIDDEN");
      expect(await errorCode(client.request(CREATE_WEBHOOK, { input: { url: `${receiver.url}/x`, events: ["BAND_ENTERED"] } }))).toBe("FORBIDDEN");
    }
  });

  it("refuses URLs that are not http(s), and bad filters, with BAD_USER_INPUT", async () => {
    for (const url of ["ftp://127.0.0.1/hook", "not a url", "http://user:pw@127.0.0.1/hook", "http://no-such-host.invalid/hook"]) {
      expect([url, await errorCode(admin.request(CREATE_WEBHOOK, { input: { url, events: ["BAND_ENTERED"] } }))]).toEqual([url, "BAD_USER_INPUT"]);
    }
    expect(await errorCode(admin.request(CREATE_WEBHOOK, { input: { url: `${receiver.url}/x`, events: [] } }))).toBe("BAD_USER_INPUT");
  });
});

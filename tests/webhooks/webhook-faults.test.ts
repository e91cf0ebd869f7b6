import { GraphQLClient } from "graphql-request";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDatabase } from "../support/db";
import { serveProcess, type ServedProcess } from "../support/serve-process";
import { waitFor } from "../support/wait";
import { startReceiver, type WebhookReceiver } from "../support/webhook-receiver";
import { CREATE_WEBHOOK, loadAccounts, RUN_SCORING } from "./support";

/**
 * The built server killed with SIGKILL while deliveries are pending — some waiting for a retry,
 * some in flight to a receiver that has not answered — and started again: every event reaches
 * the receiver, none is lost, and a duplicate only ever repeats a webhook-id with its body.
 */
const ADMIN_KEY = "webhook-faults-admin-key-0123456789";

let database: TestDatabase;
let receiver: WebhookReceiver;
let served: ServedProcess | null = null;
/** Phase 1: the receiver holds every request without answering (a hung endpoint). */
let hang = true;
const held: (() => void)[] = [];

beforeAll(async () => {
  database = await freshDatabase();
  receiver = await startReceiver(() => hang ? new Promise<number>((resolve) => held.push(() => resolve(503))) : 200);
});
afterAll(async () => {
  if (served && served.child.exitCode === null) {
    served.child.kill("SIGKILL");
    await served.exited;
  }
  held.splice(0).forEach((release) => release());
  await receiver?.close();
  await database?.drop();
});

const env = () => ({
  DATABASE_URL: database.url, ADMIN_API_KEY: ADMIN_KEY, WEBHOOK_ALLOW_PRIVATE_TARGETS: "true",
  WEBHOOK_TIMEOUT_MS: "3000", WEBHOOK_RETRY_BASE_MS: "1000", WEBHOOK_MAX_ATTEMPTS: "20", WEBHOOK_CONCURRENCY: "4",
});

describe("webhook delivery across a SIGKILL", () => {
  it("delivers every event after a restart, with the same webhook-id for every copy", async () => {
    served = await serveProcess(env());
    const admin = new GraphQLClient(served.url, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    const { createWebhook } = await admin.request<{ createWebhook: { secret: string } }>(CREATE_WEBHOOK, {
      input: { url: `${receiver.url}/hook`, events: ["BAND_ENTERED", "STATUS_CHANGED", "SCORING_RUN_FINISHED"] },
    });
    await loadAccounts(admin, { extraHot: 20 });
    await admin.request(RUN_SCORING, {});
    const db = database.db;
    const [{ n: total }] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_deliveries") as [{ n: number }];
    // 21 hot accounts × 2, warm × 2, cold × 1, the run.
    expect(total).toBe(21 * 2 + 2 + 1 + 1);
    await waitFor("attempts in flight to the hung receiver", () => held.length >= 4, 10_000);

    served.child.kill("SIGKILL");
    await served.exited;
    held.splice(0).forEach((release) => release());
    const pending = await db.query<{ status: string; n: number }>("SELECT status, count(*)::int AS n FROM webhook_deliveries GROUP BY status");
    expect(pending).toEqual([{ status: "PENDING", n: total }]);
    expect(receiver.received.filter((r) => r.status === 200)).toHaveLength(0);

    hang = false;
    served = await serveProcess(env());
    // Up (its banner printed): delivery started just before the HTTP server did.
    const restarted = Date.now();
    await waitFor("every delivery DELIVERED", async () => (await db.query("SELECT 1 FROM webhook_deliveries WHERE status <> 'DELIVERED'")).length === 0, 30_000, 100);
    const firstDelivered = Math.min(...receiver.received.filter((r) => r.status === 200).map((r) => r.at));
    expect(firstDelivered - restarted).toBeLessThan(10_000);

    const rows = await db.query<{ message_id: string; body: string }>(
      "SELECT d.message_id, e.body FROM webhook_deliveries d JOIN outbox_events e ON e.id = d.event_id");
    const ok = receiver.received.filter((r) => r.status === 200);
    const byId = new Map<string, Set<string>>();
    for (const r of ok) byId.set(r.headers["webhook-id"]!, (byId.get(r.headers["webhook-id"]!) ?? new Set()).add(r.body));
    // Every event arrived; copies (an attempt the kill cut short) carry the same id and bytes.
    expect([...byId.keys()].sort()).toEqual(rows.map((r) => r.message_id).sort());
    for (const row of rows) expect([...byId.get(row.message_id)!]).toEqual([row.body]);
    for (const r of ok) new StandardWebhook(createWebhook.secret).verify(r.body, r.headers);
    // Attempts cut short by the kill were retried with the same ids they had before it.
    const beforeKill = new Set(receiver.received.filter((r) => r.status !== 200).map((r) => r.headers["webhook-id"]));
    expect([...beforeKill].every((id) => byId.has(id!))).toBe(true);

    served.child.kill("SIGTERM");
    expect(await served.exited).toBe(0);
  });
});

import { createClient, type Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { Role } from "../../src/auth/roles";
import { startTestServer, type TestServer } from "../support/server";
import { waitFor } from "../support/wait";
import { COLD, HOT, loadAccounts, RUN_SCORING, WARM } from "./support";

/** quorumEvents over graphql-ws on /graphql, with a real graphql-ws client. */
const EVENTS = `subscription Watch($types: [QuorumEventType!], $minBand: String) {
  quorumEvents(types: $types, minBand: $minBand) { id type timestamp band cause data }
}`;

interface Event { id: string; type: string; timestamp: string; band: string | null; cause: string | null; data: { account?: { domain: string }; runId?: string } }

let server: TestServer;
let wsUrl: string;
const clients: Client[] = [];

function connect(authorization: string | undefined): Client {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: authorization ? { authorization } : {}, retryAttempts: 0, lazy: true });
  clients.push(client);
  return client;
}

/** Subscribes and collects what arrives; `errors` gets a subscription's GraphQL errors. */
function watch(client: Client, variables: Record<string, unknown>) {
  const got: Event[] = [];
  const errors: { message: string; extensions?: { code?: string } }[] = [];
  const stop = client.subscribe<{ quorumEvents: Event }>({ query: EVENTS, variables }, {
    next: (r) => { if (r.data) got.push(r.data.quorumEvents); if (r.errors) errors.push(...(r.errors as never[])); },
    error: (e) => { errors.push(...(Array.isArray(e) ? e : [{ message: String((e as Error).message ?? e) }])); },
    complete: () => undefined,
  });
  return { got, errors, stop };
}

/** The close code and reason a raw graphql-ws connection gets after connection_init. */
function closeAfterInit(payload: Record<string, unknown> | undefined): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, "graphql-transport-ws");
    ws.on("open", () => ws.send(JSON.stringify({ type: "connection_init", ...(payload ? { payload } : {}) })));
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.on("error", reject);
  });
}

beforeAll(async () => {
  server = await startTestServer({ WEBHOOK_DELIVERY: "false" });
  wsUrl = server.url.replace(/^http/, "ws");
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await server?.stop();
});

describe("quorumEvents subscriptions", () => {
  it("streams the events a run commits, filtered by type and minBand, to a VIEWER key", async () => {
    const viewer = (await server.app.services.apiKeys.create("dashboard", Role.VIEWER)).key;
    const client = connect(`Bearer ${viewer}`);
    const hotOnly = watch(client, { types: ["BAND_ENTERED", "STATUS_CHANGED"], minBand: "Hot" });
    const warmUp = watch(client, { types: ["BAND_ENTERED"], minBand: "Warm" });
    const runs = watch(client, { types: ["SCORING_RUN_FINISHED"] });
    const everything = watch(client, {});
    // Subscribed once the server has acknowledged and started the stream: a no-op event source read.
    await waitFor("the subscriptions to be live", () => server.app.services.events.subscriberCount === 4, 5_000);

    const admin = await server.client();
    await loadAccounts(admin);
    const run = await admin.request<{ runScoring: { id: string } }>(RUN_SCORING, {});

    await waitFor("the run's events", () => runs.got.length === 1 && everything.got.some((e) => e.type === "SCORING_RUN_FINISHED"), 10_000);
    await waitFor("the Hot account's two events", () => hotOnly.got.length >= 2, 10_000);
    expect(hotOnly.got.map((e) => [e.type, e.data.account?.domain, e.band]).sort()).toEqual([["BAND_ENTERED", HOT, "Hot"], ["STATUS_CHANGED", HOT, "Hot"]]);
    expect(warmUp.got.map((e) => e.data.account?.domain).sort()).toEqual([HOT, WARM]);
    expect(runs.got[0]!.data.runId).toBe(run.runScoring.id);
    const accountEvents = everything.got.filter((e) => e.data.account);
    expect(new Set(accountEvents.map((e) => e.data.account!.domain))).toEqual(new Set([HOT, WARM, COLD]));
    expect(accountEvents.every((e) => e.cause === "EVENTS")).toBe(true);
    // The same events the outbox holds, in commit order.
    const stored = await server.database.db.query<{ id: string }>("SELECT id::text FROM outbox_events WHERE id >= $1 ORDER BY id", [everything.got[0]!.id]);
    expect(everything.got.map((e) => e.id)).toEqual(stored.map((r) => r.id));
    for (const w of [hotOnly, warmUp, runs, everything]) expect(w.errors).toEqual([]);
  });

  it("enforces roles as queries do: an INGEST key may not read events", async () => {
    const ingest = (await server.app.services.apiKeys.create("loader", Role.INGEST)).key;
    const denied = watch(connect(`Bearer ${ingest}`), {});
    await waitFor("the refusal", () => denied.errors.length > 0, 5_000);
    expect(denied.errors[0]!.extensions?.code).toBe("FORBIDDEN");
    expect(denied.errors[0]!.message).toMatch(/VIEWER/);
  });

  it("closes a connection whose key is missing or refused, saying why", async () => {
    expect(await closeAfterInit({ authorization: "Bearer not-a-real-key-0123456789" })).toEqual({ code: 4403, reason: expect.stringMatching(/unknown or revoked/) });
    expect(await closeAfterInit({ authorization: "Basic abc" })).toEqual({ code: 4403, reason: expect.stringMatching(/Bearer/) });
    expect(await closeAfterInit(undefined)).toEqual({ code: 4401, reason: expect.stringMatching(/authorization/) });
  });
});

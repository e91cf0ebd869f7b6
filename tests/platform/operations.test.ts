import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDatabase } from "../support/db";
import { waitFor } from "../support/wait";
import { serveProcess } from "../support/serve-process";

/**
 * The server as operators run it: the built CLI in its own process, JSON logs on stdout,
 * stopped by a signal.
 */
const ADMIN_KEY = "operations-admin-key-0123456789abcdef";

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  readonly port: number;
  /** Every stdout line so far. */
  readonly lines: string[];
  exited: Promise<number | null>;
}

async function serve(databaseUrl: string, env: Record<string, string> = {}): Promise<Served> {
  const served = await serveProcess({ DATABASE_URL: databaseUrl, ADMIN_API_KEY: ADMIN_KEY, ...env });
  return { ...served, port: Number(new URL(served.url).port) };
}

function post(url: string, query: string, extra: { operationName?: string; key?: string } = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${extra.key ?? ADMIN_KEY}` },
    body: JSON.stringify({ query, operationName: extra.operationName }),
  });
}

const logEntries = (lines: string[]) => lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);

describe("operations", () => {
  let database: TestDatabase;
  beforeAll(async () => { database = await freshDatabase(); });
  afterAll(async () => { await database?.drop(); });

  it("answers /healthz and /readyz, and logs every operation as JSON without secrets", async () => {
    const server = await serve(database.url, { SLOW_OPERATION_MS: "1" });
    try {
      const base = server.url.replace(/\/graphql$/, "");
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);

      const accounts = Array.from({ length: 200 }, (_, i) => ({ domain: `ops${i}.example.com`, name: `Ops ${i}` }));
      const res = await fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_KEY}`, "x-request-id": "ops-test-request-1" },
        body: JSON.stringify({ query: "mutation LoadOps($rows: [AccountInput!]!) { upsertAccounts(input: $rows) { inserted } }", variables: { rows: accounts }, operationName: "LoadOps" }),
      });
      expect(res.headers.get("x-request-id")).toBe("ops-test-request-1");
      expect(((await res.json()) as { data: { upsertAccounts: { inserted: number } } }).data.upsertAccounts.inserted).toBe(200);
      const refused = await post(server.url, "query Nope { accounts { totalCount } }", { operationName: "Nope", key: "not-a-real-key-0123456789" });
      expect(refused.status).toBeLessThan(500);
      await new Promise((r) => setTimeout(r, 200));

      const entries = logEntries(server.lines);
      const load = entries.find((e) => e.requestId === "ops-test-request-1");
      expect(load).toMatchObject({ operation: "LoadOps", role: "ADMIN", errors: 0, msg: "slow operation" });
      expect(typeof load!.durationMs).toBe("number");
      expect(load!.level).toBe(40);
      expect(server.lines.join("\n")).not.toContain(ADMIN_KEY);
      expect(server.lines.join("\n")).not.toContain("not-a-real-key-0123456789");
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });

  it("ends a statement that runs past STATEMENT_TIMEOUT_MS with TIMEOUT, and a request body that never finishes with 408", async () => {
    const server = await serve(database.url, { STATEMENT_TIMEOUT_MS: "300", REQUEST_TIMEOUT_MS: "1000" });
    const locker = await database.db.pool.connect();
    try {
      // Holding the table makes any read of it wait: a statement slower than the limit, on demand.
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE");
      const started = Date.now();
      const res = await post(server.url, "query Slow { accounts(first: 1) { totalCount } }", { operationName: "Slow" });
      const body = (await res.json()) as { errors?: { message: string; extensions: { code: string } }[] };
      expect(body.errors?.[0]?.extensions.code).toBe("TIMEOUT");
      expect(body.errors?.[0]?.message).toMatch(/statement timeout; narrow it/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await locker.query("ROLLBACK");
      locker.release();
    }
    expect((await post(server.url, "query Fine { accounts(first: 1) { totalCount } }")).status).toBe(200);

    const stalled = await startPost(server.port, { "content-length": "100" }, `{"query":`);
    await Promise.race([once(stalled.socket, "close"), new Promise((r) => setTimeout(r, 10_000))]);
    expect(stalled.response()).toMatch(/^HTTP\/1\.1 408/);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });

  it("cancels a report's SQL when its client goes away", async () => {
    const server = await serve(database.url);
    const locker = await database.db.pool.connect();
    const reportRunning = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'quorum' AND state = 'active' AND query LIKE '%WITH acc AS%'";
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE"); // the report's statement waits here
      const client = new AbortController();
      const request = fetch(server.url, {
        method: "POST", signal: client.signal,
        headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_KEY}` },
        body: JSON.stringify({ query: `query Kpis { bandKpis(input: { from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }) { accounts } }` }),
      }).catch((err: unknown) => err);
      await waitFor("the report's statement to wait for the lock", async () => (await database.db.query(reportRunning)).length === 1, 10_000);
      client.abort();
      await request;
      // Still holding the lock: only the cancellation can have ended the statement.
      await waitFor("the report's statement to be cancelled", async () => (await database.db.query(reportRunning)).length === 0, 3_000);
    } finally {
      await locker.query("ROLLBACK");
      locker.release();
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });

  it("on SIGTERM stops accepting, finishes the request in flight, closes the pool and exits 0", async () => {
    const server = await serve(database.url);
    // A request whose body is still arriving when the signal comes: in flight by any definition.
    const body = JSON.stringify({ query: "query InFlight { accounts(first: 3) { totalCount } }", operationName: "InFlight" });
    const inFlight = await startPost(server.port, { authorization: `Bearer ${ADMIN_KEY}`, "content-length": String(Buffer.byteLength(body)) }, body.slice(0, 10));
    const { socket } = inFlight;
    await new Promise((r) => setTimeout(r, 200));

    server.child.kill("SIGTERM");
    await waitFor("the shutdown to begin", () => server.lines.some((l) => l.includes("shutting down")), 5_000);
    // New connections are refused while the old one is being served.
    await expect(fetch(`${server.url.replace(/\/graphql$/, "")}/healthz`)).rejects.toThrow();

    socket.write(body.slice(10));
    const finishing = Date.now();
    const code = await server.exited;
    // Not held open by the client's keep-alive connection.
    expect(Date.now() - finishing).toBeLessThan(3_000);
    expect(inFlight.response()).toMatch(/^HTTP\/1\.1 200/);
    expect(inFlight.response()).toContain('"totalCount":');
    expect(code).toBe(0);
    expect(logEntries(server.lines).some((e) => e.msg === "stopped")).toBe(true);
    // The pool is closed: no connection of the server is left on the database.
    const left = await database.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = 'quorum'");
    expect(left[0]!.n).toBe(0);
    socket.destroy();
  });
});

/** A POST to /graphql on a raw socket, sent only as far as `start`: the rest is the test's to write, or not. */
async function startPost(port: number, headers: Record<string, string>, start: string): Promise<{ socket: net.Socket; response(): string }> {
  const socket = net.connect(port, "127.0.0.1");
  await once(socket, "connect");
  let response = "";
  socket.on("data", (chunk: Buffer) => { response += chunk.toString("utf8"); });
  const head = Object.entries({ host: "127.0.0.1", "content-type": "application/json", ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  socket.write(`POST /graphql HTTP/1.1\r\n${head}\r\n${start}`);
  return { socket, response: () => response };
}

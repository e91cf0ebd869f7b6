import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ClientError, gql, type GraphQLClient } from "graphql-request";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../src/auth/roles";
import { loadDemo } from "../../src/demo/demo.loader";
import type { BatchResult } from "../ingest/documents";
import { ingestApi } from "../ingest/helpers";
import { runScoring } from "../scoring/support";
import { type ApiOnDatabase, type OwnPostgres, startApiOn, startOwnPostgres } from "../support/own-postgres";
import { startTestServer, type TestServer } from "../support/server";
import { sleep, waitFor } from "../support/wait";


/** What a client saw when a request failed. */
interface Failure { status: number | null; code: string; message: string }

function failureOf(err: unknown): Failure {
  if (!(err instanceof ClientError)) return { status: null, code: "NO_RESPONSE", message: String((err as Error)?.message ?? err) };
  const first = err.response.errors?.[0];
  return { status: err.response.status, code: String(first?.extensions?.code ?? "NO_CODE"), message: first?.message ?? "" };
}

async function failing(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise;
  } catch (err) {
    return failureOf(err);
  }
  throw new Error("expected the request to fail, but it succeeded");
}

async function connected(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  // Its server may be stopped under it; a connection error must not end the test process.
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

async function backendOf(client: Client): Promise<number> {
  return (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
}

describe("PostgreSQL restarted in the middle of ingest", () => {
  type Kind = "accounts" | "contacts" | "events";
  const KEY_OF: Record<Kind, { table: string; column: string }> = {
    accounts: { table: "accounts", column: "domain" },
    contacts: { table: "contacts", column: "email" },
    events: { table: "engagement_events", column: "external_id" },
  };
  /** One mutation sent: `keys` are the rows it creates, each naming its batch. */
  interface Batch { id: string; kind: Kind; input: object[]; keys: string[]; sentAt: number; answeredAt: number; result: BatchResult | null; failure: Failure | null }
  type Ingest = ReturnType<typeof ingestApi>;

  /** An account whose row the test locks, so that a batch touching it is caught mid-transaction. */
  const BLOCKER = "zz-blocker.faults.example";

  let pg: OwnPostgres;
  let api: ApiOnDatabase;
  const batches: Batch[] = [];

  beforeAll(async () => {
    pg = await startOwnPostgres("faults");
    api = await startApiOn(pg.url);
  });
  afterAll(async () => {
    await api?.stop();
    await pg?.destroy();
  });

  function roundOf(tag: string): Pick<Batch, "id" | "kind" | "input" | "keys">[] {
    const domains = Array.from({ length: 15 }, (_, i) => `${tag}-${i}.faults.example`);
    const emails = domains.map((d) => `buyer@${d}`);
    const events = Array.from({ length: 30 }, (_, i) => ({
      externalId: `${tag}-e${i}`, type: "page_view", occurredAt: new Date(Date.UTC(2026, 9, 1, 0, i)).toISOString(), contactEmail: emails[i % emails.length],
    }));
    return [
      { id: `${tag}/accounts`, kind: "accounts", keys: domains, input: domains.map((domain, i) => ({ domain, name: `Faults ${tag} ${i}`, industry: "Software" })) },
      { id: `${tag}/contacts`, kind: "contacts", keys: emails, input: emails.map((email) => ({ email, role: "CHAMPION" })) },
      { id: `${tag}/events`, kind: "events", keys: events.map((e) => e.externalId), input: events },
    ];
  }

  async function send(client: Ingest, batch: Pick<Batch, "id" | "kind" | "input" | "keys">): Promise<Batch> {
    const sent: Batch = { ...batch, sentAt: performance.now(), answeredAt: 0, result: null, failure: null };
    batches.push(sent);
    try {
      sent.result = await client[batch.kind](batch.input);
    } catch (err) {
      sent.failure = failureOf(err);
    }
    sent.answeredAt = performance.now();
    return sent;
  }

  /** Rows per key, read straight from PostgreSQL rather than through the API under test. */
  async function rowsPerKey(kind: Kind, keys: string[]): Promise<Map<string, number>> {
    const db = await connected(pg.url);
    try {
      const { table, column } = KEY_OF[kind];
      const { rows } = await db.query<{ k: string; n: number }>(`SELECT ${column} AS k, count(*)::int AS n FROM ${table} WHERE ${column} = ANY($1::text[]) GROUP BY 1`, [keys]);
      return new Map(rows.map((r) => [r.k, r.n]));
    } finally {
      await db.end();
    }
  }

  async function httpStatus(pathname: string): Promise<{ status: number; ms: number }> {
    const started = performance.now();
    const res = await fetch(`${api.origin}${pathname}`, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, ms: performance.now() - started };
  }

  it("answers SERVICE_UNAVAILABLE while it is down, recovers by itself, and every batch lands whole or not at all", async () => {
    const CLIENTS = 4;
    const clients = await Promise.all(Array.from({ length: CLIENTS }, async () => ingestApi(await api.client(Role.INGEST))));
    // Created before the outage and first used during it: its key must be looked up in the database.
    const newcomer = await api.client(Role.INGEST);
    expect((await clients[0]!.accounts([{ domain: BLOCKER, name: "Blocker" }])).inserted).toBe(1);

    let sending = true;
    const loops = clients.map(async (client, c) => {
      for (let round = 0; sending; round++) {
        for (const batch of roundOf(`c${c}r${round}`)) {
          const sent = await send(client, batch);
          // A well-behaved client backs off a little after a failure.
          if (sent.failure) await sleep(100);
        }
      }
    });
    const succeededSince = (t: number) => batches.filter((b) => b.sentAt > t && b.result).length;

    const locker = await connected(pg.url);
    const observer = await connected(pg.url);
    try {
      await waitFor("batches before the outage", async () => succeededSince(0) >= CLIENTS * 6, 20_000);

      // Catch one batch inside its transaction: it has inserted its new accounts and waits for the blocker's row.
      await locker.query("BEGIN");
      await locker.query("SELECT 1 FROM accounts WHERE domain = $1 FOR UPDATE", [BLOCKER]);
      const lockerPid = await backendOf(locker);
      const [stuckBatch] = roundOf("stuck");
      const stuck = send(clients[0]!, { ...stuckBatch!, input: [...stuckBatch!.input, { domain: BLOCKER, name: "Blocker, renamed" }] });
      await waitFor("the stuck batch to wait for the row lock", async () => (await observer.query(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = 'quorum-test' AND $1 = ANY(pg_blocking_pids(pid))", [lockerPid])).rowCount === 1, 10_000);

      await pg.stop();
      const downAt = performance.now();

      // While it is down: alive but not ready, promptly, and a coded answer even before authentication is done.
      expect((await httpStatus("/healthz")).status).toBe(200);
      const readyz = await httpStatus("/readyz");
      expect(readyz.status).toBe(503);
      expect(readyz.ms).toBeLessThan(3_000);
      expect(await failing(newcomer.request(gql`{ ingestStatus { heldContacts } }`))).toMatchObject({ status: 503, code: "SERVICE_UNAVAILABLE" });
      expect((await stuck).failure).toMatchObject({ status: 503, code: "SERVICE_UNAVAILABLE" });
      await sleep(1_500);
      expect(batches.filter((b) => b.sentAt > downAt && b.failure).length).toBeGreaterThan(0);

      await pg.start();
      const upAt = performance.now();
      // Recovery needs no restart of the API: the pool drops its dead connections and opens new ones.
      expect(await waitFor("/readyz to answer 200", async () => (await httpStatus("/readyz")).status === 200, 10_000)).toBeLessThan(5_000);
      await waitFor("ingest to succeed again", async () => succeededSince(upAt) > 0, 10_000);
      expect(Math.min(...batches.filter((b) => b.sentAt > upAt && b.result).map((b) => b.answeredAt - upAt))).toBeLessThan(5_000);
      const recoveredAt = performance.now();
      await waitFor("batches after the recovery", async () => succeededSince(recoveredAt) >= CLIENTS * 3, 20_000);
    } finally {
      sending = false;
      await Promise.all(loops);
      await locker.end().catch(() => undefined);
      await observer.end().catch(() => undefined);
    }

    // Every failure was the coded, retryable one, with a message that says so and shows nothing internal.
    const failures = batches.filter((b) => b.failure).map((b) => b.failure!);
    for (const f of failures) {
      expect(f).toMatchObject({ status: 503, code: "SERVICE_UNAVAILABLE" });
      expect(f.message).toMatch(/database is unavailable.*retry/i);
      expect(f.message).not.toMatch(/select|insert|ECONN|57P01|terminat|\/|\.[jt]s\b|\bat /i);
    }

    // Each batch landed whole or not at all; every acknowledged one landed; the one caught mid-transaction did not.
    const landed = new Map<string, boolean>();
    for (const kind of Object.keys(KEY_OF) as Kind[]) {
      const ofKind = batches.filter((b) => b.kind === kind);
      const rows = await rowsPerKey(kind, ofKind.flatMap((b) => b.keys));
      for (const b of ofKind) {
        const present = b.keys.filter((k) => rows.has(k)).length;
        expect(present, `rows of batch ${b.id}`).toBeOneOf([0, b.keys.length]);
        if (b.result) {
          expect(b.result.errors).toEqual([]);
          expect(present, `rows of acknowledged batch ${b.id}`).toBe(b.keys.length);
        }
        landed.set(b.id, present === b.keys.length);
      }
    }
    expect(landed.get("stuck/accounts")).toBe(false);

    // Sent again, the failed batches succeed; one that had landed after all (reply lost) changes nothing.
    const retrying = ingestApi(await api.client(Role.INGEST));
    for (const b of batches.filter((x) => x.failure)) {
      const again = await retrying[b.kind](b.input);
      expect(again.errors).toEqual([]);
      expect(again.inserted, `rows inserted when resending ${b.id}`).toBe(landed.get(b.id) ? 0 : b.keys.length);
    }
    for (const kind of Object.keys(KEY_OF) as Kind[]) {
      const ofKind = batches.filter((b) => b.kind === kind);
      const rows = await rowsPerKey(kind, ofKind.flatMap((b) => b.keys));
      for (const b of ofKind) expect(b.keys.map((k) => rows.get(k) ?? 0), `rows per key of batch ${b.id}`).toEqual(b.keys.map(() => 1));
    }
    // Contacts and events found their accounts: nothing is left waiting.
    const { ingestStatus } = await api.admin().request<{ ingestStatus: Record<string, number> }>(gql`{ ingestStatus { heldContacts heldEvents eventsAwaitingContact } }`);
    expect(ingestStatus).toEqual({ heldContacts: 0, heldEvents: 0, eventsAwaitingContact: 0 });
  });
});

describe("the process killed during a scoring run", () => {
  const CLI = path.resolve("dist/src/cli/main.js");
  const ACCOUNTS = 1_000;
  const CURRENT = gql`query Current {
    scoreDistribution { band count averageTotal }
    accounts(first: 50, orderBy: { field: SCORE, direction: DESC }) { totalCount edges { node { domain score { runId total band } } } }
  }`;
  const RUNS = gql`query Runs { scoringRuns(first: 10) { edges { node { id rowId status error accountsScored } } } }`;
  type Current = {
    scoreDistribution: { band: string; count: number; averageTotal: number | null }[];
    accounts: { totalCount: number; edges: { node: { domain: string; score: { runId: string; total: number; band: string } | null } }[] };
  };
  type Runs = { scoringRuns: { edges: { node: { id: string; rowId: string; status: string; error: string | null; accountsScored: number } }[] } };

  let server: TestServer;
  let analyst: GraphQLClient;
  let viewer: GraphQLClient;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: this test kills the built CLI, so run \`npm run build\` first.`);
    server = await startTestServer();
    analyst = await server.client(Role.ANALYST);
    viewer = await server.client(Role.VIEWER);
    await loadDemo(server.database.db, { accounts: ACCOUNTS, seed: 7 });
  });
  afterAll(async () => {
    child?.kill("SIGKILL");
    await server?.stop();
  });

  const rowsOfRun = async (table: string, runId: string) =>
    (await server.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE run_id = $1`, [runId]))[0]!.n;

  it("leaves no partial snapshot, keeps serving the previous run, and the next run takes over", async () => {
    const first = await runScoring(analyst);
    expect(first).toMatchObject({ status: "SUCCEEDED", accountsScored: ACCOUNTS });
    const before = await viewer.request<Current>(CURRENT);
    expect(before.accounts.edges.every((e) => e.node.score?.runId === first.id)).toBe(true);

    // Holding band_transitions catches the run at its transitions step, with all its account and
    // contact snapshots written but not committed: the worst moment to die, every time. Readers
    // are not blocked by this lock.
    const db = server.database.db;
    const locker = await connected(server.database.url);
    let deadRun = "";
    let backend = 0;
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE band_transitions IN SHARE MODE");
      const lockerPid = await backendOf(locker);
      child = spawn(process.execPath, [CLI, "score", "--json"], {
        env: { ...process.env, DATABASE_URL: server.database.url, LOG_LEVEL: "silent" },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr!.on("data", (chunk: Buffer) => { stderr += chunk.toString(); });
      const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
      await waitFor("the CLI's run to reach its transitions step", async () => {
        const rows = await db.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE application_name = 'quorum-cli' AND $1 = ANY(pg_blocking_pids(pid))
              AND query LIKE '%INSERT INTO band_transitions%'`, [lockerPid]);
        backend = rows[0]?.pid ?? 0;
        return backend > 0 || child!.exitCode !== null;
      }, 30_000);
      expect(child.exitCode, `the CLI ended before it could be killed: ${stderr}`).toBeNull();
      const running = await db.query<{ id: string }>("SELECT id::text FROM scoring_runs WHERE status = 'RUNNING'");
      expect(running).toHaveLength(1);
      deadRun = running[0]!.id;

      child.kill("SIGKILL");
      await exited;
      // Its backend must not outlive it, still holding the run's locks, until its statement ends.
      await waitFor("the killed run's backend to end", async () =>
        (await db.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [backend])).length === 0, 5_000);
    } finally {
      await locker.query("ROLLBACK").catch(() => undefined);
      await locker.end();
    }

    for (const table of ["account_scores", "contact_scores", "band_transitions"]) {
      expect(await rowsOfRun(table, deadRun), `${table} rows of the killed run`).toBe(0);
    }
    const [{ partition }] = await db.query<{ partition: string | null }>("SELECT to_regclass($1)::text AS partition", [`account_scores_r${deadRun}`]) as [{ partition: string | null }];
    expect(partition).toBeNull();
    expect(await viewer.request<Current>(CURRENT)).toEqual(before);
    // Nobody is left to finish it: the run list says so without waiting for the next run.
    const listed = (await viewer.request<Runs>(RUNS)).scoringRuns.edges.map((e) => e.node);
    expect(listed.find((r) => r.rowId === deadRun)).toMatchObject({ status: "FAILED", error: expect.stringMatching(/abandoned/) });

    const next = await runScoring(analyst);
    expect(next).toMatchObject({ status: "SUCCEEDED", accountsScored: ACCOUNTS });
    const runs = (await viewer.request<Runs>(RUNS)).scoringRuns.edges.map((e) => e.node);
    expect(runs.find((r) => r.rowId === deadRun)).toMatchObject({ status: "FAILED", error: expect.stringMatching(/abandoned/), accountsScored: 0 });
    expect(runs.filter((r) => r.status === "SUCCEEDED").map((r) => r.id).sort()).toEqual([first.id, next.id].sort());
    const after = await viewer.request<Current>(CURRENT);
    expect(after.accounts.edges.every((e) => e.node.score?.runId === next.id)).toBe(true);
    expect(after.scoreDistribution.reduce((n, b) => n + b.count, 0)).toBe(ACCOUNTS);
    expect(await rowsOfRun("account_scores", next.rowId)).toBe(ACCOUNTS);
  });
});

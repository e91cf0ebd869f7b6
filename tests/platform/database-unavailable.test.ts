import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/platform/db/embedded";
import { isDatabaseUnavailable } from "../../src/platform/db/database-unavailable";
import { freshDatabase, type TestDatabase } from "../support/db";

/** Real errors from a real server: only unreachability may tell clients to retry. */
describe("telling an outage from a broken statement", () => {
  let database: TestDatabase;
  beforeAll(async () => { database = await freshDatabase(); });
  afterAll(async () => { await database?.drop(); });

  const failure = (p: Promise<unknown>) => p.then(() => { throw new Error("expected a failure"); }, (err: unknown) => err);

  it("a refused connection is an outage", async () => {
    const client = new Client({ connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/postgres`, connectionTimeoutMillis: 2_000 });
    expect(isDatabaseUnavailable(await failure(client.connect()))).toBe(true);
  });

  it("a protocol violation (08P01: more parameters than the statement uses) is our bug, not an outage", async () => {
    const err = await failure(database.db.query("SELECT $1::int AS n", [1, 2]));
    expect((err as { code?: string }).code).toBe("08P01");
    expect(isDatabaseUnavailable(err)).toBe(false);
  });

  it("a session ended by the server (57P01) is an outage", async () => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    client.on("error", () => undefined);
    const pid = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    await database.db.query("SELECT pg_terminate_backend($1)", [pid]);
    const err = await failure(client.query("SELECT 1"));
    expect(isDatabaseUnavailable(err)).toBe(true);
    await client.end().catch(() => undefined);
  });

  it("a syntax error and a missing table are not", async () => {
    expect(isDatabaseUnavailable(await failure(database.db.query("SELEC 1")))).toBe(false);
    expect(isDatabaseUnavailable(await failure(database.db.query("SELECT * FROM no_such_table")))).toBe(false);
  });
});

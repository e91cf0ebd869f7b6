import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDatabase } from "../support/db";

// engagement_events' account_id and contact_id are checked per statement by triggers (see
// migrations/*_event_refs.up.sql), not by per-row foreign keys: the same guarantees, for
// every writer, not only the ingest merges.

let t: TestDatabase;

beforeAll(async () => {
  t = await freshDatabase({ poolSize: 4 });
});
afterAll(async () => { await t?.drop(); });

const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => Object.values((await t.db.query(sql, params))[0]!)[0] as T;
const code = (promise: Promise<unknown>) => promise.then(() => "no error", (err: { code?: string }) => err.code);

async function account(domain: string): Promise<string> {
  return one<string>("INSERT INTO accounts (domain, name) VALUES ($1, $1) RETURNING id::text", [domain]);
}
async function contact(email: string, accountId: string): Promise<string> {
  return one<string>("INSERT INTO contacts (email, email_domain, account_id) VALUES ($1, split_part($1, '@', 2), $2) RETURNING id::text", [email, accountId]);
}
function event(externalId: string, accountId: string | null, contactId: string | null = null): Promise<unknown> {
  return t.db.query("INSERT INTO engagement_events (external_id, type, occurred_at, account_id, contact_id) VALUES ($1, 'page_view', now(), $2, $3)",
    [externalId, accountId, contactId]);
}

describe("engagement event references", () => {
  it("refuse an account or contact that does not exist, on insert and on update", async () => {
    const a = await account("refs-a.com");
    expect(await code(event("refs-1", "999999999"))).toBe("23503");
    expect(await code(event("refs-2", a, "999999999"))).toBe("23503");
    // A statement with one bad row among good ones writes none of them.
    expect(await code(t.db.query(`INSERT INTO engagement_events (external_id, type, occurred_at, account_id)
      SELECT 'refs-m' || i, 'page_view', now(), CASE WHEN i = 50 THEN 999999999 ELSE $1::bigint END FROM generate_series(1, 100) i`, [a]))).toBe("23503");
    expect(await one<number>("SELECT count(*)::int FROM engagement_events WHERE external_id LIKE 'refs-m%'")).toBe(0);
    await event("refs-3", a);
    expect(await code(t.db.query("UPDATE engagement_events SET account_id = 999999999 WHERE external_id = 'refs-3'"))).toBe("23503");
    expect(await code(t.db.query("UPDATE accounts SET id = DEFAULT WHERE id = $1", [a]))).toBe("23503");
  });

  it("delete an account's events with it, and clear a deleted contact from its events", async () => {
    const a = await account("refs-b.com");
    const c = await contact("x@refs-b.com", a);
    await event("refs-b1", a, c);
    await t.db.query("DELETE FROM contacts WHERE id = $1", [c]);
    expect(await one<string | null>("SELECT contact_id FROM engagement_events WHERE external_id = 'refs-b1'")).toBeNull();
    await t.db.query("DELETE FROM accounts WHERE id = $1", [a]);
    expect(await one<number>("SELECT count(*)::int FROM engagement_events WHERE external_id = 'refs-b1'")).toBe(0);
  });

  it("make a concurrent delete of the account wait for the writer, then take the new events with it", async () => {
    const a = await account("refs-c.com");
    const writer = await t.db.pool.connect();
    const deleter = await t.db.pool.connect();
    try {
      await writer.query("BEGIN");
      await writer.query("INSERT INTO engagement_events (external_id, type, occurred_at, account_id) VALUES ('refs-c1', 'page_view', now(), $1)", [a]);
      let deleted = false;
      const deleting = deleter.query("DELETE FROM accounts WHERE id = $1", [a]).then(() => { deleted = true; });
      await new Promise((r) => setTimeout(r, 300));
      expect(deleted).toBe(false); // it waits for the lock the writer's check took
      await writer.query("COMMIT");
      await deleting;
      expect(await one<number>("SELECT count(*)::int FROM engagement_events WHERE external_id = 'refs-c1'")).toBe(0);
    } finally {
      writer.release();
      deleter.release();
    }
  });
});

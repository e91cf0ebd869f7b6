/**
 * The holdout as a history, over real HTTP: every entry and exit with time, actor and reason;
 * a release is all or nothing; a top-up never undoes a release, a replacing draw re-adds with a
 * new stay and the old one keeps its assignment; the draw depends on seed and domain only, so
 * two databases loaded in different orders draw the same accounts; existing flags migrate.
 */
import "reflect-metadata";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { HoldoutService } from "../../src/kpis/holdout.service";
import { HoldoutStratifyBy } from "../../src/kpis/holdout.type";
import { loadConfig } from "../../src/platform/config/config";
import { migrate, migrationsDir } from "../../src/platform/db/migrate";
import type { Database } from "../../src/platform/db/database";
import { ACCOUNTS_PAGE } from "../support/documents";
import { freshDatabase } from "../support/db";
import { errorCode, startTestServer, type TestServer } from "../support/server";
import { ASSIGN_HOLDOUT, HOLDOUT_HISTORY, RELEASE_HOLDOUT } from "./kpi-documents";

interface Entry {
  id: string; accountId: string; accountDomain: string; accountName: string; enteredAt: string; enteredBy: string | null; entryReason: string;
  assignmentId: string | null; exitedAt: string | null; exitedBy: string | null; exitReason: string | null; exitAssignmentId: string | null;
}
interface History { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { cursor: string; node: Entry }[] }

let server: TestServer;
let analyst: GraphQLClient;

beforeAll(async () => {
  server = await startTestServer();
  analyst = await server.client(Role.ANALYST);
  await server.database.db.query(
    `INSERT INTO accounts (domain, name, tier, is_target)
     SELECT 'r' || k || '.release.example', 'Release ' || k, 'A', true FROM generate_series(1, 40) k`);
});
afterAll(async () => { await server?.stop(); });

const assign = async (input: Record<string, unknown>) =>
  (await analyst.request<{ assignHoldout: { id: string; accountsIn: number; accountsAdded: number; accountsRemoved: number; assignedAt: string } }>(ASSIGN_HOLDOUT, { input })).assignHoldout;
const release = async (input: Record<string, unknown>, client = analyst) =>
  (await client.request<{ releaseHoldout: { released: number; entries: Entry[] } }>(RELEASE_HOLDOUT, { input })).releaseHoldout;
const history = async (vars: Record<string, unknown> = {}, client = analyst) =>
  (await client.request<{ holdoutHistory: History }>(HOLDOUT_HISTORY, { first: 100, ...vars })).holdoutHistory;
const held = async () => (await server.database.db.query<{ domain: string }>("SELECT domain FROM accounts WHERE is_holdout ORDER BY domain")).map((r) => r.domain);

describe("holdout history", () => {
  let draw: { id: string; accountsIn: number; assignedAt: string };
  let released: string[];

  it("records every account a draw puts in, with time, actor and reason", async () => {
    draw = await assign({ share: 0.25, seed: 21, stratifyBy: "NONE", reason: "Q1 holdout" });
    expect(draw.accountsIn).toBe(10);
    const h = await history();
    expect(h.totalCount).toBe(10);
    for (const { node } of h.edges) {
      expect(node).toMatchObject({ enteredBy: "test-analyst", entryReason: "Q1 holdout", assignmentId: draw.id, exitedAt: null, exitReason: null });
      expect(node.enteredAt).toBe(draw.assignedAt);
    }
    expect(h.edges.map((e) => e.node.accountDomain).sort()).toEqual(await held());
  });

  it("releases accounts with a reason: the stay is closed, the flag cleared, account lists follow", async () => {
    const domains = await held();
    released = domains.slice(0, 2);
    const r = await release({ accountDomains: released.map((d) => ` ${d.toUpperCase()} `), reason: "customer asked for a call" });
    expect(r.released).toBe(2);
    expect(r.entries.map((e) => e.accountDomain)).toEqual(released);
    for (const e of r.entries) {
      expect(e).toMatchObject({ exitedBy: "test-analyst", exitReason: "customer asked for a call", exitAssignmentId: null, assignmentId: draw.id });
      expect(Date.parse(e.exitedAt!)).toBeGreaterThan(Date.parse(e.enteredAt));
    }
    expect(await held()).toEqual(domains.slice(2));
    const page = await analyst.request<{ accounts: { totalCount: number } }>(ACCOUNTS_PAGE, { filter: { isHoldout: true }, first: 100 });
    expect(page.accounts.totalCount).toBe(8);
  });

  it("refuses a release that names an unknown or a not held-out account, or gives no reason, and writes nothing", async () => {
    const before = await history();
    const someoneElse = (await server.database.db.query<{ domain: string }>("SELECT domain FROM accounts WHERE NOT is_holdout ORDER BY domain DESC LIMIT 1"))[0]!.domain;
    const inHoldout = (await held())[0]!;
    const message = async (input: Record<string, unknown>) => {
      const err = await release(input).catch((e: unknown) => e);
      const first = (err as { response: { errors: { message: string; extensions: { code: string } }[] } }).response.errors[0]!;
      expect(first.extensions.code).toBe("BAD_USER_INPUT");
      return first.message;
    };
    expect(await message({ accountDomains: [inHoldout, "nobody.example"], reason: "x" })).toMatch(/No account has the domain nobody\.example; nothing was released/);
    expect(await message({ accountDomains: [inHoldout, someoneElse], reason: "x" })).toMatch(new RegExp(`Not in the holdout: ${someoneElse.replace(/\./g, "\\.")}; nothing was released`));
    expect(await message({ accountDomains: [inHoldout], reason: "   " })).toMatch(/reason must say why/);
    expect(await message({ accountDomains: [], reason: "x" })).toMatch(/at least one account/);
    expect(await history()).toEqual(before);
    expect((await held())[0]).toBe(inHoldout);
    expect(await errorCode(release({ accountDomains: [inHoldout], reason: "x" }, await server.client(Role.VIEWER)))).toBe("FORBIDDEN");
  });

  it("a top-up draw does not bring released accounts back; a replacing draw does, as a new stay, and the old stay keeps its assignment", async () => {
    const topUp = await assign({ share: 0.25, seed: 21, stratifyBy: "NONE" });
    expect(topUp.accountsAdded).toBe(2);
    const now = await held();
    expect(now).toHaveLength(10);
    for (const d of released) expect(now).not.toContain(d);

    const replace = await assign({ share: 0.25, seed: 21, stratifyBy: "NONE", replaceExisting: true, reason: "back to the seed-21 draw" });
    expect(replace.accountsRemoved).toBe(2); // the two top-up accounts leave
    expect(replace.accountsAdded).toBe(2); // the two released accounts return
    const original = (await history()).edges.map((e) => e.node).filter((n) => n.assignmentId === draw.id).map((n) => n.accountDomain);
    expect((await held()).sort()).toEqual([...new Set(original)].sort());

    const one = await history({ accountDomain: released[0] });
    expect(one.totalCount).toBe(2);
    const [newer, older] = one.edges.map((e) => e.node);
    expect(older).toMatchObject({ assignmentId: draw.id, enteredAt: draw.assignedAt, exitReason: "customer asked for a call" });
    expect(newer).toMatchObject({ assignmentId: replace.id, enteredAt: replace.assignedAt, entryReason: "back to the seed-21 draw", exitedAt: null });
    // the top-up accounts' stays were closed by the replacing draw
    const replacedOut = (await history()).edges.map((e) => e.node).filter((n) => n.exitAssignmentId === replace.id);
    expect(replacedOut).toHaveLength(2);
    for (const n of replacedOut) expect(n).toMatchObject({ assignmentId: topUp.id, exitReason: `replaced by draw ${replace.id}`, exitedBy: "test-analyst" });
  });

  it("pages newest first with cursors of its own, and filters by account", async () => {
    const all = await history();
    const first = await history({ first: 3 });
    expect(first.edges.map((e) => e.node)).toEqual(all.edges.slice(0, 3).map((e) => e.node));
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = await history({ first: 3, after: first.pageInfo.endCursor });
    expect(next.edges.map((e) => e.node)).toEqual(all.edges.slice(3, 6).map((e) => e.node));
    expect(all.edges.map((e) => Number(e.node.id))).toEqual([...all.edges.map((e) => Number(e.node.id))].sort((a, b) => b - a));
    const otherList = Buffer.from(JSON.stringify(["1"])).toString("base64url");
    expect(await errorCode(history({ after: otherList }))).toBe("BAD_USER_INPUT");
    expect(await errorCode(history({ accountDomain: "nobody.example" }))).toBe("BAD_USER_INPUT");
    const viewer = await server.client(Role.VIEWER);
    expect((await history({}, viewer)).totalCount).toBe(all.totalCount);
  });
});

describe("the draw depends on seed and domains only", () => {
  const domains = Array.from({ length: 133 }, (_, i) => `d${i}.fresh.example`);
  const tierOf = (i: number) => ["A", "B", "C", null][i % 4];

  async function load(db: Database, order: number[], padding: number): Promise<void> {
    // Padding rows shift the ids, so the two databases give every account a different id.
    for (let i = 0; i < padding; i++) await db.query("INSERT INTO accounts (domain, name) VALUES ($1, 'pad')", [`pad${i}.example`]);
    for (const i of order) await db.query("INSERT INTO accounts (domain, name, tier, is_target) VALUES ($1, $2, $3, true)", [domains[i], `Fresh ${i}`, tierOf(i)]);
  }

  it("holds out the same accounts in two databases loaded in different orders", async () => {
    const one = await freshDatabase({ poolSize: 2 });
    const two = await freshDatabase({ poolSize: 2 });
    try {
      const forward = domains.map((_, i) => i);
      const shuffled = [...forward].sort((a, b) => crypto.createHash("md5").update(`x${a}`).digest("hex").localeCompare(crypto.createHash("md5").update(`x${b}`).digest("hex")));
      await load(one.db, forward, 0);
      await load(two.db, shuffled, 57);
      const ids = async (db: Database) => (await db.query<{ id: string; domain: string }>("SELECT id::text, domain FROM accounts WHERE domain LIKE '%.fresh.example'"));
      const idsOne = new Map((await ids(one.db)).map((r) => [r.domain, r.id]));
      expect((await ids(two.db)).filter((r) => idsOne.get(r.domain) === r.id)).toHaveLength(0);

      const draw = async (db: Database, url: string) => {
        await new HoldoutService(db, loadConfig({ DATABASE_URL: url })).assign({ share: 0.3, seed: 2026, stratifyBy: HoldoutStratifyBy.TIER }, "test");
        return (await db.query<{ domain: string }>("SELECT domain FROM accounts WHERE is_holdout ORDER BY domain")).map((r) => r.domain);
      };
      const a = await draw(one.db, one.url);
      const b = await draw(two.db, two.url);
      expect(a.length).toBe(40); // round(0.3 × 34) + 3 × round(0.3 × 33) = 10 + 3 × 10
      expect(b).toEqual(a);
      // and it is the order of md5("2026:" + domain) within each tier, computed here
      const hand = ["A", "B", "C", null].flatMap((tier) => domains.filter((_, i) => tierOf(i) === tier)
        .map((d) => ({ d, h: crypto.createHash("md5").update(`2026:${d}`).digest("hex") }))
        .sort((x, y) => (x.h < y.h ? -1 : 1)).slice(0, 10).map((x) => x.d)).sort();
      expect(a).toEqual(hand);
    } finally {
      await one.drop();
      await two.drop();
    }
  });
});

describe("migration of existing holdout flags", () => {
  it("turns each held-out account into an open stay that began when it was assigned", async () => {
    const fresh = await freshDatabase({ poolSize: 2 });
    try {
      const db = fresh.db;
      // Back to the schema before the history: undo this migration, then flag accounts the old way.
      await db.query(fs.readFileSync(path.join(migrationsDir, "20261207130000_holdout_history.down.sql"), "utf8"));
      await db.query("DELETE FROM schema_migrations WHERE version = '20261207130000'");
      const [assignment] = await db.query<{ id: string }>("INSERT INTO holdout_assignments (seed, share, stratify_by, assigned_by) VALUES (1, 0.1, 'TIER', 'old-key') RETURNING id::text");
      await db.query(`INSERT INTO accounts (domain, name, is_target, is_holdout, holdout_assigned_at, holdout_assignment_id)
                      VALUES ('old1.example', 'Old 1', true, true, '2026-02-01T00:00:00Z', $1), ('old2.example', 'Old 2', true, true, '2026-03-01T00:00:00Z', NULL),
                             ('old3.example', 'Old 3', true, false, NULL, NULL)`, [assignment!.id]);
      expect(await migrate(db.pool)).toEqual(["20261207130000"]);
      const rows = await db.query<{ domain: string; entered_at: Date; entered_by: string | null; assignment_id: string | null; entry_reason: string; exited_at: Date | null }>(
        `SELECT a.domain, m.entered_at, m.entered_by, m.assignment_id::text, m.entry_reason, m.exited_at
           FROM holdout_memberships m JOIN accounts a ON a.id = m.account_id ORDER BY a.domain`);
      expect(rows).toEqual([
        { domain: "old1.example", entered_at: new Date("2026-02-01T00:00:00Z"), entered_by: "old-key", assignment_id: assignment!.id, entry_reason: `draw ${assignment!.id} (migrated from the holdout flag)`, exited_at: null },
        { domain: "old2.example", entered_at: new Date("2026-03-01T00:00:00Z"), entered_by: null, assignment_id: null, entry_reason: "held out before the history was kept", exited_at: null },
      ]);
    } finally {
      await fresh.drop();
    }
  });
});

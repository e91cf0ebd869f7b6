import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemo, type DemoSummary } from "../../src/demo/demo.loader";
import type { Database } from "../../src/platform/db/database";
import { AppError } from "../../src/platform/errors/errors";
import { freshDatabase, type TestDatabase } from "../support/db";

const NOW = new Date("2026-11-20T12:00:00Z");
const ACCOUNTS = 1_200;
const TABLES = ["accounts", "contacts", "engagement_events", "intent_signals", "deals"] as const;

const opened: TestDatabase[] = [];
async function database(): Promise<TestDatabase> {
  const t = await freshDatabase({ poolSize: 4 });
  opened.push(t);
  return t;
}
afterAll(async () => {
  await Promise.all(opened.map((t) => t.drop()));
});

async function one<T>(db: Database, sql: string, params: unknown[] = []): Promise<T> {
  const rows = await db.query<Record<string, unknown>>(sql, params);
  return Object.values(rows[0]!)[0] as T;
}

/** A fingerprint of every column of every row, in id order. */
async function checksums(db: Database): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const table of TABLES) sums[table] = await one<string>(db, `SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM ${table} t`);
  return sums;
}

/** Index and constraint definitions, to prove a load leaves the schema as migrated. */
async function schemaShape(db: Database): Promise<string[]> {
  const rows = await db.query<{ def: string }>(
    `SELECT pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = ANY($1::regclass[])
     UNION ALL
     SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = ANY($1::regclass[])
     ORDER BY 1`,
    [TABLES]);
  return rows.map((r) => r.def);
}

let main: TestDatabase;
let summary: DemoSummary;
let migratedShape: string[];
const stages = new Set<string>();

beforeAll(async () => {
  main = await database();
  migratedShape = await schemaShape(main.db);
  summary = await loadDemo(main.db, { accounts: ACCOUNTS, seed: 7, now: NOW, onProgress: (_d, _t, stage) => stages.add(stage) });
});

describe("demo loader: determinism", () => {
  it("gives identical rows for the same seed and a different data set for another seed", async () => {
    const [same, other] = await Promise.all([database(), database()]);
    await Promise.all([
      loadDemo(same.db, { accounts: ACCOUNTS, seed: 7, now: NOW }),
      loadDemo(other.db, { accounts: ACCOUNTS, seed: 8, now: NOW }),
    ]);
    const expected = await checksums(main.db);
    expect(await checksums(same.db)).toEqual(expected);
    const differing = await checksums(other.db);
    for (const table of TABLES) expect(differing[table], table).not.toBe(expected[table]);
  }, 120_000);
});

describe("demo loader: what it writes", () => {
  it("reports what it wrote, by stage, and leaves indexes, keys and sequences as migrated", async () => {
    expect(summary.accounts).toBe(ACCOUNTS);
    expect(await one<number>(main.db, "SELECT count(*)::int FROM contacts")).toBe(summary.contacts);
    expect(await one<number>(main.db, "SELECT count(*)::int FROM engagement_events")).toBe(summary.events);
    expect(await one<number>(main.db, "SELECT count(*)::int FROM intent_signals")).toBe(summary.intentSignals);
    expect(await one<number>(main.db, "SELECT count(*)::int FROM deals WHERE outcome = 'WON'")).toBe(summary.wonDeals);
    expect(summary.wonDeals + summary.lostDeals + summary.openDeals).toBe(summary.deals);
    expect(summary.seconds).toBeGreaterThan(0);
    expect([...stages]).toEqual(expect.arrayContaining(["accounts", "activity", "last-engaged", "analyze"]));

    expect(await schemaShape(main.db)).toEqual(migratedShape);
    // Later writes continue after the demo's ids.
    const [{ id }] = await main.db.query<{ id: string }>("INSERT INTO accounts (domain, name) VALUES ('later.example', 'Later') RETURNING id::text AS id");
    expect(Number(id)).toBe(ACCOUNTS + 1);
    await main.db.query("DELETE FROM accounts WHERE domain = 'later.example'");
  });

  it("writes plausible, unique accounts with tiers, targets and acyclic subsidiaries", async () => {
    const [a] = await main.db.query<Record<string, number>>(`
      SELECT count(DISTINCT domain)::int AS domains, count(DISTINCT name)::int AS names,
             avg(is_target::int)::float AS targets, avg((parent_id IS NOT NULL)::int)::float AS subsidiaries,
             min(employees) AS min_employees, max(employees) AS max_employees,
             count(*) FILTER (WHERE tier = 'A')::int AS tier_a, count(*) FILTER (WHERE tier = 'C')::int AS tier_c,
             corr(ln(employees), ln(annual_revenue))::float AS size_revenue,
             count(DISTINCT industry)::int AS industries, count(DISTINCT region)::int AS regions
      FROM accounts`);
    expect(a).toMatchObject({ domains: ACCOUNTS, names: ACCOUNTS, industries: 10, regions: 4 });
    expect(a!.targets).toBeGreaterThan(0.5);
    expect(a!.targets).toBeLessThan(0.7);
    expect(a!.subsidiaries).toBeGreaterThan(0.04);
    expect(a!.subsidiaries).toBeLessThan(0.12);
    expect(a!.min_employees).toBeGreaterThanOrEqual(10);
    expect(a!.max_employees).toBeLessThanOrEqual(100_000);
    expect(a!.size_revenue).toBeGreaterThan(0.8);
    expect(a!.tier_a).toBeGreaterThan(0);
    expect(a!.tier_c).toBeGreaterThan(0);
    // Parents come first and are never subsidiaries themselves: no chains, so no cycles.
    expect(await one<number>(main.db, `
      SELECT count(*)::int FROM accounts s JOIN accounts p ON p.id = s.parent_id
      WHERE p.id >= s.id OR p.parent_id IS NOT NULL OR s.parent_domain IS DISTINCT FROM p.domain`)).toBe(0);
  });

  it("gives each account 3–15 contacts at its domain, with a buying committee and some of our own staff", async () => {
    const [c] = await main.db.query<Record<string, number>>(`
      SELECT min(n)::int AS min, max(n)::int AS max, avg(n)::float AS avg FROM (
        SELECT count(*) AS n FROM contacts WHERE NOT is_internal GROUP BY account_id) x`);
    expect(c!.min).toBeGreaterThanOrEqual(3);
    expect(c!.max).toBeLessThanOrEqual(15);
    expect(c!.avg).toBeGreaterThan(8);
    expect(c!.avg).toBeLessThan(12);
    expect(await one<number>(main.db, `
      SELECT count(*)::int FROM contacts c JOIN accounts a ON a.id = c.account_id
      WHERE NOT c.is_internal AND (c.email_domain <> a.domain OR c.email NOT LIKE '%@' || a.domain)`)).toBe(0);
    const [internal] = await main.db.query<Record<string, number>>(`
      SELECT count(*)::int AS n, count(*) FILTER (WHERE email_domain <> 'quorum.example' OR account_id IS NULL)::int AS bad
      FROM contacts WHERE is_internal`);
    expect(internal!.n).toBeGreaterThan(0);
    expect(internal!.bad).toBe(0);
    const roles = await main.db.query<{ role: string | null; share: number }>(
      "SELECT role, count(*)::float / sum(count(*)) OVER () AS share FROM contacts WHERE NOT is_internal GROUP BY role");
    const share = new Map(roles.map((r) => [r.role, r.share]));
    for (const role of ["DECISION_MAKER", "ECONOMIC_BUYER", "CHAMPION", "TECHNICAL_EVALUATOR", "INFLUENCER", "USER"]) {
      expect(share.get(role), role).toBeGreaterThan(0.01);
    }
    expect(share.get(null)).toBeGreaterThan(0.25);
    // Titles follow seniority.
    expect(await one<number>(main.db, `
      SELECT count(*)::int FROM contacts WHERE NOT is_internal AND
        ((seniority = 'VP' AND title NOT LIKE '%VP%' AND title <> 'Controller') OR (seniority = 'C_LEVEL' AND title LIKE 'VP%'))`)).toBe(0);
  });

  it("writes about ten events per contact over the last year, in a weekly rhythm, with bots and anonymous visits", async () => {
    const perContact = summary.events / summary.contacts;
    expect(perContact).toBeGreaterThan(7);
    expect(perContact).toBeLessThan(13);
    const [e] = await main.db.query<Record<string, number | string>>(`
      SELECT min(occurred_at) >= $1::timestamptz - interval '366 days' AS after_start, max(occurred_at) <= $1::timestamptz AS before_now,
             (count(*) FILTER (WHERE type = 'email_open' AND is_bot))::float / count(*) FILTER (WHERE type = 'email_open') AS bot_open_share,
             count(*) FILTER (WHERE is_bot AND bot_reason IS NULL)::int AS bots_without_reason,
             count(*) FILTER (WHERE contact_id IS NULL)::int AS anonymous,
             count(*) FILTER (WHERE contact_id IS NULL AND account_domain IS NULL)::int AS anonymous_without_domain,
             count(*) FILTER (WHERE contact_id IS NOT NULL AND contact_email IS NULL)::int AS contact_without_email,
             count(*) FILTER (WHERE type = 'email_open')::float / count(*) FILTER (WHERE type = 'demo_request') AS opens_per_demo,
             count(*) FILTER (WHERE extract(isodow FROM occurred_at) IN (2, 3, 4))::float / 3
               / (count(*) FILTER (WHERE extract(isodow FROM occurred_at) IN (6, 7))::float / 2) AS midweek_over_weekend
      FROM engagement_events`, [NOW]);
    expect(e).toMatchObject({ after_start: true, before_now: true, bots_without_reason: 0, anonymous_without_domain: 0, contact_without_email: 0 });
    expect(e!.bot_open_share).toBeGreaterThan(0.03);
    expect(e!.bot_open_share).toBeLessThan(0.07);
    expect(e!.anonymous).toBeGreaterThan(0);
    expect(e!.opens_per_demo).toBeGreaterThan(10);
    expect(e!.midweek_over_weekend).toBeGreaterThan(3);
    expect(await one<number>(main.db, "SELECT count(DISTINCT type)::int FROM engagement_events")).toBe(16);
    // last_engaged_at is the newest human event.
    expect(await one<number>(main.db, `
      SELECT count(*)::int FROM accounts a
      WHERE a.last_engaged_at IS DISTINCT FROM (SELECT max(occurred_at) FROM engagement_events e WHERE e.account_id = a.id AND NOT e.is_bot)`)).toBe(0);
  });

  it("writes at most eight intent signals per account and deals that close after they open", async () => {
    expect(await one<number>(main.db, "SELECT coalesce(max(n), 0)::int FROM (SELECT count(*) AS n FROM intent_signals GROUP BY account_id) x")).toBeLessThanOrEqual(8);
    expect(await one<number>(main.db, "SELECT count(*)::int FROM intent_signals WHERE strength NOT BETWEEN 0 AND 100 OR observed_at > $1", [NOW])).toBe(0);
    const [d] = await main.db.query<Record<string, number>>(`
      SELECT count(*)::float / (SELECT count(*) FROM accounts) AS per_account,
             count(*) FILTER (WHERE outcome <> 'OPEN' AND (closed_at - created_at NOT BETWEEN interval '20 days' AND interval '181 days'))::int AS bad_velocity,
             count(*) FILTER (WHERE outcome = 'OPEN' AND closed_at IS NOT NULL)::int AS open_closed,
             count(*) FILTER (WHERE closed_at > $1 OR created_at > $1)::int AS future,
             count(*) FILTER (WHERE amount NOT BETWEEN 5000 AND 500000)::int AS bad_amount,
             count(*) FILTER (WHERE outcome = 'WON')::float / count(*) FILTER (WHERE outcome <> 'OPEN') AS win_rate
      FROM deals`, [NOW]);
    expect(d).toMatchObject({ bad_velocity: 0, open_closed: 0, future: 0, bad_amount: 0 });
    expect(d!.per_account).toBeGreaterThan(0.5);
    expect(d!.per_account).toBeLessThan(1.5);
    expect(d!.win_rate).toBeGreaterThan(0.33);
    expect(d!.win_rate).toBeLessThan(0.47);
  });
});

describe("demo loader: the signal is real", () => {
  it("wins more deals where, before the deal, the account fit and its committee engaged", async () => {
    const rows = await main.db.query<{ outcome: string; core: number; engaged_dm: number; demo: number; intent: number }>(`
      SELECT d.outcome,
             avg((a.industry IN ('Software', 'Financial Services', 'Healthcare'))::int)::float AS core,
             avg((EXISTS (SELECT 1 FROM engagement_events e JOIN contacts c ON c.id = e.contact_id
                          WHERE e.account_id = d.account_id AND NOT e.is_bot AND c.role IN ('DECISION_MAKER', 'ECONOMIC_BUYER')
                            AND e.type NOT IN ('email_open', 'sales_touch')
                            AND e.occurred_at >= d.created_at - interval '90 days' AND e.occurred_at < d.created_at))::int)::float AS engaged_dm,
             avg((EXISTS (SELECT 1 FROM engagement_events e WHERE e.account_id = d.account_id AND e.type = 'demo_request'
                            AND e.occurred_at >= d.created_at - interval '90 days' AND e.occurred_at < d.created_at))::int)::float AS demo,
             avg(coalesce((SELECT max(strength) FROM intent_signals i WHERE i.account_id = d.account_id
                            AND i.observed_at >= d.created_at - interval '90 days' AND i.observed_at < d.created_at), 0))::float AS intent
      FROM deals d JOIN accounts a ON a.id = d.account_id
      WHERE d.outcome <> 'OPEN' GROUP BY d.outcome`);
    const won = rows.find((r) => r.outcome === "WON")!;
    const lost = rows.find((r) => r.outcome === "LOST")!;
    expect(won.core).toBeGreaterThan(lost.core + 0.1);
    expect(won.engaged_dm).toBeGreaterThan(lost.engaged_dm + 0.05);
    expect(won.demo).toBeGreaterThan(lost.demo + 0.1);
    expect(won.intent).toBeGreaterThan(lost.intent + 5);
  });

  it("holds more meetings at well-fitting accounts", async () => {
    const rows = await main.db.query<{ tier: string; rate: number }>(`
      SELECT a.tier, avg((EXISTS (SELECT 1 FROM engagement_events e WHERE e.account_id = a.id AND e.type = 'meeting_held'))::int)::float AS rate
      FROM accounts a GROUP BY a.tier`);
    const rate = new Map(rows.map((r) => [r.tier, r.rate]));
    expect(rate.get("A")!).toBeGreaterThan(rate.get("C")! + 0.15);
  });
});

describe("demo loader: all or nothing", () => {
  it("refuses a database that already has accounts", async () => {
    const t = await database();
    await t.db.query("INSERT INTO accounts (domain, name) VALUES ('existing.example', 'Existing')");
    const error = await loadDemo(t.db, { accounts: 20, seed: 1, now: NOW }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("CONFLICT");
    expect((error as Error).message).toMatch(/empty database/);
    expect(await one<number>(t.db, "SELECT count(*)::int FROM accounts")).toBe(1);
  });

  it("rejects nonsense sizes before touching the database", async () => {
    await expect(loadDemo(main.db, { accounts: 0, seed: 1 })).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    await expect(loadDemo(main.db, { accounts: 2.5, seed: 1 })).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
  });

  it("leaves nothing behind when a load fails half-way, and a later load starts clean", async () => {
    const t = await database();
    const shape = await schemaShape(t.db);
    // An event already holding one of the demo's external ids: the events COPY fails mid-way.
    await t.db.query(`INSERT INTO engagement_events (external_id, type, occurred_at, account_domain)
                      VALUES ('demo-ev-150-0', 'page_view', $1, 'elsewhere.example')`, [NOW]);
    await expect(loadDemo(t.db, { accounts: 300, seed: 3, now: NOW })).rejects.toThrow(/external_id/);
    for (const table of ["accounts", "contacts", "intent_signals", "deals"]) {
      expect(await one<number>(t.db, `SELECT count(*)::int FROM ${table}`), table).toBe(0);
    }
    expect(await one<number>(t.db, "SELECT count(*)::int FROM engagement_events")).toBe(1);
    expect(await schemaShape(t.db)).toEqual(shape);

    // A progress callback that throws aborts the load the same way, here once every row is written.
    await t.db.query("DELETE FROM engagement_events");
    await expect(loadDemo(t.db, {
      accounts: 300, seed: 3, now: NOW,
      onProgress: (done, _total, stage) => {
        if (stage === "activity" && done > 0) throw new Error("stop here");
      },
    })).rejects.toThrow("stop here");
    for (const table of TABLES) expect(await one<number>(t.db, `SELECT count(*)::int FROM ${table}`), table).toBe(0);

    const loaded = await loadDemo(t.db, { accounts: 300, seed: 3, now: NOW });
    expect(await one<number>(t.db, "SELECT min(id)::int FROM accounts")).toBe(1);
    expect(await one<number>(t.db, "SELECT count(*)::int FROM engagement_events")).toBe(loaded.events);
  });
});

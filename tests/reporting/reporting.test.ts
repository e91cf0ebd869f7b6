/**
 * BI over SQL: `quorum reporting grant --role NAME` makes a role that reads every view of the
 * `reporting` schema — the Metabase-style queries of the README — and can neither write nor
 * read the application's tables.
 */
import "reflect-metadata";
import crypto from "node:crypto";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { reportingCommand } from "../../src/cli/reporting.command";
import { scoreCommand } from "../../src/cli/score.command";
import { loadDemo } from "../../src/demo/demo.loader";
import { REPORTING_VIEWS } from "../../src/reporting/reporting.service";
import { runCommand } from "../support/cli";
import { freshDatabase, type TestDatabase } from "../support/db";
import { admin } from "../support/global-setup";

const NOW = new Date("2026-11-01T00:00:00Z");
const ROLE = `bi_${crypto.randomBytes(4).toString("hex")}`;
const PASSWORD = `pw-${crypto.randomBytes(8).toString("hex")}`;

let database: TestDatabase;
let bi: Client;
const saved = { url: process.env.DATABASE_URL, pw: process.env.BI_TEST_PASSWORD };

beforeAll(async () => {
  database = await freshDatabase();
  await loadDemo(database.db, { accounts: 150, seed: 8, now: NOW });
  process.env.DATABASE_URL = database.url;
  process.env.BI_TEST_PASSWORD = PASSWORD;
  // Two runs a week apart: history has two snapshots per account, transitions exist.
  expect((await runCommand(scoreCommand, ["--as-of", "2026-10-25T00:00:00Z"])).code).toBe(0);
  expect((await runCommand(scoreCommand, ["--as-of", NOW.toISOString()])).code).toBe(0);
  const granted = await runCommand(reportingCommand, ["grant", "--role", ROLE, "--password-env", "BI_TEST_PASSWORD"]);
  expect(granted.code).toBe(0);
  expect(granted.out).toContain(`Created read-only role "${ROLE}"`);
  const url = new URL(database.url);
  url.username = ROLE;
  url.password = PASSWORD;
  bi = new Client({ connectionString: url.toString() });
  await bi.connect();
}, 180_000);
afterAll(async () => {
  await bi?.end();
  process.env.DATABASE_URL = saved.url;
  if (saved.url === undefined) delete process.env.DATABASE_URL;
  process.env.BI_TEST_PASSWORD = saved.pw;
  await database?.drop();
  await admin(inject("pgServerUrl"), `DROP ROLE IF EXISTS "${ROLE}"`);
});

describe("the reporting role", () => {
  it("reads every view, each with rows, and the README's example query per view", async () => {
    for (const view of REPORTING_VIEWS) {
      const { rows } = await bi.query(`SELECT count(*)::int AS n FROM reporting.${view}`);
      expect(rows[0].n, view).toBeGreaterThan(0);
    }
    // Accounts per band now (current_scores), with search_path = reporting.
    const bands = await bi.query("SELECT band, count(*)::int AS accounts FROM current_scores WHERE model_line = 'default' GROUP BY band ORDER BY min(total) DESC");
    expect(bands.rows.reduce((n, r) => n + r.accounts, 0)).toBe(150);
    // Why a score: its contributions, one row per criterion with a label, adding up to the total.
    const top = (await bi.query("SELECT account_id, domain, total, as_of FROM current_scores ORDER BY total DESC LIMIT 1")).rows[0];
    expect(new Date(top.as_of).toISOString()).toBe(NOW.toISOString());
    const why = await bi.query("SELECT label, component, points FROM current_contributions WHERE domain = $1 ORDER BY points DESC", [top.domain]);
    expect(why.rows.length).toBeGreaterThan(3);
    expect(why.rows.every((r) => typeof r.label === "string" && r.label.length > 0)).toBe(true);
    expect(why.rows.reduce((s, r) => s + r.points, 0)).toBeCloseTo(top.total, 3);
    // A trend: two snapshots per account.
    const history = await bi.query("SELECT as_of, avg(total)::float8 AS average FROM score_history WHERE model_line = 'default' GROUP BY as_of ORDER BY as_of");
    expect(history.rows).toHaveLength(2);
    // SLA states as the API reports them.
    const sla = await bi.query("SELECT sla_state, count(*)::int AS n FROM band_transitions GROUP BY sla_state");
    expect(sla.rows.map((r) => r.sla_state).every((s) => ["MET", "BREACHED", "PENDING", "NO_SLA"].includes(s))).toBe(true);
    // KPI facts: what happened per band in one month.
    const kpi = await bi.query(`SELECT band_at_start, sum(meetings_held)::int AS meetings, sum(deals_won)::int AS won
      FROM kpi_facts WHERE model_line = 'default' AND window_start = '2026-10-01' GROUP BY band_at_start`);
    expect(kpi.rows.length).toBeGreaterThan(0);
  });

  it("agrees with the application's own numbers", async () => {
    const mine = await bi.query("SELECT domain, total, band, status FROM current_scores WHERE model_line = 'default' ORDER BY domain LIMIT 20");
    const truth = await database.db.query<{ domain: string; total: number; band: string; status: string }>(
      `SELECT a.domain, s.total::float8 AS total, s.band, s.status FROM account_scores s JOIN accounts a ON a.id = s.account_id
        WHERE s.as_of = $1 ORDER BY a.domain LIMIT 20`, [NOW]);
    expect(mine.rows).toEqual(truth);
  });

  it("is refused writes and the application's tables", async () => {
    await expect(bi.query("SELECT count(*) FROM public.accounts")).rejects.toThrow(/permission denied/);
    await expect(bi.query("SELECT count(*) FROM public.api_keys")).rejects.toThrow(/permission denied/);
    await expect(bi.query("DELETE FROM reporting.current_scores")).rejects.toThrow(/read-only transaction|permission denied|cannot delete/);
    await bi.query("SET default_transaction_read_only = off");
    await expect(bi.query("UPDATE reporting.score_history SET total = 0")).rejects.toThrow(/permission denied|cannot update/);
    await expect(bi.query("CREATE TABLE reporting.mine (x int)")).rejects.toThrow(/permission denied/);
    await expect(bi.query("CREATE TABLE public.mine (x int)")).rejects.toThrow(/permission denied/);
  });

  it("refuses a role name that is not a plain lowercase name, or one that administers the server", async () => {
    await expect(runCommand(reportingCommand, ["grant", "--role", "Robert'); DROP TABLE accounts;--"])).rejects.toThrow(/lowercase PostgreSQL name/);
    await expect(runCommand(reportingCommand, ["grant", "--role", "postgres"])).rejects.toThrow(/reserved/);
  });
});

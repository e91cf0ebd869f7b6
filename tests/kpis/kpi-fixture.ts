/**
 * A hand-built data set for the band KPI report, written so every number can be checked by
 * hand: 38 target accounts (12 Hot, 15 Warm, 10 Cold, 1 without a score) plus a non-target
 * account that must never count, a scoring model and runs inserted directly with SQL (no
 * dependency on the scoring engine), meetings and deals around the window's edges.
 *
 * Window: [2026-01-01, 2026-07-01). Bands at from come from run R1 (2025-12-15); W15 only has
 * a snapshot in the older run R0; U01 only in a FAILED run, so it has no band at from.
 * Holdout membership is written as history: H12 was held out at from and released on
 * 2026-03-01, so it is holdout in this window (and moved during it) though no longer flagged.
 */
import type { Database } from "../../src/platform/db/database";
import { insertRows } from "../support/fixtures";

export const FROM = new Date("2026-01-01T00:00:00Z");
export const TO = new Date("2026-07-01T00:00:00Z");

export interface DealSpec {
  outcome: "WON" | "LOST" | "OPEN";
  amount: number;
  created: string;
  closed?: string;
}

export interface AccountSpec {
  key: string;
  tier: "A" | "B" | "C" | null;
  /** Band and total at from; null = no snapshot at or before from. */
  band: "Hot" | "Warm" | "Cold" | null;
  total: number | null;
  holdout: boolean;
  /** meeting_held events inside the window. */
  meetings: number;
  deals: DealSpec[];
  target?: boolean;
  /** Snapshot only in the older run R0 (the per-account fallback). */
  onlyInR0?: boolean;
  /** When the account entered the holdout; default 2025-12-01. */
  holdoutAt?: string;
  /** When it left the holdout (released), if it did. */
  releasedAt?: string;
}

const W = (amount: number, created: string, closed: string): DealSpec => ({ outcome: "WON", amount, created, closed });
const L = (amount: number, created: string, closed: string): DealSpec => ({ outcome: "LOST", amount, created, closed });
const O = (amount: number, created: string): DealSpec => ({ outcome: "OPEN", amount, created });
const T = false;
const H = true;

/** [key, tier, band, total, holdout, meetings, deals] */
type Row = [string, AccountSpec["tier"], AccountSpec["band"], number | null, boolean, number, DealSpec[], Partial<AccountSpec>?];
const ROWS: Row[] = [
  ["H01", "A", "Hot", 92, T, 2, [W(40000, "2026-01-10", "2026-02-19")]],
  ["H02", "A", "Hot", 88, T, 1, [W(30000, "2025-11-01", "2026-01-31"), O(10000, "2026-03-01")]],
  ["H03", "B", "Hot", 85, T, 0, [L(20000, "2026-02-01", "2026-04-02")]],
  ["H04", "A", "Hot", 81, T, 1, [W(50000, "2026-03-01", "2026-04-10")]],
  ["H05", "B", "Hot", 78, T, 1, [O(15000, "2026-05-01")]],
  ["H06", "C", "Hot", 75, T, 0, []],
  ["H07", "A", "Hot", 72, T, 3, [W(25000, "2026-01-01T00:00:00Z", "2026-01-21T00:00:00Z")]],
  ["H08", "B", "Hot", 71, T, 0, [L(8000, "2026-04-01", "2026-06-30")]],
  ["H09", "A", "Hot", 90, H, 1, [W(20000, "2026-02-01", "2026-05-02")]],
  ["H10", "B", "Hot", 80, H, 0, [L(12000, "2026-01-15", "2026-03-15")]],
  ["H11", "C", "Hot", 74, H, 0, []],
  ["H12", "A", "Hot", 70, H, 1, [O(9000, "2026-06-30")], { releasedAt: "2026-03-01T00:00:00Z" }],
  ["W01", "A", "Warm", 65, T, 1, [W(15000, "2026-02-10", "2026-04-11")]],
  ["W02", "B", "Warm", 60, T, 0, [L(10000, "2026-01-20", "2026-02-19")]],
  ["W03", "B", "Warm", 58, T, 1, [O(7000, "2026-03-03")]],
  ["W04", "C", "Warm", 55, T, 0, []],
  ["W05", "C", "Warm", 52, T, 0, [W(9000, "2025-10-01", "2026-06-01")]],
  ["W06", "A", "Warm", 50, T, 2, [W(11000, "2026-04-01", "2026-05-16"), L(5000, "2026-04-01", "2026-05-01")]],
  ["W07", "B", "Warm", 47, T, 0, [W(13000, "2026-05-01", "2026-07-01T00:00:00Z")]],
  ["W08", "C", "Warm", 45, T, 0, []],
  ["W09", "B", "Warm", 44, T, 0, []],
  ["W10", "A", "Warm", 44, T, 1, [L(6000, "2026-02-01", "2026-03-01")]],
  ["W11", "B", "Warm", 62, H, 0, [W(7000, "2026-01-05", "2026-03-06")]],
  ["W12", "C", "Warm", 48, H, 1, []],
  ["W13", "A", "Warm", 43, H, 0, [L(4000, "2026-03-01", "2026-04-01")]],
  ["W14", "B", "Warm", 40, H, 0, []],
  ["W15", "B", "Warm", 57, T, 0, [O(3000, "2026-02-02")], { onlyInR0: true }],
  ["C01", "A", "Cold", 35, T, 0, []],
  ["C02", "B", "Cold", 30, T, 1, [L(3000, "2026-02-01", "2026-02-21")]],
  ["C03", "C", "Cold", 25, T, 0, []],
  ["C04", "C", "Cold", 20, T, 0, [O(2000, "2026-01-10")]],
  ["C05", "B", "Cold", 15, T, 0, []],
  ["C06", "C", "Cold", 22, T, 0, [W(4000, "2026-03-01", "2026-03-31")]],
  ["C07", null, "Cold", 5, T, 0, []],
  ["C08", "C", "Cold", 12, H, 0, []],
  ["C09", "B", "Cold", 22, H, 0, []],
  ["C10", "C", "Cold", 33, H, 1, []],
  ["U01", "A", null, null, T, 1, [W(5000, "2026-02-01", "2026-03-01")]],
  ["N01", "A", "Hot", 99, T, 5, [W(100000, "2026-02-01", "2026-03-01")], { target: false }],
];

export const ACCOUNTS: AccountSpec[] = ROWS.map(([key, tier, band, total, holdout, meetings, deals, extra]) =>
  ({ key, tier, band, total, holdout, meetings, deals, ...extra }));

export const BANDS = [
  { name: "Cold", minScore: 0, slaHours: null, play: "1:many" },
  { name: "Warm", minScore: 40, slaHours: 72, play: "1:few" },
  { name: "Hot", minScore: 70, slaHours: 24, play: "1:1" },
];

const at = (d: string) => new Date(d.length === 10 ? `${d}T12:00:00Z` : d);

export interface LoadedFixture {
  ids: Map<string, string>;
  modelId: string;
  runs: { r0: string; r1: string; failed: string; r2: string };
}

/** Loads the data set into an empty database. */
export async function loadKpiFixture(db: Database, modelName = "default"): Promise<LoadedFixture> {
  const ids = new Map<string, string>();
  for (const a of ACCOUNTS) {
    const [id] = await insertRows(db, "accounts", [{
      domain: `${a.key.toLowerCase()}.kpi.example`, name: `Account ${a.key}`, tier: a.tier, is_target: a.target ?? true,
      is_holdout: a.holdout && !a.releasedAt, holdout_assigned_at: a.holdout && !a.releasedAt ? new Date(a.holdoutAt ?? "2025-12-01T00:00:00Z") : null,
    }]);
    ids.set(a.key, id!);
    if (a.holdout) {
      await insertRows(db, "holdout_memberships", [{
        account_id: id, entered_at: new Date(a.holdoutAt ?? "2025-12-01T00:00:00Z"), entered_by: "fixture", entry_reason: "fixture holdout",
        exited_at: a.releasedAt ? new Date(a.releasedAt) : null, exited_by: a.releasedAt ? "fixture" : null, exit_reason: a.releasedAt ? "released mid-window" : null,
      }]);
    }
  }
  const [modelId] = await insertRows(db, "scoring_models", [{ name: modelName, version: 1, status: "ACTIVE", definition: JSON.stringify({ bands: BANDS }) }]);
  const run = async (asOf: string, status = "SUCCEEDED") =>
    (await insertRows(db, "scoring_runs", [{ model_id: modelId, as_of: new Date(asOf), status }]))[0]!;
  const runs = { r0: await run("2025-11-01T00:00:00Z"), r1: await run("2025-12-15T00:00:00Z"), failed: await run("2025-12-20T00:00:00Z", "FAILED"), r2: await run("2026-03-01T00:00:00Z") };

  const snapshot = async (runId: string, asOf: string, rows: { key: string; band: string; total: number }[]) => {
    await db.query(
      `INSERT INTO account_scores (run_id, account_id, model_id, as_of, total, fit, engagement, intent, committee, band, grade, status, contributions)
       SELECT $1, x.account_id, $2, $3, x.total, 0, 0, 0, 0, x.band, 'D4', 'NURTURE', '{}'::real[]
         FROM unnest($4::bigint[], $5::real[], $6::text[]) AS x(account_id, total, band)`,
      [runId, modelId, new Date(asOf), rows.map((r) => ids.get(r.key)), rows.map((r) => r.total), rows.map((r) => r.band)]);
  };
  const scored = ACCOUNTS.filter((a) => a.band !== null);
  await snapshot(runs.r1, "2025-12-15T00:00:00Z", scored.filter((a) => !a.onlyInR0).map((a) => ({ key: a.key, band: a.band!, total: a.total! })));
  // R0 is older: W15's only snapshot, and H01 in another band that R1 overrides.
  await snapshot(runs.r0, "2025-11-01T00:00:00Z", [{ key: "W15", band: "Warm", total: 57 }, { key: "H01", band: "Cold", total: 20 }]);
  // A failed run's snapshot never counts.
  await snapshot(runs.failed, "2025-12-20T00:00:00Z", [{ key: "U01", band: "Hot", total: 90 }]);
  // A run inside the window: the distribution over time.
  await snapshot(runs.r2, "2026-03-01T00:00:00Z", [
    { key: "H01", band: "Hot", total: 91 }, { key: "H02", band: "Hot", total: 85 }, { key: "W01", band: "Warm", total: 60 },
    { key: "W02", band: "Warm", total: 50 }, { key: "C01", band: "Cold", total: 10 },
  ]);

  let n = 0;
  const events: Record<string, unknown>[] = [];
  for (const a of ACCOUNTS) {
    for (let i = 0; i < a.meetings; i++) {
      events.push({ external_id: `m-${a.key}-${i}`, account_id: ids.get(a.key), type: "meeting_held", occurred_at: new Date(Date.UTC(2026, 1 + (n++ % 4), 3 + i)) });
    }
  }
  // Edges and noise that must not count as meetings.
  events.push({ external_id: "edge-to", account_id: ids.get("C01"), type: "meeting_held", occurred_at: TO });
  events.push({ external_id: "edge-before", account_id: ids.get("C03"), type: "meeting_held", occurred_at: new Date("2025-12-31T23:59:59Z") });
  events.push({ external_id: "edge-bot", account_id: ids.get("C05"), type: "meeting_held", occurred_at: new Date("2026-02-01T00:00:00Z"), is_bot: true, bot_reason: "test" });
  events.push({ external_id: "edge-page", account_id: ids.get("W04"), type: "page_view", occurred_at: new Date("2026-02-01T00:00:00Z") });
  events.push({ external_id: "edge-from", account_id: ids.get("W09"), type: "meeting_held", occurred_at: FROM });
  await insertRows(db, "engagement_events", events);

  const deals: Record<string, unknown>[] = [];
  for (const a of ACCOUNTS) {
    a.deals.forEach((d, i) => deals.push({
      external_id: `d-${a.key}-${i}`, account_id: ids.get(a.key), account_domain: `${a.key.toLowerCase()}.kpi.example`, amount: d.amount,
      outcome: d.outcome, created_at: at(d.created), closed_at: d.closed ? at(d.closed) : null,
    }));
  }
  await insertRows(db, "deals", deals);
  return { ids, modelId: modelId!, runs };
}

/** The fixture's meeting events inside the window per account (W09 also has one at exactly from). */
export function meetingsInWindow(a: AccountSpec): number {
  return a.meetings + (a.key === "W09" ? 1 : 0);
}

/** Hand computation of one side of one group from the specs (no SQL involved). */
export function handSide(accounts: readonly AccountSpec[]) {
  const inWindow = (d: string | undefined) => d !== undefined && at(d) >= FROM && at(d) < TO;
  const created = accounts.flatMap((a) => a.deals.filter((d) => inWindow(d.created)));
  const closed = accounts.flatMap((a) => a.deals.filter((d) => d.outcome !== "OPEN" && inWindow(d.closed)));
  const won = closed.filter((d) => d.outcome === "WON");
  const days = won.map((d) => (at(d.closed!).getTime() - at(d.created).getTime()) / 86_400_000).sort((x, y) => x - y);
  const acv = won.map((d) => d.amount).sort((x, y) => x - y);
  return {
    accounts: accounts.length,
    met: accounts.filter((a) => meetingsInWindow(a) > 0).length,
    withOpp: accounts.filter((a) => a.deals.some((d) => inWindow(d.created))).length,
    opps: created.length,
    pipeline: created.reduce((s, d) => s + d.amount, 0),
    pipelinePerAccount: accounts.map((a) => a.deals.filter((d) => inWindow(d.created)).reduce((s, d) => s + d.amount, 0)),
    closed: closed.length,
    won: won.length,
    accountsWon: accounts.filter((a) => a.deals.some((d) => d.outcome === "WON" && inWindow(d.closed))).length,
    acv,
    days,
  };
}

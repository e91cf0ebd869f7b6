/**
 * The KPIs DESIGN §5 adds by band — expansion rate, speed to first touch (with `untouched`),
 * SQL rate from the contact score history, meetings per target account — and holdout
 * membership at `from` from the history (joined / left mid-window, released before, re-added),
 * each checked against values computed by hand from the small data set below; and the Holm
 * adjustment over the whole report.
 *
 * Window [2026-01-01, 2026-04-01), model "more" v1 (inserted directly), bands from run R1
 * (2025-12-15). At from, Hot treated: T1 T2 T3 T4 J1 R1; Hot holdout: H1 H2 H3 L1 X1.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, type GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { compareRates, compareValues, holmAdjust, meanInterval, meanRatioInterval, medianInterval, wilsonInterval } from "../../src/kpis/kpi-stats";
import { DEFAULT_KPI_SEED } from "../../src/kpis/band-kpi.service";
import { insertRows } from "../support/fixtures";
import { startTestServer, type TestServer } from "../support/server";
import { KPI_GROUP } from "./kpi-documents";

const REPORT = gql`
  query More($input: BandKpiInput!) {
    bandKpis(input: $input) {
      treatedAccounts holdoutAccounts holdoutEnteredAfterFrom holdoutLeftDuringWindow movedDuringWindow comparisons pValueAdjustment
      overall { ...KpiGroupFields } groups { ...KpiGroupFields }
    }
  }
  ${KPI_GROUP}
`;

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let server: TestServer;
let client: GraphQLClient;
let report: Any;
const ITERATIONS = 200;
const FROM = new Date("2026-01-01T00:00:00Z");
const TO = new Date("2026-04-01T00:00:00Z");
const d = (s: string) => new Date(s);

beforeAll(async () => {
  server = await startTestServer();
  client = await server.client(Role.ANALYST);
  const db = server.database.db;
  const ids = new Map<string, string>();
  for (const key of ["T1", "T2", "T3", "T4", "J1", "R1", "H1", "H2", "H3", "L1", "X1", "N1"]) {
    const [id] = await insertRows(db, "accounts", [{ domain: `${key.toLowerCase()}.more.example`, name: key, tier: "A", is_target: key !== "N1" }]);
    ids.set(key, id!);
  }
  const id = (k: string) => ids.get(k)!;
  const [model] = await insertRows(db, "scoring_models", [{ name: "more", version: 1, status: "ACTIVE", definition: JSON.stringify({ bands: [{ name: "Warm", minScore: 40 }, { name: "Hot", minScore: 70, slaHours: 24, play: "1:1" }] }) }]);
  const [other] = await insertRows(db, "scoring_models", [{ name: "elsewhere", version: 1, status: "ACTIVE", definition: JSON.stringify({ bands: [] }) }]);
  const run = async (asOf: string, status = "SUCCEEDED", m = model) => (await insertRows(db, "scoring_runs", [{ model_id: m, as_of: d(asOf), status }]))[0]!;
  const r1 = await run("2025-12-15T00:00:00Z");
  const rIn = await run("2026-02-01T00:00:00Z");
  const rFailed = await run("2026-02-10T00:00:00Z", "FAILED");
  const rOther = await run("2025-12-15T00:00:00Z", "SUCCEEDED", other);
  await db.query(
    `INSERT INTO account_scores (run_id, account_id, model_id, as_of, total, fit, engagement, intent, committee, band, grade, status, contributions)
     SELECT $1, a.id, $2, '2025-12-15T00:00:00Z', 80, 0, 0, 0, 0, 'Hot', 'D4', 'NURTURE', '{}' FROM accounts a`, [r1, model]);

  // Holdout history: H1 H2 H3 in since 2025-12-01; L1 in since 2025-12-01 and released mid-window;
  // J1 joined mid-window; R1 in and out before the window; X1 out before and re-added before from.
  const stay = (k: string, entered: string, exited: string | null = null) => ({
    account_id: id(k), entered_at: d(entered), entry_reason: "test", exited_at: exited ? d(exited) : null, exit_reason: exited ? "test" : null,
  });
  await insertRows(db, "holdout_memberships", [
    stay("H1", "2025-12-01T00:00:00Z"), stay("H2", "2025-12-01T00:00:00Z"), stay("H3", "2025-12-01T00:00:00Z"),
    stay("L1", "2025-12-01T00:00:00Z", "2026-02-15T00:00:00Z"), stay("J1", "2026-02-01T00:00:00Z"),
    stay("R1", "2025-06-01T00:00:00Z", "2025-09-01T00:00:00Z"), stay("X1", "2025-06-01T00:00:00Z", "2025-09-01T00:00:00Z"), stay("X1", "2025-11-01T00:00:00Z"),
  ]);

  // Meetings: T1 3, T2 1, J1 2 (treated); H1 1, L1 1, a bot-flagged one at H2 (holdout); one at `to` (excluded).
  let n = 0;
  const event = (k: string, type: string, at: string, extra: Any = {}) => ({ external_id: `e${n++}`, account_id: id(k), type, occurred_at: d(at), ...extra });
  await insertRows(db, "engagement_events", [
    event("T1", "meeting_held", "2026-01-05T00:00:00Z"), event("T1", "meeting_held", "2026-02-05T00:00:00Z"), event("T1", "meeting_held", "2026-03-05T00:00:00Z"),
    event("T2", "meeting_held", "2026-01-10T00:00:00Z"), event("J1", "meeting_held", "2026-01-11T00:00:00Z"), event("J1", "meeting_held", "2026-03-11T00:00:00Z"),
    event("H1", "meeting_held", "2026-02-20T00:00:00Z"), event("L1", "meeting_held", "2026-01-20T00:00:00Z"),
    event("H2", "meeting_held", "2026-01-21T00:00:00Z", { is_bot: true, bot_reason: "test" }), event("T3", "meeting_held", "2026-04-01T00:00:00Z"),
    // sales touches: T1 one before its entry (ignored) and one 36 h after; T2 24 h after (before from);
    // H1 840 h after; H2 only at `to` (untouched); T4 one, but no entry into Hot; a bot-flagged one at T3
    event("T1", "sales_touch", "2025-12-30T00:00:00Z"), event("T1", "sales_touch", "2026-01-01T12:00:00Z"), event("T1", "sales_touch", "2026-01-03T00:00:00Z"),
    event("T2", "sales_touch", "2025-12-31T00:00:00Z"), event("H1", "sales_touch", "2026-01-05T00:00:00Z"), event("H2", "sales_touch", "2026-04-01T00:00:00Z"),
    event("T4", "sales_touch", "2026-01-02T00:00:00Z"), event("T3", "sales_touch", "2026-01-02T00:00:00Z", { is_bot: true, bot_reason: "test" }),
  ]);

  // Band entries (model "more"): T1 into Hot twice (the latest counts), T2, T3, H1, H2 into Hot; T4 only into Warm;
  // an entry of another model for H3 (ignored); an entry after from for H3 (ignored).
  const entry = (k: string, to: string, at: string, m = model, runId = r1) => ({ account_id: id(k), model_id: m, run_id: runId, kind: "BAND", to_value: to, entered_at: d(at) });
  await insertRows(db, "band_transitions", [
    entry("T1", "Hot", "2025-06-01T00:00:00Z"), entry("T1", "Hot", "2025-12-31T00:00:00Z"), entry("T2", "Hot", "2025-12-30T00:00:00Z"),
    entry("T3", "Hot", "2025-12-20T00:00:00Z"), entry("T4", "Warm", "2025-12-20T00:00:00Z"), entry("H1", "Hot", "2025-12-01T00:00:00Z"),
    entry("H2", "Hot", "2025-12-02T00:00:00Z"), entry("H3", "Hot", "2025-12-02T00:00:00Z", other, rOther), entry("H3", "Hot", "2026-01-15T00:00:00Z"),
  ]);

  // Deals: customers at from T1, T2, H1, H2 (won before from); in the window T1 and H1 win again, T2 loses, T3 (no customer) wins.
  let k = 0;
  const deal = (a: string, outcome: string, created: string, closed: string) => ({
    external_id: `d${k++}`, account_id: id(a), account_domain: `${a.toLowerCase()}.more.example`, amount: 1000, outcome, created_at: d(created), closed_at: d(closed),
  });
  await insertRows(db, "deals", [
    deal("T1", "WON", "2025-08-01T00:00:00Z", "2025-10-01T00:00:00Z"), deal("T2", "WON", "2025-09-01T00:00:00Z", "2025-11-01T00:00:00Z"),
    deal("H1", "WON", "2025-07-01T00:00:00Z", "2025-09-01T00:00:00Z"), deal("H2", "WON", "2025-06-01T00:00:00Z", "2025-08-01T00:00:00Z"),
    deal("T1", "WON", "2026-01-10T00:00:00Z", "2026-02-10T00:00:00Z"), deal("T2", "LOST", "2026-01-10T00:00:00Z", "2026-02-10T00:00:00Z"),
    deal("H1", "WON", "2026-01-10T00:00:00Z", "2026-03-10T00:00:00Z"), deal("T3", "WON", "2026-01-10T00:00:00Z", "2026-02-20T00:00:00Z"),
  ]);

  // Contacts: T1 two (+1 internal), T2 two, H1 two. First SQL in the window: T1c1 and H1c1; T1c2 was SQL before from;
  // T2c1 only MQL; T2c2 SQL only in a FAILED run; the internal contact SQL (never counts).
  const contact = async (a: string, name: string, internal = false) => (await insertRows(db, "contacts", [{
    email: `${name}@${a.toLowerCase()}.more.example`, email_domain: `${a.toLowerCase()}.more.example`, account_id: id(a), is_internal: internal,
  }]))[0]!;
  const t1c1 = await contact("T1", "c1");
  const t1c2 = await contact("T1", "c2");
  const t1i = await contact("T1", "internal", true);
  const t2c1 = await contact("T2", "c1");
  const t2c2 = await contact("T2", "c2");
  const h1c1 = await contact("H1", "c1");
  await contact("H1", "c2");
  const snap = (runId: string, contactId: string, a: string, asOf: string, status: string) => ({
    run_id: runId, contact_id: contactId, account_id: id(a), model_id: model, as_of: d(asOf), total: 80, fit: 0, engagement: 0, status, contributions: "{}",
  });
  for (const row of [
    snap(rIn, t1c1, "T1", "2026-02-01T00:00:00Z", "SQL"), snap(r1, t1c2, "T1", "2025-12-15T00:00:00Z", "SQL"), snap(rIn, t1c2, "T1", "2026-02-01T00:00:00Z", "SQL"),
    snap(rIn, t1i, "T1", "2026-02-01T00:00:00Z", "SQL"), snap(rIn, t2c1, "T2", "2026-02-01T00:00:00Z", "MQL"), snap(rFailed, t2c2, "T2", "2026-02-10T00:00:00Z", "SQL"),
    snap(rIn, h1c1, "H1", "2026-02-01T00:00:00Z", "SQL"),
    ]) {
    await db.query(
      `INSERT INTO contact_scores (run_id, contact_id, account_id, model_id, as_of, total, fit, engagement, status, contributions)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [row.run_id, row.contact_id, row.account_id, row.model_id, row.as_of, row.total, row.fit, row.engagement, row.status, row.contributions]);
  }

  report = (await client.request<{ bandKpis: Any }>(REPORT, { input: { model: "more", from: FROM.toISOString(), to: TO.toISOString(), bootstrapIterations: ITERATIONS } })).bandKpis;
});
afterAll(async () => { await server?.stop(); });

const hot = () => report.groups.find((g: Any) => g.band === "Hot");
const close = (actual: number | null, expected: number | null | undefined) => {
  if (expected === null || expected === undefined) expect(actual).toBeNull();
  else expect(actual).toBeCloseTo(expected, 9);
};

describe("bandKpis: holdout membership at from, from the history", () => {
  it("puts each account on its side at from, and counts the ones that moved during the window", () => {
    expect(report.treatedAccounts).toBe(6); // T1 T2 T3 T4, J1 (joined mid-window), R1 (released before from)
    expect(report.holdoutAccounts).toBe(5); // H1 H2 H3, L1 (released mid-window), X1 (re-added before from)
    expect([hot().treated.accounts, hot().holdout.accounts]).toEqual([6, 5]);
    expect(report).toMatchObject({ holdoutEnteredAfterFrom: 1, holdoutLeftDuringWindow: 1, movedDuringWindow: 2 });
    expect([hot().treated.movedDuringWindow, hot().holdout.movedDuringWindow]).toEqual([1, 1]);
  });
});

describe("bandKpis: the KPIs DESIGN §5 adds, against hand-computed values", () => {
  it("meetings per target account: meeting_held events (no bots) in the window / accounts", () => {
    const g = hot();
    // treated T1 3, T2 1, J1 2 of 6 accounts; holdout H1 1, L1 1 of 5
    expect([g.treated.meetings, g.holdout.meetings]).toEqual([6, 2]);
    close(g.treated.meetingsPerAccount.value, 1);
    close(g.holdout.meetingsPerAccount.value, 0.4);
    const t = meanInterval({ n: 6, mean: 1, sd: Math.sqrt(((3 - 1) ** 2 + 0 + 1 + 1 + (2 - 1) ** 2 + 1) / 5) }); // per account 3 1 0 0 2 0
    close(g.treated.meetingsPerAccount.low, t.low);
    close(g.treated.meetingsPerAccount.high, t.high);
    const lift = meanRatioInterval({ n: 6, mean: 1, sd: Math.sqrt(8 / 5) }, { n: 5, mean: 0.4, sd: Math.sqrt((0.6 ** 2 * 2 + 0.4 ** 2 * 3) / 4) });
    close(g.lift.meetingsPerAccount.estimate, 2.5);
    close(g.lift.meetingsPerAccount.low, lift.low);
    close(g.lift.meetingsPerAccount.pValue, lift.pValue);
    expect(g.treated.meetingRate).toMatchObject({ x: 3, n: 6 });
  });

  it("expansion rate: customers at from with a WON deal closed in the window / customers at from", () => {
    const g = hot();
    expect([g.treated.customersAtFrom, g.treated.customersExpanded, g.holdout.customersAtFrom, g.holdout.customersExpanded]).toEqual([2, 1, 2, 1]);
    expect(g.treated.expansionRate).toMatchObject({ value: 0.5, x: 1, n: 2, method: "wilson" });
    close(g.treated.expansionRate.low, wilsonInterval(1, 2)!.low);
    const c = compareRates({ x: 1, n: 2 }, { x: 1, n: 2 });
    close(g.lift.expansionRate.estimate, 1);
    close(g.lift.expansionRate.low, c.liftLow);
    close(g.lift.expansionRate.pValue, c.pValue);
    expect(g.lift.expansionRate.warning).toMatch(/Too small/);
  });

  it("speed to first touch: median hours from the latest band entry to the first sales touch, untouched counted apart", () => {
    const g = hot();
    // treated: T1 36 h (entry 2025-12-31, touch 2026-01-01 12:00), T2 24 h, T3 untouched (its touch is bot-flagged); T4 never entered Hot
    expect(g.treated).toMatchObject({ accountsWithBandEntry: 3, touchedAccounts: 2, untouched: 1 });
    expect(g.treated.medianHoursToFirstTouch).toMatchObject({ value: 30, n: 2 });
    // holdout: H1 840 h (35 days); H2 touched only at `to`; H3's entries are of another model or after from
    expect(g.holdout).toMatchObject({ accountsWithBandEntry: 2, touchedAccounts: 1, untouched: 1 });
    expect(g.holdout.medianHoursToFirstTouch.value).toBe(840);
    const mi = medianInterval([24, 36]);
    close(g.treated.medianHoursToFirstTouch.low, mi.low);
    const c = compareValues([24, 36], [840], "median", DEFAULT_KPI_SEED, { iterations: ITERATIONS });
    close(g.lift.medianHoursToFirstTouch.estimate, 30 / 840);
    close(g.lift.medianHoursToFirstTouch.estimate, c.lift);
    expect(g.lift.medianHoursToFirstTouch.note).toBe(c.liftNote);
  });

  it("SQL rate: contacts that first reached SQL in the window / non-internal contacts", () => {
    const g = hot();
    // treated: T1c1 (first SQL 2026-02-01) of T1c1 T1c2 T2c1 T2c2; T1c2 was SQL before from, T2c2's SQL is in a FAILED run
    expect([g.treated.contactsReachedSql, g.treated.contacts]).toEqual([1, 4]);
    expect([g.holdout.contactsReachedSql, g.holdout.contacts]).toEqual([1, 2]);
    expect(g.treated.sqlRate).toMatchObject({ value: 0.25, x: 1, n: 4 });
    const c = compareRates({ x: 1, n: 4 }, { x: 1, n: 2 });
    close(g.lift.sqlRate.estimate, 0.5);
    close(g.lift.sqlRate.high, c.liftHigh);
    close(g.lift.sqlRate.pValue, c.pValue);
  });

  it("adjusts every lift p-value of the report by Holm, and significant follows the adjusted one", () => {
    const all = [report.overall, ...report.groups];
    const keys = Object.keys(hot().lift);
    expect(keys).toHaveLength(10);
    const raw = all.flatMap((g: Any) => keys.map((k) => g.lift[k].pValue as number | null));
    const adjusted = all.flatMap((g: Any) => keys.map((k) => g.lift[k].adjustedPValue as number | null));
    expect(report.comparisons).toBe(raw.filter((p) => p !== null).length);
    expect(report.pValueAdjustment).toBe("holm");
    holmAdjust(raw).forEach((p, i) => close(adjusted[i]!, p));
    for (const g of all) for (const k of keys) expect(g.lift[k].significant).toBe(g.lift[k].adjustedPValue !== null && g.lift[k].adjustedPValue < 0.05);
  });
});

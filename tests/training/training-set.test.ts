/**
 * The point-in-time training set: the scoring engine evaluated per closed deal as of the deal's
 * creation. A target at T must get exactly what a scoring run as of T stores, and facts that
 * happen after a deal's creation must not change its row (no leakage).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphQLClient } from "graphql-request";
import type { Database } from "../../src/platform/db/database";
import { normaliseModelInput } from "../../src/scoring/model-validation";
import { DEFAULT_EVENT_TYPES } from "../../src/platform/config/config";
import { evaluateDeals } from "../../src/training/training-set.sql";
import { insertRows } from "../support/fixtures";
import { startTestServer, type TestServer } from "../support/server";
import { account, contact, createModel, daysBefore, events, hoursAfter, intent, modelInput, rule, runScoring, T } from "../scoring/support";

let server: TestServer;
let client: GraphQLClient;
let db: Database;

beforeAll(async () => {
  server = await startTestServer();
  client = await server.client();
  db = server.database.db;
});
afterAll(async () => { await server?.stop(); });

let dealSeq = 0;
async function deal(accountId: string, domain: string, createdAt: Date, outcome: "WON" | "LOST"): Promise<string> {
  const [id] = await insertRows(db, "deals", [{
    external_id: `t-deal-${++dealSeq}`, account_id: accountId, account_domain: domain, amount: 1000, outcome,
    created_at: createdAt, closed_at: new Date(createdAt.getTime() + 30 * 86_400_000),
  }]);
  return id!;
}

/** A model with every kind of criterion: fit, decayed and capped engagement with roll-up, intent, committee. */
function richModel(name: string, rollup: "NONE" | "SUM" | "MAX") {
  return modelInput(name, {
    weights: { fit: 0.3, engagement: 0.3, intent: 0.2, committee: 0.2 },
    fitRules: [
      { key: "software", label: "Software", field: "industry", operator: "EQ", values: ["Software"], points: 60 },
      { key: "big", label: "Big", field: "employees", operator: "GTE", min: 500, points: 50 },
    ],
    engagementRules: [
      rule("webinars", ["webinar_attended"], 10, { halfLifeDays: 30, lookbackDays: 90, capPerContact: 25, capPerAccount: 60 }),
      rule("demos", ["demo_request"], 30, { halfLifeDays: 15, lookbackDays: 60 }),
    ],
    roleMultipliers: [{ role: "DECISION_MAKER", multiplier: 1.5 }],
    intentRules: [{ key: "abm", label: "ABM", topics: ["account based marketing"], points: 50, halfLifeDays: 21, lookbackDays: 60, capPerAccount: 70 }],
    committee: { requiredRoles: ["DECISION_MAKER", "CHAMPION"], pointsPerRole: 40, minEngagedContacts: 2, breadthBonus: 20, engagedThreshold: 5 },
    rollup,
  });
}

describe("training rows", () => {
  it("give a deal created at T exactly the total and band a scoring run as of T stores, with roll-up", async () => {
    const parent = await account(db, "pit-parent.test", { industry: "Software", employees: 800 });
    const child = await account(db, "pit-child.test", { parent_id: parent, employees: 100 });
    const other = await account(db, "pit-other.test", { industry: "Retail" });
    const dm = await contact(db, parent, "dm@pit-parent.test", { role: "DECISION_MAKER" });
    const ch = await contact(db, child, "ch@pit-child.test", { role: "CHAMPION" });
    const ot = await contact(db, other, "x@pit-other.test", { role: "CHAMPION" });
    await events(db, [
      { account: parent, contact: dm, type: "webinar_attended", at: daysBefore(10) },
      { account: parent, contact: dm, type: "demo_request", at: daysBefore(20) },
      { account: child, contact: ch, type: "webinar_attended", at: daysBefore(40) },
      { account: child, contact: ch, type: "webinar_attended", at: daysBefore(100) }, // outside the 90-day lookback
      { account: other, contact: ot, type: "demo_request", at: daysBefore(5) },
      { account: other, contact: ot, type: "demo_request", at: daysBefore(1), bot: true }, // never counts
    ]);
    await intent(db, parent, "pit-parent.test", "Account Based Marketing", 80, daysBefore(7));
    const deals = [
      await deal(parent, "pit-parent.test", T, "WON"),
      await deal(child, "pit-child.test", T, "LOST"),
      await deal(other, "pit-other.test", T, "LOST"),
    ];
    for (const rollup of ["NONE", "SUM", "MAX"] as const) {
      const input = richModel(`pit-${rollup.toLowerCase()}`, rollup);
      const modelId = await createModel(client, input);
      const run = await runScoring(client, { modelId, asOf: T });
      const stored = await db.query<{ account_id: string; total: number; band: string; fit: number; engagement: number }>(
        "SELECT account_id::text, total, band, fit, engagement FROM account_scores WHERE run_id = $1", [run.rowId]);
      const def = normaliseModelInput(input as never, { eventTypes: DEFAULT_EVENT_TYPES }).definition;
      const rows = await evaluateDeals(db, def, { dealIds: deals });
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        const s = stored.find((x) => x.account_id === row.accountId)!;
        expect(row.total).toBe(s.total);
        expect(row.band).toBe(s.band);
        expect(row.fit).toBe(s.fit);
        expect(row.parts).toHaveLength(def.criteria.length);
      }
    }
    // The parent under SUM: its own webinar (10 × 1.5 × 0.5^(10/30)) plus the child's (10 × 0.5^(40/30)).
    const sum = normaliseModelInput(richModel("pit-check", "SUM") as never, { eventTypes: DEFAULT_EVENT_TYPES }).definition;
    const [parentRow] = await evaluateDeals(db, sum, { dealIds: [deals[0]!] });
    const webinars = parentRow!.parts[2]!;
    expect(webinars).toBeCloseTo(15 * 0.5 ** (10 / 30) + 10 * 0.5 ** (40 / 30), 6);
  });

  it("do not change when facts after the deal's creation arrive (no leakage), but do when late-loaded facts from before it arrive", async () => {
    const a = await account(db, "leak.test", { industry: "Software" });
    const ann = await contact(db, a, "ann@leak.test", { role: "DECISION_MAKER" });
    await events(db, [{ account: a, contact: ann, type: "webinar_attended", at: daysBefore(3) }]);
    const created = T;
    const id = await deal(a, "leak.test", created, "WON");
    const def = normaliseModelInput(richModel("leak", "SUM") as never, { eventTypes: DEFAULT_EVENT_TYPES }).definition;
    const before = (await evaluateDeals(db, def, { dealIds: [id] }))[0]!;

    // Everything a won deal typically collects after it was opened: meetings, demos, a new
    // champion, intent, a subsidiary's engagement, another deal on the account.
    const bob = await contact(db, a, "bob@leak.test", { role: "CHAMPION" });
    const sub = await account(db, "sub.leak.test", { parent_id: a });
    const subContact = await contact(db, sub, "sue@sub.leak.test");
    await events(db, [
      { account: a, contact: ann, type: "demo_request", at: hoursAfter(1, created) },
      { account: a, contact: bob, type: "webinar_attended", at: hoursAfter(2, created) },
      { account: a, contact: bob, type: "demo_request", at: hoursAfter(24 * 10, created) },
      { account: sub, contact: subContact, type: "webinar_attended", at: hoursAfter(5, created) },
    ]);
    await intent(db, a, "leak.test", "account based marketing", 100, hoursAfter(3, created));
    await deal(a, "leak.test", hoursAfter(48, created), "LOST");
    const after = (await evaluateDeals(db, def, { dealIds: [id] }))[0]!;
    expect(after.parts).toEqual(before.parts);
    expect(after.total).toBe(before.total);
    expect(after.band).toBe(before.band);

    // A fact dated before the creation but loaded late does count: time is the fact's, not the load's.
    await events(db, [{ account: a, contact: bob, type: "demo_request", at: daysBefore(1, created) }]);
    const late = (await evaluateDeals(db, def, { dealIds: [id] }))[0]!;
    expect(late.parts[3]).toBeGreaterThan(before.parts[3]!);
  });

  it("cover only closed deals of known accounts, in the window asked for", async () => {
    const a = await account(db, "window.test");
    const open = await insertRows(db, "deals", [{ external_id: "t-open", account_id: a, account_domain: "window.test", amount: 5, outcome: "OPEN", created_at: T }]);
    const held = await insertRows(db, "deals", [{ external_id: "t-held", account_id: null, account_domain: "nobody.test", amount: 5, outcome: "WON", created_at: T, closed_at: T }]);
    const won = await deal(a, "window.test", daysBefore(200), "WON");
    const def = normaliseModelInput(richModel("window", "NONE") as never, { eventTypes: DEFAULT_EVENT_TYPES }).definition;
    const all = await evaluateDeals(db, def, { closedFrom: null, closedTo: null });
    const ids = all.map((r) => r.dealId);
    expect(ids).toContain(won);
    expect(ids).not.toContain(open[0]);
    expect(ids).not.toContain(held[0]);
    const closedAt = new Date(daysBefore(200).getTime() + 30 * 86_400_000);
    const windowed = await evaluateDeals(db, def, { closedFrom: closedAt, closedTo: new Date(closedAt.getTime() + 1) });
    expect(windowed.map((r) => r.dealId)).toEqual([won]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, type GraphQLClient } from "graphql-request";
import type { Database } from "../../src/platform/db/database";
import { activateThroughCouncil } from "../support/council";
import { startTestServer, type TestServer } from "../support/server";
import {
  account, contact, createModel, daysBefore, events, hoursAfter, intent, modelInput, points, rule, runScoring, scoreIn, sumOf, T,
  type Score,
} from "./support";

/**
 * Every rule kind of DESIGN §3 on tiny hand-built data, each expectation computed by hand in a
 * comment. Unless a test says otherwise, rules do not decay (half-life 10,000 days, events at
 * T) and the model's only weight is the component under test, so total = that component.
 */
let server: TestServer;
let client: GraphQLClient;
let db: Database;

beforeAll(async () => {
  server = await startTestServer();
  client = await server.client();
  db = server.database.db;
});
afterAll(async () => { await server?.stop(); });

/** Creates the model, runs it as of `asOf` and returns a reader for the run's snapshots. */
async function scoreWith(input: Record<string, unknown>, asOf = T): Promise<{ modelId: string; runId: string; score: (domain: string) => Promise<Score> }> {
  const modelId = await createModel(client, input);
  const run = await runScoring(client, { modelId, asOf });
  expect(run.status).toBe("SUCCEEDED");
  return { modelId, runId: run.rowId, score: (domain) => scoreIn(client, domain, modelId, run.id) };
}

describe("engagement decay", () => {
  it("halves per half-life: 10 points at age 0, 30 and 60 days with a 30-day half-life give 10, 5 and 2.5", async () => {
    for (const [domain, age] of [["decay0.test", 0], ["decay1.test", 30], ["decay2.test", 60]] as const) {
      const a = await account(db, domain);
      const c = await contact(db, a, `p@${domain}`);
      await events(db, [{ account: a, contact: c, type: "webinar_attended", at: daysBefore(age) }]);
    }
    const { score } = await scoreWith(modelInput("decay", { engagementRules: [rule("webinars", ["webinar_attended"], 10, { halfLifeDays: 30, lookbackDays: 90 })] }));
    // 10 × 0.5^(0/30) = 10; 10 × 0.5^(30/30) = 5; 10 × 0.5^(60/30) = 2.5
    expect((await score("decay0.test")).engagement).toBeCloseTo(10, 5);
    expect((await score("decay1.test")).engagement).toBeCloseTo(5, 5);
    const two = await score("decay2.test");
    expect(two.engagement).toBeCloseTo(2.5, 5);
    expect(two.total).toBeCloseTo(2.5, 5);
    expect(points(two, "webinars")).toBeCloseTo(2.5, 5);
  });
});

describe("caps, exclusions and multipliers", () => {
  it("caps each contact's points per rule, then the account's", async () => {
    const a = await account(db, "caps.test");
    const ann = await contact(db, a, "ann@caps.test");
    const bob = await contact(db, a, "bob@caps.test");
    const solo = await account(db, "capsolo.test");
    const sue = await contact(db, solo, "sue@capsolo.test");
    await events(db, [
      ...[1, 2, 3, 4].map(() => ({ account: a, contact: ann, type: "content_download", at: T })),
      ...[1, 2].map(() => ({ account: a, contact: bob, type: "content_download", at: T })),
      ...[1, 2, 3, 4].map(() => ({ account: solo, contact: sue, type: "content_download", at: T })),
    ]);
    const { score } = await scoreWith(modelInput("caps", { engagementRules: [rule("content", ["content_download"], 10, { capPerContact: 25, capPerAccount: 30 })] }));
    // ann: 4 × 10 = 40 → contact cap 25; bob: 2 × 10 = 20; account: 25 + 20 = 45 → account cap 30
    expect((await score("caps.test")).engagement).toBeCloseTo(30, 5);
    // sue alone: 40 → 25 (the account cap of 30 is not reached)
    expect((await score("capsolo.test")).engagement).toBeCloseTo(25, 5);
  });

  it("never counts internal contacts, bot or prefetch events, facts after T, events past the lookback, other types, or unstitched events", async () => {
    const a = await account(db, "excl.test");
    const staff = await contact(db, a, "rep+excl.test@quorum.example", { is_internal: true });
    const buyer = await contact(db, a, "buyer@excl.test");
    await events(db, [
      { account: a, contact: staff, type: "pricing_page_view", at: T }, // internal contact
      { account: a, contact: buyer, type: "pricing_page_view", at: T, bot: true }, // bot
      { account: a, contact: buyer, type: "pricing_page_view", at: hoursAfter(1) }, // after T
      { account: a, contact: buyer, type: "pricing_page_view", at: daysBefore(31) }, // past the 30-day lookback
      { account: a, contact: buyer, type: "page_view", at: T }, // no rule for it
      { account: null, contact: null, type: "pricing_page_view", at: T }, // held: no account yet
      { account: a, contact: buyer, type: "pricing_page_view", at: daysBefore(30) }, // counts: age 30 ≤ lookback 30
    ]);
    const { score } = await scoreWith(modelInput("excl", { engagementRules: [rule("pricing", ["pricing_page_view"], 10, { lookbackDays: 30 })] }));
    // only the last event counts: 10 × 0.5^(30/10000) = 9.97923…
    expect((await score("excl.test")).engagement).toBeCloseTo(10 * Math.pow(0.5, 30 / 10_000), 4);
  });

  it("matches assets by glob, case-insensitively", async () => {
    const a = await account(db, "glob.test");
    const c = await contact(db, a, "x@glob.test");
    await events(db, [
      { account: a, contact: c, type: "page_view", at: T, asset: "/Careers/engineer" },
      { account: a, contact: c, type: "page_view", at: T, asset: "/careers" },
      { account: a, contact: c, type: "page_view", at: T, asset: "/blog/careers-in-sales" },
      { account: a, contact: c, type: "page_view", at: T, asset: "/pricing" },
    ]);
    const { score } = await scoreWith(modelInput("glob", { engagementRules: [rule("careers", ["page_view"], 7, { assetPattern: "/careers*" })] }));
    // /Careers/engineer and /careers match; the blog post and /pricing do not: 2 × 7 = 14
    expect((await score("glob.test")).engagement).toBeCloseTo(14, 5);
  });

  it("multiplies by the contact's role before capping; anonymous visits count as one contact", async () => {
    const a = await account(db, "roles.test");
    const dm = await contact(db, a, "dm@roles.test", { role: "DECISION_MAKER" });
    const big = await account(db, "rolecap.test");
    const dm2 = await contact(db, big, "dm@rolecap.test", { role: "DECISION_MAKER" });
    const anon = await account(db, "anon.test");
    await events(db, [
      { account: a, contact: dm, type: "webinar_attended", at: T },
      ...[1, 2, 3].map(() => ({ account: big, contact: dm2, type: "webinar_attended", at: T })),
      ...[1, 2, 3].map(() => ({ account: anon, contact: null, type: "webinar_attended", at: T })),
    ]);
    const { score } = await scoreWith(modelInput("roles", {
      engagementRules: [rule("webinars", ["webinar_attended"], 10, { capPerContact: 40 })],
      roleMultipliers: [{ role: "DECISION_MAKER", multiplier: 1.5 }],
    }));
    expect((await score("roles.test")).engagement).toBeCloseTo(15, 5); // 10 × 1.5
    expect((await score("rolecap.test")).engagement).toBeCloseTo(40, 5); // 3 × 10 × 1.5 = 45 → cap 40
    expect((await score("anon.test")).engagement).toBeCloseTo(30, 5); // 3 × 10 × 1 = 30 (< cap 40)
  });
});

describe("negative points and clamping", () => {
  it("clamps a negative sum to 0, scaling the negative contributions so they still add up", async () => {
    const a = await account(db, "neg.test");
    const c = await contact(db, a, "n@neg.test");
    await events(db, [
      { account: a, contact: c, type: "pricing_page_view", at: T },
      { account: a, contact: c, type: "page_view", at: T, asset: "/careers" },
    ]);
    const { score } = await scoreWith(modelInput("neg", {
      engagementRules: [rule("pricing", ["pricing_page_view"], 10), rule("careers", ["page_view"], -30, { assetPattern: "/careers*" })],
    }));
    const s = await score("neg.test");
    // 10 − 30 = −20 → 0; negatives scaled by 10 / 30: careers −10
    expect(s.engagement).toBe(0);
    expect(points(s, "pricing")).toBeCloseTo(10, 5);
    expect(points(s, "careers")).toBeCloseTo(-10, 5);
    expect(sumOf(s)).toBeCloseTo(0, 5);
  });

  it("clamps above 100, scaling the positive contributions; weights apply after clamping", async () => {
    const a = await account(db, "clamp.test", { industry: "Software", employees: 500 });
    const c = await contact(db, a, "c@clamp.test");
    await events(db, [
      { account: a, contact: c, type: "demo_request", at: T },
      { account: a, contact: c, type: "webinar_attended", at: T },
      { account: a, contact: c, type: "page_view", at: T, asset: "/careers" },
    ]);
    const { score } = await scoreWith(modelInput("clamp", {
      weights: { fit: 0.5, engagement: 0.5, intent: 0, committee: 0 },
      fitRules: [
        { key: "software", label: "Software", field: "industry", operator: "EQ", values: ["software"], points: 60 },
        { key: "size", label: "200+ employees", field: "employees", operator: "GTE", min: 200, points: 50 },
      ],
      engagementRules: [
        rule("demo", ["demo_request"], 80), rule("webinar", ["webinar_attended"], 40), rule("careers", ["page_view"], -10, { assetPattern: "/careers" }),
      ],
    }));
    const s = await score("clamp.test");
    // fit: 60 + 50 = 110 → 100; shares 60 × 100/110 = 54.545…, 50 × 100/110 = 45.454…; × weight 0.5
    expect(s.fit).toBe(100);
    expect(points(s, "software")).toBeCloseTo(0.5 * 60 * 100 / 110, 4);
    expect(points(s, "size")).toBeCloseTo(0.5 * 50 * 100 / 110, 4);
    // engagement: 80 + 40 − 10 = 110 → 100; positives × (100 + 10) / 120: 73.33…, 36.66…; careers −10; × 0.5
    expect(s.engagement).toBe(100);
    expect(points(s, "demo")).toBeCloseTo(0.5 * 80 * 110 / 120, 4);
    expect(points(s, "webinar")).toBeCloseTo(0.5 * 40 * 110 / 120, 4);
    expect(points(s, "careers")).toBeCloseTo(-5, 4);
    expect(s.total).toBe(100); // 0.5 × 100 + 0.5 × 100
    expect(sumOf(s)).toBeCloseTo(s.total, 3);
    expect(s.grade).toBe("A1");
  });
});

describe("fit rules", () => {
  it("evaluates every operator on core fields and custom attributes", async () => {
    await account(db, "fit.test", {
      industry: "Financial Services", employees: 1200, annual_revenue: 25_000_000, country: "Germany", region: "EMEA",
      technologies: ["Salesforce", "snowflake"], tier: "A", is_target: true,
      attributes: { segment: "Enterprise", seats: 250, tools: ["Gong", "Outreach"], notes: "Renewal due in Q3", empty: "" },
    });
    const fr = (key: string, field: string, operator: string, points: number, extra: Record<string, unknown> = {}) =>
      ({ key, label: key, field, operator, points, ...extra });
    const { score } = await scoreWith(modelInput("fitops", {
      weights: { fit: 1, engagement: 0, intent: 0, committee: 0 },
      fitRules: [
        fr("eq", "industry", "EQ", 1, { values: ["financial services"] }), // matches (case-insensitive)
        fr("in", "country", "IN", 2, { values: ["France", "Germany"] }), // matches
        fr("not_in", "region", "NOT_IN", 3, { values: ["NA", "APAC"] }), // matches
        fr("not_in_miss", "region", "NOT_IN", 50, { values: ["EMEA"] }), // no
        fr("between", "employees", "BETWEEN", 4, { min: 1000, max: 5000 }), // matches
        fr("gte", "annualRevenue", "GTE", 5, { min: 25_000_000 }), // matches (inclusive)
        fr("lte", "employees", "LTE", 50, { max: 1199 }), // no
        fr("tech", "technologies", "CONTAINS_ANY", 6, { values: ["salesforce", "hubspot"] }), // matches
        fr("tier", "tier", "EQ", 7, { values: ["A"] }), // matches
        fr("target", "isTarget", "EQ", 8, { values: ["true"] }), // matches
        fr("attr_eq", "attributes.segment", "IN", 9, { values: ["enterprise"] }), // matches
        fr("attr_num", "attributes.seats", "GTE", 10, { min: 200 }), // matches
        fr("attr_list", "attributes.tools", "CONTAINS_ANY", 11, { values: ["gong"] }), // matches
        fr("attr_text", "attributes.notes", "CONTAINS_ANY", 12, { values: ["renewal"] }), // matches (substring)
        fr("attr_exists", "attributes.segment", "EXISTS", 13), // matches
        fr("attr_missing", "attributes.nothing", "EXISTS", 50), // no
        fr("attr_blank", "attributes.empty", "EXISTS", 50), // no: blank
        fr("attr_not_in_missing", "attributes.nothing", "NOT_IN", 50, { values: ["x"] }), // no: missing matches nothing
      ],
      bands: [{ name: "All", minScore: 0 }],
    }));
    const s = await score("fit.test");
    // 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12 + 13 = 91; every "no" rule is worth 50
    expect(s.fit).toBeCloseTo(91, 5);
    for (const key of ["not_in_miss", "lte", "attr_missing", "attr_blank", "attr_not_in_missing"]) expect(points(s, key)).toBe(0);
    expect(points(s, "attr_text")).toBe(12);
    expect(s.band).toBe("All");
    expect(s.grade).toBe("A4");
  });

  it("disqualifies on a disqualifier rule while its points still count", async () => {
    await account(db, "rival.test", { industry: "Software", attributes: { account_type: "Competitor" } });
    const { score } = await scoreWith(modelInput("dq", {
      weights: { fit: 1, engagement: 0, intent: 0, committee: 0 },
      fitRules: [
        { key: "software", label: "Software", field: "industry", operator: "EQ", values: ["Software"], points: 30 },
        { key: "competitor", label: "Competitor", field: "attributes.account_type", operator: "EQ", values: ["competitor"], points: -20, disqualify: true },
      ],
    }));
    const s = await score("rival.test");
    expect(s.status).toBe("DISQUALIFIED");
    expect(s.fit).toBeCloseTo(10, 5); // 30 − 20
    expect(points(s, "competitor")).toBeCloseTo(-20, 5);
  });
});

describe("statuses, bands and grades", () => {
  it("assigns SQA, MQA, NURTURE and UNQUALIFIED by total, minimum fit and engaged contacts", async () => {
    const mk = async (domain: string, segment: string, contacts: number[]) => {
      const a = await account(db, domain, { attributes: { segment } });
      for (const [i, n] of contacts.entries()) {
        const c = await contact(db, a, `c${i}@${domain}`);
        await events(db, Array.from({ length: n }, () => ({ account: a, contact: c, type: "content_download", at: T })));
      }
    };
    await mk("sqa.test", "a", [1, 1]); // fit 80, two contacts × 25 = engagement 50, 2 engaged
    await mk("mqa.test", "a", [2]); // fit 80, one contact × 50, 1 engaged
    await mk("nurture.test", "b", [2, 1]); // fit 20, 50 + 25 = 75
    await mk("unq.test", "b", []); // fit 20, nothing
    const { score } = await scoreWith(modelInput("status", {
      weights: { fit: 0.5, engagement: 0.5, intent: 0, committee: 0 },
      fitRules: [
        { key: "seg_a", label: "a", field: "attributes.segment", operator: "EQ", values: ["a"], points: 80 },
        { key: "seg_b", label: "b", field: "attributes.segment", operator: "EQ", values: ["b"], points: 20 },
      ],
      engagementRules: [rule("content", ["content_download"], 25)],
      thresholds: { nurture: 20, mqa: 40, sqa: 60, minFit: 30, minEngagedContacts: 2 },
    }));
    const sqa = await score("sqa.test"); // 0.5 × 80 + 0.5 × 50 = 65 ≥ 60, fit 80 ≥ 30, 2 engaged ≥ 2
    expect([sqa.total, sqa.status, sqa.engagedContacts, sqa.band, sqa.grade]).toEqual([65, "SQA", 2, "Hot", "A2"]);
    const mqa = await score("mqa.test"); // 65, but 1 engaged < 2 → MQA
    expect([mqa.total, mqa.status, mqa.engagedContacts]).toEqual([65, "MQA", 1]);
    const nurture = await score("nurture.test"); // 0.5 × 20 + 0.5 × 75 = 47.5 ≥ 40, but fit 20 < 30 → NURTURE
    expect([nurture.total, nurture.status, nurture.band, nurture.grade]).toEqual([47.5, "NURTURE", "Warm", "D1"]);
    const unq = await score("unq.test"); // 0.5 × 20 = 10 < 20
    expect([unq.total, unq.status, unq.band, unq.play, unq.slaHours]).toEqual([10, "UNQUALIFIED", "Cold", null, null]);
    expect(nurture.play).toBe("1:few");
    expect(nurture.slaHours).toBe(48);
  });
});

describe("buying committee", () => {
  it("scores each required role with an engaged contact and the breadth bonus, and the committee view agrees", async () => {
    const a = await account(db, "committee.test");
    const dm = await contact(db, a, "dm@committee.test", { role: "DECISION_MAKER" });
    const ch = await contact(db, a, "ch@committee.test", { role: "CHAMPION" });
    const te = await contact(db, a, "te@committee.test", { role: "TECHNICAL_EVALUATOR" });
    const user = await contact(db, a, "user@committee.test", { role: "USER" });
    await events(db, [
      { account: a, contact: dm, type: "email_click", at: T }, // 12 ≥ 10: engaged
      { account: a, contact: ch, type: "email_click", at: daysBefore(30) }, // 12 × 0.5 = 6 < 10: not engaged
      { account: a, contact: te, type: "email_click", at: T }, // 12
      { account: a, contact: user, type: "email_click", at: T }, // 12
    ]);
    const { score } = await scoreWith(modelInput("committee", {
      weights: { fit: 0, engagement: 0, intent: 0, committee: 1 },
      engagementRules: [rule("clicks", ["email_click"], 12, { halfLifeDays: 30, lookbackDays: 90 })],
      committee: { requiredRoles: ["DECISION_MAKER", "CHAMPION", "TECHNICAL_EVALUATOR"], pointsPerRole: 20, minEngagedContacts: 3, breadthBonus: 30, engagedThreshold: 10 },
    }));
    const s = await score("committee.test");
    // DM 20 + TE 20 + breadth (3 engaged ≥ 3) 30 = 70; the champion (6 < 10) is not engaged
    expect(s.committee).toBeCloseTo(70, 5);
    expect(s.engagedContacts).toBe(3);
    expect(points(s, "DECISION_MAKER", "COMMITTEE")).toBe(20);
    expect(points(s, "CHAMPION", "COMMITTEE")).toBe(0);
    expect(points(s, "TECHNICAL_EVALUATOR", "COMMITTEE")).toBe(20);
    expect(points(s, "breadth", "COMMITTEE")).toBe(30);

    // The committee view reads the same snapshots once the line is active (activation scores as
    // of now; scoring the line as of T again makes T's snapshots current).
    await activateThroughCouncil(server, s.model.id);
    await runScoring(client, { model: "committee", asOf: T });
    const view = await client.request<{ account: { buyingCommittee: { engagedContacts: number; missingRequiredRoles: string[]; coverage: number; members: { contact: { email: string }; engaged: boolean; engagement: number }[] } } }>(
      gql`query { account(domain: "committee.test") { buyingCommittee(model: "committee") { engagedContacts missingRequiredRoles coverage members { contact { email } engaged engagement } } } }`);
    const committee = view.account.buyingCommittee;
    expect(committee.engagedContacts).toBe(3);
    expect(committee.missingRequiredRoles).toEqual(["CHAMPION"]);
    expect(committee.coverage).toBeCloseTo(2 / 3, 5);
    expect(committee.members.find((m) => m.contact.email === "ch@committee.test")).toMatchObject({ engaged: false, engagement: 6 });
  });
});

describe("roll-up", () => {
  it("adds (SUM) or takes the most engaged member's (MAX) subsidiary engagement into the parent's, or not (NONE)", async () => {
    const parent = await account(db, "parent.test");
    const child = await account(db, "child.test", { parent_id: parent });
    const grandchild = await account(db, "grandchild.test", { parent_id: child });
    const pc = await contact(db, parent, "p@parent.test");
    const cc = await contact(db, child, "c@child.test");
    const gc = await contact(db, grandchild, "g@grandchild.test");
    await events(db, [
      { account: parent, contact: pc, type: "form_fill", at: T }, // parent own 10
      ...[1, 2].map(() => ({ account: child, contact: cc, type: "form_fill", at: T })), // child own 20
      { account: grandchild, contact: gc, type: "form_fill", at: T }, // grandchild own 10
    ]);
    const rules = { engagementRules: [rule("forms", ["form_fill"], 10)] };
    const none = await scoreWith(modelInput("rollup-none", { ...rules, rollup: "NONE" }));
    const sum = await scoreWith(modelInput("rollup-sum", { ...rules, rollup: "SUM" }));
    const max = await scoreWith(modelInput("rollup-max", { ...rules, rollup: "MAX" }));
    expect((await none.score("parent.test")).engagement).toBeCloseTo(10, 5);
    expect((await sum.score("parent.test")).engagement).toBeCloseTo(40, 5); // 10 + 20 + 10 (all descendants)
    expect((await sum.score("child.test")).engagement).toBeCloseTo(30, 5); // 20 + 10
    expect((await max.score("parent.test")).engagement).toBeCloseTo(20, 5); // the child's 20
    expect((await max.score("grandchild.test")).engagement).toBeCloseTo(10, 5);
    // Only engagement rolls up: the parent's engaged contacts stay its own.
    expect((await sum.score("parent.test")).engagedContacts).toBe(1);
  });
});

describe("intent", () => {
  it("decays topic points by strength and age, matches topics case-insensitively, caps per account", async () => {
    const a = await account(db, "intent.test");
    const b = await account(db, "intent2.test");
    await intent(db, a, "intent.test", "Lead Scoring", 50, T); // 40 × 0.5 × 1 = 20
    await intent(db, a, "intent.test", "lead scoring", 100, daysBefore(10)); // 40 × 1 × 0.5 = 20
    await intent(db, a, "intent.test", "lead scoring", 100, hoursAfter(2)); // after T: ignored
    await intent(db, a, "intent.test", "lead scoring", 100, daysBefore(31)); // past the lookback: ignored
    await intent(db, a, "intent.test", "crm", 100, T); // no rule
    await intent(db, b, "intent2.test", "lead scoring", 60, daysBefore(20)); // 40 × 0.6 × 0.25 = 6
    const { score } = await scoreWith(modelInput("intent", {
      weights: { fit: 0, engagement: 0, intent: 1, committee: 0 },
      intentRules: [{ key: "category", label: "Category", topics: ["lead scoring"], points: 40, halfLifeDays: 10, lookbackDays: 30, capPerAccount: 30 }],
    }));
    expect((await score("intent.test")).intent).toBeCloseTo(30, 5); // 20 + 20 = 40 → cap 30
    expect((await score("intent2.test")).intent).toBeCloseTo(6, 5);
  });
});

describe("lead scores", () => {
  const LEADS = gql`query Lead($email: String!, $model: String) {
    contacts(filter: { search: $email }) { edges { node { email score(model: $model) { total fit engagement engaged status stored contributions { component criterion points } } } } }
  }`;
  type Lead = { total: number; fit: number; engagement: number; engaged: boolean; status: string; stored: boolean; contributions: { component: string; criterion: string; points: number }[] };
  const lead = async (email: string, model: string) =>
    (await client.request<{ contacts: { edges: { node: { score: Lead | null } }[] } }>(LEADS, { email, model })).contacts.edges[0]!.node.score;

  it("scores contacts by lead fit and own engagement, with MQL/SQL status, and fit alone for unengaged contacts", async () => {
    const a = await account(db, "leads.test");
    const vp = await contact(db, a, "vp@leads.test", { seniority: "VP", role: "CHAMPION", title: "VP Marketing" });
    const ic = await contact(db, a, "ic@leads.test", { seniority: "INDIVIDUAL_CONTRIBUTOR", title: "Analyst" });
    await contact(db, a, "quiet@leads.test", { seniority: "VP", title: "VP Sales" });
    const intern = await contact(db, a, "intern@leads.test", { seniority: "OTHER", title: "Marketing Intern" });
    await contact(db, a, "staff@quorum.example", { is_internal: true });
    await events(db, [
      ...[1, 2, 3, 4].map(() => ({ account: a, contact: vp, type: "trial_signup", at: T })), // 4 × 20 × 1.25 = 100
      { account: a, contact: ic, type: "trial_signup", at: T }, // 20
      { account: a, contact: intern, type: "trial_signup", at: T }, // 20
    ]);
    const modelId = await createModel(client, modelInput("leads", {
      engagementRules: [rule("trials", ["trial_signup"], 20)],
      roleMultipliers: [{ role: "CHAMPION", multiplier: 1.25 }],
      leadRules: {
        weights: { fit: 0.4, engagement: 0.6 },
        fitRules: [
          { key: "vp", label: "VP", field: "seniority", operator: "IN", values: ["VP", "C_LEVEL"], points: 60 },
          { key: "marketing", label: "Marketing title", field: "title", operator: "CONTAINS_ANY", values: ["marketing"], points: 20 },
          { key: "intern", label: "Intern", field: "title", operator: "CONTAINS_ANY", values: ["intern"], points: 0, disqualify: true },
        ],
        thresholds: { nurture: 10, mql: 30, sql: 70, minFit: 0 },
      },
    }));
    await activateThroughCouncil(server, modelId);
    const run = await runScoring(client, { model: "leads", asOf: T });
    expect(run.contactsScored).toBe(3); // vp, ic, intern: the contacts with counted engagement

    const vpScore = (await lead("vp@leads.test", "leads"))!;
    // fit 60 + 20 = 80; engagement 100; total 0.4 × 80 + 0.6 × 100 = 92 → SQL
    expect([vpScore.fit, vpScore.engagement, vpScore.total, vpScore.status, vpScore.engaged, vpScore.stored]).toEqual([80, 100, 92, "SQL", true, true]);
    expect(vpScore.contributions.reduce((s, c) => s + c.points, 0)).toBeCloseTo(92, 3);
    const icScore = (await lead("ic@leads.test", "leads"))!;
    expect([icScore.fit, icScore.engagement, icScore.total, icScore.status]).toEqual([0, 20, 12, "NURTURE"]); // 0.6 × 20
    const quiet = (await lead("quiet@leads.test", "leads"))!;
    // no events: fit 60 alone → 0.4 × 60 = 24 → NURTURE, computed on read
    expect([quiet.fit, quiet.engagement, quiet.total, quiet.status, quiet.stored]).toEqual([60, 0, 24, "NURTURE", false]);
    const internScore = (await lead("intern@leads.test", "leads"))!;
    expect(internScore.status).toBe("DISQUALIFIED"); // fit 20 (title has "Marketing"), but an intern
    expect(await lead("staff@quorum.example", "leads")).toBeNull();
  });
});

describe("explanations and reproducibility", () => {
  it("gives every account contributions that add up to its total", async () => {
    const { modelId, runId } = await scoreWith(modelInput("sums", {
      weights: { fit: 0.3, engagement: 0.3, intent: 0.2, committee: 0.2 },
      fitRules: [
        { key: "software", label: "Software", field: "industry", operator: "IN", values: ["Software", "Financial Services"], points: 70 },
        { key: "size", label: "Size", field: "employees", operator: "GTE", min: 100, points: 45 },
        { key: "rival", label: "Rival", field: "attributes.account_type", operator: "EQ", values: ["competitor"], points: -20, disqualify: true },
      ],
      engagementRules: [
        rule("content", ["content_download"], 10, { capPerContact: 25, halfLifeDays: 30 }), rule("webinars", ["webinar_attended"], 40, { halfLifeDays: 15 }),
        rule("forms", ["form_fill"], 10), rule("clicks", ["email_click"], 12, { halfLifeDays: 30 }), rule("pricing", ["pricing_page_view"], 10),
        rule("careers", ["page_view"], -30, { assetPattern: "/careers*" }), rule("demo", ["demo_request"], 80), rule("webinar_any", ["webinar_attended"], 5),
      ],
      intentRules: [{ key: "category", label: "Category", topics: ["lead scoring"], points: 40, halfLifeDays: 10, lookbackDays: 30, capPerAccount: 30 }],
      committee: { requiredRoles: ["DECISION_MAKER", "CHAMPION", "TECHNICAL_EVALUATOR"], pointsPerRole: 30, minEngagedContacts: 2, breadthBonus: 40, engagedThreshold: 10 },
      rollup: "SUM",
    }));
    const rows = await db.query<{ total: number; contributions: number[] }>("SELECT total, contributions FROM account_scores WHERE run_id = $1", [runId]);
    expect(rows.length).toBeGreaterThan(20);
    for (const r of rows) expect(r.contributions.reduce((s, x) => s + x, 0)).toBeCloseTo(r.total, 3);
    const model = await db.query<{ n: number }>("SELECT jsonb_array_length(definition->'criteria') AS n FROM scoring_models WHERE id = $1", [modelId]);
    expect(rows.every((r) => r.contributions.length === model[0]!.n)).toBe(true);
  });

  it("scores as of T identically after later events and intent arrive", async () => {
    const input = modelInput("repro", {
      weights: { fit: 0, engagement: 0.6, intent: 0.2, committee: 0.2 },
      engagementRules: [rule("clicks", ["email_click"], 12, { halfLifeDays: 30, lookbackDays: 90 }), rule("content", ["content_download"], 10, { halfLifeDays: 30 })],
      intentRules: [{ key: "category", label: "Category", topics: ["lead scoring"], points: 40, halfLifeDays: 10, lookbackDays: 30 }],
      committee: { requiredRoles: ["DECISION_MAKER", "CHAMPION"], pointsPerRole: 30, minEngagedContacts: 2, breadthBonus: 40, engagedThreshold: 10 },
    });
    const first = await scoreWith(input);
    const snapshot = async (runId: string) => db.query(
      "SELECT account_id, total, fit, engagement, intent, committee, band, grade, status, engaged_contacts, contributions FROM account_scores WHERE run_id = $1 ORDER BY account_id", [runId]);
    const leads = async (runId: string) => db.query(
      "SELECT contact_id, total, fit, engagement, status, contributions FROM contact_scores WHERE run_id = $1 ORDER BY contact_id", [runId]);
    const before = await snapshot(first.runId);
    const beforeLeads = await leads(first.runId);

    const a = await account(db, "late.test");
    const c = await contact(db, a, "late@late.test", { role: "DECISION_MAKER" });
    const old = await db.query<{ id: string; account_id: string }>("SELECT c.id::text, c.account_id::text FROM contacts c WHERE NOT c.is_internal AND c.account_id IS NOT NULL ORDER BY c.id LIMIT 5");
    await events(db, [
      { account: a, contact: c, type: "email_click", at: hoursAfter(1) },
      ...old.map((o) => ({ account: o.account_id, contact: o.id, type: "email_click", at: hoursAfter(3) })),
    ]);
    await intent(db, old[0]!.account_id, "x.test", "lead scoring", 90, hoursAfter(5));

    const again = await runScoring(client, { modelId: first.modelId, asOf: T });
    const after = await snapshot(again.rowId);
    expect(after.filter((r) => r.account_id !== a)).toEqual(before);
    expect(after.find((r) => r.account_id === a)).toMatchObject({ total: 0, engagement: 0 });
    expect(await leads(again.rowId)).toEqual(beforeLeads);
  });
});

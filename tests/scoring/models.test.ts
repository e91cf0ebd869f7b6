import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientError, gql, type GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { DEFAULT_MODEL_INPUT, ensureDefaultModel } from "../../src/scoring/default-model";
import { activateThroughCouncil, COUNCIL_REVIEW, keyClient } from "../support/council";
import { errorCode, startTestServer, type TestServer } from "../support/server";
import { ACTIVATE_MODEL, CREATE_MODEL, modelInput, rule } from "./support";

let server: TestServer;
let admin: GraphQLClient;
let analyst: GraphQLClient;
let viewer: GraphQLClient;
let council: GraphQLClient;

beforeAll(async () => {
  server = await startTestServer();
  admin = await server.client();
  analyst = await server.client(Role.ANALYST);
  viewer = await server.client(Role.VIEWER);
  council = await server.client(Role.COUNCIL);
});
afterAll(async () => { await server?.stop(); });

const MODELS = gql`query Models($status: ModelStatus, $name: String) {
  scoringModels(status: $status, name: $name) { id name version status basedOn { id version } activatedAt retiredAt }
}`;
const ACTIVE = gql`query Active($name: String) {
  activeScoringModel(name: $name) {
    id name version status description createdBy
    weights { fit engagement intent committee }
    fitRules { key label field operator values min max points disqualify }
    engagementRules { key eventTypes points halfLifeDays lookbackDays capPerContact capPerAccount assetPattern }
    roleMultipliers { role multiplier }
    intentRules { key topics points halfLifeDays lookbackDays capPerAccount }
    committee { requiredRoles pointsPerRole minEngagedContacts breadthBonus engagedThreshold }
    bands { name minScore slaHours play }
    thresholds { nurture mqa sqa minFit minEngagedContacts }
    rollup
    leadRules { weights { fit engagement } fitRules { key field } thresholds { nurture mql sql minFit } }
    criteria { component key label }
    leadCriteria { component key }
  }
}`;

type Problem = { path: string; message: string };
async function problems(input: Record<string, unknown>): Promise<{ message: string; problems: Problem[] }> {
  try {
    await analyst.request(CREATE_MODEL, { input });
  } catch (err) {
    const e = (err as ClientError).response.errors![0]!;
    expect(e.extensions?.code).toBe("BAD_USER_INPUT");
    return { message: e.message, problems: e.extensions!.problems as Problem[] };
  }
  throw new Error("expected the model to be rejected");
}

describe("model versions", () => {
  it("creates DRAFT versions numbered per line; activation retires the previous ACTIVE version; re-activating is the rollback", async () => {
    const create = async (over: Record<string, unknown> = {}) =>
      (await analyst.request<{ createScoringModel: { id: string; version: number; status: string } }>(CREATE_MODEL, { input: modelInput("product-a", over) })).createScoringModel;
    const v1 = await create();
    const v2 = await create({ basedOnId: v1.id, description: "tighter bands" });
    expect([v1.version, v1.status, v2.version, v2.status]).toEqual([1, "DRAFT", 2, "DRAFT"]);
    await analyst.request(CREATE_MODEL, { input: modelInput("product-b") }); // another line, scored side by side

    await activateThroughCouncil(server, v1.id);
    await activateThroughCouncil(server, v2.id);
    let lines = (await viewer.request<{ scoringModels: { id: string; status: string; version: number; basedOn: { id: string } | null; retiredAt: string | null }[] }>(MODELS, { name: "product-a" })).scoringModels;
    expect(lines.map((m) => [m.version, m.status])).toEqual([[2, "ACTIVE"], [1, "RETIRED"]]);
    expect(lines[0]!.basedOn?.id).toBe(v1.id);
    expect(lines[1]!.retiredAt).not.toBeNull();

    await council.request(ACTIVATE_MODEL, { id: v1.id }); // rollback
    lines = (await viewer.request<{ scoringModels: { status: string; version: number; retiredAt: string | null }[] }>(MODELS, { name: "product-a" })).scoringModels;
    expect(lines.map((m) => [m.version, m.status])).toEqual([[2, "RETIRED"], [1, "ACTIVE"]]);
    expect(lines[1]!.retiredAt).toBeNull();
    // Activating the ACTIVE version is a no-op; product-b's line is untouched.
    await council.request(ACTIVATE_MODEL, { id: v1.id });
    const active = await viewer.request<{ scoringModels: { name: string }[] }>(MODELS, { status: "ACTIVE" });
    expect(active.scoringModels.map((m) => m.name)).toEqual(["product-a"]);
  });

  it("needs ANALYZE to create and REVIEW to activate", async () => {
    expect(await errorCode(viewer.request(CREATE_MODEL, { input: modelInput("nope") }))).toBe("FORBIDDEN");
    const id = (await analyst.request<{ createScoringModel: { id: string } }>(CREATE_MODEL, { input: modelInput("gated") })).createScoringModel.id;
    expect(await errorCode(analyst.request(ACTIVATE_MODEL, { id }))).toBe("FORBIDDEN");
    expect(await errorCode(council.request(ACTIVATE_MODEL, { id: "999999" }))).toBe("NOT_FOUND");
  });

  it("refuses to activate a training proposal the council has not approved", async () => {
    const id = (await analyst.request<{ createScoringModel: { rowId: string } }>(CREATE_MODEL, { input: modelInput("proposed") })).createScoringModel.rowId;
    const db = server.database.db;
    const [run] = await db.query<{ id: string }>("INSERT INTO training_runs (base_model_id) VALUES ($1) RETURNING id::text", [id]);
    const details = { outcome: "BETTER", verdict: "fixture", changes: [], componentWeights: [], cutoffs: [], engagedThreshold: { before: 10, after: 10 }, pointsPerLogOdds: 1, winRateByBand: [], suggestedCriteria: [] };
    await db.query("INSERT INTO weight_proposals (training_run_id, proposed_model_id, summary, details) VALUES ($1, $2, 'test', $3)", [run!.id, id, JSON.stringify(details)]);
    expect(await errorCode(council.request(ACTIVATE_MODEL, { id }))).toBe("CONFLICT");
    const [proposal] = await db.query<{ id: string }>("SELECT id::text FROM weight_proposals WHERE proposed_model_id = $1", [id]);
    for (const name of ["council-1", "council-2"]) {
      const { client } = await keyClient(server, name, Role.COUNCIL);
      await client.request(COUNCIL_REVIEW, { id: proposal!.id, decision: "APPROVE", comment: "approved" });
    }
    const res = await council.request<{ activateScoringModel: { status: string } }>(ACTIVATE_MODEL, { id });
    expect(res.activateScoringModel.status).toBe("ACTIVE");
  });
});

describe("model validation", () => {
  it("lists every problem with a message that says what to change", async () => {
    const { message, problems: list } = await problems(modelInput("Bad Name", {
      weights: { fit: 0.5, engagement: 0.4, intent: 0, committee: 0 },
      fitRules: [
        { key: "a", label: "A", field: "shoe_size", operator: "EQ", values: ["9"], points: 5 },
        { key: "a", label: "Again", field: "employees", operator: "CONTAINS_ANY", values: ["x"], points: 5 },
        { key: "b", label: "B", field: "employees", operator: "BETWEEN", min: 500, max: 100, points: 5 },
      ],
      engagementRules: [rule("c", ["telepathy"], 5, { halfLifeDays: 0 })],
      bands: [{ name: "Hot", minScore: 60 }, { name: "Cold", minScore: 10 }],
      thresholds: { nurture: 50, mqa: 40, sqa: 120, minFit: 0, minEngagedContacts: 0 },
    }));
    const at = (path: string) => list.filter((p) => p.path === path).map((p) => p.message).join(" | ");
    expect(at("name")).toMatch(/lowercase/);
    expect(at("weights")).toMatch(/sum to 1.*0\.9/);
    expect(at("fitRules[0].field")).toMatch(/"shoe_size" is not a field .* attributes\.<key>/);
    expect(at("fitRules[1].key")).toMatch(/unique/);
    expect(at("fitRules[1].operator")).toMatch(/CONTAINS_ANY does not apply to employees/);
    expect(at("fitRules[2]")).toMatch(/min ≤ max/);
    expect(at("engagementRules[0].eventTypes")).toMatch(/"telepathy" is not a known event type/);
    expect(at("engagementRules[0].halfLifeDays")).toMatch(/above 0/);
    expect(at("bands[1].minScore")).toMatch(/lowest to highest/);
    expect(at("bands[0].minScore")).toMatch(/must start at 0/);
    expect(at("thresholds.sqa")).toMatch(/0 to 100/);
    expect(at("thresholds")).toMatch(/nurture ≤ mqa ≤ sqa/);
    expect(message).toMatch(/^The scoring model is not valid: /);
  });

  it("rejects a basedOnId that is not a model", async () => {
    expect(await errorCode(analyst.request(CREATE_MODEL, { input: modelInput("orphan", { basedOnId: "424242" }) }))).toBe("BAD_USER_INPUT");
  });
});

describe("the default model", () => {
  it("is created and activated once, however often it is ensured, and shows its definition in typed fields", async () => {
    const db = server.database.db;
    const ids = await Promise.all([ensureDefaultModel(db), ensureDefaultModel(db), ensureDefaultModel(db)]);
    expect(new Set(ids).size).toBe(1);
    expect(await ensureDefaultModel(db)).toBe(ids[0]);
    const res = await viewer.request<{ activeScoringModel: Record<string, any> }>(ACTIVE, {});
    const m = res.activeScoringModel;
    expect([m.name, m.version, m.status, m.createdBy]).toEqual(["default", 1, "ACTIVE", "quorum"]);
    const w = m.weights;
    expect(w.fit + w.engagement + w.intent + w.committee).toBeCloseTo(1, 9);
    expect(m.engagementRules.find((r: { key: string }) => r.key === "opens").points).toBeLessThan(1); // opens are worth little
    expect(m.engagementRules.every((r: { halfLifeDays: number }) => r.halfLifeDays === 30)).toBe(true);
    expect(m.committee).toMatchObject({ requiredRoles: ["DECISION_MAKER", "CHAMPION", "TECHNICAL_EVALUATOR"], minEngagedContacts: 3 });
    expect(m.bands.map((b: { name: string }) => b.name)).toEqual(["Cold", "Warm", "Hot"]);
    expect(m.bands.map((b: { play: string }) => b.play)).toEqual(["1:many", "1:few", "1:1"]);
    expect(m.criteria.length).toBe(DEFAULT_MODEL_INPUT.fitRules!.length + DEFAULT_MODEL_INPUT.engagementRules!.length + DEFAULT_MODEL_INPUT.intentRules!.length + 3 + 1);
    expect(m.leadCriteria[0]).toEqual({ component: "FIT", key: "senior_exec" });
  });
});

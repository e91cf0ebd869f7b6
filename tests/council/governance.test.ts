import { decodeId } from "../../src/platform/graphql/global-id";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientError, gql, type GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { errorCode, startTestServer, type TestServer } from "../support/server";
import { ACTIVATE_WITH, activateThroughCouncil, changesOf, COUNCIL_REVIEW, keyClient, SUBMIT } from "../support/council";
import { CREATE_MODEL, modelInput } from "../scoring/support";

let server: TestServer;
let admin: GraphQLClient;
let analyst: GraphQLClient;
let viewer: GraphQLClient;
const council: { client: GraphQLClient; keyId: string }[] = [];

beforeAll(async () => {
  server = await startTestServer();
  admin = await server.client();
  analyst = await server.client(Role.ANALYST);
  viewer = await server.client(Role.VIEWER);
  for (const name of ["ana", "ben", "cleo", "dev"]) council.push(await keyClient(server, `council-${name}`, Role.COUNCIL));
});
afterAll(async () => { await server?.stop(); });

const STATUS = gql`query Status($name: String) { scoringModels(name: $name) { id version status } }`;

async function draft(line: string, over: Record<string, unknown> = {}): Promise<string> {
  return (await analyst.request<{ createScoringModel: { id: string } }>(CREATE_MODEL, { input: modelInput(line, over) })).createScoringModel.id;
}

async function message(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    const e = (err as ClientError).response?.errors?.[0];
    if (e) return { code: String(e.extensions?.code), message: e.message };
    throw err;
  }
  throw new Error("expected the request to fail");
}

async function statusOf(line: string, id: string): Promise<string> {
  const res = await viewer.request<{ scoringModels: { id: string; status: string }[] }>(STATUS, { name: line });
  return res.scoringModels.find((m) => m.id === id)!.status;
}

describe("the council's gate", () => {
  it("activates a hand-written first version only after two distinct COUNCIL approvals, and logs every step", async () => {
    const id = await draft("gate-a");
    // No proposal: neither COUNCIL nor ADMIN (without override) can put it live.
    const none = await message(council[0]!.client.request(ACTIVATE_WITH, { id }));
    expect(none.code).toBe("CONFLICT");
    expect(none.message).toMatch(/has no proposal.*submitModelForReview/);
    expect((await message(admin.request(ACTIVATE_WITH, { id }))).code).toBe("CONFLICT");

    // Ana submits; she cannot review her own draft; a VIEWER cannot submit.
    expect(await errorCode(viewer.request(SUBMIT, { id, comment: "x" }))).toBe("FORBIDDEN");
    expect(await errorCode(council[0]!.client.request(SUBMIT, { id, comment: "   " }))).toBe("BAD_USER_INPUT");
    const submitted = (await council[0]!.client.request<{ submitModelForReview: { id: string; kind: string; status: string; recommendation: string; author: string; approvalsMissing: number } }>(
      SUBMIT, { id, comment: "Engagement only, for the pilot line." })).submitModelForReview;
    expect(submitted).toMatchObject({ kind: "SUBMITTED", status: "PENDING", recommendation: "UNASSESSED", author: "council-ana", approvalsMissing: 2 });
    expect(await errorCode(council[0]!.client.request(SUBMIT, { id, comment: "again" }))).toBe("CONFLICT");
    const own = await message(council[0]!.client.request(COUNCIL_REVIEW, { id: submitted.id, decision: "APPROVE", comment: "mine" }));
    expect(own.code).toBe("FORBIDDEN");
    expect(own.message).toMatch(/submitted the draft/);
    // ADMIN_API_KEY and other roles' reviews do not count: they are refused.
    expect((await message(admin.request(COUNCIL_REVIEW, { id: submitted.id, decision: "APPROVE", comment: "admin says yes" }))).message).toMatch(/Only COUNCIL keys/);
    expect(await errorCode(analyst.request(COUNCIL_REVIEW, { id: submitted.id, decision: "APPROVE", comment: "analyst" }))).toBe("FORBIDDEN");

    const one = (await council[1]!.client.request<{ reviewWeightProposal: { status: string; approvals: number; approvalsMissing: number } }>(
      COUNCIL_REVIEW, { id: submitted.id, decision: "APPROVE", comment: "Looks right." })).reviewWeightProposal;
    expect(one).toMatchObject({ status: "PENDING", approvals: 1, approvalsMissing: 1 });
    expect(await errorCode(council[1]!.client.request(COUNCIL_REVIEW, { id: submitted.id, decision: "APPROVE", comment: "twice" }))).toBe("CONFLICT");
    const early = await message(council[1]!.client.request(ACTIVATE_WITH, { id }));
    expect(early.code).toBe("CONFLICT");
    expect(early.message).toMatch(/needs 1 more COUNCIL approval: it has 1 of 2/);

    const two = (await council[2]!.client.request<{ reviewWeightProposal: { status: string; reviews: { reviewer: string; decision: string; comment: string; createdAt: string }[] } }>(
      COUNCIL_REVIEW, { id: submitted.id, decision: "APPROVE", comment: "Agreed." })).reviewWeightProposal;
    expect(two.status).toBe("APPROVED");
    expect(two.reviews.map((r) => [r.reviewer, r.decision, r.comment])).toEqual([["council-ben", "APPROVE", "Looks right."], ["council-cleo", "APPROVE", "Agreed."]]);
    expect(two.reviews.every((r) => !Number.isNaN(Date.parse(r.createdAt)))).toBe(true);

    const live = await council[2]!.client.request<{ activateScoringModel: { status: string } }>(ACTIVATE_WITH, { id });
    expect(live.activateScoringModel.status).toBe("ACTIVE");
    // Reviews close once the version is live.
    expect((await message(council[3]!.client.request(COUNCIL_REVIEW, { id: submitted.id, decision: "REJECT", comment: "late" }))).message).toMatch(/reviews are closed/);

    const log = await changesOf(viewer, "gate-a");
    expect(log.map((c) => [c.kind, c.actor.keyName, c.actor.role])).toEqual([
      ["SUBMITTED", "council-ana", "COUNCIL"], ["APPROVED", "council-ben", "COUNCIL"], ["APPROVED", "council-cleo", "COUNCIL"], ["ACTIVATED", "council-cleo", "COUNCIL"],
    ]);
    expect(log[0]!.comment).toBe("Engagement only, for the pilot line.");
    expect(log[3]).toMatchObject({ model: { id }, proposal: { id: submitted.id }, previousModel: null, actor: { keyId: council[2]!.keyId } });
  });

  it("lets any REJECT veto, even after APPROVED, until activation", async () => {
    const id = await draft("gate-b");
    const { submitModelForReview: p } = await analyst.request<{ submitModelForReview: { id: string } }>(SUBMIT, { id, comment: "try" });
    await council[0]!.client.request(COUNCIL_REVIEW, { id: p.id, decision: "APPROVE", comment: "ok" });
    await council[1]!.client.request(COUNCIL_REVIEW, { id: p.id, decision: "APPROVE", comment: "ok" });
    const vetoed = (await council[2]!.client.request<{ reviewWeightProposal: { status: string } }>(
      COUNCIL_REVIEW, { id: p.id, decision: "REJECT", comment: "The Hot band is far too wide." })).reviewWeightProposal;
    expect(vetoed.status).toBe("REJECTED");
    const refused = await message(council[0]!.client.request(ACTIVATE_WITH, { id }));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toMatch(/REJECTED by council-cleo .*The Hot band is far too wide/);
    expect(await statusOf("gate-b", id)).toBe("DRAFT");
  });

  it("rolls back to a version that was ACTIVE before with a COUNCIL key and no proposal, logged ROLLBACK", async () => {
    const v1 = await draft("gate-c");
    await activateThroughCouncil(server, v1);
    const v2 = await draft("gate-c", { description: "v2" });
    await activateThroughCouncil(server, v2);
    expect(await errorCode(analyst.request(ACTIVATE_WITH, { id: v1 }))).toBe("FORBIDDEN");
    const back = await council[3]!.client.request<{ activateScoringModel: { id: string; status: string } }>(ACTIVATE_WITH, { id: v1 });
    expect(back.activateScoringModel).toMatchObject({ id: v1, status: "ACTIVE" });
    const last = (await changesOf(viewer, "gate-c")).at(-1)!;
    expect(last).toMatchObject({ kind: "ROLLBACK", model: { id: v1, version: 1 }, previousModel: { id: v2, version: 2 }, actor: { keyName: "council-dev" } });
  });

  it("break-glass: only ADMIN, only with a non-blank reason, recorded", async () => {
    const id = await draft("gate-d");
    expect(await errorCode(admin.request(ACTIVATE_WITH, { id, override: "  " }))).toBe("BAD_USER_INPUT");
    const notAdmin = await message(council[0]!.client.request(ACTIVATE_WITH, { id, override: "I am sure" }));
    expect(notAdmin.code).toBe("FORBIDDEN");
    expect(notAdmin.message).toMatch(/needs an ADMIN key/);
    expect(await statusOf("gate-d", id)).toBe("DRAFT");
    const glass = await admin.request<{ activateScoringModel: { status: string } }>(ACTIVATE_WITH, { id, override: "Incident 42: the active model scores everyone 0" });
    expect(glass.activateScoringModel.status).toBe("ACTIVE");
    const log = await changesOf(viewer, "gate-d");
    expect(log.map((c) => [c.kind, c.actor.keyName, c.actor.role, c.reason])).toEqual([["BREAK_GLASS", "ADMIN_API_KEY", "ADMIN", "Incident 42: the active model scores everyone 0"]]);
  });

  it("a NOT_RECOMMENDED proposal counts only approvals that acknowledge it", async () => {
    const id = await draft("gate-e");
    const { submitModelForReview: p } = await analyst.request<{ submitModelForReview: { id: string } }>(SUBMIT, { id, comment: "try" });
    // What a training run whose fit was not better stores (trained proposals are covered in tests/training).
    await server.database.db.query("UPDATE weight_proposals SET recommendation = 'NOT_RECOMMENDED' WHERE id = $1", [decodeId(p.id, "WeightProposal")]);
    const refused = await message(council[0]!.client.request(COUNCIL_REVIEW, { id: p.id, decision: "APPROVE", comment: "fine" }));
    expect(refused.code).toBe("BAD_USER_INPUT");
    expect(refused.message).toMatch(/NOT_RECOMMENDED.*acknowledgeNotRecommended: true/);
    // A REJECT needs no acknowledgement; approvals that acknowledge count.
    await council[0]!.client.request(COUNCIL_REVIEW, { id: p.id, decision: "APPROVE", comment: "Not better on AUC, but it fixes the careers-page penalty.", ack: true });
    const two = (await council[1]!.client.request<{ reviewWeightProposal: { status: string; reviews: { acknowledgedNotRecommended: boolean }[] } }>(
      COUNCIL_REVIEW, { id: p.id, decision: "APPROVE", comment: "Same reasoning.", ack: true })).reviewWeightProposal;
    expect(two.status).toBe("APPROVED");
    expect(two.reviews.map((r) => r.acknowledgedNotRecommended)).toEqual([true, true]);
    expect((await council[1]!.client.request<{ activateScoringModel: { status: string } }>(ACTIVATE_WITH, { id })).activateScoringModel.status).toBe("ACTIVE");
  });

  it("counts approvals by key id: two keys of one name are two members, one key is one", async () => {
    const id = await draft("gate-f");
    const { submitModelForReview: p } = await analyst.request<{ submitModelForReview: { id: string } }>(SUBMIT, { id, comment: "try" });
    const twinA = await keyClient(server, "council-twin", Role.COUNCIL);
    const twinB = await keyClient(server, "council-twin", Role.COUNCIL);
    await twinA.client.request(COUNCIL_REVIEW, { id: p.id, decision: "APPROVE", comment: "a" });
    const res = (await twinB.client.request<{ reviewWeightProposal: { status: string; approvals: number } }>(COUNCIL_REVIEW, { id: p.id, decision: "APPROVE", comment: "b" })).reviewWeightProposal;
    expect(res).toMatchObject({ status: "APPROVED", approvals: 2 });
  });

  it("no interleaving of concurrent reviews and activations over HTTP activates an unapproved version", async () => {
    for (let round = 0; round < 6; round++) {
      const line = `race-${round}`;
      const id = await draft(line);
      const { submitModelForReview: p } = await analyst.request<{ submitModelForReview: { id: string } }>(SUBMIT, { id, comment: "race" });
      await council[0]!.client.request(COUNCIL_REVIEW, { id: p.id, decision: "APPROVE", comment: "first" });
      // One approval short. Racing: the second approval, a REJECT (on odd rounds), and activations by three keys.
      const racers: Promise<unknown>[] = [
        council[1]!.client.request(COUNCIL_REVIEW, { id: p.id, decision: "APPROVE", comment: "second" }),
        ...(round % 2 === 1 ? [council[2]!.client.request(COUNCIL_REVIEW, { id: p.id, decision: "REJECT", comment: "no" })] : []),
        council[3]!.client.request(ACTIVATE_WITH, { id }), council[2]!.client.request(ACTIVATE_WITH, { id }), council[0]!.client.request(ACTIVATE_WITH, { id }),
        admin.request(ACTIVATE_WITH, { id }),
      ];
      const settled = await Promise.allSettled(racers);
      for (const s of settled) {
        if (s.status === "rejected") expect((s.reason as ClientError).response?.errors?.[0]?.extensions?.code).toMatch(/CONFLICT/);
      }
      const status = await statusOf(line, id);
      const log = await changesOf(viewer, line);
      const activated = log.findIndex((c) => c.kind === "ACTIVATED");
      if (status === "ACTIVE") {
        // Live only with both approvals logged before the activation and no REJECT before it.
        expect(activated).toBeGreaterThan(0);
        const before = log.slice(0, activated);
        expect(before.filter((c) => c.kind === "APPROVED").length).toBe(2);
        expect(before.some((c) => c.kind === "REJECTED")).toBe(false);
        expect(log.filter((c) => c.kind === "ACTIVATED")).toHaveLength(1);
      } else {
        expect(activated).toBe(-1);
      }
      expect(log.some((c) => c.kind === "BREAK_GLASS" || c.kind === "ROLLBACK")).toBe(false);
    }
  });
});

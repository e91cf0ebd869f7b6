/**
 * Relay: every object with an identity has an opaque global `id` and its database `rowId`,
 * `node(id:)` / `nodes(ids:)` refetch any of them (role-checked), and every ID argument takes
 * either form through one decoder.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, type GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { loadDemo } from "../../src/demo/demo.loader";
import { decodeId, parseGlobalId, toGlobalId } from "../../src/platform/graphql/global-id";
import { errorCode, startTestServer, type TestServer } from "../support/server";
import { START_TRAINING, waitForRun } from "../training/documents";

const NOW = new Date("2026-11-01T00:00:00Z");

const OBJECTS = gql`
  query Objects {
    accounts(first: 1, orderBy: { field: SCORE, direction: DESC }) { edges { node {
      id rowId domain
      score { runId }
      contacts { id rowId email }
      deals { id rowId externalId }
    } } }
    scoringModels(status: ACTIVE) { id rowId name version }
    scoringRuns(first: 1) { edges { node { id rowId } } }
  }
`;
const NODE = gql`
  query Node($id: ID!) { node(id: $id) { __typename id
    ... on Account { rowId domain } ... on Contact { rowId email } ... on Deal { rowId externalId }
    ... on ScoringModel { rowId name } ... on ScoringRun { rowId } ... on TrainingRun { rowId runStatus: status } ... on WeightProposal { rowId proposalStatus: status }
  } }
`;
const NODES = gql`query Nodes($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`;

interface Ref { id: string; rowId: string }
let server: TestServer;
let viewer: GraphQLClient;
let account: Ref & { domain: string; score: { runId: string } };
let contact: Ref & { email: string };
let deal: Ref & { externalId: string };
let model: Ref & { name: string };
let scoringRun: Ref;
let trainingRun: Ref;
let proposal: Ref;

beforeAll(async () => {
  server = await startTestServer();
  await loadDemo(server.database.db, { accounts: 200, seed: 5, now: NOW });
  const analyst = await server.client(Role.ANALYST);
  viewer = await server.client(Role.VIEWER);
  await analyst.request(gql`mutation { runScoring(asOf: "2026-11-01T00:00:00Z") { id } }`);
  const started = (await analyst.request<{ startTrainingRun: { id: string } }>(START_TRAINING, { input: { seed: 3 } })).startTrainingRun;
  const run = await waitForRun(analyst, started.id);
  expect(run.status).toBe("SUCCEEDED");
  const t = await viewer.request<{ trainingRun: Ref & { proposal: Ref } }>(gql`query T($id: ID!) { trainingRun(id: $id) { id rowId proposal { id rowId } } }`, { id: started.id });
  trainingRun = t.trainingRun;
  proposal = t.trainingRun.proposal;
  const o = await viewer.request<{ accounts: { edges: { node: typeof account & { contacts: typeof contact[]; deals: typeof deal[] } }[] }; scoringModels: typeof model[]; scoringRuns: { edges: { node: Ref }[] } }>(OBJECTS);
  const a = o.accounts.edges[0]!.node;
  account = a;
  contact = a.contacts[0]!;
  deal = a.deals[0]!;
  model = o.scoringModels.find((m) => m.name === "default")!;
  scoringRun = o.scoringRuns.edges[0]!.node;
}, 180_000);
afterAll(async () => { await server?.stop(); });

describe("global ids", () => {
  it("gives every Node type an opaque id, distinct from its rowId, that names its type and row", async () => {
    const all = { Account: account, Contact: contact, Deal: deal, ScoringModel: model, ScoringRun: scoringRun, TrainingRun: trainingRun, WeightProposal: proposal };
    for (const [type, ref] of Object.entries(all)) {
      expect(ref.rowId, type).toMatch(/^\d+$/);
      expect(ref.id, type).not.toBe(ref.rowId);
      expect(ref.id, type).not.toContain(":");
      expect(parseGlobalId(ref.id), type).toEqual({ type, rowId: ref.rowId });
    }
    // The database ids are what rowId says.
    const [row] = await server.database.db.query<{ id: string }>("SELECT id::text AS id FROM accounts WHERE domain = $1", [account.domain]);
    expect(account.rowId).toBe(row!.id);
  });

  it("serves runId as the run's global id", () => {
    expect(account.score.runId).toBe(scoringRun.id);
  });

  it("decodes row ids and its own type's global ids only", () => {
    expect(decodeId("42", "Account")).toBe("42");
    expect(decodeId(toGlobalId("Account", "42"), "Account")).toBe("42");
    expect(decodeId(toGlobalId("Contact", "42"), "Account")).toBeNull();
    expect(decodeId("not-an-id", "Account")).toBeNull();
    expect(decodeId("99999999999999999999", "Account")).toBeNull();
    expect(parseGlobalId(Buffer.from("Account:1:2").toString("base64url"))).toBeNull();
  });
});

describe("node and nodes", () => {
  it("refetches each kind of object by its global id", async () => {
    for (const [type, ref] of [["Account", account], ["Contact", contact], ["Deal", deal], ["ScoringModel", model], ["ScoringRun", scoringRun], ["TrainingRun", trainingRun], ["WeightProposal", proposal]] as const) {
      const { node } = await viewer.request<{ node: { __typename: string; id: string; rowId: string } | null }>(NODE, { id: ref.id });
      expect(node, type).toMatchObject({ __typename: type, id: ref.id, rowId: ref.rowId });
    }
    const { node } = await viewer.request<{ node: { domain: string } }>(NODE, { id: account.id });
    expect(node.domain).toBe(account.domain);
  });

  it("answers null for a row id, an unknown row and garbage, and keeps the order in nodes", async () => {
    expect((await viewer.request<{ node: unknown }>(NODE, { id: account.rowId })).node).toBeNull();
    expect((await viewer.request<{ node: unknown }>(NODE, { id: toGlobalId("Account", "999999") })).node).toBeNull();
    const { nodes } = await viewer.request<{ nodes: ({ __typename: string; id: string } | null)[] }>(NODES, { ids: [deal.id, "garbage", model.id, account.id, toGlobalId("Contact", "999999")] });
    expect(nodes).toEqual([{ __typename: "Deal", id: deal.id }, null, { __typename: "ScoringModel", id: model.id }, { __typename: "Account", id: account.id }, null]);
  });

  it("is role-checked: no key is UNAUTHENTICATED, an INGEST key FORBIDDEN", async () => {
    expect(await errorCode(server.rawClient().request(NODE, { id: account.id }))).toBe("UNAUTHENTICATED");
    const ingest = await server.client(Role.INGEST);
    expect(await errorCode(ingest.request(NODE, { id: account.id }))).toBe("FORBIDDEN");
    expect(await errorCode(ingest.request(NODES, { ids: [account.id] }))).toBe("FORBIDDEN");
  });
});

describe("ID arguments take either form", () => {
  it("account(id:), scoringModel, scoringRun, trainingRun and weightProposal", async () => {
    for (const id of [account.id, account.rowId]) {
      expect((await viewer.request<{ account: { domain: string } }>(gql`query A($id: ID) { account(id: $id) { domain } }`, { id })).account.domain).toBe(account.domain);
    }
    // Another type's global id names nothing here.
    expect((await viewer.request<{ account: unknown }>(gql`query A($id: ID) { account(id: $id) { domain } }`, { id: contact.id })).account).toBeNull();
    for (const [field, ref] of [["scoringModel", model], ["scoringRun", scoringRun], ["trainingRun", trainingRun], ["weightProposal", proposal]] as const) {
      for (const id of [ref.id, ref.rowId]) {
        const res = await viewer.request<Record<string, { rowId: string }>>(`query Q($id: ID!) { ${field}(id: $id) { rowId } }`, { id });
        expect(res[field]!.rowId, `${field}(${id})`).toBe(ref.rowId);
      }
    }
  });

  it("filters and arguments: contacts(accountId), scoringRuns(modelId), scoreDistribution(modelId), bandTransitions(accountId)", async () => {
    const q = gql`query F($account: ID!, $model: ID!) {
      contacts(filter: { accountId: $account }) { totalCount }
      scoringRuns(modelId: $model) { totalCount }
      scoreDistribution(modelId: $model) { band count }
      bandTransitions(since: "2020-01-01T00:00:00Z", accountId: $account) { totalCount }
    }`;
    const byGlobal = await viewer.request(q, { account: account.id, model: model.id });
    const byRow = await viewer.request(q, { account: account.rowId, model: model.rowId });
    expect(byGlobal).toEqual(byRow);
    expect((byGlobal as { contacts: { totalCount: number } }).contacts.totalCount).toBeGreaterThan(0);
    expect((byGlobal as { scoringRuns: { totalCount: number } }).scoringRuns.totalCount).toBe(1);
  });

  it("refuses another type's global id in a filter with BAD_USER_INPUT naming the argument", async () => {
    const err = await viewer.request(gql`query { contacts(filter: { accountId: "${model.id}" }) { totalCount } }`).catch((e: { response: { errors: { message: string; extensions: { code: string } }[] } }) => e.response.errors[0]!);
    expect(err).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
    expect((err as { message: string }).message).toMatch(/filter\.accountId: .* is not an id of type Account/);
  });
});

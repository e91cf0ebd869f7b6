/** `accounts(filter: { band })` matches band names case-insensitively and refuses names no band has. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, type GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { loadDemo } from "../../src/demo/demo.loader";
import { startTestServer, type TestServer } from "../support/server";

const BY_BAND = gql`query ByBand($band: [String!]) { accounts(first: 500, filter: { band: $band }) { totalCount edges { node { score { band } } } } }`;
type Page = { accounts: { totalCount: number; edges: { node: { score: { band: string } | null } }[] } };

let server: TestServer;
let viewer: GraphQLClient;
beforeAll(async () => {
  server = await startTestServer();
  await loadDemo(server.database.db, { accounts: 200, seed: 21, now: new Date("2026-11-01T00:00:00Z") });
  await (await server.client(Role.ANALYST)).request(gql`mutation { runScoring(asOf: "2026-11-01T00:00:00Z") { id } }`);
  viewer = await server.client(Role.VIEWER);
}, 120_000);
afterAll(async () => { await server?.stop(); });

describe("the band filter", () => {
  it("matches hot, HOT and Hot alike: the accounts whose current band is Hot", async () => {
    const exact = await viewer.request<Page>(BY_BAND, { band: ["Hot"] });
    const [{ n }] = await server.database.db.query<{ n: number }>("SELECT count(*)::int AS n FROM account_scores WHERE band = 'Hot'") as [{ n: number }];
    expect(exact.accounts.totalCount).toBe(n);
    expect(n).toBeGreaterThan(0);
    for (const spelling of ["hot", "HOT", " hot "]) {
      expect((await viewer.request<Page>(BY_BAND, { band: [spelling] })).accounts, spelling).toEqual(exact.accounts);
    }
    const two = await viewer.request<Page>(BY_BAND, { band: ["hot", "warm"] });
    expect(new Set(two.accounts.edges.map((e) => e.node.score!.band))).toEqual(new Set(["Hot", "Warm"]));
  });

  it("refuses a name that is no band of the model, listing the bands there are", async () => {
    const err = await viewer.request(BY_BAND, { band: ["hott"] }).catch((e: { response: { errors: { message: string; extensions: { code: string; field: string } }[] } }) => e.response.errors[0]!);
    expect(err).toMatchObject({ extensions: { code: "BAD_USER_INPUT", field: "filter.band" } });
    expect((err as { message: string }).message).toBe(`filter.band: "hott" is not a band of model line "default"; its bands are Cold, Warm, Hot`);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "graphql-request";
import type { GraphQLClient } from "graphql-request";
import { errorCode, startTestServer, type TestServer } from "../support/server";
import { loadSampleAccounts } from "../support/sample-data";
import { insertRows } from "../support/fixtures";

const RUN = gql`mutation Run { runScoring { id status } }`;

const BY_SCORE = gql`query ByScore($first: Int, $after: String, $direction: SortDirection!, $filter: AccountFilter) {
  accounts(first: $first, after: $after, orderBy: { field: SCORE, direction: $direction }, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id: rowId tier score { total band } } }
  }
}`;

interface Row { id: string; tier: string; score: { total: number; band: string } | null }
interface Page { accounts: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Row }[] } }

let server: TestServer;
let client: GraphQLClient;
/** Every account with its current score, read by name order (no score ordering involved). */
let everyone: Row[];

/** What score order means: total (unscored counts as below any score), ties by id. */
function expected(rows: Row[], direction: "ASC" | "DESC"): string[] {
  const sign = direction === "ASC" ? 1 : -1;
  return [...rows]
    .sort((a, b) => sign * ((a.score?.total ?? -1) - (b.score?.total ?? -1) || Number(BigInt(a.id) - BigInt(b.id))))
    .map((r) => r.id);
}

async function walk(direction: "ASC" | "DESC", first: number, filter?: Record<string, unknown>): Promise<{ ids: string[]; totalCount: number; pages: number }> {
  const ids: string[] = [];
  let after: string | null = null;
  let totalCount = -1;
  let pages = 0;
  do {
    const res: Page = await client.request<Page>(BY_SCORE, { first, after, direction, filter });
    ids.push(...res.accounts.edges.map((e) => e.node.id));
    totalCount = res.accounts.totalCount;
    after = res.accounts.pageInfo.hasNextPage ? res.accounts.pageInfo.endCursor : null;
    pages++;
  } while (after && pages < 100);
  return { ids, totalCount, pages };
}

beforeAll(async () => {
  server = await startTestServer();
  client = await server.client();
  const db = server.database.db;
  await loadSampleAccounts(db, 60);
  expect((await client.request<{ runScoring: { status: string } }>(RUN)).runScoring.status).toBe("SUCCEEDED");
  // Accounts that arrive after the run have no current score yet.
  await insertRows(db, "accounts", Array.from({ length: 7 }, (_, i) => ({ domain: `late${i}.example.com`, name: `Late ${i}`, tier: i % 2 ? "A" : "B" })));
  const all = await client.request<{ accounts: { edges: { node: Row }[] } }>(
    gql`{ accounts(first: 500) { edges { node { id: rowId tier score { total band } } } } }`);
  everyone = all.accounts.edges.map((e) => e.node);
});
afterAll(async () => { await server?.stop(); });

describe("accounts ordered by current score", () => {
  it("has ties and unscored accounts to get right", () => {
    const totals = everyone.filter((r) => r.score).map((r) => r.score!.total);
    expect(new Set(totals).size).toBeLessThan(totals.length);
    expect(everyone.filter((r) => !r.score)).toHaveLength(7);
  });

  it("walks every account once, highest first, unscored last, across small pages", async () => {
    const res = await walk("DESC", 7);
    expect(res.ids).toEqual(expected(everyone, "DESC"));
    expect(res.totalCount).toBe(everyone.length);
    expect(res.pages).toBe(Math.ceil(everyone.length / 7));
  });

  it("walks lowest first with the unscored before every scored account", async () => {
    const res = await walk("ASC", 5);
    expect(res.ids).toEqual(expected(everyone, "ASC"));
    expect(res.ids.slice(0, 7).every((id) => !everyone.find((r) => r.id === id)!.score)).toBe(true);
  });

  it("applies account filters in both sections", async () => {
    const tierA = everyone.filter((r) => r.tier === "A");
    const res = await walk("DESC", 4, { tier: ["A"] });
    expect(res.ids).toEqual(expected(tierA, "DESC"));
    expect(res.totalCount).toBe(tierA.length);
  });

  it("leaves unscored accounts out under a score filter, and counts only the match", async () => {
    const band = everyone.find((r) => r.score)!.score!.band;
    const inBand = everyone.filter((r) => r.score?.band === band);
    const res = await walk("ASC", 6, { band: [band] });
    expect(res.ids).toEqual(expected(inBand, "ASC"));
    expect(res.totalCount).toBe(inBand.length);
  });

  it("rejects a cursor from another ordering with BAD_USER_INPUT", async () => {
    const byName = await client.request<Page>(gql`{ accounts(first: 1) { totalCount pageInfo { hasNextPage endCursor } edges { node { id: rowId tier score { total band } } } } }`);
    expect(await errorCode(client.request(BY_SCORE, { first: 3, after: byName.accounts.pageInfo.endCursor, direction: "DESC" }))).toBe("BAD_USER_INPUT");
  });
});

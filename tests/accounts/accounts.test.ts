import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "graphql-request";
import type { GraphQLClient } from "graphql-request";
import { errorCode, startTestServer, type TestServer } from "../support/server";
import { loadSampleAccounts } from "../support/sample-data";
import { ACCOUNTS_PAGE, ACCOUNT_PAGE_WITH_RELATIONS } from "../support/documents";

interface Page {
  accounts: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: { id: string; name: string; domain: string; industry: string; employees: number | null; tier: string; region: string; isTarget: boolean } }[];
  };
}

let server: TestServer;
let client: GraphQLClient;
let ids: string[];
const N = 120;

beforeAll(async () => {
  server = await startTestServer();
  ids = await loadSampleAccounts(server.database.db, N);
  client = await server.client();
});
afterAll(async () => { await server?.stop(); });

const page = (vars: Record<string, unknown>) => client.request<Page>(ACCOUNTS_PAGE, vars);

describe("accounts: filters", () => {
  it("filters by tier, industry, region and target, and counts the whole match", async () => {
    const res = await page({ filter: { tier: ["A"], industry: ["Software"] }, first: 500 });
    // tier A: i % 3 == 0; Software: i % 4 == 0 → i % 12 == 0 → 10 of 120
    expect(res.accounts.totalCount).toBe(10);
    expect(res.accounts.edges.every((e) => e.node.tier === "A" && e.node.industry === "Software")).toBe(true);

    const emea = await page({ filter: { region: ["EMEA"], isTarget: true }, first: 500 });
    // EMEA: i % 4 == 1 (odd) → never a target (even)
    expect(emea.accounts.totalCount).toBe(0);
    const apacTargets = await page({ filter: { region: ["APAC"], isTarget: true }, first: 500 });
    expect(apacTargets.accounts.totalCount).toBe(30); // i % 4 == 2: all even
  });

  it("searches name and domain case-insensitively, with LIKE wildcards taken literally", async () => {
    const res = await page({ filter: { search: "HOLDINGS" }, first: 500 });
    expect(res.accounts.totalCount).toBe(Math.ceil(N / 7)); // i % 7 == 0
    const byDomain = await page({ filter: { search: "acct007.example" } });
    expect(byDomain.accounts.edges.map((e) => e.node.domain)).toEqual(["acct007.example.com"]);
    const wildcard = await page({ filter: { search: "%" } });
    expect(wildcard.accounts.totalCount).toBe(0);
  });

  it("finds subsidiaries through parentId", async () => {
    const res = await page({ filter: { parentId: ids[0] }, first: 500 });
    expect(res.accounts.totalCount).toBe(ids.filter((_, i) => i % 5 === 1).length);
  });

  it("matches nothing on score filters before any scoring run", async () => {
    const res = await page({ filter: { band: ["Hot"] } });
    expect(res.accounts.totalCount).toBe(0);
  });
});

describe("accounts: ordering and cursors", () => {
  it("walks every account exactly once by name with cursors", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const res: Page = await page({ first: 25, after });
      seen.push(...res.accounts.edges.map((e) => e.node.name));
      expect(res.accounts.pageInfo.hasPreviousPage).toBe(after !== null);
      after = res.accounts.pageInfo.hasNextPage ? res.accounts.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(5);
    expect(seen).toHaveLength(N);
    expect(new Set(seen).size).toBe(N);
    expect(seen).toEqual([...seen].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
  });

  it("orders by employees descending, nulls last, stable across pages", async () => {
    const first = await page({ orderBy: { field: "EMPLOYEES", direction: "DESC" }, first: 60 });
    const second = await page({ orderBy: { field: "EMPLOYEES", direction: "DESC" }, first: 60, after: first.accounts.pageInfo.endCursor });
    const all = [...first.accounts.edges, ...second.accounts.edges].map((e) => e.node.employees);
    expect(all).toHaveLength(N);
    expect(all[0]).toBe(100 * Math.max(...Array.from({ length: N }, (_, i) => (i % 10 === 9 ? 0 : i + 1))));
    const known = all.filter((e): e is number => e !== null);
    expect(known).toEqual([...known].sort((a, b) => b - a));
    expect(all.slice(known.length).every((e) => e === null)).toBe(true);
  });

  it("rejects a page size over the cap and a forged cursor with BAD_USER_INPUT", async () => {
    expect(await errorCode(page({ first: 100_000 }))).toBe("BAD_USER_INPUT");
    expect(await errorCode(page({ after: "bm90LWEtY3Vyc29y" }))).toBe("BAD_USER_INPUT");
  });
});

describe("account by id or domain, with relations", () => {
  const ONE = gql`query One($id: ID, $domain: String) { account(id: $id, domain: $domain) {
    id name parent { name } subsidiaries { name }
    contacts { email role } champions: contacts(role: TECHNICAL_EVALUATOR) { email }
    won: deals(outcome: WON) { externalId amount } deals { externalId }
    engagement(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { type contactEmail } } }
  } }`;
  type One = { account: null | { id: string; name: string; parent: { name: string } | null; subsidiaries: { name: string }[]; contacts: { email: string; role: string | null }[]; champions: { email: string }[]; won: { externalId: string }[]; deals: unknown[]; engagement: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: unknown[] } } };

  it("finds an account by a pasted domain (scheme, www, case, trailing dot)", async () => {
    const res = await client.request<One>(ONE, { domain: "https://WWW.Acct001.example.com./" });
    expect(res.account?.name).toBe("Account 001");
    expect(res.account?.parent?.name).toBe("Account 000 Holdings");
    expect(res.account?.contacts).toHaveLength(3);
    expect(res.account?.champions.map((c) => c.email)).toEqual(["dev@acct001.example.com"]);
    expect(res.account?.won).toHaveLength(1);
    expect(res.account?.deals).toHaveLength(2);
    expect(res.account?.engagement.totalCount).toBe(4);
    expect(res.account?.engagement.edges).toHaveLength(2);
    expect(res.account?.engagement.pageInfo.hasNextPage).toBe(true);
  });

  it("returns null for an unknown account and BAD_USER_INPUT without a key", async () => {
    expect((await client.request<One>(ONE, { domain: "nope.example" })).account).toBeNull();
    expect(await errorCode(client.request(ONE, {}))).toBe("BAD_USER_INPUT");
  });
});

describe("no N+1", () => {
  it("runs the same number of SQL statements for a page of 100 accounts with relations as for 10", async () => {
    const db = server.app.db;
    const count = async (first: number) => {
      await client.request(ACCOUNT_PAGE_WITH_RELATIONS, { first }); // warm the key cache
      db.trace = [];
      const res = await client.request<{ accounts: { edges: unknown[] } }>(ACCOUNT_PAGE_WITH_RELATIONS, { first });
      expect(res.accounts.edges).toHaveLength(first);
      const statements = db.trace;
      db.trace = null;
      return statements.map((s) => s.replace(/\s+/g, " ").slice(0, 400)).sort();
    };
    const ten = await count(10);
    const hundred = await count(100);
    expect(hundred).toEqual(ten);
    expect(ten.length).toBeLessThanOrEqual(12);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "graphql-request";
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from "../support/server";

/** Posts a raw GraphQL body and returns status and parsed JSON, for limits graphql-request would hide. */
async function post(server: TestServer, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TEST_ADMIN_KEY}`, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] }, text };
}

describe("request limits (development)", () => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer({ MAX_BODY_BYTES: "20000", MAX_QUERY_DEPTH: "6", MAX_QUERY_ALIASES: "5", MAX_QUERY_COST: "20000" }); });
  afterAll(async () => { await server?.stop(); });

  it("refuses a query nested deeper than the limit", async () => {
    const deep = `{ accounts { edges { node { parent { parent { parent { parent { parent { id } } } } } } } } }`;
    const res = await post(server, { query: deep });
    expect(res.json.errors?.[0]?.message).toMatch(/depth/i);
    expect(res.json.data ?? null).toBeNull();
  });

  it("refuses too many aliases", async () => {
    const aliases = Array.from({ length: 8 }, (_, i) => `a${i}: accounts(first: 1) { totalCount }`).join(" ");
    const res = await post(server, { query: `{ ${aliases} }` });
    expect(res.json.errors?.[0]?.message).toMatch(/alias/i);
  });

  it("refuses a query whose list-multiplied cost is over the limit, saying what to change", async () => {
    const res = await post(server, { query: `{ accounts(first: 500) { edges { node { contacts { email name title } deals { amount } } } } }` });
    expect(res.status).toBe(400);
    expect(res.json.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COSTLY");
    expect(res.json.errors?.[0]?.message).toMatch(/smaller pages/);
  });

  it("refuses a body over the size limit with 413", async () => {
    const res = await post(server, { query: `{ accounts { totalCount } }`, variables: { pad: "x".repeat(30_000) } });
    expect(res.status).toBe(413);
    expect(res.json.errors?.[0]?.extensions?.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("refuses a body that is not JSON with 400", async () => {
    const res = await post(server, "{not json");
    expect(res.status).toBe(400);
  });

  it("blocks a simple cross-site GET without a preflight header (CSRF prevention)", async () => {
    // What a cross-site page can send without a preflight: no custom header. (A GET carrying
    // `Authorization` is preflighted by browsers, so the API serves it: tests/http/browsers.test.ts.)
    const res = await fetch(`${server.url}?query=${encodeURIComponent("{ accounts { totalCount } }")}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF|preflight/i);
  });

  it("answers GET with apollo-require-preflight", async () => {
    const res = await fetch(`${server.url}?query=${encodeURIComponent("{ accounts { totalCount } }")}`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, "apollo-require-preflight": "true" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { accounts: { totalCount: 0 } } });
  });

  it("reports a variable that does not coerce as BAD_USER_INPUT, not a masked 500", async () => {
    const badEnum = await post(server, { query: `query Q($t: [Tier!]) { accounts(filter: { tier: $t }) { totalCount } }`, variables: { t: ["D"] } });
    expect(badEnum.status).toBe(400);
    expect(badEnum.json.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(badEnum.json.errors?.[0]?.message).toMatch(/\$t/);
    const badDate = await post(server, { query: `query Q($since: DateTime!) { bandTransitions(since: $since) { totalCount } }`, variables: { since: "2026-01-01 10:00" } });
    expect(badDate.json.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("refuses a document that does not parse, or has too many tokens, with 400 GRAPHQL_PARSE_FAILED", async () => {
    const typo = await post(server, { query: `{ accounts { totalCount }` });
    expect([typo.status, typo.json.errors?.[0]?.extensions?.code]).toEqual([400, "GRAPHQL_PARSE_FAILED"]);
    const long = await post(server, { query: `{ ${"a ".repeat(6_000)}}` }); // under the body limit, over 5000 tokens
    expect([long.status, long.json.errors?.[0]?.extensions?.code]).toEqual([400, "GRAPHQL_PARSE_FAILED"]);
    expect(long.json.errors?.[0]?.message).toMatch(/5000 tokens/);
  });

  it("refuses text no field can store (NUL, lone surrogates) in any argument, naming it", async () => {
    const res = await post(server, { query: `query Q($s: String) { accounts(filter: { search: $s }) { totalCount } }`, variables: { s: "acme\u0000" } });
    expect([res.status, res.json.errors?.[0]?.extensions?.code]).toEqual([400, "BAD_USER_INPUT"]);
    expect(res.json.errors?.[0]?.extensions?.field).toBe("s");
    const literal = await post(server, { query: `{ accounts(filter: { search: "\\uD800" }) { totalCount } }` });
    expect(literal.json.errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
  });

  it("keeps introspection on in development", async () => {
    const res = await post(server, { query: `{ __schema { queryType { name } } }` });
    expect(res.json.data).toEqual({ __schema: { queryType: { name: "Query" } } });
  });

  it("masks unexpected failures: no SQL, stack or path in the response", async () => {
    const db = server.app.db;
    await db.query("ALTER TABLE accounts RENAME COLUMN region TO region_gone");
    try {
      const res = await post(server, { query: `{ accounts(first: 1) { edges { node { name } } } }` });
      expect(res.json.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
      expect(res.text).not.toMatch(/region_gone|SELECT|\/work\/|\.ts:|stack/i);
    } finally {
      await db.query("ALTER TABLE accounts RENAME COLUMN region_gone TO region");
    }
  });
});

describe("production mode", () => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer({ NODE_ENV: "production" }); });
  afterAll(async () => { await server?.stop(); });

  it("turns introspection off (schema.graphql is the published schema)", async () => {
    const res = await post(server, { query: `{ __schema { queryType { name } } }` });
    expect(res.json.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it("does not suggest field names", async () => {
    const res = await post(server, { query: `{ acounts { totalCount } }` });
    expect(res.json.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });

  it("still serves ordinary queries", async () => {
    const client = server.rawClient(`Bearer ${TEST_ADMIN_KEY}`);
    await expect(client.request(gql`{ accounts { totalCount } }`)).resolves.toEqual({ accounts: { totalCount: 0 } });
  });
});

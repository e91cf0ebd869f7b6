import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { errorCode, startTestServer, type TestServer } from "../support/server";
import { accountOf, counts, ingestApi } from "./helpers";

let server: TestServer;
let api: ReturnType<typeof ingestApi>;
let reader: GraphQLClient;

beforeAll(async () => {
  server = await startTestServer({ MAX_BATCH_SIZE: "50" });
  api = ingestApi(await server.client(Role.INGEST));
  reader = await server.client(Role.VIEWER);
});
afterAll(async () => { await server?.stop(); });

const ACCOUNTS = [
  { domain: "idem-one.com", name: "Idem One", industry: "software", employees: 120, annualRevenue: 1_500_000.5, tier: "A", technologies: ["aws", "snowflake"], attributes: { plan: "pro" } },
  { domain: "idem-two.com", name: "Idem Two", parentDomain: "idem-one.com", isTarget: true },
];
const CONTACTS = [
  { email: "ann@idem-one.com", name: "Ann", title: "CTO", seniority: "C_LEVEL", role: "DECISION_MAKER" },
  { email: "bo@idem-two.com", name: "Bo" },
];
const EVENTS = [
  { externalId: "idem-e1", type: "page_view", occurredAt: "2025-03-01T10:00:00Z", contactEmail: "ann@idem-one.com", asset: "/pricing" },
  { externalId: "idem-e2", type: "email_open", occurredAt: "2025-03-02T10:00:00+02:00", accountDomain: "idem-two.com" },
];
const INTENT = [{ accountDomain: "idem-one.com", topic: "data warehouse", strength: 70, observedAt: "2025-03-01T00:00:00Z", source: "bombora" }];
const DEALS = [{ externalId: "idem-d1", accountDomain: "idem-one.com", name: "Pilot", amount: 12000, stage: "Closed Won", outcome: "WON", createdAt: "2025-01-01T00:00:00Z", closedAt: "2025-02-01T00:00:00Z" }];

describe("idempotency: the same batch twice changes nothing the second time", () => {
  it.each([
    ["accounts", () => api.accounts(ACCOUNTS), ACCOUNTS.length],
    ["contacts", () => api.contacts(CONTACTS), CONTACTS.length],
    ["events", () => api.events(EVENTS), EVENTS.length],
    ["intent", () => api.intent(INTENT), INTENT.length],
    ["deals", () => api.deals(DEALS), DEALS.length],
  ])("%s", async (_name, send, size) => {
    expect(await send()).toMatchObject(counts({ inserted: size, updated: 0, unchanged: 0 }));
    expect(await send()).toMatchObject(counts({ inserted: 0, updated: 0, unchanged: size }));
  });

  it("re-sending with one changed row counts one update", async () => {
    const changed = [{ ...ACCOUNTS[0], employees: 130 }, ACCOUNTS[1]];
    expect(await api.accounts(changed)).toMatchObject(counts({ inserted: 0, updated: 1, unchanged: 1 }));
    expect((await accountOf(reader, "idem-one.com"))!.employees).toBe(130);
  });

  it("an equal timestamp written another way is unchanged", async () => {
    const same = [{ ...EVENTS[1], occurredAt: "2025-03-02T08:00:00.000Z" }];
    expect(await api.events(same)).toMatchObject(counts({ unchanged: 1 }));
  });
});

describe("atomicity: one bad row writes nothing and every error is listed", () => {
  it("lists each row's errors with index, field and message, and writes none of the good rows", async () => {
    const result = await api.accounts([
      { domain: "atomic-good.com", name: "Good" },
      { domain: "not a domain", name: "Bad domain" },
      { domain: "atomic-good-2.com", name: "  ", employees: -5 },
      { domain: "atomic-good-3.com", name: "Also good" },
    ]);
    expect(result).toMatchObject({ inserted: 0, updated: 0, unchanged: 0 });
    expect(result.errors.map((e) => [e.index, e.field])).toEqual([[1, "domain"], [2, "name"], [2, "employees"]]);
    expect(result.errors[0]!.message).toMatch(/not a domain name.*e\.g\. acme\.com/);
    expect(result.errors[1]!.message).toBe("name is required");
    expect(result.errors[2]!.message).toMatch(/employees must be 0 or more \(got -5\)/);
    expect(await accountOf(reader, "atomic-good.com")).toBeNull();
    expect(await accountOf(reader, "atomic-good-3.com")).toBeNull();
  });

  it("a row repeating another's key in the same batch is an error", async () => {
    const result = await api.deals([DEALS[0], { ...DEALS[0], amount: 1 }]);
    expect(result.errors).toEqual([{ index: 1, field: "externalId", message: expect.stringMatching(/duplicates row 0/) }]);
  });
});

describe("batch size", () => {
  it("rejects a batch over MAX_BATCH_SIZE with a clear error and writes nothing", async () => {
    const rows = Array.from({ length: 51 }, (_, i) => ({ domain: `big-${i}.com`, name: `Big ${i}` }));
    const failure = api.accounts(rows);
    await expect(failure).rejects.toThrow(/at most 50 accounts; this one has 51\. Split it/);
    expect(await errorCode(api.accounts(rows))).toBe("BAD_USER_INPUT");
    expect(await accountOf(reader, "big-0.com")).toBeNull();
  });

  it("accepts a batch of exactly MAX_BATCH_SIZE, and an empty one", async () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ domain: `edge-${i}.com`, name: `Edge ${i}` }));
    expect(await api.accounts(rows)).toMatchObject(counts({ inserted: 50 }));
    expect(await api.accounts([])).toMatchObject(counts({ inserted: 0, updated: 0, unchanged: 0 }));
  });
});

describe("upsert semantics", () => {
  it("accounts: an omitted field keeps its value, null clears it, attributes merge key by key", async () => {
    await api.accounts([{ domain: "merge.com", name: "Merge", industry: "retail", tier: "B", isTarget: true, attributes: { a: 1, b: 2 }, technologies: ["x"] }]);
    expect(await api.accounts([{ domain: "merge.com", name: "Merge Inc", attributes: { b: null, c: 3 } }])).toMatchObject(counts({ updated: 1 }));
    const a = (await accountOf(reader, "merge.com"))!;
    expect(a).toMatchObject({ name: "Merge Inc", industry: "retail", tier: "B", isTarget: true, attributes: { a: 1, c: 3 }, technologies: ["x"] });
    await api.accounts([{ domain: "merge.com", name: "Merge Inc", industry: null, tier: null }]);
    expect(await accountOf(reader, "merge.com")).toMatchObject({ industry: null, tier: null, isTarget: true });
  });

  it("deals are replaced whole when re-sent", async () => {
    await api.deals([{ externalId: "replace-1", accountDomain: "merge.com", name: "First", amount: 5, stage: "Demo", outcome: "OPEN", createdAt: "2025-01-01T00:00:00Z" }]);
    await api.deals([{ externalId: "replace-1", accountDomain: "merge.com", amount: 7, outcome: "LOST", createdAt: "2025-01-01T00:00:00Z", closedAt: "2025-01-05T00:00:00Z" }]);
    const a = (await accountOf(reader, "merge.com"))!;
    expect(a.deals).toEqual([{ externalId: "replace-1", outcome: "LOST", amount: 7 }]);
  });
});

describe("permissions", () => {
  it("needs an INGEST key to write and a READ key for ingestStatus", async () => {
    const viewer = ingestApi(await server.client(Role.VIEWER));
    expect(await errorCode(viewer.accounts([{ domain: "nope.com", name: "Nope" }]))).toBe("FORBIDDEN");
    expect(await errorCode(ingestApi(server.rawClient()).accounts([{ domain: "nope.com", name: "Nope" }]))).toBe("UNAUTHENTICATED");
  });
});

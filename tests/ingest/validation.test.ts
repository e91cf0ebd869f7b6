import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { startTestServer, type TestServer } from "../support/server";
import type { RowError } from "./documents";
import { accountOf, counts, ingestApi } from "./helpers";

let server: TestServer;
let api: ReturnType<typeof ingestApi>;
let reader: GraphQLClient;

beforeAll(async () => {
  server = await startTestServer({ EVENT_TYPES: "page_view,email_open,email_click,webinar_attended,podcast_listen" });
  api = ingestApi(await server.client(Role.INGEST));
  reader = await server.client(Role.VIEWER);
  await api.accounts([{ domain: "valid.com", name: "Valid" }]);
});
afterAll(async () => { await server?.stop(); });

const only = (errors: RowError[]) => errors.map((e) => ({ field: e.field, message: e.message }));

describe("domains", () => {
  it("normalise case, scheme, path, www. and a trailing dot", async () => {
    expect(await api.accounts([{ domain: "  HTTPS://WWW.Norm-Corp.COM./about?x=1 ", name: "Norm" }])).toMatchObject(counts({ inserted: 1 }));
    expect((await accountOf(reader, "norm-corp.com"))!.domain).toBe("norm-corp.com");
    // The same company written another way is the same row.
    expect(await api.accounts([{ domain: "norm-corp.com.", name: "Norm" }])).toMatchObject(counts({ unchanged: 1 }));
  });

  it("reject things that are not domains, and public suffixes no company owns", async () => {
    const r = await api.accounts([
      { domain: "localhost", name: "A" }, { domain: "10.0.0.1", name: "B" }, { domain: "co.uk", name: "C" }, { domain: "exa mple.com", name: "D" },
    ]);
    expect(r.errors.map((e) => e.index)).toEqual([0, 1, 2, 3]);
    expect(r.errors[2]!.message).toMatch(/"co\.uk" is a public suffix that no company owns; send the company's own domain/);
  });

  it("reject an account that is its own parent", async () => {
    const r = await api.accounts([{ domain: "self.com", name: "Self", parentDomain: "www.self.com" }]);
    expect(only(r.errors)).toEqual([{ field: "parentDomain", message: expect.stringMatching(/cannot be its own parent/) }]);
  });
});

describe("emails", () => {
  it("lower-case valid addresses and reject invalid ones", async () => {
    const bad = await api.contacts([{ email: "Pat@Valid.com" }, { email: "no-at-sign.com" }, { email: "two@@valid.com" }, { email: "x@localhost" }]);
    expect(bad.errors.map((e) => [e.index, e.field])).toEqual([[1, "email"], [2, "email"], [3, "email"]]);
    expect(bad.errors[0]!.message).toMatch(/is not an email address; send it as name@company\.com/);
    expect(await api.contacts([{ email: "Pat@Valid.com" }])).toMatchObject(counts({ inserted: 1 }));
    expect(await api.contacts([{ email: "pat@valid.com" }])).toMatchObject(counts({ unchanged: 1 }));
  });
});

describe("enums", () => {
  it("GraphQL enums reject unknown values before anything is written", async () => {
    // The type system checks enums (the request fails as a whole, naming the path, e.g. input[0].tier);
    // CSV imports check the same values per row and map other spellings in the mapping.
    await expect(api.deals([{ externalId: "enum-1", accountDomain: "valid.com", amount: 1, outcome: "Won", createdAt: "2025-01-01T00:00:00Z" }])).rejects.toThrow();
    await expect(api.contacts([{ email: "e@valid.com", role: "BOSS" }])).rejects.toThrow();
    await expect(api.accounts([{ domain: "enum-tier.com", name: "Tier", tier: "D" }])).rejects.toThrow();
    expect(await accountOf(reader, "enum-tier.com")).toBeNull();
    expect((await accountOf(reader, "valid.com"))!.deals).toEqual([]);
  });
});

describe("deals", () => {
  const deal = { externalId: "d", accountDomain: "valid.com", amount: 10, outcome: "OPEN", createdAt: "2025-01-10T00:00:00Z" };
  it("amount is 0 or more; WON and LOST need closedAt, which cannot precede createdAt", async () => {
    const r = await api.deals([
      { ...deal, externalId: "d1", amount: -1 },
      { ...deal, externalId: "d2", outcome: "WON" },
      { ...deal, externalId: "d3", outcome: "LOST", closedAt: "2025-01-09T23:59:59Z" },
      { ...deal, externalId: "d4", outcome: "LOST", closedAt: "2025-01-10T00:00:00Z" },
      { ...deal, externalId: "d5", amount: 0 },
    ]);
    expect(only(r.errors)).toEqual([
      { field: "amount", message: "amount must be 0 or more (got -1)" },
      { field: "closedAt", message: "a WON deal needs closedAt, the time it was won" },
      { field: "closedAt", message: expect.stringMatching(/closedAt 2025-01-09T23:59:59\.000000Z is before createdAt 2025-01-10T00:00:00\.000000Z/) },
    ]);
    expect(r.errors.map((e) => e.index)).toEqual([0, 1, 2]);
  });
});

describe("intent", () => {
  it("strength is 0–100", async () => {
    const signal = { accountDomain: "valid.com", topic: "crm", observedAt: "2025-01-01T00:00:00Z" };
    const r = await api.intent([{ ...signal, strength: 101 }, { ...signal, strength: -1, topic: "b" }, { ...signal, strength: 100, topic: "c" }]);
    expect(only(r.errors)).toEqual([
      { field: "strength", message: "strength must be 100 or less (got 101)" },
      { field: "strength", message: "strength must be 0 or more (got -1)" },
    ]);
  });
});

describe("timestamps", () => {
  const event = { externalId: "t", type: "page_view", accountDomain: "valid.com" };
  it("need a time zone, and every bad one is reported with its row", async () => {
    const r = await api.events([
      { ...event, externalId: "t1", occurredAt: "2025-01-05T10:00:00" },
      { ...event, externalId: "t2", occurredAt: "2025-01-05" },
      { ...event, externalId: "t3", occurredAt: "yesterday" },
      { ...event, externalId: "t4", occurredAt: "2025-02-30T10:00:00Z" },
      { ...event, externalId: "t5", occurredAt: "2999-01-01T00:00:00Z" },
      { ...event, externalId: "t6", occurredAt: "2025-01-05T10:00:00+05:30" },
    ]);
    expect(r.errors.map((e) => [e.index, e.field])).toEqual([[0, "occurredAt"], [1, "occurredAt"], [2, "occurredAt"], [3, "occurredAt"], [4, "occurredAt"]]);
    expect(r.errors[0]!.message).toBe('occurredAt: "2025-01-05T10:00:00" has no time zone; add Z for UTC or an offset such as +02:00');
    expect(r.errors[1]!.message).toMatch(/is a date without a time/);
    expect(r.errors[2]!.message).toMatch(/is not an ISO 8601 date-time/);
    expect(r.errors[3]!.message).toMatch(/is not a real date/);
    expect(r.errors[4]!.message).toMatch(/outside the years|in the future/);
  });
});

describe("events", () => {
  it("types come from the configured list (EVENT_TYPES)", async () => {
    const base = { occurredAt: "2025-01-01T00:00:00Z", accountDomain: "valid.com" };
    const r = await api.events([
      { ...base, externalId: "ty1", type: "podcast_listen" },
      { ...base, externalId: "ty2", type: "Page View" },
      { ...base, externalId: "ty3", type: "demo_request" },
    ]);
    expect(only(r.errors)).toEqual([{ field: "type", message: expect.stringMatching(/"demo_request" is not a configured event type; use one of page_view, email_open, email_click, webinar_attended, podcast_listen \(EVENT_TYPES sets the list\)/) }]);
    const ok = await api.events([{ ...base, externalId: "ty1", type: "podcast_listen" }, { ...base, externalId: "ty2", type: "Page View" }]);
    expect(ok).toMatchObject(counts({ inserted: 2 }));
  });

  it("need a contact or a domain to be attributed", async () => {
    const r = await api.events([{ externalId: "orphan", type: "page_view", occurredAt: "2025-01-01T00:00:00Z" }]);
    expect(only(r.errors)).toEqual([{ field: "accountDomain", message: "send contactEmail or accountDomain, so the event can be attributed to an account" }]);
  });
});

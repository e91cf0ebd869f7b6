import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../src/auth/roles";
import { startTestServer, type TestServer } from "../support/server";
import { ingestApi } from "./helpers";

let server: TestServer;
let api: ReturnType<typeof ingestApi>;

beforeAll(async () => {
  server = await startTestServer();
  api = ingestApi(await server.client(Role.INGEST));
});
afterAll(async () => { await server?.stop(); });

const count = async (sql: string) => (await server.database.db.query<{ n: number }>(sql))[0]!.n;

describe("concurrent batches with the same keys", () => {
  it("never create duplicates, and every batch succeeds", async () => {
    const accounts = Array.from({ length: 200 }, (_, i) => ({ domain: `race-${i}.com`, name: `Race ${i}` }));
    const contacts = Array.from({ length: 200 }, (_, i) => ({ email: `p${i}@race-${i % 200}.com` }));
    const events = Array.from({ length: 500 }, (_, i) => ({ externalId: `race-e${i}`, type: "page_view", occurredAt: `2025-01-01T00:${String(i % 60).padStart(2, "0")}:00Z`, contactEmail: `p${i % 200}@race-${i % 200}.com` }));
    const results = await Promise.all([
      ...Array.from({ length: 4 }, () => api.accounts(accounts)),
      ...Array.from({ length: 4 }, () => api.contacts(contacts)),
      ...Array.from({ length: 4 }, () => api.events(events)),
    ]);
    for (const r of results) expect(r.errors).toEqual([]);
    expect(results.slice(0, 4).reduce((s, r) => s + r.inserted, 0)).toBe(200);
    expect(await count("SELECT count(*)::int AS n FROM accounts WHERE domain LIKE 'race-%'")).toBe(200);
    expect(await count("SELECT count(*)::int AS n FROM contacts WHERE email LIKE '%@race-%'")).toBe(200);
    expect(await count("SELECT count(*)::int AS n FROM engagement_events WHERE external_id LIKE 'race-e%'")).toBe(500);
  });

  it("event batches touching the same accounts in different orders do not deadlock", async () => {
    const batch = (seed: number) => Array.from({ length: 300 }, (_, i) => ({
      externalId: `dl-${seed}-${i}`, type: "page_view", occurredAt: `2025-02-0${1 + (i % 9)}T00:00:00Z`, accountDomain: `race-${(i * (seed + 1)) % 200}.com`,
    })).reverse();
    const results = await Promise.all(Array.from({ length: 6 }, (_, s) => api.events(batch(s))));
    for (const r of results) expect(r).toMatchObject({ inserted: 300, errors: [] });
    expect(await count("SELECT count(*)::int AS n FROM accounts WHERE domain LIKE 'race-%' AND last_engaged_at = '2025-02-09T00:00:00Z'")).toBeGreaterThan(0);
  });
});

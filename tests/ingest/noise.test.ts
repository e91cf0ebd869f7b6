import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { startTestServer, type TestServer } from "../support/server";
import { accountOf, counts, ingestApi } from "./helpers";

let server: TestServer;
let api: ReturnType<typeof ingestApi>;
let reader: GraphQLClient;

beforeAll(async () => {
  server = await startTestServer();
  api = ingestApi(await server.client(Role.INGEST));
  reader = await server.client(Role.VIEWER);
  await api.accounts([{ domain: "noisy.com", name: "Noisy" }]);
  await api.contacts([{ email: "pat@noisy.com" }]);
});
afterAll(async () => { await server?.stop(); });

describe("noise: bots and prefetches are stored and flagged, never dropped", () => {
  it("flags isBot, opens within seconds of delivery, and scanner agents — and keeps human events unflagged", async () => {
    const base = { contactEmail: "pat@noisy.com" };
    const r = await api.events([
      { ...base, externalId: "n-human", type: "email_open", occurredAt: "2025-06-01T09:10:00Z", deliveredAt: "2025-06-01T09:00:00Z", userAgent: "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15" },
      { ...base, externalId: "n-source", type: "page_view", occurredAt: "2025-06-02T09:00:00Z", isBot: true },
      { ...base, externalId: "n-prefetch", type: "email_open", occurredAt: "2025-06-03T09:00:02Z", deliveredAt: "2025-06-03T09:00:00Z" },
      { ...base, externalId: "n-scan", type: "email_click", occurredAt: "2025-06-04T09:00:00Z", userAgent: "Mozilla/5.0 (compatible; Barracuda Sentinel)" },
      { ...base, externalId: "n-crawler", type: "page_view", occurredAt: "2025-06-05T09:00:00Z", userAgent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" },
    ]);
    expect(r).toMatchObject(counts({ inserted: 5 }));
    const account = (await accountOf(reader, "noisy.com"))!;
    const byId = Object.fromEntries(account.engagement.edges.map((e) => [e.node.externalId, e.node]));
    expect(account.engagement.totalCount).toBe(5);
    expect(byId["n-human"]).toMatchObject({ isBot: false, botReason: null });
    expect(byId["n-source"]).toMatchObject({ isBot: true, botReason: "flagged by the source (isBot)" });
    expect(byId["n-prefetch"]).toMatchObject({ isBot: true, botReason: "prefetch: email_open 2 s after delivery" });
    expect(byId["n-scan"]).toMatchObject({ isBot: true, botReason: "scanner user agent (Barracuda)" });
    expect(byId["n-crawler"]).toMatchObject({ isBot: true, botReason: "scanner user agent (crawler)" });
    // Noise never makes an account look engaged.
    expect(account.lastEngagedAt).toBe("2025-06-01T09:10:00.000Z");
  });

  it("re-sending an event as a bot takes it back out of last engaged, exactly", async () => {
    await api.events([{ externalId: "n-late", type: "page_view", occurredAt: "2025-06-10T09:00:00Z", contactEmail: "pat@noisy.com" }]);
    expect((await accountOf(reader, "noisy.com"))!.lastEngagedAt).toBe("2025-06-10T09:00:00.000Z");
    expect(await api.events([{ externalId: "n-late", type: "page_view", occurredAt: "2025-06-10T09:00:00Z", contactEmail: "pat@noisy.com", isBot: true }])).toMatchObject(counts({ updated: 1 }));
    expect((await accountOf(reader, "noisy.com"))!.lastEngagedAt).toBe("2025-06-01T09:10:00.000Z");
  });
});

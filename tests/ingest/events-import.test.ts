import "reflect-metadata";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../src/auth/roles";
import type { ImportSummary } from "../../src/ingest/import/csv-import";
import { parseMapping } from "../../src/ingest/import/import-mapping";
import { startTestServer, type TestServer } from "../support/server";
import { ingestApi } from "./helpers";
import { readRejects, scratchDir } from "./import-support";

// An events file through every case the events merge meets in an import: repeats, ids already
// stored (unchanged or changed), held events, noise, and last_engaged_at.

let server: TestServer;
const scratch = scratchDir();

beforeAll(async () => {
  server = await startTestServer();
  const api = ingestApi(await server.client(Role.INGEST));
  await api.accounts([{ domain: "events-imp.com", name: "Events Imp" }]);
  await api.contacts([{ email: "ann@events-imp.com" }]);
  await api.events([
    { externalId: "ei-same", type: "page_view", occurredAt: "2025-01-01T00:00:00Z", accountDomain: "events-imp.com" },
    { externalId: "ei-diff", type: "page_view", occurredAt: "2025-01-01T00:00:00Z", accountDomain: "events-imp.com" },
  ]);
});
afterAll(async () => {
  await server?.stop();
  scratch.remove();
});

const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => server.database.db.query<T>(sql, params);

const EVENTS = [
  "id,type,at,who,site,bot",
  "ei-1,page_view,2025-02-01T00:00:00Z,ann@events-imp.com,,", //   2: new, by contact
  "ei-2,form_fill,2025-02-02T00:00:00Z,,events-imp.com,", //       3: new, by domain
  "ei-1,email_open,2025-02-09T00:00:00Z,ann@events-imp.com,,", //  4: repeats line 2
  "ei-same,page_view,2025-01-01T00:00:00Z,,events-imp.com,", //    5: stored, identical: unchanged
  "ei-3,page_view,2025-02-03T00:00:00Z,,unknown-events-imp.io,", //    6: held
  "ei-diff,demo_request,2025-02-04T00:00:00Z,,events-imp.com,", // 7: stored, changed: updated
  "ei-bad,no_such_type,2025-02-05T00:00:00Z,,events-imp.com,", //  8: fails its check
  "ei-2,page_view,2025-02-09T00:00:00Z,,events-imp.com,", //       9: repeats line 3
  "ei-4,page_view,2025-03-01T00:00:00Z,,events-imp.com,true", //  10: noise, newest of all
  "ei-diff,ad_click,2025-02-09T00:00:00Z,,events-imp.com,", //    11: repeats line 7, a stored id
  "ei-5,meeting_held,2025-02-20T00:00:00Z,ann@events-imp.com,,", // 12: newest human event
].join("\n");

const MAPPING = { entity: "events", file: "events.csv", fields: { externalId: "id", type: "type", occurredAt: "at", contactEmail: "who", accountDomain: "site", isBot: "bot" } };

function importEvents(rejectFile: string): Promise<ImportSummary> {
  const files = parseMapping(MAPPING, scratch.dir).map((m) => ({ path: m.file!, mapping: m }));
  return server.app.services.ingest.importFiles({ files, rejectPath: path.join(scratch.dir, rejectFile) });
}

const EXPECTED_REJECTS = [
  // Found while reading, then the repeats (by line).
  { line: 8, key: "ei-bad", fields: "type" },
  { line: 4, key: "ei-1", fields: "externalId", reason: "repeats the event of line 2 (same externalId); the first one was imported" },
  { line: 9, key: "ei-2", fields: "externalId", reason: "repeats the event of line 3 (same externalId); the first one was imported" },
  { line: 11, key: "ei-diff", fields: "externalId", reason: "repeats the event of line 7 (same externalId); the first one was imported" },
];

describe("quorum import: events", () => {
  it("writes the first of each id, merges stored ids, and rejects repeats with the line of the first", async () => {
    scratch.write("events.csv", EVENTS);
    const summary = await importEvents("first.csv");
    expect(summary.files[0]).toMatchObject({ rows: 11, inserted: 5, updated: 1, unchanged: 1, held: 1, rejected: 4 });
    expect(readRejects(path.join(scratch.dir, "first.csv")).map(({ line, key, fields, reason }) => ({ line, key, fields, reason })))
      .toEqual(EXPECTED_REJECTS.map((r) => expect.objectContaining(r)));

    const rows = await q<{ external_id: string; type: string; account: string | null; contact: string | null; is_bot: boolean }>(
      `SELECT e.external_id, e.type, a.domain AS account, c.email AS contact, e.is_bot
         FROM engagement_events e LEFT JOIN accounts a ON a.id = e.account_id LEFT JOIN contacts c ON c.id = e.contact_id
        WHERE e.external_id LIKE 'ei-%' ORDER BY e.external_id`);
    expect(rows).toEqual([
      { external_id: "ei-1", type: "page_view", account: "events-imp.com", contact: "ann@events-imp.com", is_bot: false },
      { external_id: "ei-2", type: "form_fill", account: "events-imp.com", contact: null, is_bot: false },
      { external_id: "ei-3", type: "page_view", account: null, contact: null, is_bot: false },
      { external_id: "ei-4", type: "page_view", account: "events-imp.com", contact: null, is_bot: true },
      { external_id: "ei-5", type: "meeting_held", account: "events-imp.com", contact: "ann@events-imp.com", is_bot: false },
      { external_id: "ei-diff", type: "demo_request", account: "events-imp.com", contact: null, is_bot: false },
      { external_id: "ei-same", type: "page_view", account: "events-imp.com", contact: null, is_bot: false },
    ]);
    // The newest event that is not noise.
    const [account] = await q<{ last: Date }>("SELECT last_engaged_at AS last FROM accounts WHERE domain = 'events-imp.com'");
    expect(account!.last.toISOString()).toBe("2025-02-20T00:00:00.000Z");
  });

  it("changes nothing when the file comes again, and rejects the same rows", async () => {
    const summary = await importEvents("again.csv");
    expect(summary.files[0]).toMatchObject({ rows: 11, inserted: 0, updated: 0, unchanged: 7, held: 1, rejected: 4 });
    expect(readRejects(path.join(scratch.dir, "again.csv")).map((r) => r.line)).toEqual([8, 4, 9, 11]);
    expect((await q<{ n: number }>("SELECT count(*)::int AS n FROM engagement_events WHERE external_id LIKE 'ei-%'"))[0]!.n).toBe(7);
  });
});

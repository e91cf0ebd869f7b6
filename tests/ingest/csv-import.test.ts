import "reflect-metadata";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { parseMapping } from "../../src/ingest/import/import-mapping";
import { startTestServer, type TestServer } from "../support/server";
import { accountOf } from "./helpers";
import { readRejects, runImportVia, scratchDir } from "./import-support";

let server: TestServer;
let reader: GraphQLClient;
const scratch = scratchDir();
const rejects = (name: string) => path.join(scratch.dir, name);

beforeAll(async () => {
  server = await startTestServer();
  reader = await server.client(Role.VIEWER);
});
afterAll(async () => {
  await server?.stop();
  scratch.remove();
});

const q = async <T extends Record<string, unknown>>(sql: string) => server.database.db.query<T>(sql);

const COMPANIES = [
  "\uFEFFCompany Name,Website,Sector,Staff,Revenue (M),Parent,Tier,Tech Stack,Founded\r\n",
  "Acme Corp,acme-imp.com,Technolgy,1200,12.5,,a,aws; snowflake ,1999\r\n",
  "\"Acme, Europe\",eu.acme-imp.com,technology,300,\"2.25\",Acme Corp,B,,2005\r\n",
  "\r\n",
  "Orphan Ltd,orphan-imp.co.uk,Retail,,,Missing Parent Inc,C,,not a year\r\n",
  "Nameless,,Retail,10,1,,,,\r\n",
  "Loop One,loop1-imp.com,Retail,1,1,Loop Two,,,\r\n",
  "Loop Two,loop2-imp.com,Retail,1,1,Loop One,,,\r\n",
  "Acme Corp,acme-imp.com,Technology,1300,12.5,,A,,1999\r\n",
].join("");

const COMPANY_MAPPING = {
  timezone: "UTC",
  files: [{
    entity: "accounts", file: "companies.csv",
    fields: {
      domain: "Website",
      name: "Company Name",
      industry: { column: "Sector", map: { technolgy: "Technology" } },
      employees: "Staff",
      annualRevenue: { column: "Revenue (M)", multiply: 1_000_000 },
      parentDomain: { column: "Parent", map: { "Acme Corp": "acme-imp.com", "Missing Parent Inc": "missing-parent.com", "Loop One": "loop1-imp.com", "Loop Two": "loop2-imp.com" } },
      tier: "Tier",
      technologies: { column: "Tech Stack", separator: ";" },
      "attributes.founded": { column: "Founded", type: "integer" },
    },
  }],
};

describe("quorum import: accounts", () => {
  it("imports a messy export: BOM, CRLF, quotes, blank lines, typo maps, scaling, lists, attributes, parent links", async () => {
    scratch.write("companies.csv", COMPANIES);
    const summary = await runImportVia(server, COMPANY_MAPPING, scratch.dir, rejects("companies.rejects.csv"));
    expect(summary).toMatchObject({ committed: true, rows: 7, rejected: 5 });
    expect(summary.files[0]).toMatchObject({ entity: "accounts", rows: 7, inserted: 2, unchanged: 0, rejected: 5 });
    const acme = (await accountOf(reader, "acme-imp.com"))!;
    expect(acme).toMatchObject({ name: "Acme Corp", industry: "Technology", employees: 1200, annualRevenue: 12_500_000, tier: "A", technologies: ["aws", "snowflake"], attributes: { founded: 1999 } });
    expect(acme.subsidiaries).toEqual([{ domain: "eu.acme-imp.com" }]);
    expect((await accountOf(reader, "eu.acme-imp.com"))!).toMatchObject({ name: "Acme, Europe", annualRevenue: 2_250_000, tier: "B" });

    // In the order found (while reading, then repeats, then cycles); sorted here by line.
    expect(readRejects(rejects("companies.rejects.csv")).sort((a, b) => a.line - b.line)).toEqual([
      { file: "companies.csv", line: 5, key: "orphan-imp.co.uk", fields: "attributes.founded", reason: 'attributes.founded: "not a year" is not a whole number' },
      { file: "companies.csv", line: 6, key: "", fields: "domain", reason: 'domain is required (column "Website" is blank)' },
      { file: "companies.csv", line: 7, key: "loop1-imp.com", fields: "parentDomain", reason: expect.stringMatching(/loop2-imp\.com would make a cycle \(loop1-imp\.com → loop2-imp\.com → loop1-imp\.com\)/) },
      { file: "companies.csv", line: 8, key: "loop2-imp.com", fields: "parentDomain", reason: expect.stringMatching(/would make a cycle/) },
      { file: "companies.csv", line: 9, key: "acme-imp.com", fields: "domain", reason: "repeats the account of line 2 (same domain); the first one was imported" },
    ]);
  });

  it("importing the same file again changes nothing", async () => {
    const summary = await runImportVia(server, COMPANY_MAPPING, scratch.dir, rejects("again.csv"));
    expect(summary).toMatchObject({ inserted: 0, updated: 0, unchanged: 2, rejected: 5 });
  });
});

describe("quorum import: contacts and events, stitched like the mutations", () => {
  const PEOPLE = [
    "email;full name;job;level;buying role;company\n",
    "ann@acme-imp.com;Ann;CTO;C-Level;Decision maker;\n",
    "bo@mail.eu.acme-imp.com;\"Bo; the second\";Eng;ic;champ;\n",
    "cy@gmail.com;Cy;;;;acme-imp.com\n",
    "dee@later-imp.io;Dee;;;;\n",
    "not-an-email;X;;;;\n",
    "eve@acme-imp.com;Eve;;Intern;;\n",
  ].join("");
  const EVENTS = [
    "id,kind,when,who,site,agent\n",
    "ev-1,Page View,2025-03-01 09:30,ann@acme-imp.com,,\n",
    "ev-2,email_open,2025-03-01 09:31,bo@mail.eu.acme-imp.com,,Barracuda\n",
    "ev-3,page_view,2025-03-02 10:00,,later-imp.io,\n",
    "ev-4,teleport,2025-03-02 10:00,,acme-imp.com,\n",
    "ev-5,page_view,03/02/2025,,acme-imp.com,\n",
  ].join("");
  const MAPPING = {
    timezone: "Europe/Berlin",
    files: [
      {
        entity: "contacts", file: "people.csv", delimiter: ";",
        fields: {
          email: "email", name: "full name", title: "job",
          seniority: { column: "level", map: { "C-Level": "C_LEVEL", ic: "INDIVIDUAL_CONTRIBUTOR" } },
          role: { column: "buying role", map: { "decision maker": "DECISION_MAKER", champ: "CHAMPION" } },
          accountDomain: "company",
        },
      },
      {
        entity: "events", file: "events.csv",
        fields: {
          externalId: "id", type: { column: "kind", map: { "Page View": "page_view" } },
          occurredAt: { column: "when", format: "yyyy-MM-dd HH:mm" },
          contactEmail: "who", accountDomain: "site", userAgent: "agent",
        },
      },
    ],
  };

  it("imports both files in one transaction, with the same rules and stitching as GraphQL", async () => {
    scratch.write("people.csv", PEOPLE);
    scratch.write("events.csv", EVENTS);
    const summary = await runImportVia(server, MAPPING, scratch.dir, rejects("people.rejects.csv"));
    expect(summary.files.map((f) => [f.entity, f.rows, f.inserted, f.held, f.rejected])).toEqual([
      ["contacts", 6, 4, 1, 2],
      ["events", 5, 3, 1, 2],
    ]);
    const acme = (await accountOf(reader, "acme-imp.com"))!;
    expect(acme.contacts.map((c) => c.email).sort()).toEqual(["ann@acme-imp.com", "cy@gmail.com"]);
    expect((await accountOf(reader, "eu.acme-imp.com"))!.contacts.map((c) => c.email)).toEqual(["bo@mail.eu.acme-imp.com"]);
    const events = Object.fromEntries(acme.engagement.edges.map((e) => [e.node.externalId, e.node]));
    expect(events["ev-1"]).toMatchObject({ type: "page_view", occurredAt: "2025-03-01T08:30:00.000Z", isBot: false });
    const eu = (await accountOf(reader, "eu.acme-imp.com"))!;
    expect(eu.engagement.edges[0]!.node).toMatchObject({ externalId: "ev-2", isBot: true, botReason: "scanner user agent (Barracuda)" });

    const r = readRejects(rejects("people.rejects.csv"));
    expect(r.map((x) => [x.file, x.line, x.fields])).toEqual([
      ["people.csv", 6, "email"], ["people.csv", 7, "seniority"], ["events.csv", 5, "type"], ["events.csv", 6, "occurredAt"],
    ]);
    expect(r[1]!.reason).toMatch(/seniority must be one of C_LEVEL, .* \(got "Intern"\); map other spellings in the import mapping/);
    expect(r[3]!.reason).toMatch(/"03\/02\/2025" does not match the date format yyyy-MM-dd HH:mm/);

    // The held event and contact stitch when their account arrives through the API.
    const ingest = await server.client(Role.INGEST);
    await ingest.request(`mutation { upsertAccounts(input: [{ domain: "later-imp.io", name: "Later" }]) { stitched } }`);
    const later = (await accountOf(reader, "later-imp.io"))!;
    expect(later.contacts.map((c) => c.email)).toEqual(["dee@later-imp.io"]);
    expect(later.engagement.edges.map((e) => e.node.externalId)).toEqual(["ev-3"]);
  });
});

describe("quorum import: all or nothing", () => {
  it("a broken file later in the import leaves no trace of the earlier ones", async () => {
    scratch.write("a.csv", "Website,Company Name\nfirst-imp.com,First\n");
    scratch.write("b.csv", 'Website,Company Name\nsecond-imp.com,"unclosed\n');
    const mapping = { files: [
      { entity: "accounts", file: "a.csv", fields: { domain: "Website", name: "Company Name" } },
      { entity: "accounts", file: "b.csv", fields: { domain: "Website", name: "Company Name" } },
    ] };
    await expect(runImportVia(server, mapping, scratch.dir, rejects("ab.csv"))).rejects.toThrow(/b\.csv: A quoted field that starts on line 2 is never closed/);
    expect(await accountOf(reader, "first-imp.com")).toBeNull();
  });

  it("--strict writes nothing when any row is rejected", async () => {
    scratch.write("strict.csv", "Website,Company Name\nstrict-imp.com,Strict\nbad domain,Bad\n");
    const summary = await runImportVia(server, { entity: "accounts", file: "strict.csv", fields: { domain: "Website", name: "Company Name" } }, scratch.dir, rejects("strict.rejects.csv"), { strict: true });
    expect(summary).toMatchObject({ committed: false, rejected: 1, inserted: 0 });
    expect(await accountOf(reader, "strict-imp.com")).toBeNull();
  });

  it("mapping mistakes stop the import before any row, saying what to fix", async () => {
    scratch.write("cols.csv", "Website,Company Name\nx-imp.com,X\n");
    await expect(runImportVia(server, { entity: "accounts", file: "cols.csv", fields: { domain: "Site", name: "Company Name" } }, scratch.dir, rejects("m.csv")))
      .rejects.toThrow(/names column "Site", which the header does not have; columns are "Website", "Company Name"/);
    expect(() => parseMapping({ entity: "accounts", fields: { domain: "a", name: "b", colour: "c" } }, scratch.dir)).toThrow(/accounts have no field "colour"/);
    expect(() => parseMapping({ entity: "deals", fields: { externalId: "a" } }, scratch.dir)).toThrow(/deals need accountDomain, amount, outcome, createdAt/);
    expect(() => parseMapping({ entity: "events", fields: { externalId: "a", type: "b", occurredAt: { column: "c", format: "yyyy-MM-dd", timezone: "Nowhere/City" } } }, scratch.dir)).toThrow(/Unknown time zone "Nowhere\/City"/);
    expect(await accountOf(reader, "x-imp.com")).toBeNull();
  });
});

describe("quorum import: rows the file repeats", () => {
  it("keeps the first of each key and rejects the rest with the line of the first", async () => {
    scratch.write("deals.csv", "id,acct,amt,result,opened,closed\nD1,acme-imp.com,10,won,2025-01-01,2025-01-10\nD1,acme-imp.com,99,lost,2025-01-01,2025-01-10\nD2,acme-imp.com,5,open,2025-01-02,\n");
    const summary = await runImportVia(server, {
      entity: "deals", file: "deals.csv", timezone: "UTC",
      fields: { externalId: "id", accountDomain: "acct", amount: "amt", outcome: "result", createdAt: { column: "opened", format: "yyyy-MM-dd" }, closedAt: { column: "closed", format: "yyyy-MM-dd" } },
    }, scratch.dir, rejects("dups.csv"));
    expect(summary.files[0]).toMatchObject({ inserted: 2, rejected: 1 });
    expect(readRejects(rejects("dups.csv"))).toEqual([{ file: "deals.csv", line: 3, key: "D1", fields: "externalId", reason: "repeats the deal of line 2 (same externalId); the first one was imported" }]);
    const rows = await q<{ external_id: string; amount: string; outcome: string }>("SELECT external_id, amount::text, outcome FROM deals WHERE external_id IN ('D1','D2') ORDER BY 1");
    expect(rows).toEqual([{ external_id: "D1", amount: "10.00", outcome: "WON" }, { external_id: "D2", amount: "5.00", outcome: "OPEN" }]);
  });
});

describe("quorum import: text PostgreSQL cannot store", () => {
  it("rejects a row with a NUL character, naming its line and field, and imports the rest", async () => {
    scratch.write("nul.csv", "Company Name,Website\nBad\u0000Name,nul-imp.com\nGood Name,good-imp.com\n");
    const summary = await runImportVia(server, {
      entity: "accounts", file: "nul.csv", fields: { name: "Company Name", domain: "Website" },
    }, scratch.dir, rejects("nul.rejects.csv"));
    expect(summary.files[0]).toMatchObject({ inserted: 1, rejected: 1 });
    const [reject] = readRejects(rejects("nul.rejects.csv"));
    expect(reject).toMatchObject({ line: 2, fields: "name" });
    expect(reject!.reason).toMatch(/NUL character/);
    expect(await q("SELECT domain FROM accounts WHERE domain IN ('nul-imp.com', 'good-imp.com')")).toEqual([{ domain: "good-imp.com" }]);
  });
});

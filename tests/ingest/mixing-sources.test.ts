/**
 * Mixing sources: an import warns before it adds a second source to a database that already holds
 * accounts (the demo's, say), and training warns when its deals come from more than one source.
 */
import "reflect-metadata";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importCommand } from "../../src/cli/import.command";
import { trainCommand } from "../../src/cli/train.command";
import { loadDemo } from "../../src/demo/demo.loader";
import { runCommand } from "../support/cli";
import { freshDatabase, type TestDatabase } from "../support/db";

const NOW = new Date("2026-11-01T00:00:00Z");
let dir: string;
let mapping: string;
const saved = process.env.DATABASE_URL;
const databases: TestDatabase[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "quorum-mixing-"));
  fs.writeFileSync(path.join(dir, "accounts.csv"), "Company,Website\nNorthwind,northwind.example\nContoso,contoso.example\n");
  const deals = ["Id,Company Website,Amount,Stage,Created,Closed"];
  for (let i = 0; i < 12; i++) deals.push(`B-${i},${i % 2 ? "northwind.example" : "contoso.example"},${1000 + i},${i % 3 ? "Closed Won" : "Closed Lost"},2026-0${1 + (i % 8)}-01,2026-0${2 + (i % 8)}-15`);
  fs.writeFileSync(path.join(dir, "deals.csv"), `${deals.join("\n")}\n`);
  mapping = path.join(dir, "crm-b.mapping.json");
  fs.writeFileSync(mapping, JSON.stringify({
    source: "crm-b",
    files: [
      { entity: "accounts", file: "accounts.csv", fields: { domain: "Website", name: "Company" } },
      { entity: "deals", file: "deals.csv", fields: {
        externalId: "Id", accountDomain: "Company Website", amount: "Amount", stage: "Stage",
        outcome: { column: "Stage", map: { "Closed Won": "WON", "Closed Lost": "LOST" } },
        createdAt: { column: "Created", format: "yyyy-MM-dd" }, closedAt: { column: "Closed", format: "yyyy-MM-dd" },
      } },
    ],
  }));
});
afterAll(async () => {
  if (saved === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = saved;
  for (const d of databases) await d.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function use(): Promise<TestDatabase> {
  const d = await freshDatabase();
  databases.push(d);
  process.env.DATABASE_URL = d.url;
  return d;
}

const importJson = async () => JSON.parse((await runCommand(importCommand, ["--mapping", mapping, "--reject", path.join(dir, "rejects.csv"), "--json"])).out) as { committed: boolean; source: string; warnings: string[] };

describe("importing a second source", () => {
  it("warns when the database already holds the demo's accounts, naming both sources, and still imports", async () => {
    const d = await use();
    await loadDemo(d.db, { accounts: 120, seed: 4, now: NOW });
    const first = await importJson();
    expect(first.committed).toBe(true);
    expect(first.source).toBe("crm-b");
    expect(first.warnings).toEqual([expect.stringMatching(/^this database already holds 120 accounts from demo; importing "crm-b" mixes a second source into it/)]);
    expect((await d.db.query("SELECT 1 FROM accounts WHERE domain = 'northwind.example'"))).toHaveLength(1);
    expect(await d.db.query("SELECT source, entities FROM data_sources ORDER BY source")).toEqual([
      { source: "crm-b", entities: ["accounts", "deals"] },
      { source: "demo", entities: ["accounts", "contacts", "deals", "events", "intent"] },
    ]);

    // Training on those deals says they come from two sources.
    const { code, out } = await runCommand(trainCommand, ["--json", "--seed", "3", "--no-suggestions"]);
    expect(code).toBe(0);
    const view = JSON.parse(out) as { report: { warnings: string[] } };
    expect(view.report.warnings).toContainEqual(expect.stringMatching(/^The training deals come from 2 sources \(demo, crm-b\)/));
  }, 120_000);

  it("stays quiet on an empty database, and when the same source is imported again", async () => {
    const d = await use();
    expect((await importJson()).warnings).toEqual([]);
    expect((await importJson()).warnings).toEqual([]);
    expect((await d.db.query<{ loads: number }>("SELECT loads FROM data_sources WHERE source = 'crm-b'"))[0]!.loads).toBe(2);
  });
});

/**
 * The shipped mappings for HubSpot's and Salesforce's standard exports, on fixture files written
 * from their documented column names: every row lands where it should, associations by id included.
 */
import "reflect-metadata";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importCommand } from "../../src/cli/import.command";
import { projectRoot } from "../../src/platform/config/paths";
import { runCommand } from "../support/cli";
import { freshDatabase, type TestDatabase } from "../support/db";

const saved = process.env.DATABASE_URL;
const databases: TestDatabase[] = [];
let dir: string;
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "quorum-crm-")); });
afterAll(async () => {
  if (saved === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = saved;
  for (const d of databases) await d.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function importExport(crm: "hubspot" | "salesforce"): Promise<{ db: TestDatabase; summary: { committed: boolean; files: { rows: number; inserted: number; rejected: number }[] }; rejects: string }> {
  const db = await freshDatabase();
  databases.push(db);
  process.env.DATABASE_URL = db.url;
  const rejects = path.join(dir, `${crm}-rejects.csv`);
  const { code, out } = await runCommand(importCommand, [
    "--mapping", path.join(projectRoot, "examples", crm, `${crm}.mapping.json`), "--dir", path.join(projectRoot, "tests", "ingest", "fixtures", crm), "--reject", rejects, "--json"]);
  expect(code).toBe(0);
  return { db, summary: JSON.parse(out), rejects: fs.readFileSync(rejects, "utf8") };
}

describe("HubSpot export (companies, contacts, deals)", () => {
  it("imports companies with region and target flag, contacts with buying roles, deals on their company by Record ID", async () => {
    const { db, summary, rejects } = await importExport("hubspot");
    expect(summary.committed).toBe(true);
    expect(summary.files.map((f) => [f.rows, f.inserted, f.rejected])).toEqual([[4, 4, 0], [4, 4, 0], [5, 4, 1]]);
    expect(await db.db.query(`SELECT domain, name, industry, employees, annual_revenue::float8 AS revenue, country, region, is_target, attributes->>'lifecycleStage' AS stage
      FROM accounts ORDER BY domain`)).toEqual([
      { domain: "acme-analytics.example", name: "Acme Analytics", industry: "Computer Software", employees: 420, revenue: 52_000_000, country: "United States", region: "NA", is_target: true, stage: "Opportunity" },
      { domain: "bergmann-logistik.example", name: "Bergmann Logistik", industry: "Logistics and Supply Chain", employees: 1300, revenue: 210_000_000, country: "Germany", region: "EMEA", is_target: true, stage: "Customer" },
      { domain: "kaito-robotics.example", name: "Kaito Robotics", industry: "Machinery", employees: 85, revenue: 9_000_000, country: "Japan", region: "APAC", is_target: false, stage: "Lead" },
      { domain: "sol-andino.example", name: "Sol Andino", industry: "Renewables & Environment", employees: 240, revenue: 31_000_000, country: "Chile", region: "LATAM", is_target: false, stage: "Lead" },
    ]);
    expect(await db.db.query(`SELECT c.email, c.name, c.title, c.role, a.domain FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id ORDER BY c.email`)).toEqual([
      { email: "dana.whitfield@acme-analytics.example", name: "Dana Whitfield", title: "VP Revenue Operations", role: "DECISION_MAKER", domain: "acme-analytics.example" },
      { email: "lukas.brandt@bergmann-logistik.example", name: "Lukas Brandt", title: "Head of IT", role: "ECONOMIC_BUYER", domain: "bergmann-logistik.example" },
      // No association: stitched by email domain.
      { email: "mia.sato@kaito-robotics.example", name: "Mia Sato", title: "Engineer", role: "USER", domain: "kaito-robotics.example" },
      // Free mail never stitches, but the association places her.
      { email: "priya@gmail.com", name: "Priya Nair", title: "Consultant", role: "INFLUENCER", domain: "acme-analytics.example" },
    ]);
    expect(await db.db.query(`SELECT d.external_id, d.outcome, d.stage, d.amount::float8 AS amount, d.created_at, d.closed_at, a.domain
      FROM deals d JOIN accounts a ON a.id = d.account_id ORDER BY d.external_id`)).toEqual([
      { external_id: "hubspot-7001", outcome: "WON", stage: "Closed Won", amount: 48000, created_at: new Date("2025-11-10T10:00:00Z"), closed_at: new Date("2026-02-20T16:00:00Z"), domain: "acme-analytics.example" },
      { external_id: "hubspot-7002", outcome: "OPEN", stage: "Contract Sent", amount: 12000, created_at: new Date("2026-03-02T09:00:00Z"), closed_at: null, domain: "acme-analytics.example" },
      { external_id: "hubspot-7003", outcome: "LOST", stage: "Closed Lost", amount: 90000, created_at: new Date("2025-10-25T12:00:00Z"), closed_at: new Date("2026-01-30T12:00:00Z"), domain: "bergmann-logistik.example" },
      { external_id: "hubspot-7004", outcome: "OPEN", stage: "Appointment Scheduled", amount: 5000, created_at: new Date("2026-01-20T15:00:00Z"), closed_at: null, domain: "kaito-robotics.example" },
    ]);
    expect(rejects).toMatch(/deals\.csv,6,hubspot-7005,accountDomain,/);
  });
});

describe("Salesforce export (Account, Contact, Opportunity)", () => {
  it("imports accounts by website with parents by ParentId and region from BillingCountry, contacts and opportunities by AccountId", async () => {
    const { db, summary, rejects } = await importExport("salesforce");
    expect(summary.committed).toBe(true);
    expect(summary.files.map((f) => [f.rows, f.inserted, f.rejected])).toEqual([[4, 4, 0], [3, 3, 0], [5, 4, 1]]);
    expect(await db.db.query(`SELECT a.domain, a.name, a.country, a.region, p.domain AS parent, a.attributes->>'accountType' AS type
      FROM accounts a LEFT JOIN accounts p ON p.id = a.parent_id ORDER BY a.domain`)).toEqual([
      { domain: "contoso-health.example", name: "Contoso Health", country: "Canada", region: "NA", parent: null, type: "Prospect" },
      { domain: "northwind-traders.example", name: "Northwind Traders", country: "United Kingdom", region: "EMEA", parent: null, type: "Customer" },
      { domain: "northwind-traders.fr.example", name: "Northwind Traders France", country: "France", region: "EMEA", parent: "northwind-traders.example", type: "Customer" },
      { domain: "tanaka-foods.example", name: "Tanaka Foods", country: "JP", region: "APAC", parent: null, type: "Prospect" },
    ]);
    expect(await db.db.query(`SELECT c.email, c.name, c.title, c.department, a.domain FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id ORDER BY c.email`)).toEqual([
      { email: "chloe.martin@contoso-health.example", name: "Chloe Martin", title: "IT Director", department: "IT", domain: "contoso-health.example" },
      { email: "ken@tanaka-foods.example", name: "Ken Tanaka", title: "Buyer", department: "Procurement", domain: "tanaka-foods.example" },
      { email: "oliver.hughes@northwind-traders.example", name: "Oliver Hughes", title: "Chief Financial Officer", department: "Finance", domain: "northwind-traders.example" },
    ]);
    expect(await db.db.query(`SELECT d.external_id, d.outcome, d.amount::float8 AS amount, d.created_at, d.closed_at, a.domain
      FROM deals d JOIN accounts a ON a.id = d.account_id ORDER BY d.external_id`)).toEqual([
      { external_id: "sfdc-0065g00000Opp01AAA", outcome: "WON", amount: 120000, created_at: new Date("2025-10-01T09:00:00Z"), closed_at: new Date("2026-02-28T00:00:00Z"), domain: "northwind-traders.example" },
      { external_id: "sfdc-0065g00000Opp02AAA", outcome: "LOST", amount: 25000, created_at: new Date("2025-10-20T09:00:00Z"), closed_at: new Date("2026-01-15T00:00:00Z"), domain: "northwind-traders.fr.example" },
      { external_id: "sfdc-0065g00000Opp03AAA", outcome: "OPEN", amount: 80000, created_at: new Date("2026-01-10T12:00:00Z"), closed_at: new Date("2026-06-30T00:00:00Z"), domain: "contoso-health.example" },
      { external_id: "sfdc-0065g00000Opp04AAA", outcome: "OPEN", amount: 40000, created_at: new Date("2026-02-01T03:00:00Z"), closed_at: new Date("2026-07-31T00:00:00Z"), domain: "tanaka-foods.example" },
    ]);
    // An opportunity whose AccountId names no account in the export is rejected, saying so.
    expect(rejects).toMatch(/Opportunity\.csv,6,sfdc-0065g00000Opp05AAA,accountDomain,.*no row of Account\.csv has Id ""?0015g00000Gone1AAJ/);
  });
});

/**
 * Training on real data (../shared/data, skipped when absent): Salvirt's 448 B2B opportunities
 * imported as accounts with custom attributes and one deal each, scored by a model of fit rules
 * on those attributes; and the Maven CRM deals under the default model. Both go through the CLI
 * as an operator would: `quorum import`, then `quorum train`.
 */
import { runCommand as run } from "../support/cli";
import "reflect-metadata";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importCommand } from "../../src/cli/import.command";
import { trainCommand } from "../../src/cli/train.command";
import { projectRoot } from "../../src/platform/config/paths";
import type { TrainingRunView } from "../../src/training/training-report";
import { freshDatabase, type TestDatabase } from "../support/db";

const DATA = path.resolve(projectRoot, "../shared/data");
const SALVIRT = path.join(DATA, "salvirt-b2b", "Salvirt_B2B_ML_dataset_HF.csv");
const MAVEN = path.join(DATA, "maven-crm");

const savedUrl = process.env.DATABASE_URL;
let dir: string;
const databases: TestDatabase[] = [];

beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "quorum-real-")); });
afterAll(async () => {
  if (savedUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedUrl;
  await Promise.all(databases.map((d) => d.drop()));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function useFreshDatabase(): Promise<TestDatabase> {
  const d = await freshDatabase();
  databases.push(d);
  process.env.DATABASE_URL = d.url;
  return d;
}


describe.skipIf(!fs.existsSync(SALVIRT))("Salvirt B2B opportunities", () => {
  it("import as accounts with attributes and one deal each, and train a better-than-chance model with a proposal", async () => {
    const db = (await useFreshDatabase()).db;
    const { numberRows } = (await import("../../examples/salvirt-b2b/number-rows.mjs")) as { numberRows: (text: string) => string };
    fs.writeFileSync(path.join(dir, "salvirt-numbered.csv"), numberRows(fs.readFileSync(SALVIRT, "utf8")));
    const imported = await run(importCommand, [
      "--mapping", path.join(projectRoot, "examples/salvirt-b2b/salvirt.mapping.json"), "--dir", dir, "--reject", path.join(dir, "salvirt-rejects.csv"), "--json",
    ]);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.out)).toMatchObject({ rejected: 0, committed: true });
    const [counts] = await db.query<{ accounts: number; won: number; lost: number; attrs: number }>(
      `SELECT (SELECT count(*) FROM accounts)::int AS accounts,
              (SELECT count(*) FROM deals WHERE outcome = 'WON')::int AS won, (SELECT count(*) FROM deals WHERE outcome = 'LOST')::int AS lost,
              (SELECT count(*) FROM (SELECT jsonb_object_keys(attributes) FROM accounts WHERE domain = 'opp-001.salvirt.example') k)::int AS attrs`);
    expect(counts).toEqual({ accounts: 448, won: 227, lost: 221, attrs: 22 });

    const trained = await run(trainCommand, ["--model-file", path.join(projectRoot, "examples/salvirt-b2b/salvirt.model.json"), "--json"]);
    expect(trained.code).toBe(0);
    const view = JSON.parse(trained.out) as TrainingRunView;
    const m = view.report!.metrics;
    expect(view).toMatchObject({ status: "SUCCEEDED", baseModel: { name: "salvirt", version: 1 }, dataset: { deals: 448, won: 227, lost: 221 } });
    expect(m.crossValidation!.outOfFold.auc).toBeGreaterThan(0.5);
    expect(m.holdout!.auc).toBeGreaterThan(0.5);
    expect(m.currentModelAuc).toBeGreaterThan(0.5);
    expect(view.proposal).toMatchObject({ status: "PENDING", proposedModel: { name: "salvirt", version: 2, status: "DRAFT" } });
    // On the record, as stored.
    const [stored] = await db.query<{ status: string; auc: number; proposals: number }>(
      `SELECT r.status, (r.report #>> '{metrics,crossValidation,outOfFold,auc}')::float8 AS auc,
              (SELECT count(*) FROM weight_proposals p WHERE p.training_run_id = r.id)::int AS proposals
         FROM training_runs r WHERE r.id = $1`, [view.id]);
    expect(stored).toEqual({ status: "SUCCEEDED", auc: m.crossValidation!.outOfFold.auc, proposals: 1 });
    // Re-running with the same file re-uses the stored version rather than adding another.
    const again = JSON.parse((await run(trainCommand, ["--model-file", path.join(projectRoot, "examples/salvirt-b2b/salvirt.model.json"), "--json", "--no-suggestions"])).out) as TrainingRunView;
    expect(again.baseModel).toEqual(view.baseModel);
  });
});

describe.skipIf(!fs.existsSync(MAVEN))("Maven CRM deals", () => {
  it("import and train under the default model, with every number on the record (a proposal only if the data support one)", async () => {
    await useFreshDatabase();
    const imported = await run(importCommand, [
      "--mapping", path.join(projectRoot, "examples/maven-crm/maven-crm.mapping.json"), "--dir", MAVEN, "--reject", path.join(dir, "maven-rejects.csv"), "--json",
    ]);
    expect(imported.code).toBe(0);
    const view = JSON.parse((await run(trainCommand, ["--json", "--folds", "3"])).out) as TrainingRunView;
    expect(view.status).toBe("SUCCEEDED");
    expect(view.dataset!.won).toBeGreaterThan(1000);
    expect(view.dataset!.lost).toBeGreaterThan(1000);
    const m = view.report!.metrics;
    for (const auc of [m.currentModelAuc, m.holdout!.auc, m.crossValidation!.outOfFold.auc]) {
      expect(auc).toBeGreaterThan(0.3);
      expect(auc).toBeLessThan(0.7);
    }
    if (view.proposal === null) expect(view.report!.warnings.join(" ")).toMatch(/no proposal was made/);
  });
});

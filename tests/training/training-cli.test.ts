/**
 * `quorum train`: the summary, --json (the full report), --dump-dataset (the training matrix)
 * and --report (the council's HTML page, checked as headless Chromium renders it: the DOM,
 * and the pixels of a screenshot).
 */
import { runCommand } from "../support/cli";
import "reflect-metadata";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trainCommand } from "../../src/cli/train.command";
import { loadDemo } from "../../src/demo/demo.loader";
import { CURRENT_COLOUR, EFFECT_COLOUR, PROPOSED_COLOUR, UNCERTAIN_COLOUR } from "../../src/training/training-report.html";
import type { TrainingRunView } from "../../src/training/training-report";
import { chromiumPath, renderDom, screenshot } from "../support/chromium";
import { freshDatabase, type TestDatabase } from "../support/db";
import { countColour, readPng } from "../support/png";

let database: TestDatabase;
let dir: string;
const savedUrl = process.env.DATABASE_URL;

beforeAll(async () => {
  database = await freshDatabase();
  await loadDemo(database.db, { accounts: 250, seed: 3, now: new Date("2026-11-01T00:00:00Z") });
  process.env.DATABASE_URL = database.url;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "quorum-train-"));
});
afterAll(async () => {
  if (savedUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedUrl;
  await database?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});


let view: TrainingRunView;
let htmlFile: string;

describe("quorum train", () => {
  it("trains synchronously and prints the full report with --json, the matrix with --dump-dataset", async () => {
    const csv = path.join(dir, "matrix.csv");
    htmlFile = path.join(dir, "report.html");
    const { code, out } = await runCommand(trainCommand, ["--json", "--seed", "2", "--dump-dataset", csv, "--report", htmlFile]);
    expect(code).toBe(0);
    view = JSON.parse(out) as TrainingRunView;
    expect(view).toMatchObject({ status: "SUCCEEDED", startedBy: "cli", baseModel: { name: "default", version: 1 } });
    expect(view.proposal).toMatchObject({ status: "PENDING", proposedModel: { name: "default", version: 2, status: "DRAFT" } });
    expect(view.report!.metrics.crossValidation!.folds).toBe(5);

    // The matrix: deal, one column per criterion (as of the deal's creation), the label last.
    const lines = fs.readFileSync(csv, "utf8").trim().split("\n");
    const header = lines[0]!.split(",");
    expect(header.slice(0, 3)).toEqual(["deal_id", "external_id", "created_at"]);
    expect(header.at(-1)).toBe("won");
    expect(header).toContain("industry_core");
    expect(header).toContain("committee.breadth");
    expect(header).toHaveLength(3 + view.dataset!.features + 1);
    // Coefficients are named as the dump's columns.
    for (const c of view.report!.coefficients) expect(header).toContain(c.criterion);
    expect(lines).toHaveLength(view.dataset!.deals + 1);
    const labels = lines.slice(1).map((l) => l.split(",").at(-1));
    expect(labels.filter((x) => x === "1")).toHaveLength(view.dataset!.won);
    expect(labels.filter((x) => x === "0")).toHaveLength(view.dataset!.lost);
    // Each row is the engine's view as of the deal's creation.
    const [first] = await database.db.query<{ created_at: Date }>("SELECT created_at FROM deals WHERE id = $1", [lines[1]!.split(",")[0]]);
    expect(lines[1]!.split(",")[2]).toBe(first!.created_at.toISOString());
  });

  it("--dry-run fits and prints the would-be proposal, and writes no proposal and no new version", async () => {
    const count = async (table: string) => (await database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;
    const [models, proposals] = [await count("scoring_models"), await count("weight_proposals")];
    const { code, out } = await runCommand(trainCommand, ["--dry-run", "--no-suggestions", "--folds", "3"]);
    expect(code).toBe(0);
    expect(out).toContain("Dry run: nothing was written. The would-be proposal:");
    expect(out).toContain("points of total now → proposed");
    expect(out).not.toMatch(/Review: reviewWeightProposal/);
    expect([await count("scoring_models"), await count("weight_proposals")]).toEqual([models, proposals]);
  });

  it("prints a readable summary and fails clearly with too few outcomes", async () => {
    const { code, out } = await runCommand(trainCommand, ["--no-suggestions", "--folds", "3"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^Training run \d+ on default v1: \d+ closed deals \(\d+ won, \d+ lost\), \d+ of 32 criteria used, backend (wasm|cpu|tensorflow)\./);
    expect(out).toMatch(/AUC: current model 0\.\d{3} \(holdout deals 0\.\d{3}\) \| fitted: cross-validated 0\.\d{3}, holdout 0\.\d{3}/);
    expect(out).toContain("points of total now → proposed");
    expect(out).toMatch(/Review: reviewWeightProposal\(id: "\d+"/);
    await expect(runCommand(trainCommand, ["--closed-to", "2020-01-01"])).rejects.toThrow(/^TOO_FEW_OUTCOMES: Training needs at least 10 won and 10 lost deals; found 0 won and 0 lost\./);
    await expect(runCommand(trainCommand, ["--l2", "abc"])).rejects.toThrow(/--l2 must be a number/);
    await expect(runCommand(trainCommand, ["--model", "x", "--base-model-id", "1"])).rejects.toThrow(/Pass one of/);
  });

  it.skipIf(!chromiumPath())("writes a self-contained HTML report whose charts Chromium renders with the report's numbers", async () => {
    const html = fs.readFileSync(htmlFile, "utf8");
    expect(html).not.toMatch(/<script|<link|<img|https?:\/\/(?!www\.w3\.org\/2000\/svg)/); // nothing to fetch, nothing to run
    const dom = await renderDom(htmlFile);
    const report = view.report!;
    const proposal = view.proposal!;
    for (const chart of ["coefficients", "calibration", "win-rate-by-band"]) expect(dom).toContain(`data-chart="${chart}"`);
    // Coefficients with intervals: every criterion the fit used, with its effect and interval.
    for (const c of report.coefficients) {
      expect(dom).toContain(`<g class="coef" data-criterion="${c.criterion}" data-effect="${c.effect}" data-low="${c.effectLow}" data-high="${c.effectHigh}" data-spans-zero="${c.spansZero}"`);
    }
    // Calibration curve: one point per bin at (predicted, observed).
    for (const b of report.calibration.bins) {
      expect(dom).toContain(`<circle class="calibration-point" data-bin="${b.bin}" data-predicted="${b.meanPredicted}" data-observed="${b.observedRate}" data-count="${b.count}"`);
    }
    // Win rate by band, current against proposed, with the counts.
    for (const b of proposal.winRateByBand) {
      for (const side of ["current", "proposed"] as const) {
        const value = b[side];
        if (value === null) expect(dom).toContain(`<text class="no-value" data-band="${b.band}" data-side="${side}"`);
        else expect(dom).toContain(`<rect class="bar" data-band="${b.band}" data-side="${side}" data-value="${value}" data-deals="${side === "current" ? b.currentDeals : b.proposedDeals}"`);
      }
    }
    expect(dom).toContain(`data-metric="fitted-cv"><td>Fitted model, cross-validated (out of fold)</td><td class="n">${report.metrics.crossValidation!.outOfFold.auc.toFixed(3)}</td>`);
    expect(dom).toContain(`data-metric="current-all"><td>Current model's score, all deals</td><td class="n">${report.metrics.currentModelAuc!.toFixed(3)}</td>`);
    for (const c of proposal.changes) expect(dom).toContain(`<tr class="change" data-criterion="${c.criterion}" data-before="${c.before}" data-after="${c.after}">`);

    // What a council member sees: the charts were drawn, not just written into the markup.
    const png = path.join(dir, "report.png");
    // Tall enough for the whole page: the summary now opens with headlines and every band's win rate.
    await screenshot(htmlFile, png, { width: 1200, height: 3600 });
    const image = readPng(png);
    const count = (hex: string) => countColour(image, hex);
    expect(count(PROPOSED_COLOUR)).toBeGreaterThan(400); // proposed bars and the calibration curve
    expect(count(CURRENT_COLOUR)).toBeGreaterThan(300); // current bars
    expect(count(UNCERTAIN_COLOUR) + count(EFFECT_COLOUR)).toBeGreaterThan(100); // coefficient intervals
  });
});

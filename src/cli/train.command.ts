import fs from "node:fs";
import path from "node:path";
import type { Database } from "../platform/db/database";
import { isRowId } from "../platform/graphql/ids";
import type { Services } from "../platform/services";
import { normaliseModelInput, type ScoringModelInputData } from "../scoring/model-validation";
import type { CriterionFeature } from "../training/criteria";
import { trainingReportHtml } from "../training/training-report.html";
import type { TrainingRunView } from "../training/training-report";
import type { EvaluatedDeal } from "../training/training-set.sql";
import { withServices } from "./bootstrap";
import { type Command, intOption, parseOptions, progressBar, UsageError } from "./command";

export const trainCommand: Command = {
  summary: "Train on won and lost deals: a logistic model proposes re-weighted criteria for the council.",
  usage: `quorum train [--base-model-id ID | --model NAME | --model-file M.json] [--l2 X] [--seed N]
             [--holdout-share X] [--folds N] [--closed-from ISO] [--closed-to ISO] [--no-suggestions]
             [--dry-run] [--json] [--dump-dataset FILE.csv] [--report FILE.html]

One row per closed deal (won = 1, lost = 0); its features are the base model's criteria as of
the deal's creation. Fits an L2 logistic regression (holdout and k-fold cross-validation),
proposes a DRAFT version of the base model with points proportional to each criterion's
log-odds effect, and records everything as a training run the council reviews through GraphQL
(reviewWeightProposal, then activateScoringModel).

  --base-model-id  the version to re-weight (default: the ACTIVE "default" model)
  --model          the ACTIVE version of this model line
  --model-file     a ScoringModelInput JSON: stored as a new DRAFT version of its line (or the
                   identical stored version re-used), then re-weighted
  --l2             ridge strength on standardised features (default 1)
  --seed           seed of the holdout split and folds (default 1)
  --holdout-share  share of deals held out, 0–0.5 (default 0.25); --folds 0–20 (default 5)
  --closed-from, --closed-to   only deals closed in [from, to)
  --no-suggestions do not test fields and event types the model does not use
  --dry-run        fit and report the would-be proposal, but write no proposal and no new version
  --json           print the full report as JSON (what GraphQL's TrainingRun.report returns)
  --dump-dataset   write the training matrix (deal, features, label) as CSV
  --report         write a self-contained HTML page for the council, with charts`,
  async run(argv) {
    const { values } = parseOptions(argv, {
      "base-model-id": { type: "string" }, model: { type: "string" }, "model-file": { type: "string" },
      l2: { type: "string" }, seed: { type: "string" }, "holdout-share": { type: "string" }, folds: { type: "string" },
      "closed-from": { type: "string" }, "closed-to": { type: "string" }, "no-suggestions": { type: "boolean" }, "dry-run": { type: "boolean" },
      json: { type: "boolean" }, "dump-dataset": { type: "string" }, report: { type: "string" },
    });
    const picked = ["base-model-id", "model", "model-file"].filter((k) => values[k as keyof typeof values] !== undefined);
    if (picked.length > 1) throw new UsageError(`Pass one of --base-model-id, --model and --model-file (got ${picked.map((k) => `--${k}`).join(", ")}).`);
    if (values["base-model-id"] !== undefined && !isRowId(values["base-model-id"])) throw new UsageError(`--base-model-id must be a model id (got "${values["base-model-id"]}")`);
    const modelFile = values["model-file"] ? readModelFile(values["model-file"]) : null;
    const input = {
      l2: numberOption(values.l2, "l2"),
      seed: values.seed === undefined ? undefined : intOption(values.seed, "seed", 1, -(2 ** 31), 2 ** 31 - 1),
      holdoutShare: numberOption(values["holdout-share"], "holdout-share"),
      folds: values.folds === undefined ? undefined : intOption(values.folds, "folds", 5, 0, 20),
      closedFrom: dateOption(values["closed-from"], "closed-from"),
      closedTo: dateOption(values["closed-to"], "closed-to"),
      suggestNewCriteria: !values["no-suggestions"],
      propose: !values["dry-run"],
    };
    return withServices(async ({ db, services, config }) => {
      let baseModelId = values["base-model-id"];
      if (values.model) {
        const active = await services.scoringModels.active(values.model);
        if (!active) throw new UsageError(`Model line "${values.model}" has no ACTIVE version; pass --base-model-id.`);
        baseModelId = active.id;
      }
      if (modelFile) baseModelId = await storeModel(db, services, modelFile, config.eventTypes);
      const bar = values.json ? null : progressBar("train");
      const outcome = await services.training.train({ ...input, baseModelId }, "cli", {
        fitMode: "in-process", onProgress: (fraction, stage) => bar?.update(fraction, 1, stage),
      });
      bar?.done();
      const view = (await services.training.view(outcome.run.id))!;
      if (values["dump-dataset"]) {
        const file = path.resolve(values["dump-dataset"]);
        fs.writeFileSync(file, datasetCsv(outcome.rows, outcome.raw, outcome.features));
        if (!values.json) process.stderr.write(`Wrote the training matrix (${outcome.rows.length} deals × ${outcome.features.length} criteria) to ${file}\n`);
      }
      if (values.report) {
        const file = path.resolve(values.report);
        fs.writeFileSync(file, trainingReportHtml(view));
        if (!values.json) process.stderr.write(`Wrote ${file}\n`);
      }
      process.stdout.write(values.json ? `${JSON.stringify(view)}\n` : describe(view));
      return 0;
    }, { logLevel: "error" });
  },
};

function numberOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number (got "${value}")`);
  return n;
}

function dateOption(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const date = new Date(text);
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(text) || Number.isNaN(date.getTime())) {
    throw new UsageError(`--${name} must be a date (2026-01-01) or a date-time with an offset (2026-01-01T00:00:00Z), got "${value}"`);
  }
  return date;
}

function readModelFile(file: string): ScoringModelInputData {
  try {
    return JSON.parse(fs.readFileSync(path.resolve(file), "utf8")) as ScoringModelInputData;
  } catch (err) {
    throw new UsageError(`Cannot read the model file ${file}: ${(err as Error).message}`);
  }
}

/** The version of the file's definition: an identical stored version of its line, else a new DRAFT. */
async function storeModel(db: Database, services: Services, input: ScoringModelInputData, eventTypes: readonly string[]): Promise<string> {
  const normalised = normaliseModelInput(input, { eventTypes });
  const same = await db.query<{ id: string }>(
    "SELECT id::text FROM scoring_models WHERE name = $1 AND definition = $2::jsonb ORDER BY version DESC LIMIT 1",
    [normalised.name, JSON.stringify(normalised.definition)]);
  if (same[0]) return same[0].id;
  return (await services.scoringModels.create(input, "cli")).id;
}

/** The training matrix: one row per deal, the criteria's raw values as of its creation (what the fit saw), the label last. */
export function datasetCsv(rows: readonly EvaluatedDeal[], raw: readonly (readonly number[])[], features: readonly CriterionFeature[]): string {
  const quote = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const header = ["deal_id", "external_id", "created_at", ...features.map((f) => f.feature), "won"].map(quote).join(",");
  const lines = rows.map((r, i) => [r.dealId, quote(r.externalId), r.createdAt.toISOString(), ...raw[i]!.map((v) => String(v)), r.won ? "1" : "0"].join(","));
  return `${[header, ...lines].join("\n")}\n`;
}

function describe(v: TrainingRunView): string {
  const f3 = (x: number | null | undefined) => (x === null || x === undefined ? "n/a" : x.toFixed(3));
  const r = v.report!;
  const d = v.dataset!;
  const m = r.metrics;
  const lines = [
    `Training run ${v.id} on ${v.baseModel?.name} v${v.baseModel?.version}: ${d.deals} closed deals (${d.won} won, ${d.lost} lost), ${d.usedFeatures} of ${d.features} criteria used, backend ${v.backend}.`,
    `AUC: current model ${f3(m.currentModelAuc)} (holdout deals ${f3(m.currentModelHoldoutAuc)}) | fitted: cross-validated ${f3(m.crossValidation?.outOfFold.auc)}, holdout ${f3(m.holdout?.auc)} | proposed model ${f3(m.proposedModelAuc)} (in-sample)`,
  ];
  const p = v.proposal;
  const dry = r.dryRunProposal;
  if (dry) {
    lines.push("Dry run: nothing was written. The would-be proposal:", "", `${dry.verdict}`, "");
    lines.push(...changeTable(dry.changes));
  } else if (!p) {
    lines.push("No proposal: no criterion has a clearly positive effect on winning in these deals (see the warnings).");
  } else {
    lines.push(`Proposal ${p.id}: ${p.proposedModel?.name} v${p.proposedModel?.version} (${p.proposedModel?.status}), ${p.status}.`, "", p.summary, "");
    lines.push(...changeTable(p.changes));
    lines.push("", `Review: reviewWeightProposal(id: "${p.id}", decision: APPROVE|REJECT, comment: "…"); once APPROVED: activateScoringModel(id: "${p.proposedModel?.id}").`);
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return `${lines.join("\n")}\n`;
}

function changeTable(changes: NonNullable<TrainingRunView["proposal"]>["changes"]): string[] {
  const width = Math.min(44, Math.max(...changes.map((c) => c.label.length)));
  const lines = [`  ${"criterion".padEnd(width)}  points of total now → proposed   odds at p95 strength   flags`];
  for (const c of changes) {
    const oddsText = c.effect === null ? "–" : `×${Math.exp(c.effect).toFixed(2)}`;
    lines.push(`  ${c.label.slice(0, width).padEnd(width)}  ${c.before.toFixed(1).padStart(8)} → ${c.after.toFixed(1).padStart(8)}   ${oddsText.padStart(20)}   ${c.flags.join(" ")}`);
  }
  return lines;
}

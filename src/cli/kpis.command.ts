import fs from "node:fs";
import path from "node:path";
import { reportHtml } from "../kpis/kpi-report.html";
import { reportText } from "../kpis/kpi-report.text";
import { withServices } from "./bootstrap";
import { type Command, intOption, parseOptions, UsageError } from "./command";

function dateOption(value: string | undefined, name: string): Date {
  if (value === undefined) throw new UsageError(`--${name} is required, e.g. --${name} 2026-01-01T00:00:00Z`);
  // A bare date is midnight UTC; anything else must carry its offset, as in the API.
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const date = new Date(text);
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(text) || Number.isNaN(date.getTime())) {
    throw new UsageError(`--${name} must be a date (2026-01-01) or a date-time with an offset (2026-01-01T00:00:00Z), got "${value}"`);
  }
  return date;
}

export const kpisCommand: Command = {
  summary: "KPIs by score band, treated against holdout, with intervals (table, --json or --html).",
  usage: `quorum kpis --from ISO --to ISO [--model NAME] [--model-id ID] [--by-tier] [--seed N] [--confidence 0.95] [--json] [--html FILE]

For the window [from, to): each target account's side (holdout or treated) and band at --from
(the band of the version ACTIVE at --from, or of --model-id), and per band (and tier with
--by-tier) treated against holdout: meeting, opportunity, win, expansion and SQL rates,
meetings and pipeline per account, average won amount, median velocity and speed to first
touch, each with its counts, interval, lift [interval], raw and Holm-adjusted p-value; a
headline per band first; "!" marks comparisons too small to conclude anything. --html also
writes a self-contained page with a chart per KPI and the band trend.`,
  async run(argv) {
    const { values } = parseOptions(argv, {
      from: { type: "string" }, to: { type: "string" }, model: { type: "string" }, "model-id": { type: "string" }, "by-tier": { type: "boolean" },
      seed: { type: "string" }, confidence: { type: "string" }, json: { type: "boolean" }, html: { type: "string" },
    });
    const from = dateOption(values.from, "from");
    const to = dateOption(values.to, "to");
    const confidence = values.confidence === undefined ? undefined : Number(values.confidence);
    if (confidence !== undefined && !(confidence > 0 && confidence < 1)) throw new UsageError(`--confidence must be between 0 and 1, e.g. 0.95 (got "${values.confidence}")`);
    const seed = values.seed === undefined ? undefined : intOption(values.seed, "seed", 0, -(2 ** 31), 2 ** 31 - 1);
    return withServices(async ({ services }) => {
      const report = await services.kpis.report({ from, to, model: values.model ?? null, modelId: values["model-id"] ?? null, byTier: values["by-tier"] ?? false, seed: seed ?? null, confidence: confidence ?? null });
      if (values.html) {
        const file = path.resolve(values.html);
        fs.writeFileSync(file, reportHtml(report));
        if (!values.json) process.stderr.write(`Wrote ${file}\n`);
      }
      process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : reportText(report));
      return 0;
    }, { logLevel: "error" }); // the report carries its own warnings; keep stdout clean for --json
  },
};

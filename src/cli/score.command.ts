import { ensureDefaultModel } from "../scoring/default-model";
import { DEFAULT_MODEL_NAME } from "../scoring/latest-run";
import { withServices } from "./bootstrap";
import { type Command, parseOptions, progressBar, UsageError } from "./command";
import { isRowId } from "../platform/graphql/ids";

export const scoreCommand: Command = {
  summary: "Run the scoring engine: snapshot every account and engaged contact as of a time.",
  usage: `quorum score [--as-of ISO] [--model NAME | --model-id ID] [--json]

Scores with the ACTIVE version of model line NAME ("default"), or with version ID in any
status (a DRAFT or RETIRED version records no band transitions). The whole run is one
transaction: a failed run leaves no snapshots. If another run is in progress this one waits
for it (30 s at most). Prints accounts, contacts, band counts, transitions and seconds.`,
  async run(argv) {
    const { values } = parseOptions(argv, { "as-of": { type: "string" }, model: { type: "string" }, "model-id": { type: "string" }, json: { type: "boolean" } });
    if (values.model && values["model-id"]) throw new UsageError("Pass --model NAME or --model-id ID, not both.");
    let asOf: Date | undefined;
    if (values["as-of"] !== undefined) {
      asOf = new Date(values["as-of"]);
      if (Number.isNaN(asOf.getTime())) throw new UsageError(`--as-of must be an ISO time such as 2026-11-01T00:00:00Z (got "${values["as-of"]}")`);
    }
    if (values["model-id"] !== undefined && !isRowId(values["model-id"])) throw new UsageError(`--model-id must be a model id (got "${values["model-id"]}")`);
    return withServices(async ({ db, services }) => {
      const modelName = values.model ?? DEFAULT_MODEL_NAME;
      if (!values["model-id"] && modelName === DEFAULT_MODEL_NAME) await ensureDefaultModel(db);
      const bar = values.json ? null : progressBar("score");
      const run = await services.scoring.run({
        asOf, modelId: values["model-id"], modelName, triggeredBy: "cli",
        onProgress: (done, total, stage) => bar?.update(done, total, stage),
      });
      bar?.done();
      const model = await services.scoringModels.byId(run.modelId);
      const bands = [...(model?.definition.bands ?? [])].reverse().map((b) => ({ band: b.name, count: run.summary.bands.find((c) => c.band === b.name)?.count ?? 0 }));
      const summary = {
        runId: run.id, model: model ? `${model.name} v${model.version}` : run.modelId, asOf: run.asOf.toISOString(),
        accounts: run.accountsScored, contacts: run.contactsScored, transitions: run.transitions, bands, seconds: Math.round(run.summary.seconds * 100) / 100,
      };
      if (values.json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      } else {
        const width = Math.max(...bands.map((b) => b.band.length), 4);
        process.stdout.write(`Scored ${summary.accounts} accounts and ${summary.contacts} contacts with ${summary.model} as of ${summary.asOf} in ${summary.seconds.toFixed(1)} s (run ${summary.runId}).\n`);
        for (const b of bands) {
          const share = summary.accounts > 0 ? (100 * b.count) / summary.accounts : 0;
          process.stdout.write(`  ${b.band.padEnd(width)} ${String(b.count).padStart(8)}  ${share.toFixed(1).padStart(5)}%\n`);
        }
        process.stdout.write(`${summary.transitions} band and status transitions recorded.\n`);
      }
      return 0;
    });
  },
};

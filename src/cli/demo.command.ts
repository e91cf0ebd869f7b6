import { loadConfig } from "../platform/config/config";
import { connectDatabase } from "../platform/app";
import { createLogger } from "../platform/logging/logger";
import { prepareDemo } from "../demo/demo.setup";
import { type Command, intOption, parseOptions } from "./command";

export const demoCommand: Command = {
  summary: "Load a deterministic demo data set into an empty database.",
  usage: `quorum demo [--accounts N] [--seed S] [--json]

Accounts with parents and subsidiaries, buying committees, 6–12 months of engagement with
some bot opens, intent, and deals whose outcome depends on fit, committee engagement and
intent. The same seed gives the same data.`,
  async run(argv) {
    const { values } = parseOptions(argv, { accounts: { type: "string" }, seed: { type: "string" }, json: { type: "boolean" } });
    const config = loadConfig();
    const accounts = intOption(values.accounts, "accounts", config.demo.accounts, 1, 1_000_000);
    const seed = intOption(values.seed, "seed", config.demo.seed, 0, 2 ** 31 - 1);
    const log = createLogger({ logLevel: "warn" }, { toStderr: true });
    const connected = await connectDatabase(config, log, { newDatabase: "create" });
    try {
      const summary = await prepareDemo(connected.db, { ...config, demo: { ...config.demo, accounts, seed } }, log, { onlyWhenEmpty: false, progress: !values.json });
      if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else if (summary) process.stdout.write(`Loaded ${summary.accounts} accounts, ${summary.contacts} contacts, ${summary.events} events, ${summary.intentSignals} intent signals and ${summary.deals} deals (${summary.wonDeals} won, ${summary.lostDeals} lost) in ${summary.seconds.toFixed(1)} s.\n`);
      return 0;
    } finally {
      await connected.close();
    }
  },
};

import { loadConfig } from "../platform/config/config";
import { connectDatabase } from "../platform/app";
import { createLogger } from "../platform/logging/logger";
import { listMigrations } from "../platform/db/migrate";
import { redactUrl } from "../platform/config/config";
import { type Command, parseOptions } from "./command";

export const migrateCommand: Command = {
  summary: "Apply pending database migrations and exit.",
  usage: `quorum migrate [--json]

--json prints { database, applied: [names], migrations: N }.`,
  async run(argv) {
    const { values } = parseOptions(argv, { json: { type: "boolean" } });
    const config = loadConfig();
    const connected = await connectDatabase(config, createLogger({ logLevel: "warn" }, { toStderr: true }), { newDatabase: "create" });
    await connected.close();
    const total = listMigrations().length;
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ database: redactUrl(connected.url), applied: connected.applied, migrations: total })}\n`);
    } else {
      const applied = connected.applied.length ? `applied ${connected.applied.length}: ${connected.applied.join(", ")}` : "nothing to apply";
      process.stdout.write(`Database is migrated (${total} migrations; ${applied}).\n`);
    }
    return 0;
  },
};

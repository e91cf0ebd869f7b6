import { loadConfig } from "../platform/config/config";
import { connectDatabase } from "../platform/app";
import { createLogger } from "../platform/logging/logger";
import { listMigrations } from "../platform/db/migrate";
import type { Command } from "./command";

export const migrateCommand: Command = {
  summary: "Apply pending database migrations and exit.",
  usage: "quorum migrate",
  async run() {
    const config = loadConfig();
    const connected = await connectDatabase(config, createLogger({ logLevel: "warn" }, { toStderr: true }));
    await connected.close();
    process.stdout.write(`Database is migrated (${listMigrations().length} migrations).\n`);
    return 0;
  },
};

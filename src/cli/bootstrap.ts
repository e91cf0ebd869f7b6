import { loadConfig, type Config } from "../platform/config/config";
import { connectDatabase, type Connected } from "../platform/app";
import { createLogger, type Logger } from "../platform/logging/logger";
import { createServices, type Services } from "../platform/services";

/** What a one-shot command needs: config, log, a migrated database and the services. */
export interface CommandEnv extends Connected {
  readonly config: Config;
  readonly log: Logger;
  readonly services: Services;
}

export async function withServices<T>(fn: (env: CommandEnv) => Promise<T>, opts: { logLevel?: Config["logLevel"] } = {}): Promise<T> {
  const config = loadConfig();
  const log = createLogger({ logLevel: opts.logLevel ?? (config.logLevel === "info" ? "warn" : config.logLevel) }, { toStderr: true });
  const connected = await connectDatabase(config, log, { applicationName: "quorum-cli", newDatabase: "refuse" });
  try {
    return await fn({ ...connected, config, log, services: createServices(connected.db, config, log) });
  } finally {
    await connected.close();
  }
}

import type { Logger } from "pino";
import { Client } from "pg";
import type { Config } from "./config/config";
import { redactUrl } from "./config/config";
import { Database } from "./db/database";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./db/embedded";
import { migrate } from "./db/migrate";
import { startHttpServer, type HttpServer } from "./http/server";
import { createServices, type Services } from "./services";

/** A connected, migrated database and, for the embedded kind, the server behind it. */
export interface Connected {
  readonly db: Database;
  readonly url: string;
  readonly embedded: EmbeddedDatabase | null;
  close(): Promise<void>;
}

/**
 * Connects to `DATABASE_URL`, or starts the embedded PostgreSQL (reusing its data folder)
 * and its `quorum` database, then applies pending migrations.
 */
export async function connectDatabase(config: Config, log: Logger, opts: { applicationName?: string } = {}): Promise<Connected> {
  let embedded: EmbeddedDatabase | null = null;
  let url: string;
  if (config.database.kind === "external") {
    url = config.database.url;
  } else {
    embedded = await startEmbeddedPostgres({ dataDir: config.database.dataDir, port: config.database.port });
    url = await ensureDatabase(embedded.url, "quorum");
  }
  let db: Database;
  try {
    db = await Database.connect({ url, poolSize: config.poolSize, statementTimeoutMs: config.statementTimeoutMs, applicationName: opts.applicationName });
    const applied = await migrate(db.pool);
    if (applied.length > 0) log.info({ applied }, "migrations applied");
  } catch (err) {
    await embedded?.stop();
    throw new Error(`Cannot use the database at ${redactUrl(url)}: ${(err as Error).message}`);
  }
  return {
    db, url, embedded,
    async close() {
      await db.close();
      await embedded?.stop();
    },
  };
}

async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface App {
  readonly url: string;
  readonly db: Database;
  readonly services: Services;
  readonly http: HttpServer;
  /** Graceful: stop accepting, finish in-flight requests, close the pool, stop the embedded database. */
  stop(): Promise<void>;
}

/** The API on an already connected database (tests use this with a database of their own). */
export async function startApi(config: Config, log: Logger, connected: Pick<Connected, "db" | "close">): Promise<App> {
  const services = createServices(connected.db, config, log);
  await services.training.recoverAbandoned();
  await services.scoring.runner.recoverAbandoned();
  const http = await startHttpServer({ config, db: connected.db, services, log }, { host: config.host, port: config.port });
  if (config.liveScoring.enabled) await services.liveScorer.start();
  if (config.schedules.enabled) await services.jobs.start();
  let stopping: Promise<void> | undefined;
  return {
    url: http.url,
    db: connected.db,
    services,
    http,
    stop() {
      stopping ??= (async () => {
        await http.close();
        await services.jobs.stop();
        await services.liveScorer.stop();
        await services.training.stop();
        await connected.close();
      })();
      return stopping;
    },
  };
}

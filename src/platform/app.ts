import type { Logger } from "pino";
import { Client } from "pg";
import type { Config } from "./config/config";
import { redactUrl } from "./config/config";
import { Database } from "./db/database";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./db/embedded";
import { migrate } from "./db/migrate";
import { publishRunningDatabase, readRunningDatabase } from "./db/running-database";
import { startHttpServer, type HttpServer } from "./http/server";
import { createServices, type Services } from "./services";

/** A connected, migrated database and, for the embedded kind, the server behind it. */
export interface Connected {
  readonly db: Database;
  readonly url: string;
  readonly embedded: EmbeddedDatabase | null;
  /** Set when this process uses the embedded database of a running `quorum serve` (that process's id). */
  readonly servedBy: number | null;
  /** Migrations this connection applied (empty when the database was already current). */
  readonly applied: readonly string[];
  close(): Promise<void>;
}

export interface ConnectOptions {
  readonly applicationName?: string;
  /**
   * `server` owns the embedded database and leaves its URL under `.data/` while it runs; `cli`
   * uses a running server's embedded database when there is one, else starts its own.
   */
  readonly role?: "server" | "cli";
  /**
   * A database with no Quorum schema yet: `create` migrates it (serve, migrate, demo); `refuse`
   * says so, so a command pointed at the wrong database does not quietly set up an empty one.
   * The embedded `quorum` database is Quorum's by construction and is always created.
   */
  readonly newDatabase?: "create" | "refuse";
  /** Apply pending migrations (default); `quorum status` reads the state without changing it. */
  readonly migrate?: boolean;
}

/**
 * Connects to `DATABASE_URL`, or to a running server's embedded database, or starts the embedded
 * PostgreSQL (reusing its data folder) and its `quorum` database; then applies pending migrations.
 * A database holding another application's tables is refused, never migrated.
 */
export async function connectDatabase(config: Config, log: Logger, opts: ConnectOptions = {}): Promise<Connected> {
  const role = opts.role ?? "cli";
  let embedded: EmbeddedDatabase | null = null;
  let servedBy: number | null = null;
  let url: string;
  let unpublish: (() => void) | null = null;
  if (config.database.kind === "external") {
    url = config.database.url;
  } else {
    const running = role === "cli" ? readRunningDatabase(config.database.dataDir) : null;
    if (running) {
      url = running.url;
      servedBy = running.pid;
    } else {
      embedded = await startEmbeddedPostgres({ dataDir: config.database.dataDir, port: config.database.port });
      url = await ensureDatabase(embedded.url, "quorum");
      if (role === "server") unpublish = publishRunningDatabase(config.database.dataDir, url);
    }
  }
  let db: Database | undefined;
  let applied: string[] = [];
  try {
    db = await Database.connect({ url, poolSize: config.poolSize, statementTimeoutMs: config.statementTimeoutMs, applicationName: opts.applicationName });
    await checkIsQuorums(db, url, config.database.kind === "external" ? opts.newDatabase ?? "create" : "create");
    if (opts.migrate !== false) applied = await migrate(db.pool);
    if (applied.length > 0) log.info({ applied }, "migrations applied");
  } catch (err) {
    await db?.close().catch(() => undefined);
    unpublish?.();
    await embedded?.stop();
    throw new Error(`Cannot use the database at ${redactUrl(url)}: ${(err as Error).message}`);
  }
  const connectedDb = db;
  return {
    db: connectedDb, url, embedded, servedBy, applied,
    async close() {
      await connectedDb.close();
      unpublish?.();
      await embedded?.stop();
    },
  };
}

/**
 * Refuses a database that holds tables but no Quorum schema (another application's), and, when
 * asked, one that is empty (not set up for Quorum yet), with what to do instead.
 */
async function checkIsQuorums(db: Database, url: string, newDatabase: "create" | "refuse"): Promise<void> {
  const [state] = await db.query<{ quorum: boolean; tables: string[]; n: number }>(
    `SELECT to_regclass('public.schema_migrations') IS NOT NULL AS quorum,
            (array_agg(schemaname || '.' || tablename ORDER BY schemaname, tablename))[1:5] AS tables, count(*)::int AS n
       FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND schemaname NOT LIKE 'pg_temp%'`);
  if (state!.quorum) return;
  if (state!.n > 0) {
    throw new Error(`it holds ${state!.n} tables (${state!.tables.join(", ")}${state!.n > 5 ? ", …" : ""}) but no Quorum schema: it is another application's database, and Quorum will not migrate it. Point DATABASE_URL at Quorum's database, or at a new, empty one.`);
  }
  if (newDatabase === "create") return;
  const name = new URL(url).pathname.slice(1);
  const quorumExists = name !== "quorum" && (await db.query("SELECT 1 FROM pg_database WHERE datname = 'quorum'")).length > 0;
  throw new Error(`it is empty: Quorum has not been set up there. ${quorumExists ? `This server has a "quorum" database: did you mean …/quorum? ` : ""}Run \`quorum migrate\` against it to set it up, or point DATABASE_URL at Quorum's database (\`quorum status\` shows the one a running server uses).`);
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
  // Triggers build webhook bodies; they read the cap from the database, not from this process.
  await connected.db.query("UPDATE outbox_settings SET max_body_bytes = $1", [config.webhooks.maxBodyBytes]);
  if (config.webhooks.deliver) await services.webhookDelivery.start();
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
        await services.events.stop();
        await services.webhookDelivery.stop();
        await services.jobs.stop();
        await services.liveScorer.stop();
        await services.training.stop();
        await connected.close();
      })();
      return stopping;
    },
  };
}

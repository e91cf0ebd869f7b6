import fs from "node:fs";
import path from "node:path";
import { GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { startApi, type App } from "../../src/platform/app";
import { loadConfig } from "../../src/platform/config/config";
import { Database } from "../../src/platform/db/database";
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from "../../src/platform/db/embedded";
import { migrate } from "../../src/platform/db/migrate";
import { createLogger } from "../../src/platform/logging/logger";
import { TEST_ADMIN_KEY } from "./server";

/**
 * An embedded PostgreSQL of one test's own, which the test may stop (fast shutdown, as an
 * operator's restart or a failover does) and start again on the same data folder and port.
 * The shared test server cannot be used for that: other test files run on it.
 */
export interface OwnPostgres {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its data folder. */
  destroy(): Promise<void>;
}

export async function startOwnPostgres(name: string): Promise<OwnPostgres> {
  const dataDir = path.resolve(".data", "test-pg", `${name}-${process.pid}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  const port = await freePort();
  let running: EmbeddedDatabase | null = null;
  const start = async () => { running ??= await startEmbeddedPostgres({ dataDir, port }); };
  const stop = async () => {
    const db = running;
    running = null;
    await db?.stop();
  };
  try {
    await start();
  } catch (err) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: running!.url,
    start, stop,
    async destroy() {
      await stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ApiOnDatabase {
  readonly app: App;
  readonly origin: string;
  /** A graphql-request client authenticated as a fresh API key of `role` (a stored key, looked up like a real client's). */
  client(role: Role): Promise<GraphQLClient>;
  admin(): GraphQLClient;
  stop(): Promise<void>;
}

/** Migrates the database at `url` and serves the real API on it over HTTP, on a random port. */
export async function startApiOn(url: string, env: Record<string, string> = {}): Promise<ApiOnDatabase> {
  const config = loadConfig({ NODE_ENV: "test", PORT: "0", HOST: "127.0.0.1", ADMIN_API_KEY: TEST_ADMIN_KEY, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent", DATABASE_URL: url,
    LIVE_SCORING: "false", SCHEDULES: "false", ...env });
  const db = await Database.connect({ url, poolSize: config.poolSize, statementTimeoutMs: config.statementTimeoutMs, applicationName: "quorum-test" });
  try {
    await migrate(db.pool);
  } catch (err) {
    await db.close();
    throw err;
  }
  const app = await startApi(config, createLogger(config), { db, close: () => db.close() });
  const client = (authorization: string) => new GraphQLClient(app.url, { headers: { authorization } });
  return {
    app,
    origin: new URL(app.url).origin,
    async client(role) {
      const { key } = await app.services.apiKeys.create(`faults-${role.toLowerCase()}`, role);
      return client(`Bearer ${key}`);
    },
    admin: () => client(`Bearer ${TEST_ADMIN_KEY}`),
    stop: () => app.stop(),
  };
}

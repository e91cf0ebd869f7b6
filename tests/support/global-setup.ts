import fs from "node:fs";
import path from "node:path";
import { Client } from "pg";
import type { TestProject } from "vitest/node";
import { Database } from "../../src/platform/db/database";
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from "../../src/platform/db/embedded";
import { migrate } from "../../src/platform/db/migrate";

declare module "vitest" {
  export interface ProvidedContext {
    /** Server-level URL (database `postgres`) that tests create their databases on. */
    pgServerUrl: string;
    /** A migrated database each test file copies as a template. */
    templateDatabase: string;
  }
}

let embedded: EmbeddedDatabase | null = null;
let dataDir: string | null = null;
let serverUrl = "";
let template = "";

/**
 * Tests run against a real PostgreSQL: `DATABASE_URL`'s server when set, otherwise an
 * embedded one started here. Migrations run once into a template; each test file gets a
 * fresh copy of it (CREATE DATABASE … TEMPLATE), so files never see each other's rows.
 */
export async function setup(project: TestProject): Promise<void> {
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = "/postgres";
    serverUrl = url.toString();
  } else {
    // A cluster per run: concurrent runs (two terminals, CI) never share a data folder.
    dataDir = path.resolve(".data", "test-pg", `run-${process.pid}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
    embedded = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    serverUrl = embedded.url;
  }
  template = `quorum_tpl_${process.pid}_${Date.now().toString(36)}`;
  await admin(serverUrl, `CREATE DATABASE "${template}"`);
  const db = await Database.connect({ url: withDatabase(serverUrl, template), poolSize: 2, statementTimeoutMs: 60_000 });
  try {
    await migrate(db.pool);
  } finally {
    await db.close();
  }
  project.provide("pgServerUrl", serverUrl);
  project.provide("templateDatabase", template);
}

export async function teardown(): Promise<void> {
  if (template) await admin(serverUrl, `DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`).catch(() => undefined);
  await embedded?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}

export function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Which database a command uses: a running server's embedded one (its URL under `.data/`, used
 * by the CLI and printed by `quorum status`), never another application's, and never an empty
 * one set up by accident.
 */
import "reflect-metadata";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, inject, it } from "vitest";
import { keysCommand } from "../../src/cli/keys.command";
import { migrateCommand } from "../../src/cli/migrate.command";
import { projectRoot } from "../../src/platform/config/paths";
import { freePort } from "../../src/platform/db/embedded";
import { runningDatabaseFile } from "../../src/platform/db/running-database";
import { runCommand } from "../support/cli";
import { admin, withDatabase } from "../support/global-setup";
import { waitFor } from "../support/wait";

const CLI = path.join(projectRoot, "dist", "src", "cli", "main.js");
const run = promisify(execFile);
const savedUrl = process.env.DATABASE_URL;
const created: string[] = [];

afterAll(async () => {
  if (savedUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedUrl;
  for (const name of created) await admin(inject("pgServerUrl"), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
});

async function database(setup?: string): Promise<string> {
  const name = `quorum_choice_${crypto.randomBytes(4).toString("hex")}`;
  await admin(inject("pgServerUrl"), `CREATE DATABASE "${name}"`);
  created.push(name);
  const url = withDatabase(inject("pgServerUrl"), name);
  if (setup) await admin(url, setup);
  return url;
}

async function tables(url: string): Promise<string[]> {
  const { Client } = await import("pg");
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.t);
  } finally {
    await c.end();
  }
}

describe("a database that is not Quorum's", () => {
  it("with another application's tables: refused by every command, migrate included, and left as it was", async () => {
    const url = await database("CREATE TABLE invoices (id int); CREATE TABLE customers (id int)");
    process.env.DATABASE_URL = url;
    await expect(runCommand(migrateCommand, [])).rejects.toThrow(/holds 2 tables \(public\.customers, public\.invoices\) but no Quorum schema: it is another application's database/);
    await expect(runCommand(keysCommand, ["list"])).rejects.toThrow(/another application's database/);
    expect(await tables(url)).toEqual(["customers", "invoices"]);
  });

  it("empty: a command says so and points at quorum migrate instead of setting it up; quorum migrate does", async () => {
    const url = await database();
    process.env.DATABASE_URL = url;
    await expect(runCommand(keysCommand, ["list"])).rejects.toThrow(/it is empty: Quorum has not been set up there\. .*Run `quorum migrate` against it/);
    expect(await tables(url)).toEqual([]);
    const { code, out } = await runCommand(migrateCommand, ["--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(out).applied.length).toBe(JSON.parse(out).migrations);
    expect((await runCommand(keysCommand, ["list"])).out).toMatch(/No API keys yet/);
  });
});

describe("a running server's embedded database", () => {
  let server: ChildProcess | undefined;
  afterAll(() => { if (server && server.exitCode === null) server.kill("SIGKILL"); });

  it("is written under .data/ while the server runs, used by CLI commands, printed by status, and removed on exit", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quorum-served-"));
    const dataDir = path.join(dir, "pg");
    const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir, QUORUM_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()), PORT: String(await freePort()), DEMO_ACCOUNTS: "30", LOG_LEVEL: "warn" };
    let out = "";
    server = spawn(process.execPath, [CLI, "serve"], { env, stdio: ["ignore", "pipe", "pipe"] });
    server.stdout!.on("data", (c: Buffer) => { out += c.toString(); });
    server.stderr!.on("data", (c: Buffer) => { out += c.toString(); });
    try {
      await waitFor("the server's banner", () => /Quorum is serving GraphQL/.test(out) || server!.exitCode !== null, 90_000);
      expect(out).toMatch(/Quorum is serving GraphQL/);
      const note = JSON.parse(fs.readFileSync(runningDatabaseFile(dataDir), "utf8"));
      expect(note).toMatchObject({ pid: server.pid, dataDir });
      expect(note.url).toMatch(/^postgres:\/\/.*:\d+\/quorum$/);
      expect(fs.statSync(runningDatabaseFile(dataDir)).mode & 0o077).toBe(0);

      // Without the server's database, a second PostgreSQL on the same folder would be refused.
      const status = JSON.parse((await run(process.execPath, [CLI, "status", "--json"], { env })).stdout);
      expect(status.database).toMatchObject({ kind: "embedded", url: note.url, servedBy: server.pid });
      expect(status.migrations).toMatchObject({ current: true, pending: [] });
      // DESIGN §6: status also lists the schedules, with their cron and next run.
      expect(status.schedules.map((j: { name: string }) => j.name)).toEqual(["full-scoring-run", "sla-breach-sweep", "training-run", "score-retention"]);
      expect(status.schedules.every((j: { nextRunAt: string | null }) => typeof j.nextRunAt === "string")).toBe(true);
      expect(status.accounts).toBe(30);
      const text = (await run(process.execPath, [CLI, "status"], { env })).stdout;
      expect(text).toContain(`database:   ${note.url}`);
      expect(text).toContain(`embedded, served by quorum serve (pid ${server.pid})`);
      const keys = JSON.parse((await run(process.execPath, [CLI, "keys", "list", "--json"], { env })).stdout) as { name: string }[];
      expect(keys.map((k) => k.name)).toEqual(["demo"]);
    } finally {
      server.kill("SIGTERM");
      await waitFor("the server to exit", () => server!.exitCode !== null, 60_000);
    }
    expect(server.exitCode).toBe(0);
    expect(fs.existsSync(runningDatabaseFile(dataDir))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 180_000);
});

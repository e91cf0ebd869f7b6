/** The CLI's small manners: unknown flags, `migrate --json`, and what `keys list` shows. */
import "reflect-metadata";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../src/auth/roles";
import { keysCommand } from "../../src/cli/keys.command";
import { migrateCommand } from "../../src/cli/migrate.command";
import { closest } from "../../src/cli/command";
import { ApiKeyService } from "../../src/auth/api-key.service";
import { projectRoot } from "../../src/platform/config/paths";
import { runCommand } from "../support/cli";
import { freshDatabase, type TestDatabase } from "../support/db";
import { waitFor } from "../support/wait";

const CLI = path.join(projectRoot, "dist", "src", "cli", "main.js");
const run = promisify(execFile);

let database: TestDatabase;
const savedUrl = process.env.DATABASE_URL;
beforeAll(async () => {
  database = await freshDatabase();
  process.env.DATABASE_URL = database.url;
});
afterAll(async () => {
  if (savedUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedUrl;
  await database?.drop();
});

describe("unknown flags", () => {
  it("get a one-line message naming the flag, the option meant and the options there are, with exit code 1", async () => {
    const failed = await run(process.execPath, [CLI, "score", "--modle", "default"], { env: { ...process.env, DATABASE_URL: database.url } }).catch((e: { code: number; stderr: string }) => e);
    expect((failed as { code: number }).code).toBe(1);
    const stderr = (failed as { stderr: string }).stderr;
    expect(stderr).toBe("quorum: unknown option --modle; did you mean --model? Options: --as-of, --model, --model-id, --json.\n");
  });

  it("suggests nothing when nothing is close", async () => {
    await expect(runCommand(keysCommand, ["list", "--verbose"])).rejects.toThrow(/^unknown option --verbose\. Options: --name, --role, --json\.$/);
    expect(closest("jsn", ["json", "name"])).toBe("json");
    expect(closest("as-off", ["as-of", "model"])).toBe("as-of");
    expect(closest("zzz", ["json", "name"])).toBeNull();
  });
});

describe("migrate --json", () => {
  it("prints one JSON object: the database (password hidden), what it applied, how many migrations there are", async () => {
    const { code, out } = await runCommand(migrateCommand, ["--json"]);
    expect(code).toBe(0);
    const parsed = JSON.parse(out);
    expect(parsed.applied).toEqual([]); // the test database is copied from a migrated template
    expect(parsed.migrations).toBeGreaterThan(5);
    expect(parsed.database).toContain(database.name);
    expect(out.trim().split("\n")).toHaveLength(1);
  });
});

describe("keys list", () => {
  it("shows created, last-used and revoked columns", async () => {
    const keys = new ApiKeyService(database.db, undefined);
    const used = await keys.create("looker", Role.VIEWER);
    const revoked = await keys.create("old-etl", Role.INGEST);
    await keys.authenticate(used.key);
    await keys.revoke(revoked.apiKey.id);
    // The last-used write is fire-and-forget: list once it landed.
    await waitFor("the key's last use to be recorded", async () => (await database.db.query("SELECT 1 FROM api_keys WHERE id = $1 AND last_used_at IS NOT NULL", [used.apiKey.id])).length === 1, 10_000);
    const { out } = await runCommand(keysCommand, ["list"]);
    const [header, ...lines] = out.trimEnd().split("\n");
    expect(header).toMatch(/^ID\s+ROLE\s+PREFIX\s+NAME\s+CREATED \(UTC\)\s+LAST USED\s+REVOKED$/);
    const looker = lines.find((l) => l.includes("looker"))!;
    const etl = lines.find((l) => l.includes("old-etl"))!;
    const stamp = /\d{4}-\d\d-\d\d \d\d:\d\d/g;
    expect(looker.match(stamp)).toHaveLength(2); // created, last used; not revoked
    expect(looker.trimEnd().endsWith("—")).toBe(true);
    expect(etl.match(stamp)).toHaveLength(2); // created, revoked; never used
    expect(etl).toMatch(/—\s+\d{4}-\d\d-\d\d \d\d:\d\d$/);
  });
});

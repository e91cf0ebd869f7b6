import crypto from "node:crypto";
import { inject } from "vitest";
import { Database } from "../../src/platform/db/database";
import { admin, withDatabase } from "./global-setup";

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  readonly db: Database;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** A fresh, migrated database of this test file's own, copied from the template. */
export async function freshDatabase(opts: { poolSize?: number } = {}): Promise<TestDatabase> {
  const server = inject("pgServerUrl");
  const name = `quorum_t_${crypto.randomBytes(5).toString("hex")}`;
  await admin(server, `CREATE DATABASE "${name}" TEMPLATE "${inject("templateDatabase")}"`);
  const url = withDatabase(server, name);
  const db = await Database.connect({ url, poolSize: opts.poolSize ?? 8, statementTimeoutMs: 60_000, applicationName: "quorum-test" });
  return {
    url, name, db,
    async drop() {
      await db.close();
      await admin(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

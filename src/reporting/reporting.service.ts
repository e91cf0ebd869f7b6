import crypto from "node:crypto";
import type { Database } from "../platform/db/database";
import { BadInputError } from "../platform/errors/errors";

/** The views of the `reporting` schema, the contract BI tools rely on (README "BI over SQL"). */
export const REPORTING_VIEWS = ["current_snapshot", "current_scores", "current_contributions", "score_history", "band_transitions", "kpi_facts"] as const;

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface GrantResult {
  readonly role: string;
  readonly created: boolean;
  /** Set when this call chose the password (a new role without one given): shown once. */
  readonly generatedPassword: string | null;
  readonly database: string;
  readonly views: readonly string[];
}

/**
 * Creates (or re-grants) a PostgreSQL role for a BI tool that can read the `reporting` views and
 * nothing else: no table of the application, no writes (its sessions are read-only by default as
 * well), `search_path` set to `reporting`, and a statement timeout so a runaway dashboard query
 * ends. Views run with their owner's rights, so the role needs no grant on the tables beneath.
 */
export class ReportingService {
  constructor(private readonly db: Database) {}

  async grantReadOnlyRole(role: string, opts: { password?: string; statementTimeoutMs?: number } = {}): Promise<GrantResult> {
    if (!ROLE_NAME.test(role)) throw new BadInputError(`--role must be a lowercase PostgreSQL name (letters, digits, "_"; got "${role}")`, { field: "role" });
    if (role === "postgres" || role.startsWith("pg_")) throw new BadInputError(`--role "${role}" is reserved; pick a name of its own, e.g. metabase`, { field: "role" });
    const timeout = opts.statementTimeoutMs ?? 60_000;
    return this.db.tx(async (client) => {
      const exists = (await client.query("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = $1", [role])).rows[0] as { rolsuper: boolean; rolcreaterole: boolean } | undefined;
      if (exists && (exists.rolsuper || exists.rolcreaterole)) {
        throw new BadInputError(`Role "${role}" exists and can administer the server (superuser or CREATEROLE); a BI role must be a role of its own.`, { field: "role" });
      }
      const generatedPassword = !exists && opts.password === undefined ? crypto.randomBytes(18).toString("base64url") : null;
      const password = opts.password ?? generatedPassword;
      const ident = `"${role}"`;
      const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
      if (!exists) await client.query(`CREATE ROLE ${ident} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT${password ? ` PASSWORD ${literal(password)}` : ""}`);
      else if (password) await client.query(`ALTER ROLE ${ident} PASSWORD ${literal(password)}`);
      const { rows: [{ database }] } = await client.query<{ database: string }>("SELECT current_database() AS database");
      await client.query(`GRANT CONNECT ON DATABASE "${database!.replace(/"/g, '""')}" TO ${ident}`);
      await client.query(`GRANT USAGE ON SCHEMA reporting TO ${ident}`);
      await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA reporting TO ${ident}`);
      // Views a later migration adds are readable too.
      await client.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA reporting GRANT SELECT ON TABLES TO ${ident}`);
      await client.query(`ALTER ROLE ${ident} IN DATABASE "${database!.replace(/"/g, '""')}" SET search_path = reporting`);
      await client.query(`ALTER ROLE ${ident} SET default_transaction_read_only = on`);
      await client.query(`ALTER ROLE ${ident} SET statement_timeout = ${Math.round(timeout)}`);
      const views = (await client.query<{ v: string }>(
        "SELECT table_name AS v FROM information_schema.views WHERE table_schema = 'reporting' ORDER BY table_name")).rows.map((r) => r.v);
      return { role, created: !exists, generatedPassword, database: database!, views };
    });
  }
}

import "reflect-metadata";
import { createHash } from "node:crypto";
import { Client, type Pool, type PoolClient, type QueryResultRow } from "pg";
import { DataSource } from "typeorm";
import type { PostgresDriver } from "typeorm/driver/postgres/PostgresDriver";
import { CancelledError } from "../errors/errors";
import { entities } from "./entities";

const ADOPTED = Symbol("quorum.adopted");

export interface DatabaseOptions {
  readonly url: string;
  readonly poolSize: number;
  readonly statementTimeoutMs: number;
  readonly applicationName?: string;
}

/**
 * The data source: TypeORM for entity writes and single-record reads, and its underlying
 * `pg` pool for lean set-based SQL. Counts the statements it sends, which tests use to prove
 * that list reads do not grow with page size.
 */
export class Database {
  /** Statements sent since start (all clients). */
  statements = 0;
  /** When set, the text of every statement sent is pushed here (tests and diagnostics). */
  trace: string[] | null = null;

  private readonly statementNames = new Map<string, string>();

  private constructor(readonly dataSource: DataSource, readonly pool: Pool) {}

  static async connect(opts: DatabaseOptions): Promise<Database> {
    const dataSource = new DataSource({
      type: "postgres",
      url: opts.url,
      entities,
      synchronize: false,
      migrationsRun: false,
      logging: false,
      extra: {
        max: opts.poolSize,
        application_name: opts.applicationName ?? "quorum",
        options: `-c statement_timeout=${opts.statementTimeoutMs}`,
        idleTimeoutMillis: 30_000,
        connectionTimeoutMillis: 10_000,
      },
    });
    await dataSource.initialize();
    const pool = (dataSource.driver as PostgresDriver).master as Pool;
    const db = new Database(dataSource, pool);
    // 'acquire' also covers the client TypeORM opened before this listener existed.
    pool.on("acquire", (client) => db.adopt(client));
    // An idle client whose server went away emits 'error'; the pool replaces it on next use.
    pool.on("error", () => undefined);
    return db;
  }

  /** Runs one statement and returns its rows. */
  async query<T extends QueryResultRow = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    const result = await this.pool.query<T>(text, params as unknown[]);
    return result.rows;
  }

  /**
   * Runs one statement as a named prepared statement: each connection parses it once and
   * PostgreSQL's plan cache may keep its plan. For the fixed texts of per-request loaders,
   * where planning over score partitions costs as much as running; never for SQL with values
   * written into its text (every variant would stay prepared on every connection).
   */
  async prepared<T extends QueryResultRow = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    let name = this.statementNames.get(text);
    if (!name) {
      name = `q${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
      this.statementNames.set(text, name);
    }
    const result = await this.pool.query<T>({ name, text, values: params as unknown[] });
    return result.rows;
  }

  /**
   * Runs `fn` on one pooled connection that `signal` cancels: when it aborts (the client went
   * away), the statement running on the server is cancelled, and nothing more is started —
   * an abandoned report stops costing database time that waiting requests need.
   */
  async cancellable<T>(signal: AbortSignal | undefined, fn: (client: PoolClient) => Promise<T>): Promise<T> {
    if (signal?.aborted) throw new CancelledError();
    const client = await this.pool.connect();
    const pid = (client as PoolClient & { processID?: number }).processID;
    const cancel = () => { if (pid) void this.pool.query("SELECT pg_cancel_backend($1)", [pid]).catch(() => undefined); };
    try {
      if (signal?.aborted) throw new CancelledError();
      signal?.addEventListener("abort", cancel, { once: true });
      return await fn(client);
    } catch (err) {
      throw signal?.aborted ? new CancelledError() : err;
    } finally {
      signal?.removeEventListener("abort", cancel);
      // A cancel still in flight could land on the next borrower's statement: after an abort
      // the connection is closed rather than returned to the pool.
      client.release(signal?.aborted === true);
    }
  }

  /** Runs `fn` in one transaction on one connection: all of it commits, or none of it. */
  async tx<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await fn(client);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * A connection of its own, outside the pool, with the pool's settings: for a session that
   * lives as long as the process (LISTEN). The caller connects and ends it.
   */
  dedicatedClient(applicationName: string): Client {
    const options = (this.pool as unknown as { options: { connectionString?: string; options?: string } }).options;
    return new Client({ connectionString: options.connectionString, options: options.options, application_name: applicationName });
  }

  /** The connection string the pool uses (for libraries that open connections of their own). */
  get connectionString(): string {
    return (this.pool as unknown as { options: { connectionString: string } }).options.connectionString;
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private adopt(client: PoolClient): void {
    const marked = client as PoolClient & { [ADOPTED]?: true };
    if (marked[ADOPTED]) return;
    marked[ADOPTED] = true;
    // A checked-out client whose server goes away (restart, failover, terminated backend) emits
    // 'error' even while a query is running, and the pool listens only to idle ones: unheard,
    // it would crash the process. The running query rejects with the same error, and the pool
    // discards the broken client when it is released.
    client.on("error", () => undefined);
    const original = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      this.statements++;
      if (this.trace) {
        const first = args[0] as string | { text?: string };
        this.trace.push(typeof first === "string" ? first : first?.text ?? "?");
      }
      return original(...args);
    };
  }
}

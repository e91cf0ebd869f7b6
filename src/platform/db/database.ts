import "reflect-metadata";
import type { Pool, PoolClient, QueryResultRow } from "pg";
import { DataSource } from "typeorm";
import type { PostgresDriver } from "typeorm/driver/postgres/PostgresDriver";
import { entities } from "./entities";

const INSTRUMENTED = Symbol("quorum.instrumented");

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
    pool.on("acquire", (client) => db.instrument(client));
    // An idle client whose server went away emits 'error'; the pool replaces it on next use.
    pool.on("error", () => undefined);
    return db;
  }

  /** Runs one statement and returns its rows. */
  async query<T extends QueryResultRow = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    const result = await this.pool.query<T>(text, params as unknown[]);
    return result.rows;
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

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private instrument(client: PoolClient): void {
    const marked = client as PoolClient & { [INSTRUMENTED]?: true };
    if (marked[INSTRUMENTED]) return;
    marked[INSTRUMENTED] = true;
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

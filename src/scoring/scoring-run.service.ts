import type { Logger } from "pino";
import type { PoolClient } from "pg";
import type { Database } from "../platform/db/database";
import { AppError, BadInputError, ConflictError, NotFoundError } from "../platform/errors/errors";
import { decodeId } from "../platform/graphql/global-id";
import { ensureDefaultModel } from "./default-model";
import { DEFAULT_MODEL_NAME } from "./latest-run";
import { MODEL_COLUMNS, type ModelRow } from "./model.types";
import { currentScoresStep, type EngineStep, engineSteps } from "./scoring-engine.sql";

/** Advisory lock key: one scoring run at a time per database. */
const RUN_LOCK_KEY = 4_212_005;
/** How far in the future an as-of may lie (clock skew between client and server). */
const FUTURE_SLACK_MS = 5 * 60_000;

/** FULL: every account; INCREMENTAL: only the accounts ingest queued for the line. */
export type RunKind = "FULL" | "INCREMENTAL";

export interface RunOptions {
  /** Score as of this instant; when omitted, the instant the run's snapshot of the facts was taken. */
  asOf?: Date | null;
  /** A model version; the ACTIVE version of `modelName` when omitted. */
  modelId?: string | null;
  /** A model line; "default" when omitted. */
  modelName?: string | null;
  triggeredBy?: string | null;
  onProgress?: (done: number, total: number, stage: string) => void;
  /** How long to wait for a run in progress before CONFLICT; `lockWaitMs` when omitted. */
  lockWaitMs?: number;
  /**
   * Activation: the run scores `modelId` as the line's ACTIVE version (its transitions are
   * recorded against the version it replaces) and calls `activate` inside its transaction,
   * after the snapshots are written and before COMMIT, to switch the line. Reads keep serving
   * the previous version until that commit.
   */
  activate?: (client: PoolClient, model: ModelRow) => Promise<void>;
}

/** Accounts per band of one run, as stored in `scoring_runs.band_counts`. */
export interface StoredBandCount {
  readonly band: string;
  readonly count: number;
  readonly averageTotal: number;
  readonly holdoutCount: number;
}

export interface RunSummary {
  readonly id: string;
  readonly kind: RunKind;
  readonly modelId: string;
  readonly asOf: Date;
  readonly accountsScored: number;
  readonly contactsScored: number;
  readonly transitions: number;
  readonly bands: readonly StoredBandCount[];
  readonly seconds: number;
}

/**
 * Runs the scoring engine: one snapshot per account (all of them, or for an INCREMENTAL run
 * the queued ones) and per engaged contact, written in one REPEATABLE READ transaction — every
 * statement sees the same facts — so a failed run leaves no snapshots (its run row is marked
 * FAILED with the error, in a transaction of its own). Runs are serialised by an advisory lock
 * taken before the transaction starts (its snapshot then includes the previous run): a second
 * run waits up to `lockWaitMs`, then fails with CONFLICT naming the run in progress.
 *
 * The same transaction brings `current_scores` up to date and, for runs as of now of the
 * line's ACTIVE version, consumes the line's `score_queue` rows it saw: whatever was queued
 * is now scored, and a touch committed meanwhile stays queued.
 */
export class ScoringRunService {
  /** How long a run waits for the one in progress before giving up (tests shorten it). */
  lockWaitMs = 30_000;
  /** Memory per sort/hash of the run's statements. */
  workMem = "256MB";

  private readonly partitions = new Map<string, string>();

  constructor(private readonly db: Database, private readonly log: Logger) {}

  /** A FULL run (every account), or with `activate`, the activation run of a version. */
  async run(opts: RunOptions = {}): Promise<RunSummary> {
    const summary = await this.execute("FULL", opts);
    return summary!;
  }

  /**
   * An INCREMENTAL run of the ACTIVE version of `line` for the accounts queued for it, as of
   * the instant its snapshot of the facts was taken. Null when nothing was queued.
   */
  async runIncremental(line: string, opts: Pick<RunOptions, "triggeredBy" | "lockWaitMs"> = {}): Promise<RunSummary | null> {
    const queued = await this.db.query("SELECT 1 FROM score_queue WHERE line = $1 LIMIT 1", [line]);
    if (queued.length === 0) return null;
    return this.execute("INCREMENTAL", { ...opts, modelName: line });
  }

  /** Lines with queued accounts whose ACTIVE version exists (what the live scorer works through). */
  async queuedLines(): Promise<string[]> {
    const rows = await this.db.query<{ line: string }>(
      `SELECT m.name AS line FROM scoring_models m
        WHERE m.status = 'ACTIVE' AND EXISTS (SELECT 1 FROM score_queue q WHERE q.line = m.name) ORDER BY m.name`);
    return rows.map((r) => r.line);
  }

  private async execute(kind: RunKind, opts: RunOptions): Promise<RunSummary | null> {
    const started = performance.now();
    const explicitAsOf = opts.asOf ?? null;
    if (explicitAsOf !== null) {
      if (Number.isNaN(explicitAsOf.getTime())) throw new BadInputError("asOf is not a valid time.", { field: "asOf" });
      if (explicitAsOf.getTime() > Date.now() + FUTURE_SLACK_MS) {
        throw new BadInputError(`asOf ${explicitAsOf.toISOString()} is in the future; scores exist only for the past and present.`, { field: "asOf" });
      }
      if (explicitAsOf.getUTCFullYear() < 1990) throw new BadInputError(`asOf ${explicitAsOf.toISOString()} is too early.`, { field: "asOf" });
    }
    const model = await this.resolveModel(opts);
    if (kind === "INCREMENTAL" && model.status !== "ACTIVE") throw new Error(`incremental runs score ACTIVE versions only (${model.name} v${model.version} is ${model.status})`);
    const progress = opts.onProgress ?? (() => undefined);
    const activating = opts.activate !== undefined;
    // Runs of the ACTIVE version (and the activation run, which is one when it commits) record
    // transitions and are what later runs compare with.
    const recordsTransitions = model.status === "ACTIVE" || activating;
    const modelStatus = activating ? "ACTIVE" : model.status;

    // The instant is known only inside the transaction (runs as of now); partitions are
    // created beforehand, outside it, for the instants it can fall on.
    const planned = explicitAsOf ?? new Date();
    const client = await this.db.pool.connect();
    let runId: string | null = null;
    let locked = false;
    let broken: Error | undefined;
    try {
      // If the process running this dies (killed, out of memory, host lost), the server would
      // notice only when the current statement ends — a long step, or one waiting for a lock,
      // keeps the run lock and the run's tables locked meanwhile. Polling the connection ends
      // the orphaned session within a second.
      await client.query("SET client_connection_check_interval = 1000");
      await this.acquireLock(client, opts.lockWaitMs ?? this.lockWaitMs);
      locked = true;
      // Holding the lock, any run still marked RUNNING belongs to a process that died.
      await this.recoverAbandoned({ lockHeld: true });
      const candidates = explicitAsOf ? [explicitAsOf] : [planned, new Date(planned.getTime() + 60_000)];
      const months = new Map<string, MonthPartitions>();
      for (const d of candidates) months.set(monthKey(d), await this.ensurePartitions(d, kind === "INCREMENTAL"));
      const inserted = await this.db.query<{ id: string }>(
        `INSERT INTO scoring_runs (model_id, as_of, status, triggered_by, model_status, kind, started_at)
         VALUES ($1, $2, 'RUNNING', $3, $4, $5, clock_timestamp()) RETURNING id::text`,
        [model.id, planned, opts.triggeredBy ?? null, modelStatus, kind]);
      runId = inserted[0]!.id;

      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
      // The first statement takes the snapshot; as of now means an instant after it, rounded up
      // to the millisecond a client sees: every batch the run covers committed before it.
      const [{ as_of: asOf }] = explicitAsOf
        ? [{ as_of: explicitAsOf }]
        : (await client.query<{ as_of: Date }>("SELECT date_trunc('milliseconds', clock_timestamp()) + interval '1 millisecond' AS as_of")).rows as [{ as_of: Date }];
      const month = months.get(monthKey(asOf)) ?? { accounts: null, contacts: null };
      const ownPartitions = kind === "FULL";
      const tables = {
        accounts: ownPartitions && month.accounts ? `account_scores_r${runId}` : "account_scores",
        contacts: ownPartitions && month.contacts ? `contact_scores_r${runId}` : "contact_scores",
      };
      for (const [parent, table] of [["account_scores", tables.accounts], ["contact_scores", tables.contacts]] as const) {
        if (table !== parent) await client.query(`CREATE TABLE ${table} (LIKE ${parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
      }

      await client.query(`SET LOCAL work_mem = '${this.workMem}'`);
      await client.query("SET LOCAL statement_timeout = 0");
      // Big generated statements: JIT compilation costs more than it saves; cheap tuple transfer
      // lets the event pass aggregate in parallel workers.
      await client.query("SET LOCAL jit = off");
      await client.query("SET LOCAL parallel_tuple_cost = 0.01");
      // Temporary tables are analysed for join order, not for fine histograms; indexes of the
      // run's partitions are built in memory.
      await client.query("SET LOCAL default_statistics_target = 10");
      await client.query("SET LOCAL maintenance_work_mem = '512MB'");

      let scope: { accounts: string; members: string; few: boolean } | null = null;
      if (kind === "INCREMENTAL") {
        await client.query(
          `CREATE TEMP TABLE _sc_scope ON COMMIT DROP AS
           SELECT DISTINCT q.account_id FROM score_queue q JOIN accounts a ON a.id = q.account_id WHERE q.line = $1`, [model.name]);
        const rollsUp = model.definition.rollup !== "NONE";
        await client.query(`CREATE TEMP TABLE _sc_scope_members ON COMMIT DROP AS ${rollsUp
          ? `WITH RECURSIVE down(account_id, depth) AS (
               SELECT account_id, 0 FROM _sc_scope
               UNION SELECT a.id, d.depth + 1 FROM down d JOIN accounts a ON a.parent_id = d.account_id WHERE d.depth < 20)
             SELECT DISTINCT account_id FROM down`
          : "SELECT account_id FROM _sc_scope"}`);
        await client.query("ANALYZE _sc_scope");
        await client.query("ANALYZE _sc_scope_members");
        const { rows: [scoped] } = await client.query<{ n: number; accounts: number }>(
          "SELECT (SELECT count(*) FROM _sc_scope_members)::int AS n, (SELECT reltuples FROM pg_class WHERE oid = 'accounts'::regclass)::float8 AS accounts");
        // Up to a twentieth of the accounts, their events are looked up account by account.
        scope = { accounts: "_sc_scope", members: "_sc_scope_members", few: scoped!.n <= Math.max(50, 0.05 * scoped!.accounts) };
        if (scoped!.n === 0) {
          // Another process's run took them, or only deleted accounts were queued.
          await client.query("DELETE FROM score_queue WHERE line = $1", [model.name]);
          await client.query("COMMIT");
          await this.db.query("DELETE FROM scoring_runs WHERE id = $1", [runId]);
          return null;
        }
      }

      // The line's ACTIVE version as the run starts: whose current rows are each account's
      // previous snapshot (for an activation run, the version being replaced).
      const current = recordsTransitions
        ? (await client.query<{ id: string }>("SELECT id::text FROM scoring_models WHERE name = $1 AND status = 'ACTIVE'", [model.name])).rows[0]
        : undefined;
      // Runs as of now of the ACTIVE version cover every queued touch they can see.
      const consumesQueue = recordsTransitions && explicitAsOf === null;
      const steps: EngineStep[] = engineSteps(model.definition, {
        runId, modelId: model.id, asOf, tables, scope,
        previous: current ? { modelId: current.id, line: model.name } : null,
        touched: kind === "INCREMENTAL" ? "all" : { line: model.name }, activation: activating,
      }).filter((s) => recordsTransitions || s.stage !== "transitions");
      for (const [parent, table] of [[month.accounts, tables.accounts], [month.contacts, tables.contacts]] as const) {
        if (parent && table.endsWith(`_r${runId}`)) steps.push({ stage: "indexes", sql: `ALTER TABLE ${parent} ATTACH PARTITION ${table} FOR VALUES IN (${runId})`, params: [] });
      }
      steps.push(currentScoresStep({ runId, asOf }, tables.accounts));
      if (consumesQueue) steps.push({ stage: "current", sql: "DELETE FROM score_queue WHERE line = $1", params: [model.name] });
      const counts = { accounts: 0, contacts: 0, transitions: 0 };
      for (const [i, step] of steps.entries()) {
        progress(i, steps.length, step.stage);
        const result = await client.query(step.sql, step.params);
        if (step.counts) counts[step.counts] = result.rowCount ?? 0;
      }
      progress(steps.length, steps.length, "done");
      await this.analyzeIfStale(client, "current_scores");
      if (kind === "INCREMENTAL") {
        for (const table of [dayPartition("account_scores", asOf), dayPartition("contact_scores", asOf)]) await this.analyzeIfStale(client, table);
      }
      // A full run counts its own snapshots; an incremental run the current scores of every
      // account under the version after it, so a distribution read from its row is whole.
      const bands = (await client.query<StoredBandCount>(kind === "FULL"
        ? `SELECT s.band, count(*)::int AS count, avg(s.total)::float8 AS "averageTotal", (count(*) FILTER (WHERE a.is_holdout))::int AS "holdoutCount"
             FROM ${tables.accounts} s JOIN accounts a ON a.id = s.account_id
            WHERE s.run_id = $1 AND s.as_of = $2 GROUP BY s.band ORDER BY s.band`
        : `SELECT s.band, count(*)::int AS count, avg(s.total)::float8 AS "averageTotal", (count(*) FILTER (WHERE a.is_holdout))::int AS "holdoutCount"
             FROM current_scores s JOIN accounts a ON a.id = s.account_id
            WHERE s.model_id = $3 AND $1::bigint IS NOT NULL AND $2::timestamptz IS NOT NULL GROUP BY s.band ORDER BY s.band`,
        kind === "FULL" ? [runId, asOf] : [runId, asOf, model.id])).rows;
      if (opts.activate) await opts.activate(client, model);
      await client.query(
        `UPDATE scoring_runs SET status = 'SUCCEEDED', as_of = $6, accounts_scored = $2, contacts_scored = $3, transitions = $4, band_counts = $5,
                finished_at = clock_timestamp()
          WHERE id = $1`, [runId, counts.accounts, counts.contacts, counts.transitions, JSON.stringify(bands), asOf]);
      await client.query("COMMIT");
      const seconds = (performance.now() - started) / 1000;
      this.log.info({ runId, kind, model: `${model.name} v${model.version}`, asOf, ...counts, seconds }, "scoring run finished");
      return { id: runId, kind, modelId: model.id, asOf, accountsScored: counts.accounts, contactsScored: counts.contacts, transitions: counts.transitions, bands, seconds };
    } catch (err) {
      await client.query("ROLLBACK").catch((e: Error) => { broken = e; });
      if (runId !== null) {
        const message = err instanceof AppError ? err.message : `${(err as Error)?.message ?? String(err)}`;
        await this.db.query("UPDATE scoring_runs SET status = 'FAILED', error = $2, finished_at = clock_timestamp() WHERE id = $1", [runId, message.slice(0, 2000)])
          .catch((e: unknown) => this.log.error({ err: e, runId }, "could not record the failed scoring run"));
        this.log.error({ err, runId, kind, model: `${model.name} v${model.version}` }, "scoring run failed");
      }
      throw err;
    } finally {
      if (locked && !broken) {
        await client.query("SELECT pg_advisory_unlock($1)", [RUN_LOCK_KEY]).catch((e: Error) => { broken = e; });
      }
      if (!broken) await client.query("RESET client_connection_check_interval").catch((e: Error) => { broken = e; });
      // A connection that may still hold the session lock is closed, never pooled.
      client.release(broken);
    }
  }

  /**
   * Marks runs whose process died FAILED. A live run holds the run lock for its whole
   * transaction, so a RUNNING row whose lock can be taken has nobody left to finish it.
   * Returns how many were marked. `lockHeld`: the caller's transaction holds the lock (this
   * statement runs on another connection, which could not take it).
   */
  async recoverAbandoned(opts: { lockHeld?: boolean } = {}): Promise<number> {
    const rows = await this.db.query(
      `UPDATE scoring_runs SET status = 'FAILED', error = 'abandoned: the process running it stopped before it finished', finished_at = clock_timestamp()
        WHERE status = 'RUNNING' AND ($2 OR pg_try_advisory_xact_lock($1)) RETURNING id`, [RUN_LOCK_KEY, opts.lockHeld === true]);
    if (rows.length > 0) this.log.warn({ runs: rows.length }, "scoring runs abandoned by a stopped process marked FAILED");
    return rows.length;
  }

  /** The version to run: by id, else the ACTIVE version of the line (the shipped default is created on first use). */
  private async resolveModel(opts: RunOptions): Promise<ModelRow> {
    if (opts.modelId != null) {
      const modelId = decodeId(opts.modelId, "ScoringModel");
      const rows = modelId !== null
        ? await this.db.query<ModelRow>(`SELECT ${MODEL_COLUMNS} FROM scoring_models m WHERE m.id = $1`, [modelId])
        : [];
      if (!rows[0]) throw new NotFoundError("Scoring model", opts.modelId);
      return rows[0];
    }
    const name = opts.modelName ?? DEFAULT_MODEL_NAME;
    const active = async () => (await this.db.query<ModelRow>(`SELECT ${MODEL_COLUMNS} FROM scoring_models m WHERE m.name = $1 AND m.status = 'ACTIVE'`, [name]))[0];
    let model = await active();
    if (!model && name === DEFAULT_MODEL_NAME) {
      const [{ n }] = await this.db.query<{ n: number }>("SELECT count(*)::int AS n FROM scoring_models WHERE name = $1", [name]) as [{ n: number }];
      if (n === 0) {
        await ensureDefaultModel(this.db);
        model = await active();
      }
    }
    if (!model) throw new NotFoundError("An ACTIVE version of scoring model", `"${name}"`);
    return model;
  }

  /**
   * The run lock, held by the session (not a transaction) so the run's REPEATABLE READ
   * snapshot is taken after it is granted, when the previous run has committed.
   */
  private async acquireLock(client: PoolClient, waitMs: number): Promise<void> {
    await client.query(`SET lock_timeout = ${Math.max(1, Math.round(waitMs))}`);
    try {
      await client.query("SELECT pg_advisory_lock($1)", [RUN_LOCK_KEY]);
    } catch (err) {
      if ((err as { code?: string }).code !== "55P03") throw err;
      const running = await this.db.query<{ id: string; name: string; version: number; as_of: Date; started_at: Date }>(
        `SELECT r.id::text, m.name, m.version, r.as_of, r.started_at FROM scoring_runs r JOIN scoring_models m ON m.id = r.model_id
          WHERE r.status = 'RUNNING' ORDER BY r.id LIMIT 1`);
      const r = running[0];
      throw new ConflictError(r
        ? `A scoring run for model ${r.name} v${r.version} (run ${r.id}, as of ${r.as_of.toISOString()}) started at ${r.started_at.toISOString()} is in progress; runs never interleave, so retry when it has finished.`
        : "Another scoring run is in progress; runs never interleave, so retry when it has finished.");
    } finally {
      await client.query("RESET lock_timeout");
    }
  }

  /**
   * ANALYZE a table the run wrote when much of it changed since its statistics were taken
   * (autovacuum may be off, and reads plan against these tables).
   */
  private async analyzeIfStale(client: PoolClient, table: string): Promise<void> {
    const { rows } = await client.query<{ tuples: number; changed: number | null }>(
      `SELECT c.reltuples::float8 AS tuples, s.n_mod_since_analyze::float8 AS changed
         FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = to_regclass($1)`, [table]);
    const r = rows[0];
    if (!r) return;
    if (r.tuples < 0 || (r.changed ?? 0) > Math.max(500, 0.1 * r.tuples)) await client.query(`ANALYZE ${table}`);
  }

  /**
   * Makes sure the monthly partitions (UTC) of account_scores and contact_scores holding
   * `asOf` exist, each created in its own short transaction: creating a partition locks the
   * parent table, which must not stay locked for the length of a run. A month is itself
   * partitioned by run (LIST on run_id): each FULL run writes a partition of its own, indexes
   * it in bulk and attaches it — and dropping a run's snapshots is dropping two tables. The
   * month's DEFAULT partition holds everything else, partitioned by day: INCREMENTAL runs
   * (every few seconds, a few accounts each) share one partition per day instead of creating
   * a table each, and retention drops whole days. Returns, per table, the month partition to
   * attach a run's partition to (null: insert directly, as into a month created before run
   * partitions, or rows already in DEFAULT). With `days`, also creates the day partition.
   */
  private async ensurePartitions(asOf: Date, days: boolean): Promise<MonthPartitions> {
    const y = asOf.getUTCFullYear();
    const m = asOf.getUTCMonth();
    const from = new Date(Date.UTC(y, m, 1)).toISOString();
    const to = new Date(Date.UTC(y, m + 1, 1)).toISOString();
    const result: { accounts: string | null; contacts: string | null } = { accounts: null, contacts: null };
    for (const [key, table] of [["accounts", "account_scores"], ["contacts", "contact_scores"]] as const) {
      const name = `${table}_y${y}m${String(m + 1).padStart(2, "0")}`;
      const kind = await this.relkind(name);
      let created = kind;
      if (kind === null) {
        try {
          await this.db.tx(async (c) => {
            await c.query(`SET LOCAL lock_timeout = ${Math.max(1_000, Math.round(this.lockWaitMs))}`);
            await c.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${table} FOR VALUES FROM ('${from}') TO ('${to}') PARTITION BY LIST (run_id)`);
            await c.query(`CREATE TABLE IF NOT EXISTS ${name}_default PARTITION OF ${name} DEFAULT PARTITION BY RANGE (as_of)`);
            await c.query(`CREATE TABLE IF NOT EXISTS ${name}_other PARTITION OF ${name}_default DEFAULT`);
          });
          created = "p";
        } catch (err) {
          if ((err as { code?: string }).code === "23514") {
            this.log.warn({ table, partition: name }, "the DEFAULT partition already holds rows of this month; they stay there");
            continue;
          }
          throw new Error(`Cannot create the score partition ${name} (${(err as Error).message}); a long transaction may be holding ${table}.`);
        }
      }
      result[key] = created === "p" ? name : null;
      if (days && created === "p" && await this.relkind(`${name}_default`) === "p") await this.ensureDay(table, `${name}_default`, asOf);
    }
    return result;
  }

  /**
   * A partition's kind ('p' partitioned, 'r' plain), null when it does not exist. Existing ones
   * are remembered: months are never dropped, and retention drops only days long past, which
   * no new run writes to (incremental runs look it up every few seconds).
   */
  private async relkind(name: string): Promise<string | null> {
    const known = this.partitions.get(name);
    if (known) return known;
    const [found] = await this.db.query<{ kind: string | null }>("SELECT (SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)) AS kind", [name]);
    if (found!.kind) this.partitions.set(name, found!.kind);
    return found!.kind;
  }

  /** The day partition (UTC) of a month's DEFAULT partition that incremental runs of `asOf` write to. */
  private async ensureDay(table: string, parent: string, asOf: Date): Promise<void> {
    const name = dayPartition(table, asOf);
    if (await this.relkind(name) !== null) return;
    const day = new Date(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), asOf.getUTCDate()));
    try {
      await this.db.tx(async (c) => {
        await c.query(`SET LOCAL lock_timeout = ${Math.max(1_000, Math.round(this.lockWaitMs))}`);
        await c.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${parent} FOR VALUES FROM ('${day.toISOString()}') TO ('${new Date(day.getTime() + 86_400_000).toISOString()}')`);
      });
    } catch (err) {
      // Rows of that day already in the month's catch-all: incremental snapshots go there too.
      if ((err as { code?: string }).code !== "23514") throw err;
    }
  }
}

/** The per-table partitions of one month (see `ensurePartitions`). */
interface MonthPartitions { readonly accounts: string | null; readonly contacts: string | null }

function monthKey(d: Date): string {
  return `${d.getUTCFullYear()}-${d.getUTCMonth()}`;
}

/** `account_scores_y2026m12_d07`: incremental snapshots of one UTC day. */
export function dayPartition(table: string, asOf: Date): string {
  return `${table}_y${asOf.getUTCFullYear()}m${String(asOf.getUTCMonth() + 1).padStart(2, "0")}_d${String(asOf.getUTCDate()).padStart(2, "0")}`;
}

/**
 * Daily runs of the ACTIVE default model for the `days` days up to `until` (oldest first, the
 * last one as of `until`), so score history, transitions and distributions have content —
 * what the demo does after loading its data.
 */
export async function runDailyHistory(runner: ScoringRunService, opts: { days: number; until: Date; onProgress?: (done: number, total: number) => void }): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  for (let k = opts.days - 1; k >= 0; k--) {
    opts.onProgress?.(opts.days - 1 - k, opts.days);
    runs.push(await runner.run({ asOf: new Date(opts.until.getTime() - k * 86_400_000), triggeredBy: "demo" }));
  }
  opts.onProgress?.(opts.days, opts.days);
  return runs;
}

import type { Logger } from "pino";
import type { PoolClient } from "pg";
import type { Database } from "../platform/db/database";
import { AppError, BadInputError, ConflictError, NotFoundError } from "../platform/errors/errors";
import { decodeId } from "../platform/graphql/global-id";
import { ensureDefaultModel } from "./default-model";
import { DEFAULT_MODEL_NAME } from "./latest-run";
import { MODEL_COLUMNS, type ModelRow } from "./model.types";
import { type EngineStep, engineSteps } from "./scoring-engine.sql";

/** Advisory lock key: one scoring run at a time per database. */
const RUN_LOCK_KEY = 4_212_005;
/** How far in the future an as-of may lie (clock skew between client and server). */
const FUTURE_SLACK_MS = 5 * 60_000;

export interface RunOptions {
  /** Score as of this instant; now when omitted. */
  asOf?: Date | null;
  /** A model version; the ACTIVE version of `modelName` when omitted. */
  modelId?: string | null;
  /** A model line; "default" when omitted. */
  modelName?: string | null;
  triggeredBy?: string | null;
  onProgress?: (done: number, total: number, stage: string) => void;
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
  readonly modelId: string;
  readonly asOf: Date;
  readonly accountsScored: number;
  readonly contactsScored: number;
  readonly transitions: number;
  readonly bands: readonly StoredBandCount[];
  readonly seconds: number;
}

/**
 * Runs the scoring engine: one snapshot per account and per engaged contact, written in one
 * transaction, so a failed run leaves no snapshots (its run row is marked FAILED with the
 * error, in a transaction of its own). Runs are serialised by an advisory lock: a second run
 * waits up to `lockWaitMs`, then fails with CONFLICT naming the run in progress.
 */
export class ScoringRunService {
  /** How long a run waits for the one in progress before giving up (tests shorten it). */
  lockWaitMs = 30_000;
  /** Memory per sort/hash of the run's statements. */
  workMem = "256MB";

  constructor(private readonly db: Database, private readonly log: Logger) {}

  async run(opts: RunOptions = {}): Promise<RunSummary> {
    const started = performance.now();
    const asOf = opts.asOf ?? new Date();
    if (Number.isNaN(asOf.getTime())) throw new BadInputError("asOf is not a valid time.", { field: "asOf" });
    if (asOf.getTime() > Date.now() + FUTURE_SLACK_MS) {
      throw new BadInputError(`asOf ${asOf.toISOString()} is in the future; scores exist only for the past and present.`, { field: "asOf" });
    }
    if (asOf.getUTCFullYear() < 1990) throw new BadInputError(`asOf ${asOf.toISOString()} is too early.`, { field: "asOf" });
    const model = await this.resolveModel(opts);
    const progress = opts.onProgress ?? (() => undefined);

    const client = await this.db.pool.connect();
    let runId: string | null = null;
    try {
      await client.query("BEGIN");
      // If the process running this dies (killed, out of memory, host lost), the server would
      // notice only when the current statement ends — a long step, or one waiting for a lock,
      // keeps the run lock and the run's tables locked meanwhile. Polling the connection ends
      // the orphaned transaction within a second.
      await client.query("SET LOCAL client_connection_check_interval = 1000");
      await this.acquireLock(client);
      // Holding the lock, any run still marked RUNNING belongs to a process that died.
      await this.recoverAbandoned({ lockHeld: true });
      const inserted = await this.db.query<{ id: string }>(
        `INSERT INTO scoring_runs (model_id, as_of, status, triggered_by, model_status, started_at)
         VALUES ($1, $2, 'RUNNING', $3, $4, clock_timestamp()) RETURNING id::text`,
        [model.id, asOf, opts.triggeredBy ?? null, model.status]);
      runId = inserted[0]!.id;
      const months = await this.ensurePartitions(asOf);
      // The run's own partitions: filled without indexes, indexed in bulk when attached.
      const tables = {
        accounts: months.accounts ? `account_scores_r${runId}` : "account_scores",
        contacts: months.contacts ? `contact_scores_r${runId}` : "contact_scores",
      };
      for (const [parent, table] of [["account_scores", tables.accounts], ["contact_scores", tables.contacts]] as const) {
        if (table !== parent) await client.query(`CREATE TABLE ${table} (LIKE ${parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
      }

      // Only runs of the ACTIVE version record transitions, compared with the line's last such run.
      const recordsTransitions = model.status === "ACTIVE";
      const previous = recordsTransitions
        ? (await client.query<{ run_id: string; as_of: Date }>(
            `SELECT r.id::text AS run_id, r.as_of FROM scoring_runs r JOIN scoring_models m ON m.id = r.model_id
              WHERE m.name = $1 AND r.status = 'SUCCEEDED' AND r.model_status = 'ACTIVE' AND (r.as_of, r.id) < ($2::timestamptz, $3::bigint)
              ORDER BY r.as_of DESC, r.id DESC LIMIT 1`, [model.name, asOf, runId])).rows[0]
        : undefined;

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
      const steps: EngineStep[] = engineSteps(model.definition, {
        runId, modelId: model.id, asOf, tables,
        previous: previous ? { runId: previous.run_id, asOf: previous.as_of } : null,
      }).filter((s) => recordsTransitions || s.stage !== "transitions");
      for (const [parent, table] of [[months.accounts, tables.accounts], [months.contacts, tables.contacts]] as const) {
        if (parent) steps.push({ stage: "indexes", sql: `ALTER TABLE ${parent} ATTACH PARTITION ${table} FOR VALUES IN (${runId})`, params: [] });
      }
      const counts = { accounts: 0, contacts: 0, transitions: 0 };
      for (const [i, step] of steps.entries()) {
        progress(i, steps.length, step.stage);
        const result = await client.query(step.sql, step.params);
        if (step.counts) counts[step.counts] = result.rowCount ?? 0;
      }
      progress(steps.length, steps.length, "done");
      const bands = (await client.query<StoredBandCount>(
        `SELECT s.band, count(*)::int AS count, avg(s.total)::float8 AS "averageTotal", (count(*) FILTER (WHERE a.is_holdout))::int AS "holdoutCount"
           FROM ${tables.accounts} s JOIN accounts a ON a.id = s.account_id
          WHERE s.run_id = $1 AND s.as_of = $2 GROUP BY s.band ORDER BY s.band`, [runId, asOf])).rows;
      await client.query(
        `UPDATE scoring_runs SET status = 'SUCCEEDED', accounts_scored = $2, contacts_scored = $3, transitions = $4, band_counts = $5,
                finished_at = clock_timestamp()
          WHERE id = $1`, [runId, counts.accounts, counts.contacts, counts.transitions, JSON.stringify(bands)]);
      await client.query("COMMIT");
      const seconds = (performance.now() - started) / 1000;
      this.log.info({ runId, model: `${model.name} v${model.version}`, asOf, ...counts, seconds }, "scoring run finished");
      return { id: runId, modelId: model.id, asOf, accountsScored: counts.accounts, contactsScored: counts.contacts, transitions: counts.transitions, bands, seconds };
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      if (runId !== null) {
        const message = err instanceof AppError ? err.message : `${(err as Error)?.message ?? String(err)}`;
        await this.db.query("UPDATE scoring_runs SET status = 'FAILED', error = $2, finished_at = clock_timestamp() WHERE id = $1", [runId, message.slice(0, 2000)])
          .catch((e: unknown) => this.log.error({ err: e, runId }, "could not record the failed scoring run"));
        this.log.error({ err, runId, model: `${model.name} v${model.version}` }, "scoring run failed");
      }
      throw err;
    } finally {
      client.release();
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

  private async acquireLock(client: PoolClient): Promise<void> {
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(this.lockWaitMs))}`);
    try {
      await client.query("SELECT pg_advisory_xact_lock($1)", [RUN_LOCK_KEY]);
    } catch (err) {
      if ((err as { code?: string }).code !== "55P03") throw err;
      const running = await this.db.query<{ id: string; name: string; version: number; as_of: Date; started_at: Date }>(
        `SELECT r.id::text, m.name, m.version, r.as_of, r.started_at FROM scoring_runs r JOIN scoring_models m ON m.id = r.model_id
          WHERE r.status = 'RUNNING' ORDER BY r.id LIMIT 1`);
      const r = running[0];
      throw new ConflictError(r
        ? `A scoring run for model ${r.name} v${r.version} (run ${r.id}, as of ${r.as_of.toISOString()}) started at ${r.started_at.toISOString()} is in progress; runs never interleave, so retry when it has finished.`
        : "Another scoring run is in progress; runs never interleave, so retry when it has finished.");
    }
    await client.query("SET LOCAL lock_timeout = 0");
  }

  /**
   * Makes sure the monthly partitions (UTC) of account_scores and contact_scores holding
   * `asOf` exist, each created in its own short transaction: creating a partition locks the
   * parent table, which must not stay locked for the length of a run. A month is itself
   * partitioned by run (LIST on run_id, with a DEFAULT for ad-hoc rows such as a KPI report's
   * rolled-back what-if scores), so each run writes a partition of its own, indexes it in bulk
   * and attaches it — and dropping a run's snapshots is dropping two tables. Returns, per
   * table, the month partition to attach the run's partition to (null: insert directly, as
   * into a month created before run partitions, or rows already in DEFAULT).
   */
  private async ensurePartitions(asOf: Date): Promise<{ accounts: string | null; contacts: string | null }> {
    const y = asOf.getUTCFullYear();
    const m = asOf.getUTCMonth();
    const from = new Date(Date.UTC(y, m, 1)).toISOString();
    const to = new Date(Date.UTC(y, m + 1, 1)).toISOString();
    const result: { accounts: string | null; contacts: string | null } = { accounts: null, contacts: null };
    for (const [key, table] of [["accounts", "account_scores"], ["contacts", "contact_scores"]] as const) {
      const name = `${table}_y${y}m${String(m + 1).padStart(2, "0")}`;
      const [found] = await this.db.query<{ kind: string | null }>("SELECT (SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)) AS kind", [name]);
      let kind = found!.kind;
      if (kind === null) {
        try {
          await this.db.tx(async (c) => {
            await c.query(`SET LOCAL lock_timeout = ${Math.max(1_000, Math.round(this.lockWaitMs))}`);
            await c.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${table} FOR VALUES FROM ('${from}') TO ('${to}') PARTITION BY LIST (run_id)`);
            await c.query(`CREATE TABLE IF NOT EXISTS ${name}_default PARTITION OF ${name} DEFAULT`);
          });
          kind = "p";
        } catch (err) {
          if ((err as { code?: string }).code === "23514") {
            this.log.warn({ table, partition: name }, "the DEFAULT partition already holds rows of this month; they stay there");
            continue;
          }
          throw new Error(`Cannot create the score partition ${name} (${(err as Error).message}); a long transaction may be holding ${table}.`);
        }
      }
      result[key] = kind === "p" ? name : null;
    }
    return result;
  }
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

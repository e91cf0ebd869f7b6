import type { PoolClient } from "pg";
import type { Logger } from "pino";
import type { Database } from "../platform/db/database";
import { BadInputError, CancelledError } from "../platform/errors/errors";
import { DEFAULT_MODEL_NAME } from "../scoring/latest-run";
import type { ModelDefinition } from "../scoring/model.types";
import { aucOf, bandOrder, conversionByBand, groupsOf, KPIS, UNSCORED } from "./band-kpi.report";
import { BootstrapRunner } from "./bootstrap.runner";
import { ConcurrencyGate } from "../platform/db/concurrency-gate";
import { type AucRow, bandKpiStatement, type GroupRow } from "./band-kpi.sql";
import type { BandKpiReport, KpiBand, KpiRunDistribution } from "./band-kpi.type";
import { scoreAccountsAsOf } from "./score-as-of";

/** Bootstrap seed when the caller gives none: fixed, so a report is reproducible. */
export const DEFAULT_KPI_SEED = 20_261_122;
/** Most runs the distribution over time shows; longer windows are sampled evenly. */
export const MAX_DISTRIBUTION_RUNS = 60;
const FUTURE_SLACK_MS = 5 * 60_000;

/** What `bandKpis` asks for (the GraphQL input, or the CLI's options). */
export interface BandKpiRequest {
  from: Date;
  to: Date;
  model?: string | null;
  byTier?: boolean | null;
  seed?: number | null;
  confidence?: number | null;
  bootstrapIterations?: number | null;
}

interface VersionRow {
  id: string;
  version: number;
  status: string;
  definition: ModelDefinition;
  run: { id: string; asOf: string } | null;
}

/**
 * KPIs by score band, treated against holdout accounts (DESIGN §5). The rules:
 *
 * - **Accounts**: target accounts (`is_target`), because the holdout is drawn from them.
 *   Treated = not held out, holdout = held out, as flagged now; holdout accounts that entered
 *   after `from` are counted and warned about (they may have been worked before).
 * - **Band at from**: the model line's version is its ACTIVE version when that has a
 *   successful run at or before `from`; else the version with the latest such run; else the
 *   ACTIVE (or newest) version. An account's band is its latest snapshot of that version at or
 *   before `from`; accounts without one are scored as of `from` by the scoring engine inside
 *   this report's transaction, which is rolled back; if that fails they are UNSCORED.
 * - **Facts** in [from, to): see `bandKpiStatement`.
 *
 * The whole report reads one REPEATABLE READ snapshot and always rolls back.
 */
export class BandKpiService {
  constructor(private readonly db: Database, private readonly log: Logger, private readonly gate = new ConcurrencyGate(4),
    private readonly bootstraps = new BootstrapRunner()) {}

  /**
   * The report; `signal` (the client went away) cancels its SQL and skips the rest. Reports
   * take turns through the gate: a client that leaves while waiting costs nothing.
   */
  async report(request: BandKpiRequest, signal?: AbortSignal): Promise<BandKpiReport> {
    const input = validate(request);
    return this.gate.run(signal, () => this.compute(input, signal));
  }

  private async compute(input: ValidInput, signal: AbortSignal | undefined): Promise<BandKpiReport> {
    const read = await this.db.cancellable(signal, async (client) => {
      try {
        await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
        // The report's hash aggregates and sorts over ~100k accounts fit in memory at this size.
        await client.query("SET LOCAL work_mem = '32MB'");
        return await this.read(client, input);
      } finally {
        await client.query("ROLLBACK").catch(() => undefined);
      }
    });
    // The connection is back in the pool before the CPU-heavy part.
    if (signal?.aborted) throw new CancelledError();
    return this.assemble(input, read);
  }

  /** Everything the report needs from the database, in one snapshot. */
  private async read(client: PoolClient, input: ValidInput): Promise<ReadResult> {
    const { from, to, model } = input;
    const version = await chooseVersion(client, model, from);

    let scoredNowRunId: string | null = null;
    let result = await this.aggregate(client, input, version, null);
    let unscored = unscoredIn(result.groups);
    let scoringFailure: string | null = null;
    if (unscored > 0) {
      const scored = await scoreAccountsAsOf(client, version, from);
      if (scored.ok) {
        scoredNowRunId = scored.runId;
        result = await this.aggregate(client, input, version, scoredNowRunId);
        unscored = unscoredIn(result.groups);
      } else {
        scoringFailure = scored.error;
        this.log.warn({ err: scored.error, model, version: version.version, from }, "could not score accounts as of the KPI window's start");
      }
    }

    const modelBands: KpiBand[] = (version.definition.bands ?? []).map((b) => ({ name: b.name, minScore: b.minScore, slaHours: b.slaHours ?? null, play: b.play ?? null }));
    const bands = bandOrder(modelBands, result.groups.filter((g) => g.level === "band").map((g) => g.band!));
    const distribution = await distributionOverTime(client, model, from, to, bands);
    return { version, result, unscored, scoringFailure, bands, distribution };
  }

  /** KPIs, intervals, lifts and warnings from what was read. */
  private async assemble(input: ValidInput, read: ReadResult): Promise<BandKpiReport> {
    const { from, to, model, byTier } = input;
    const { version, result, unscored, scoringFailure, bands, distribution } = read;
    const options = { confidence: input.confidence, seed: input.seed, iterations: input.bootstrapIterations };
    const warnings: string[] = [];
    const overallRows = result.groups.filter((g) => g.level === "overall");
    const count = (holdout: boolean, k: "accounts" | "late" | "scoredNow") => overallRows.filter((g) => g.holdout === holdout).reduce((n, g) => n + g[k], 0);
    const treatedAccounts = count(false, "accounts");
    const holdoutAccounts = count(true, "accounts");
    const late = count(true, "late");
    const scoredNow = count(false, "scoredNow") + count(true, "scoredNow");
    const { overall, groups } = await groupsOf(result.groups, bands, byTier, options, (tasks) => this.bootstraps.run(tasks));
    const quality = conversionByBand(result.groups, bands, input.confidence);

    const label = `${model} v${version.version}`;
    if (treatedAccounts + holdoutAccounts === 0) {
      warnings.push("There are no target accounts: the report compares target accounts only (the holdout is drawn from them). Mark accounts as targets (isTarget) and assign a holdout.");
    } else if (holdoutAccounts === 0) {
      warnings.push("There are no holdout accounts, so no lift can be computed. Assign a holdout with assignHoldout (or `quorum holdout`).");
    }
    if (late > 0) {
      warnings.push(`${late} of the ${holdoutAccounts} holdout accounts ${late === 1 ? "has" : "have"} entered the holdout after the window started (${from.toISOString()}); before that they may have been worked, which pulls every lift toward 1.`);
    }
    if (scoredNow > 0) {
      warnings.push(`${accounts(scoredNow)} had no ${label} score at or before ${from.toISOString()}; their band is their score as of that instant, computed for this report and not stored.`);
    }
    if (unscored > 0) {
      warnings.push(scoringFailure
        ? `${accounts(unscored)} had no ${label} score at or before ${from.toISOString()} and could not be scored as of it (the scoring engine failed: ${scoringFailure.slice(0, 200)}); they are reported under ${UNSCORED}.`
        : `${accounts(unscored)} had no ${label} score at or before ${from.toISOString()}; they are reported under ${UNSCORED}.`);
    }
    const comparisons = [overall, ...groups].flatMap((g) => KPIS.map(({ key }) => g.lift[key]));
    const small = comparisons.filter((l) => l.warning !== null).length;
    if (small > 0) warnings.push(`${small} of ${comparisons.length} treated-vs-holdout comparisons are too small to conclude anything; each group lists why.`);

    const notes: string[] = [
      "Conversion = accounts that won a deal closed in the window / accounts; win rate = won / closed deals; treated and holdout together.",
      "AUC: the total score at the window's start against \"won a deal closed in the window\", over scored target accounts.",
    ];
    if (distribution.sampled) notes.push(`The window has ${distribution.total} runs; ${distribution.runs.length} evenly spaced ones are shown.`);

    return {
      from, to, model, modelId: version.id, modelVersion: version.version,
      asOfRun: version.run ? { id: version.run.id, asOf: new Date(version.run.asOf), modelId: version.id, modelVersion: version.version } : null,
      bandRule: bandRule(version, label, from, scoredNow, unscored),
      confidence: input.confidence, seed: input.seed, bootstrapIterations: input.bootstrapIterations,
      accounts: treatedAccounts + holdoutAccounts, treatedAccounts, holdoutAccounts,
      scoredAsOfFrom: scoredNow, unscoredAccounts: unscored, holdoutEnteredAfterFrom: late,
      bands, overall, groups, warnings,
      scoreQuality: {
        conversionByBand: quality.conversion, monotonic: quality.monotonic, winRateMonotonic: quality.winRateMonotonic,
        auc: aucOf(result.auc), aucAccounts: result.auc.positives + result.auc.negatives, aucPositives: result.auc.positives,
        distributionOverTime: distribution.runs, notes,
      },
    };
  }

  private async aggregate(client: PoolClient, input: ValidInput, version: VersionRow, scoredNowRunId: string | null): Promise<{ groups: GroupRow[]; auc: AucRow }> {
    const statement = bandKpiStatement({ runId: version.run?.id ?? null, scoredNowRunId }, input.byTier);
    const { rows } = await client.query<{ groups: GroupRow[]; auc: AucRow }>(statement.sql, statement.params(input.from, input.to, version.id));
    return rows[0]!;
  }
}

interface ReadResult {
  version: VersionRow;
  result: { groups: GroupRow[]; auc: AucRow };
  unscored: number;
  scoringFailure: string | null;
  bands: KpiBand[];
  distribution: { runs: KpiRunDistribution[]; total: number; sampled: boolean };
}

interface ValidInput {
  from: Date;
  to: Date;
  model: string;
  byTier: boolean;
  seed: number;
  confidence: number;
  bootstrapIterations: number;
}

function validate(r: BandKpiRequest): ValidInput {
  const valid = (d: unknown): d is Date => d instanceof Date && !Number.isNaN(d.getTime());
  if (!valid(r.from)) throw new BadInputError("from must be a date-time with an offset, e.g. 2026-01-01T00:00:00Z.", { field: "from" });
  if (!valid(r.to)) throw new BadInputError("to must be a date-time with an offset, e.g. 2026-07-01T00:00:00Z.", { field: "to" });
  if (r.from.getTime() >= r.to.getTime()) {
    throw new BadInputError(`from must be before to (got from ${r.from.toISOString()}, to ${r.to.toISOString()}); the window is [from, to).`, { field: "to" });
  }
  if (r.from.getTime() > Date.now() + FUTURE_SLACK_MS) {
    throw new BadInputError(`from ${r.from.toISOString()} is in the future; a window must start in the past so accounts have a band at its start.`, { field: "from" });
  }
  const confidence = r.confidence ?? 0.95;
  if (!(confidence >= 0.5 && confidence <= 0.999)) {
    throw new BadInputError(`confidence must be between 0.5 and 0.999, e.g. 0.95 for 95% intervals (got ${confidence}).`, { field: "confidence" });
  }
  const iterations = r.bootstrapIterations ?? 2000;
  if (!Number.isInteger(iterations) || iterations < 100 || iterations > 100_000) {
    throw new BadInputError(`bootstrapIterations must be a whole number from 100 to 100000 (got ${iterations}).`, { field: "bootstrapIterations" });
  }
  const seed = r.seed ?? DEFAULT_KPI_SEED;
  if (!Number.isSafeInteger(seed)) throw new BadInputError(`seed must be a whole number (got ${seed}).`, { field: "seed" });
  const model = (r.model ?? DEFAULT_MODEL_NAME).trim();
  if (model === "") throw new BadInputError("model must name a model line, e.g. \"default\"; omit it for the default model.", { field: "model" });
  return { from: r.from, to: r.to, model, byTier: r.byTier ?? false, seed, confidence, bootstrapIterations: iterations };
}

/** The version whose bands the report uses, with its latest successful run at or before from (see BandKpiService). */
async function chooseVersion(client: PoolClient, name: string, from: Date): Promise<VersionRow> {
  const { rows } = await client.query<VersionRow>(
    `SELECT m.id::text AS id, m.version, m.status, m.definition,
            (SELECT json_build_object('id', r.id::text, 'asOf', r.as_of)
               FROM scoring_runs r
              WHERE r.model_id = m.id AND r.status = 'SUCCEEDED' AND r.kind = 'FULL' AND r.as_of <= $2
              ORDER BY r.as_of DESC, r.id DESC LIMIT 1) AS run
       FROM scoring_models m
      WHERE m.name = $1
      ORDER BY m.version DESC`, [name, from]);
  if (rows.length === 0) {
    const names = (await client.query<{ name: string }>("SELECT DISTINCT name FROM scoring_models ORDER BY name LIMIT 20")).rows.map((r) => `"${r.name}"`);
    const hint = name === DEFAULT_MODEL_NAME ? "; the first scoring run (runScoring, `quorum score`) creates it" : "";
    throw new BadInputError(`There is no scoring model "${name}"${hint}; ${names.length ? `pass one of ${names.join(", ")}` : "create a scoring model first"}.`, { field: "model" });
  }
  const active = rows.find((r) => r.status === "ACTIVE");
  if (active?.run) return active;
  const withRun = rows.filter((r) => r.run).sort((a, b) => Date.parse(b.run!.asOf) - Date.parse(a.run!.asOf) || Number(b.run!.id) - Number(a.run!.id));
  return withRun[0] ?? active ?? rows[0]!;
}

function bandRule(version: VersionRow, label: string, from: Date, scoredNow: number, unscored: number): string {
  const which = version.status === "ACTIVE"
    ? `${label} (the ACTIVE version)`
    : `${label} (${version.status}: the ACTIVE version has no run at or before the window's start)`;
  const run = version.run ? `; most come from run ${version.run.id} as of ${new Date(version.run.asOf).toISOString()}` : "; the version has no run at or before it";
  const tail = [
    scoredNow > 0 ? `${accounts(scoredNow)} without one ${scoredNow === 1 ? "was" : "were"} scored as of ${from.toISOString()} for this report only` : null,
    unscored > 0 ? `${accounts(unscored)} ${unscored === 1 ? "is" : "are"} ${UNSCORED}` : null,
  ].filter(Boolean).join("; ");
  return `Each target account's band is its latest ${which} score at or before ${from.toISOString()}${run}${tail ? `; ${tail}` : ""}.`;
}

function accounts(n: number): string {
  return n === 1 ? "1 account" : `${n} accounts`;
}

function unscoredIn(groups: readonly GroupRow[]): number {
  return groups.filter((g) => g.level === "band" && g.band === UNSCORED).reduce((n, g) => n + g.accounts, 0);
}

/**
 * Accounts per band for each successful run of the model line in [from, to), oldest first,
 * all scored accounts (as the scoring dashboard counts them). Counts come from the run's
 * stored `band_counts` when it has them, else from its snapshots.
 */
async function distributionOverTime(client: PoolClient, name: string, from: Date, to: Date, bands: readonly KpiBand[]): Promise<{ runs: KpiRunDistribution[]; total: number; sampled: boolean }> {
  type Count = { band: string; count: number; averageTotal: number | null };
  const { rows: all } = await client.query<{ id: string; as_of: Date; version: number; band_counts: Count[] | null }>(
    `SELECT r.id::text AS id, r.as_of, m.version, r.band_counts
       FROM scoring_runs r JOIN scoring_models m ON m.id = r.model_id
      WHERE m.name = $1 AND r.status = 'SUCCEEDED' AND r.kind = 'FULL' AND r.as_of >= $2 AND r.as_of < $3
      ORDER BY r.as_of, r.id`, [name, from, to]);
  const runs = evenlySpaced(all, MAX_DISTRIBUTION_RUNS);
  const missing = runs.filter((r) => r.band_counts === null).map((r) => r.id);
  const counted = new Map<string, Count[]>();
  if (missing.length > 0) {
    const { rows } = await client.query<Count & { run_id: string }>(
      `SELECT s.run_id::text AS run_id, s.band, count(*)::int AS count, avg(s.total)::float8 AS "averageTotal"
         FROM scoring_runs r JOIN account_scores s ON s.run_id = r.id AND s.as_of = r.as_of
        WHERE r.id = ANY($1::bigint[])
        GROUP BY s.run_id, s.band`, [missing]);
    for (const row of rows) counted.set(row.run_id, [...(counted.get(row.run_id) ?? []), row]);
  }
  const order = new Map(bands.map((b, i) => [b.name, i]));
  return {
    total: all.length,
    sampled: runs.length < all.length,
    runs: runs.map((r) => {
      const counts = (r.band_counts ?? counted.get(r.id) ?? []).slice()
        .sort((a, b) => (order.get(a.band) ?? 1e9) - (order.get(b.band) ?? 1e9) || a.band.localeCompare(b.band));
      const accounts = counts.reduce((n, c) => n + c.count, 0);
      const weighted = counts.reduce((s, c) => s + (c.averageTotal ?? 0) * c.count, 0);
      return {
        runId: r.id, asOf: r.as_of, modelVersion: r.version, accounts, averageScore: accounts > 0 ? weighted / accounts : null,
        bands: counts.map((c) => ({ band: c.band, accounts: c.count, share: accounts > 0 ? c.count / accounts : 0, averageScore: c.averageTotal })),
      };
    }),
  };
}

/** At most `max` items, evenly spaced, first and last kept. */
export function evenlySpaced<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  return Array.from({ length: max }, (_, i) => items[Math.round((i * (items.length - 1)) / (max - 1))]!);
}

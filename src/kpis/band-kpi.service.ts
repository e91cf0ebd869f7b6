import type { PoolClient } from "pg";
import type { Logger } from "pino";
import type { Database } from "../platform/db/database";
import { BadInputError, CancelledError } from "../platform/errors/errors";
import { decodeId } from "../platform/graphql/global-id";
import { DEFAULT_MODEL_NAME } from "../scoring/latest-run";
import type { ModelDefinition } from "../scoring/model.types";
import { aucOf, bandOrder, conversionByBand, groupsOf, KPIS, P_VALUE_ADJUSTMENT, UNSCORED } from "./band-kpi.report";
import { BootstrapRunner } from "./bootstrap.runner";
import { ConcurrencyGate } from "../platform/db/concurrency-gate";
import { type AucRow, bandKpiStatement, type GroupRow } from "./band-kpi.sql";
import type { BandKpiReport, KpiBand, KpiRunDistribution } from "./band-kpi.type";
import { KpiVersionSource } from "./band-kpi.enums";
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
  /** A version to band by instead of the one ACTIVE at from. */
  modelId?: string | null;
  byTier?: boolean | null;
  seed?: number | null;
  confidence?: number | null;
  bootstrapIterations?: number | null;
}

interface VersionRow {
  id: string;
  name: string;
  version: number;
  status: string;
  definition: ModelDefinition;
  run: { id: string; asOf: string } | null;
}

/**
 * KPIs by score band, treated against holdout accounts (DESIGN §5). The rules:
 *
 * - **Accounts**: target accounts (`is_target`), because the holdout is drawn from them.
 *   Holdout = a stay in the holdout history covers `from`, else treated; accounts that
 *   entered or left during the window keep their side at `from` and are counted as moved.
 * - **Version**: `modelId` when given; else the line's version ACTIVE at `from` according to
 *   `model_changes` (the bands Sales acted on); else, with no activation recorded by then,
 *   the ACTIVE version when it has a successful run at or before `from`, else the version with
 *   the latest such run, else the ACTIVE (or newest) version. See `chooseVersion`.
 * - **Band at from**: an account's latest snapshot of that version at or before `from`;
 *   accounts without one are scored as of `from` by the scoring engine inside this report's
 *   transaction, which is rolled back; if that fails they are UNSCORED.
 * - **Facts** in [from, to): see `bandKpiStatement`; statistics: see `band-kpi.report.ts`.
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
        // The planner's row estimates for the joined CTEs run far above the truth, which would
        // make PostgreSQL JIT-compile the statement: seconds of compiling for ~100 ms of work.
        await client.query("SET LOCAL jit = off");
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
    const { from, to } = input;
    const chosen = await chooseVersion(client, input);
    const { version } = chosen;

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
        this.log.warn({ err: scored.error, model: chosen.name, version: version.version, from }, "could not score accounts as of the KPI window's start");
      }
    }

    const modelBands = (version.definition.bands ?? []).map((b) => ({ name: b.name, minScore: b.minScore, slaHours: b.slaHours ?? null, play: b.play ?? null }));
    const bands = bandOrder(modelBands, result.groups.filter((g) => g.level === "band").map((g) => g.band!));
    const distribution = await distributionOverTime(client, chosen.name, from, to, bands);
    const firstEntry = (await client.query<{ at: Date | null }>("SELECT min(entered_at) AS at FROM holdout_memberships")).rows[0]!.at;
    return { chosen, result, unscored, scoringFailure, bands, distribution, firstEntry };
  }

  /** KPIs, intervals, lifts and warnings from what was read. */
  private async assemble(input: ValidInput, read: ReadResult): Promise<BandKpiReport> {
    const { from, to, byTier } = input;
    const { chosen, result, unscored, scoringFailure, bands, distribution, firstEntry } = read;
    const { version, name: model } = chosen;
    const options = { confidence: input.confidence, seed: input.seed, iterations: input.bootstrapIterations };
    const warnings: string[] = [];
    const overallRows = result.groups.filter((g) => g.level === "overall");
    const count = (holdout: boolean, k: "accounts" | "moved" | "scoredNow") => overallRows.filter((g) => g.holdout === holdout).reduce((n, g) => n + g[k], 0);
    const treatedAccounts = count(false, "accounts");
    const holdoutAccounts = count(true, "accounts");
    const joined = count(false, "moved");
    const left = count(true, "moved");
    const scoredNow = count(false, "scoredNow") + count(true, "scoredNow");
    const { overall, groups, comparisons } = await groupsOf(result.groups, bands, byTier, options, (tasks) => this.bootstraps.run(tasks));
    const quality = conversionByBand(result.groups, bands, input.confidence);

    const label = `${model} v${version.version}`;
    const at = from.toISOString();
    let nothing: string | null = null;
    if (treatedAccounts + holdoutAccounts === 0) {
      nothing = "nothing to compare yet, because there are no target accounts: the report compares target accounts only (the holdout is drawn from them). Mark accounts as targets (isTarget) and assign a holdout";
    } else if (holdoutAccounts === 0) {
      nothing = firstEntry && firstEntry.getTime() > from.getTime()
        ? `nothing to compare yet, because no account was held out at ${at}: the holdout began ${firstEntry.toISOString()}. Pick a window that starts after that`
        : `nothing to compare yet, because no account was held out at ${at}. Assign a holdout with assignHoldout (or \`quorum holdout assign\`) and report on a window that starts after it`;
    } else if (treatedAccounts === 0) {
      nothing = `nothing to compare yet, because every target account was held out at ${at}`;
    }
    if (nothing) warnings.push(`${nothing[0]!.toUpperCase()}${nothing.slice(1)}.`);
    if (joined + left > 0) {
      warnings.push(`${accounts(joined + left)} moved during the window (${joined} entered the holdout, ${left} left it); each counts on its side at ${at}, which pulls every lift toward 1.`);
    }
    if (scoredNow > 0) {
      warnings.push(`${accounts(scoredNow)} had no ${label} score at or before ${at}; their band is their score as of that instant, computed for this report and not stored.`);
    }
    if (unscored > 0) {
      warnings.push(scoringFailure
        ? `${accounts(unscored)} had no ${label} score at or before ${at} and could not be scored as of it (the scoring engine failed: ${scoringFailure.slice(0, 200)}); they are reported under ${UNSCORED}.`
        : `${accounts(unscored)} had no ${label} score at or before ${at}; they are reported under ${UNSCORED}.`);
    }
    const all = [overall, ...groups];
    const lifts = all.flatMap((g) => KPIS.map(({ key }) => g.lift[key]));
    const small = lifts.filter((l) => l.warning !== null).length;
    if (small > 0 && !nothing) warnings.push(`${small} of ${lifts.length} treated-vs-holdout comparisons are too small to conclude anything; each group lists why.`);

    const notes: string[] = [
      "Conversion = accounts that won a deal closed in the window / accounts; win rate = won / closed deals; treated and holdout together.",
      "AUC: the total score at the window's start against \"won a deal closed in the window\", over scored target accounts.",
    ];
    if (distribution.sampled) notes.push(`The window has ${distribution.total} runs; ${distribution.runs.length} evenly spaced ones are shown.`);

    return {
      from, to, model, modelId: version.id, modelVersion: version.version, versionSource: chosen.source, versionReason: chosen.reason,
      asOfRun: version.run ? { id: version.run.id, asOf: new Date(version.run.asOf), modelId: version.id, modelVersion: version.version } : null,
      bandRule: bandRule(version, label, chosen.source, from, scoredNow, unscored),
      confidence: input.confidence, seed: input.seed, bootstrapIterations: input.bootstrapIterations,
      accounts: treatedAccounts + holdoutAccounts, treatedAccounts, holdoutAccounts,
      scoredAsOfFrom: scoredNow, unscoredAccounts: unscored, holdoutEnteredAfterFrom: joined, holdoutLeftDuringWindow: left, movedDuringWindow: joined + left,
      kpis: KPIS.map((k) => ({ ...k })), comparisons, pValueAdjustment: P_VALUE_ADJUSTMENT, nothingToCompare: nothing,
      headlines: [overall, ...groups.filter((g) => g.tier === null)].map((g) => g.headline),
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
  chosen: ChosenVersion;
  firstEntry: Date | null;
  result: { groups: GroupRow[]; auc: AucRow };
  unscored: number;
  scoringFailure: string | null;
  bands: KpiBand[];
  distribution: { runs: KpiRunDistribution[]; total: number; sampled: boolean };
}

interface ValidInput {
  from: Date;
  to: Date;
  /** The line asked for; null: the line of modelId, else "default". */
  model: string | null;
  modelId: string | null;
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
  const model = r.model == null ? null : r.model.trim();
  if (model === "") throw new BadInputError("model must name a model line, e.g. \"default\"; omit it for the default model.", { field: "model" });
  const modelId = r.modelId == null ? null : decodeId(r.modelId, "ScoringModel");
  if (r.modelId != null && modelId === null) throw new BadInputError(`modelId ${r.modelId} is not a scoring model id; pass the id of a version (scoringModels), or omit it.`, { field: "modelId" });
  return { from: r.from, to: r.to, model, modelId, byTier: r.byTier ?? false, seed, confidence, bootstrapIterations: iterations };
}

/** The version the report bands accounts by, and why. */
interface ChosenVersion {
  name: string;
  version: VersionRow;
  source: KpiVersionSource;
  reason: string;
}

const VERSION_COLUMNS = `m.id::text AS id, m.name, m.version, m.status, m.definition,
  (SELECT json_build_object('id', r.id::text, 'asOf', r.as_of)
     FROM scoring_runs r
    WHERE r.model_id = m.id AND r.status = 'SUCCEEDED' AND r.kind = 'FULL' AND r.as_of <= $2
    ORDER BY r.as_of DESC, r.id DESC LIMIT 1) AS run`;

/**
 * The version whose bands the report uses, with its latest successful run at or before from:
 * - `modelId` when the request names one (its line must be `model` when both are given);
 * - else the version that was ACTIVE at `from` — the model of the line's latest ACTIVATED,
 *   ROLLBACK or BREAK_GLASS entry in `model_changes` at or before `from`: the bands Sales saw;
 * - else (no activation recorded by then) the line's ACTIVE version when it has a successful
 *   run at or before from, else the version with the latest such run, else the ACTIVE (or
 *   newest) version.
 */
async function chooseVersion(client: PoolClient, input: ValidInput): Promise<ChosenVersion> {
  const { from } = input;
  const at = from.toISOString();
  if (input.modelId !== null) {
    const { rows } = await client.query<VersionRow & { name: string }>(`SELECT ${VERSION_COLUMNS} FROM scoring_models m WHERE m.id = $1`, [input.modelId, from]);
    const v = rows[0];
    if (!v) throw new BadInputError(`There is no scoring model version ${input.modelId}; pass the id of a version (scoringModels), or omit modelId for the version ACTIVE at from.`, { field: "modelId" });
    if (input.model !== null && input.model !== v.name) {
      throw new BadInputError(`modelId ${input.modelId} is a version of "${v.name}", not of "${input.model}"; omit model, or pass a version of "${input.model}".`, { field: "modelId" });
    }
    const active = await activeAt(client, v.name, from);
    const differs = active && active.modelId !== v.id ? `; v${active.version} was the ACTIVE version at ${at}` : "";
    return { name: v.name, version: v, source: KpiVersionSource.REQUESTED, reason: `${v.name} v${v.version}, named by the request (modelId ${v.id})${differs}.` };
  }
  const name = input.model ?? DEFAULT_MODEL_NAME;
  const { rows } = await client.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM scoring_models m WHERE m.name = $1 ORDER BY m.version DESC`, [name, from]);
  if (rows.length === 0) {
    const names = (await client.query<{ name: string }>("SELECT DISTINCT name FROM scoring_models ORDER BY name LIMIT 20")).rows.map((r) => `"${r.name}"`);
    const hint = name === DEFAULT_MODEL_NAME ? "; the first scoring run (runScoring, `quorum score`) creates it" : "";
    throw new BadInputError(`There is no scoring model "${name}"${hint}; ${names.length ? `pass one of ${names.join(", ")}` : "create a scoring model first"}.`, { field: "model" });
  }
  const active = await activeAt(client, name, from);
  const recorded = active ? rows.find((r) => r.id === active.modelId) : undefined;
  if (active && recorded) {
    const how = active.kind === "ACTIVATED" ? "activated" : active.kind === "ROLLBACK" ? "rolled back to" : "activated by break-glass";
    const who = active.actor ? ` by ${active.actor}` : "";
    return {
      name, version: recorded, source: KpiVersionSource.ACTIVE_AT_FROM,
      reason: `${name} v${recorded.version}, the version ACTIVE at ${at} (${how} ${active.at.toISOString()}${who}): the bands Sales acted on.`,
    };
  }
  const current = rows.find((r) => r.status === "ACTIVE");
  const withRun = rows.filter((r) => r.run).sort((a, b) => Date.parse(b.run!.asOf) - Date.parse(a.run!.asOf) || Number(b.run!.id) - Number(a.run!.id));
  const chosen = current?.run ? current : withRun[0] ?? current ?? rows[0]!;
  const why = chosen === current
    ? (current?.run ? "the current ACTIVE version, which has a run at or before it" : "the current ACTIVE version")
    : chosen.run ? "the version with the latest run at or before it" : "the newest version";
  return {
    name, version: chosen, source: KpiVersionSource.NO_ACTIVATION_RECORDED,
    reason: `${name} v${chosen.version}: no activation of "${name}" is recorded at or before ${at}, so the report uses ${why}.`,
  };
}

/** The line's activation in force at `at`: its latest ACTIVATED / ROLLBACK / BREAK_GLASS entry at or before it. */
async function activeAt(client: PoolClient, line: string, at: Date): Promise<{ modelId: string; version: number; kind: string; at: Date; actor: string | null } | null> {
  const { rows } = await client.query<{ modelId: string; version: number; kind: string; at: Date; actor: string | null }>(
    `SELECT c.model_id::text AS "modelId", m.version, c.kind, c.at, c.actor_name AS actor
       FROM model_changes c JOIN scoring_models m ON m.id = c.model_id
      WHERE c.line = $1 AND c.kind IN ('ACTIVATED', 'ROLLBACK', 'BREAK_GLASS') AND c.at <= $2
      ORDER BY c.at DESC, c.id DESC LIMIT 1`, [line, at]);
  return rows[0] ?? null;
}

function bandRule(version: VersionRow, label: string, source: KpiVersionSource, from: Date, scoredNow: number, unscored: number): string {
  const which = source === KpiVersionSource.ACTIVE_AT_FROM ? `${label} (the version ACTIVE at the window's start)`
    : source === KpiVersionSource.REQUESTED ? `${label} (the version the request names)`
      : version.status === "ACTIVE" ? `${label} (the ACTIVE version)`
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

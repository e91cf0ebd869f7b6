import type { Config } from "../platform/config/config";
import type { Database } from "../platform/db/database";
import { decodeCursor, encodeCursor, pageSize, toPage, withLazyCount } from "../platform/graphql/connection";
import { BadInputError } from "../platform/errors/errors";
import { isRowId } from "../platform/graphql/ids";
import { decodeId, optionalRowId } from "../platform/graphql/global-id";
import { DEFAULT_MODEL_NAME } from "./latest-run";
import type { ModelDefinition } from "./model.types";
import type { RunOptions, RunSummary, ScoringRunService, StoredBandCount } from "./scoring-run.service";
import type { BandCount, RunKind, RunStatus, ScoringRun, ScoringRunConnection } from "./score.type";

const RUN_COLUMNS = `r.id::text AS id, r.kind, r.model_id::text AS "modelId", r.as_of AS "asOf", r.status, r.accounts_scored AS "accountsScored",
  r.contacts_scored AS "contactsScored", r.transitions, r.triggered_by AS "triggeredBy", r.error, r.started_at AS "startedAt",
  r.finished_at AS "finishedAt", extract(epoch FROM r.finished_at - r.started_at)::float8 AS seconds, r.band_counts AS "bandCounts"`;

/** Runs and their results: start a run, list runs, band distributions. */
export class ScoringService {
  constructor(private readonly db: Database, private readonly config: Config, readonly runner: ScoringRunService) {}

  /** Scores every account and contact as of `asOf` (see ScoringRunService) and returns the run. */
  async run(opts: RunOptions): Promise<ScoringRun & { summary: RunSummary }> {
    const summary = await this.runner.run(opts);
    const run = (await this.runById(summary.id))!;
    return { ...run, summary };
  }

  /** A run by its id or rowId (null when there is none). */
  async runById(id: string): Promise<ScoringRun | null> {
    const rowId = decodeId(id, "ScoringRun");
    if (rowId === null) return null;
    const read = () => this.db.query<ScoringRun>(`SELECT ${RUN_COLUMNS} FROM scoring_runs r WHERE r.id = $1`, [rowId]);
    return (await this.withoutAbandoned(read))[0] ?? null;
  }

  /** Reads runs; a RUNNING one whose process died is marked FAILED first, so nobody watches it forever. */
  private async withoutAbandoned(read: () => Promise<ScoringRun[]>): Promise<ScoringRun[]> {
    const rows = await read();
    if (rows.some((r) => r.status === "RUNNING") && await this.runner.recoverAbandoned() > 0) return read();
    return rows;
  }

  /** Runs, newest first. */
  async runs(first: number | undefined, after: string | undefined, filter: { modelId?: string | null; status?: RunStatus | null; kind?: RunKind | null } = {}): Promise<ScoringRunConnection> {
    const limit = pageSize(first, this.config.pageSize);
    const modelId = optionalRowId(filter.modelId, "ScoringModel", "modelId");
    const where = "($1::bigint IS NULL OR r.model_id = $1) AND ($2::text IS NULL OR r.status = $2) AND ($3::text IS NULL OR r.kind = $3)";
    const params: unknown[] = [modelId, filter.status ?? null, filter.kind ?? null];
    const before = after ? String(decodeCursor(after, 1)[0]) : null;
    if (before !== null && !isRowId(before)) throw new BadInputError("The cursor is not valid for this list; pass an endCursor from the same query.", { field: "after" });
    const rows = await this.withoutAbandoned(() => this.db.query<ScoringRun>(
      `SELECT ${RUN_COLUMNS} FROM scoring_runs r WHERE ${where} AND ($4::bigint IS NULL OR r.id < $4) ORDER BY r.id DESC LIMIT $5`,
      [...params, before, limit + 1]));
    const page = toPage(rows, limit, after, (r) => encodeCursor([r.id]), (r) => r);
    return withLazyCount(page, () => this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM scoring_runs r WHERE ${where}`, params).then((r) => r[0]!.n));
  }

  /**
   * Accounts per band, highest band first, empty bands included, from one run's stored
   * counts: of model version `modelId`, or else of the ACTIVE version of the line `modelName`
   * ("default"); the latest successful run written (now: an incremental run stores the counts
   * of every account's current score), or with `asOf` the latest as of at or before it. Empty
   * when there is no such run.
   */
  async distribution(modelIdArg: string | null, asOf: Date | null, modelName: string = DEFAULT_MODEL_NAME): Promise<BandCount[]> {
    const modelId = optionalRowId(modelIdArg, "ScoringModel", "modelId");
    // Only the model's bands travel: the whole definition is ~12 KB of JSON to parse per request.
    const rows = await this.db.prepared<{ definition: Pick<ModelDefinition, "bands">; band_counts: StoredBandCount[] | null }>(
      `SELECT jsonb_build_object('bands', m.definition->'bands') AS definition, r.band_counts
         FROM scoring_models m
         JOIN scoring_runs r ON r.model_id = m.id AND r.status = 'SUCCEEDED'
        WHERE (CASE WHEN $1::bigint IS NOT NULL THEN m.id = $1 ELSE m.name = $2 AND m.status = 'ACTIVE' END)
          ${asOf === null ? "" : "AND r.as_of <= $3"}
        ORDER BY ${asOf === null ? "r.id DESC" : "r.as_of DESC, r.id DESC"} LIMIT 1`, asOf === null ? [modelId, modelName] : [modelId, modelName, asOf]);
    const row = rows[0];
    return row ? bandCounts(row.definition, row.band_counts ?? []) : [];
  }
}

/** A run's stored counts laid over the model's bands: highest band first, empty bands included. */
export function bandCounts(def: Pick<ModelDefinition, "bands">, counts: readonly StoredBandCount[]): BandCount[] {
  const total = counts.reduce((n, c) => n + c.count, 0);
  const byBand = new Map(counts.map((c) => [c.band, c]));
  return def.bands.map((b, i) => {
    const c = byBand.get(b.name);
    return {
      band: b.name, minScore: b.minScore, maxScore: def.bands[i + 1]?.minScore ?? 100, slaHours: b.slaHours, play: b.play,
      count: c?.count ?? 0, share: total > 0 ? (c?.count ?? 0) / total : 0, averageTotal: c?.averageTotal ?? null, holdoutCount: c?.holdoutCount ?? 0,
    };
  }).reverse();
}

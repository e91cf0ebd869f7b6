import type { Config } from "../platform/config/config";
import type { Database } from "../platform/db/database";
import { decodeCursor, encodeCursor, pageSize, toPage, withLazyCount } from "../platform/graphql/connection";
import { BadInputError } from "../platform/errors/errors";
import { isRowId } from "../platform/graphql/ids";
import { DEFAULT_MODEL_NAME, latestRun } from "../scoring/latest-run";
import { type HoldoutAssignment, type HoldoutAssignmentConnection, HoldoutStratifyBy, type HoldoutStratum } from "./holdout.type";

/** Serialises holdout draws: two at once would each count the other's accounts as missing. */
const HOLDOUT_LOCK_KEY = 4_212_006;

/** What `assignHoldout` asks for (the GraphQL input, or the CLI's options). */
export interface HoldoutRequest {
  share: number;
  seed: number;
  stratifyBy?: HoldoutStratifyBy | null;
  model?: string | null;
  replaceExisting?: boolean | null;
}

const ASSIGNMENT_COLUMNS = `h.id::text AS id, h.seed, h.share::numeric::float8 AS share, h.stratify_by AS "stratifyBy", h.model,
  h.run_id::text AS "runId", h.replaced AS "replaceExisting", h.accounts_in AS "accountsIn", h.accounts_added AS "accountsAdded",
  h.accounts_removed AS "accountsRemoved", h.strata, h.assigned_at AS "assignedAt", h.assigned_by AS "assignedBy"`;

/**
 * Holdout accounts: a seeded, stratified random share of target accounts that plays and
 * routing leave alone (they are still scored), so KPIs can compare worked accounts with
 * accounts nobody worked.
 *
 * The draw: within each stratum, target accounts are put in a fixed pseudo-random order —
 * by `md5(seed || ':' || account id)` (compared bytewise), then id — and the stratum's quota is
 * `round(share × targets)`. Without `replaceExisting`, accounts already held out stay and
 * count toward the quota, and the shortfall is filled from the front of the order (skipping
 * those already in); with it, the holdout becomes exactly the first `quota` accounts of each
 * stratum's order. So the same seed over the same accounts always gives the same accounts, and
 * repeating a draw adds nobody.
 *
 * Example: stratum tier A with 25 targets, share 0.1 → quota round(2.5) = 3; if one tier-A
 * account is already held out, the two first accounts of the order not yet held out join it.
 *
 * Accounts that join get `holdout_assigned_at` = the assignment's time and
 * `holdout_assignment_id` = this assignment; accounts that were already in keep both, so
 * `holdoutAssignedAt` is always when the account entered the holdout.
 */
export class HoldoutService {
  constructor(private readonly db: Database, private readonly config: Config) {}

  async assign(request: HoldoutRequest, assignedBy: string | null): Promise<HoldoutAssignment> {
    const { share, seed } = request;
    const stratifyBy = request.stratifyBy ?? HoldoutStratifyBy.TIER;
    const replace = request.replaceExisting ?? false;
    if (typeof share !== "number" || !Number.isFinite(share) || share <= 0 || share >= 1) {
      throw new BadInputError(`share must be strictly between 0 and 1, e.g. 0.1 to hold out 10% of each stratum (got ${share}).`, { field: "share" });
    }
    if (!Number.isSafeInteger(seed) || seed < -(2 ** 31) || seed >= 2 ** 31) {
      throw new BadInputError(`seed must be a whole number that fits in 32 bits (got ${seed}).`, { field: "seed" });
    }
    if (!Object.values(HoldoutStratifyBy).includes(stratifyBy)) {
      throw new BadInputError(`stratifyBy must be one of ${Object.values(HoldoutStratifyBy).join(", ")} (got ${String(stratifyBy)}).`, { field: "stratifyBy" });
    }
    if (request.model != null && stratifyBy !== HoldoutStratifyBy.BAND) {
      throw new BadInputError("model only applies when stratifying by BAND; omit it or pass stratifyBy: BAND.", { field: "model" });
    }
    const model = stratifyBy === HoldoutStratifyBy.BAND ? (request.model ?? DEFAULT_MODEL_NAME) : null;
    const run = model !== null ? await latestRun(this.db, model, { fullOnly: true }) : null;
    if (model !== null && run === null) {
      throw new BadInputError(
        `Stratifying by BAND needs current scores of model "${model}", and it has no successful run of an ACTIVE version; run scoring first, or stratify by TIER.`,
        { field: "stratifyBy" });
    }

    return this.db.tx(async (client) => {
      await client.query("SELECT pg_advisory_xact_lock($1)", [HOLDOUT_LOCK_KEY]);
      const inserted = await client.query<{ id: string; assigned_at: Date }>(
        `INSERT INTO holdout_assignments (seed, share, stratify_by, replaced, model, run_id, assigned_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::text, assigned_at`,
        [seed, share, stratifyBy, replace, model, run?.runId ?? null, assignedBy]);
      const { id, assigned_at: assignedAt } = inserted.rows[0]!;

      const stratum = stratifyBy === HoldoutStratifyBy.NONE ? "'ALL'"
        : stratifyBy === HoldoutStratifyBy.TIER ? "COALESCE(a.tier, 'UNTIERED')"
          : "COALESCE(s.band, 'UNSCORED')";
      const scores = run
        ? "LEFT JOIN account_scores s ON s.run_id = $5 AND s.as_of = (SELECT as_of FROM scoring_runs WHERE id = $5) AND s.account_id = a.id"
        : "";
      const params: unknown[] = [seed, share, id, replace];
      if (run) params.push(run.runId);
      // One statement: draw, take out (replace only), put in, and count per stratum.
      const { rows } = await client.query<{ removed: number; strata: Omit<HoldoutStratum, "share">[] }>(
        `WITH pool AS (
           SELECT a.id, a.is_holdout AS was, ${stratum} AS stratum, md5($1::int::text || ':' || a.id::text) AS h
             FROM accounts a ${scores}
            WHERE a.is_target
         ), ranked AS (
           SELECT p.*,
                  round((count(*) OVER (PARTITION BY p.stratum) * $2::float8)::numeric)::int AS quota,
                  (count(*) FILTER (WHERE p.was) OVER (PARTITION BY p.stratum))::int AS held,
                  row_number() OVER (PARTITION BY p.stratum ORDER BY p.h COLLATE "C", p.id) AS rank_all,
                  row_number() OVER (PARTITION BY p.stratum, p.was ORDER BY p.h COLLATE "C", p.id) AS rank_side
             FROM pool p
         ), drawn AS MATERIALIZED (
           SELECT id, stratum, was,
                  CASE WHEN $4::boolean THEN rank_all <= quota
                       ELSE was OR rank_side <= quota - held END AS selected
             FROM ranked
         ), removed AS (
           UPDATE accounts a SET is_holdout = false, holdout_assigned_at = NULL, holdout_assignment_id = NULL
            WHERE $4::boolean AND a.is_holdout AND NOT EXISTS (SELECT 1 FROM drawn d WHERE d.id = a.id AND d.selected)
           RETURNING a.id
         ), added AS (
           UPDATE accounts a SET is_holdout = true, holdout_assigned_at = now(), holdout_assignment_id = $3::bigint
             FROM drawn d
            WHERE d.id = a.id AND d.selected AND NOT d.was
           RETURNING a.id
         )
         SELECT (SELECT count(*) FROM removed)::int AS removed,
                COALESCE((SELECT json_agg(x ORDER BY x.stratum)
                            FROM (SELECT d.stratum, count(*)::int AS targets, (count(*) FILTER (WHERE d.selected))::int AS holdout,
                                         (count(*) FILTER (WHERE d.selected AND NOT d.was))::int AS added
                                    FROM drawn d GROUP BY d.stratum) x), '[]'::json) AS strata`,
        params);
      const removed = rows[0]!.removed;
      const strata: HoldoutStratum[] = rows[0]!.strata.map((r) => ({ ...r, share: r.targets > 0 ? r.holdout / r.targets : 0 }));
      const accountsIn = strata.reduce((n, s) => n + s.holdout, 0);
      const accountsAdded = strata.reduce((n, s) => n + s.added, 0);
      await client.query(
        "UPDATE holdout_assignments SET accounts_in = $2, accounts_added = $3, accounts_removed = $4, strata = $5 WHERE id = $1",
        [id, accountsIn, accountsAdded, removed, JSON.stringify(strata)]);
      return {
        id, seed, share, stratifyBy, model, runId: run?.runId ?? null, replaceExisting: replace,
        accountsIn, accountsAdded, accountsRemoved: removed, strata, assignedAt, assignedBy,
      };
    });
  }

  /** Assignments, newest first. */
  async list(first: number | undefined, after: string | undefined): Promise<HoldoutAssignmentConnection> {
    const limit = pageSize(first, this.config.pageSize);
    const before = after ? String(decodeCursor(after, 1)[0]) : null;
    if (before !== null && !isRowId(before)) throw new BadInputError("The cursor is not valid for this list; pass an endCursor from the same query.", { field: "after" });
    const rows = await this.db.query<HoldoutAssignment>(
      `SELECT ${ASSIGNMENT_COLUMNS} FROM holdout_assignments h
        WHERE ($1::bigint IS NULL OR h.id < $1) ORDER BY h.id DESC LIMIT $2`, [before, limit + 1]);
    const page = toPage(rows, limit, after, (r) => encodeCursor([r.id]), (r) => r);
    return withLazyCount(page, () => this.db.query<{ n: number }>("SELECT count(*)::int AS n FROM holdout_assignments").then((r) => r[0]!.n));
  }
}

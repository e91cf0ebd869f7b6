import type { Config } from "../platform/config/config";
import type { Database } from "../platform/db/database";
import { decodeCursor, encodeCursor, pageSize, toPage, withLazyCount } from "../platform/graphql/connection";
import { BadInputError } from "../platform/errors/errors";
import { isRowId } from "../platform/graphql/ids";
import { DEFAULT_MODEL_NAME, latestRun } from "../scoring/latest-run";
import {
  type HoldoutAssignment, type HoldoutAssignmentConnection, type HoldoutHistoryConnection, type HoldoutHistoryEntry, type HoldoutRelease,
  HoldoutStratifyBy, type HoldoutStratum,
} from "./holdout.type";

/** Serialises holdout draws: two at once would each count the other's accounts as missing. */
const HOLDOUT_LOCK_KEY = 4_212_006;

/** What `assignHoldout` asks for (the GraphQL input, or the CLI's options). */
export interface HoldoutRequest {
  share: number;
  seed: number;
  stratifyBy?: HoldoutStratifyBy | null;
  model?: string | null;
  replaceExisting?: boolean | null;
  /** Why the draw is made; written into each new stay's entry reason. */
  reason?: string | null;
}

const ASSIGNMENT_COLUMNS = `h.id::text AS id, h.seed, h.share::numeric::float8 AS share, h.stratify_by AS "stratifyBy", h.model,
  h.run_id::text AS "runId", h.replaced AS "replaceExisting", h.accounts_in AS "accountsIn", h.accounts_added AS "accountsAdded",
  h.accounts_removed AS "accountsRemoved", h.strata, h.assigned_at AS "assignedAt", h.assigned_by AS "assignedBy", h.reason`;

/** What `releaseHoldout` asks for. */
export interface HoldoutReleaseRequest {
  accountDomains: readonly string[];
  reason: string;
}

/** Most accounts one release names: a larger batch is a new draw, not a release. */
export const MAX_RELEASE_ACCOUNTS = 10_000;

const HISTORY_COLUMNS = `m.id::text AS id, m.account_id::text AS "accountId", a.domain AS "accountDomain", a.name AS "accountName",
  m.entered_at AS "enteredAt", m.entered_by AS "enteredBy", m.entry_reason AS "entryReason", m.assignment_id::text AS "assignmentId",
  m.exited_at AS "exitedAt", m.exited_by AS "exitedBy", m.exit_reason AS "exitReason", m.exit_assignment_id::text AS "exitAssignmentId"`;

/** The tag of a holdoutHistory cursor: a cursor of another list is refused. */
const HISTORY_CURSOR = "holdout-history";

/**
 * Holdout accounts: a seeded, stratified random share of target accounts that plays and
 * routing leave alone (they are still scored), so KPIs can compare worked accounts with
 * accounts nobody worked.
 *
 * **The draw** depends only on the seed and the accounts' domains, so the same seed over the
 * same accounts draws the same holdout in any database (ids differ from one load to the next;
 * domains do not). Within each stratum, target accounts are put in a fixed pseudo-random order
 * — by `md5(seed || ':' || domain)` (hex, compared bytewise), then domain — and the stratum's
 * quota is `round(share × targets)`. With `replaceExisting` the holdout becomes exactly the
 * first `quota` accounts of each stratum's order. Without it, accounts already held out stay
 * and count toward the quota, and the shortfall is filled from the front of the order, skipping
 * accounts already in and accounts that were in before and left (released, or replaced out):
 * a top-up never undoes a release. Repeating a draw adds nobody.
 *
 * Example: stratum tier A with 25 targets, share 0.1 → quota round(2.5) = 3; if one tier-A
 * account is already held out, the first two accounts of the order that were never held out
 * join it.
 *
 * **The history** (`holdout_memberships`): every stay of an account in the holdout, with when,
 * who and why it entered and left. An account that re-enters gets a new stay; its earlier one
 * keeps its original assignment. The current state (`accounts.is_holdout`,
 * `holdout_assigned_at` = when the current stay began) is written in the same transaction.
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
    // Stored as given (a blank reason is no reason).
    const reason = request.reason != null && request.reason.trim() !== "" ? request.reason : null;
    if (reason !== null && reason.length > 1000) throw new BadInputError("reason must be at most 1000 characters.", { field: "reason" });
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
        `INSERT INTO holdout_assignments (seed, share, stratify_by, replaced, model, run_id, assigned_by, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id::text, assigned_at`,
        [seed, share, stratifyBy, replace, model, run?.runId ?? null, assignedBy, reason]);
      const { id, assigned_at: assignedAt } = inserted.rows[0]!;
      const entryReason = reason ?? `draw ${id}: ${share} of each ${stratifyBy === HoldoutStratifyBy.NONE ? "target account" : stratifyBy.toLowerCase()} stratum, seed ${seed}${replace ? ", replacing" : ""}`;

      const stratum = stratifyBy === HoldoutStratifyBy.NONE ? "'ALL'"
        : stratifyBy === HoldoutStratifyBy.TIER ? "COALESCE(a.tier, 'UNTIERED')"
          : "COALESCE(s.band, 'UNSCORED')";
      const scores = run
        ? "LEFT JOIN account_scores s ON s.run_id = $7 AND s.as_of = (SELECT as_of FROM scoring_runs WHERE id = $7) AND s.account_id = a.id"
        : "";
      const params: unknown[] = [seed, share, id, replace, assignedBy, entryReason];
      if (run) params.push(run.runId);
      // One statement: draw, take out (replace only), put in, write the history, count per stratum.
      const { rows } = await client.query<{ removed: number; strata: Omit<HoldoutStratum, "share">[] }>(
        `WITH pool AS (
           SELECT a.id, a.domain, a.is_holdout AS was, ${stratum} AS stratum, md5($1::int::text || ':' || a.domain) AS h,
                  (NOT a.is_holdout AND EXISTS (SELECT 1 FROM holdout_memberships m WHERE m.account_id = a.id)) AS left_before
             FROM accounts a ${scores}
            WHERE a.is_target
         ), ranked AS (
           SELECT p.*,
                  round((count(*) OVER (PARTITION BY p.stratum) * $2::float8)::numeric)::int AS quota,
                  (count(*) FILTER (WHERE p.was) OVER (PARTITION BY p.stratum))::int AS held,
                  row_number() OVER (PARTITION BY p.stratum ORDER BY p.h COLLATE "C", p.domain COLLATE "C") AS rank_all,
                  row_number() OVER (PARTITION BY p.stratum, p.was OR p.left_before ORDER BY p.h COLLATE "C", p.domain COLLATE "C") AS rank_side
             FROM pool p
         ), drawn AS MATERIALIZED (
           SELECT id, stratum, was,
                  CASE WHEN $4::boolean THEN rank_all <= quota
                       ELSE was OR (NOT left_before AND rank_side <= quota - held) END AS selected
             FROM ranked
         ), removed AS (
           UPDATE accounts a SET is_holdout = false, holdout_assigned_at = NULL, holdout_assignment_id = NULL
            WHERE $4::boolean AND a.is_holdout AND NOT EXISTS (SELECT 1 FROM drawn d WHERE d.id = a.id AND d.selected)
           RETURNING a.id
         ), closed AS (
           UPDATE holdout_memberships m SET exited_at = now(), exited_by = $5, exit_reason = 'replaced by draw ' || $3::text, exit_assignment_id = $3::bigint
             FROM removed r
            WHERE m.account_id = r.id AND m.exited_at IS NULL
           RETURNING m.id
         ), added AS (
           UPDATE accounts a SET is_holdout = true, holdout_assigned_at = now(), holdout_assignment_id = $3::bigint
             FROM drawn d
            WHERE d.id = a.id AND d.selected AND NOT d.was
           RETURNING a.id
         ), opened AS (
           INSERT INTO holdout_memberships (account_id, entered_at, entered_by, entry_reason, assignment_id)
           SELECT id, now(), $5, $6, $3::bigint FROM added
           RETURNING id
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
      // Reports plan their membership-at-from join against this table.
      if (accountsAdded + removed > 0) await client.query("ANALYZE holdout_memberships");
      return {
        id, seed, share, stratifyBy, model, runId: run?.runId ?? null, replaceExisting: replace,
        accountsIn, accountsAdded, accountsRemoved: removed, strata, assignedAt, assignedBy, reason,
      };
    });
  }

  /**
   * Takes accounts out of the holdout (plays and routing may work them from now on): closes
   * each one's open stay with the time, the caller and the reason. All or nothing: an unknown
   * domain or an account that is not held out refuses the whole batch.
   */
  async release(request: HoldoutReleaseRequest, releasedBy: string | null): Promise<HoldoutRelease> {
    const reason = typeof request.reason === "string" ? request.reason : "";
    if (reason.trim() === "") throw new BadInputError("reason must say why the accounts leave the holdout, e.g. \"customer asked for a call\".", { field: "reason" });
    if (reason.length > 1000) throw new BadInputError("reason must be at most 1000 characters.", { field: "reason" });
    const domains = [...new Set((request.accountDomains ?? []).map((d) => String(d).trim().toLowerCase()))];
    if (domains.length === 0 || domains.some((d) => d === "")) {
      throw new BadInputError("accountDomains must name at least one account by its domain, e.g. [\"acme.com\"].", { field: "accountDomains" });
    }
    if (domains.length > MAX_RELEASE_ACCOUNTS) {
      throw new BadInputError(`A release names at most ${MAX_RELEASE_ACCOUNTS} accounts (got ${domains.length}); split it, or draw anew with assignHoldout(replaceExisting: true).`, { field: "accountDomains" });
    }
    return this.db.tx(async (client) => {
      await client.query("SELECT pg_advisory_xact_lock($1)", [HOLDOUT_LOCK_KEY]);
      const { rows: found } = await client.query<{ domain: string; id: string | null; held: boolean }>(
        `SELECT d.domain, a.id::text AS id, COALESCE(a.is_holdout, false) AS held
           FROM unnest($1::text[]) AS d(domain) LEFT JOIN accounts a ON a.domain = d.domain
          ORDER BY d.domain`, [domains]);
      const list = (xs: string[]) => `${xs.slice(0, 10).join(", ")}${xs.length > 10 ? ` and ${xs.length - 10} more` : ""}`;
      const unknown = found.filter((r) => r.id === null).map((r) => r.domain);
      if (unknown.length > 0) throw new BadInputError(`No account has the domain ${list(unknown)}; nothing was released. Check the domains (see accounts).`, { field: "accountDomains" });
      const notHeld = found.filter((r) => !r.held).map((r) => r.domain);
      if (notHeld.length > 0) throw new BadInputError(`Not in the holdout: ${list(notHeld)}; nothing was released. Pass only held-out accounts (accounts(filter: { isHoldout: true })).`, { field: "accountDomains" });
      const ids = found.map((r) => r.id!);
      const { rows } = await client.query<HoldoutHistoryEntry>(
        `WITH closed AS (
           UPDATE holdout_memberships m SET exited_at = now(), exited_by = $2, exit_reason = $3
            WHERE m.account_id = ANY($1::bigint[]) AND m.exited_at IS NULL
           RETURNING m.*
         ), flags AS (
           UPDATE accounts SET is_holdout = false, holdout_assigned_at = NULL, holdout_assignment_id = NULL
            WHERE id = ANY($1::bigint[])
         )
         SELECT ${HISTORY_COLUMNS} FROM closed m JOIN accounts a ON a.id = m.account_id ORDER BY a.domain`,
        [ids, releasedBy, reason]);
      await client.query("ANALYZE holdout_memberships");
      return { released: rows.length, entries: rows };
    });
  }

  /** Every stay in the holdout, newest entry first; of one account when `accountDomain` is given. */
  async history(filter: { accountDomain?: string | null }, first: number | undefined, after: string | undefined): Promise<HoldoutHistoryConnection> {
    const limit = pageSize(first, this.config.pageSize);
    let before: string | null = null;
    if (after) {
      const [tag, id] = decodeCursor(after, 2);
      if (tag !== HISTORY_CURSOR || typeof id !== "string" || !isRowId(id)) {
        throw new BadInputError("The cursor is not valid for this list; pass an endCursor from the same query.", { field: "after" });
      }
      before = id;
    }
    const domain = filter.accountDomain?.trim().toLowerCase() || null;
    if (domain !== null) {
      const known = await this.db.query("SELECT 1 FROM accounts WHERE domain = $1", [domain]);
      if (known.length === 0) throw new BadInputError(`No account has the domain ${domain}; pass the domain of an account (see accounts).`, { field: "accountDomain" });
    }
    const rows = await this.db.query<HoldoutHistoryEntry>(
      `SELECT ${HISTORY_COLUMNS} FROM holdout_memberships m JOIN accounts a ON a.id = m.account_id
        WHERE ($1::text IS NULL OR a.domain = $1) AND ($2::bigint IS NULL OR m.id < $2)
        ORDER BY m.id DESC LIMIT $3`, [domain, before, limit + 1]);
    const page = toPage(rows, limit, after, (r) => encodeCursor([HISTORY_CURSOR, r.id]), (r) => r);
    return withLazyCount(page, () => this.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM holdout_memberships m JOIN accounts a ON a.id = m.account_id WHERE ($1::text IS NULL OR a.domain = $1)", [domain])
      .then((r) => r[0]!.n));
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

import type { Config } from "../platform/config/config";
import type { Database } from "../platform/db/database";
import { decodeCursor, encodeCursor, pageSize, toPage, withLazyCount } from "../platform/graphql/connection";
import { BadInputError } from "../platform/errors/errors";
import { isRowId } from "../platform/graphql/ids";
import { optionalRowId } from "../platform/graphql/global-id";
import { SlaStatus, type BandTransition, type BandTransitionConnection, type TransitionKind } from "./band-transition.type";
import { DEFAULT_MODEL_NAME } from "./latest-run";

export interface TransitionFilter {
  readonly since: Date;
  readonly until?: Date | null;
  readonly band?: readonly string[] | null;
  readonly kind?: TransitionKind | null;
  readonly slaStatus?: readonly SlaStatus[] | null;
  readonly includeHoldout?: boolean | null;
  readonly model?: string | null;
  readonly accountId?: string | null;
}

/**
 * Transitions of a model line, newest first, with their SLA state computed at query time: the
 * first sales touch after entering comes from the events (a partial index on sales touches
 * makes that one index probe per transition), so late-arriving touches count.
 */
export class BandTransitionService {
  constructor(private readonly db: Database, private readonly config: Config) {}

  /** The SLA breach sweep (see `sweepSlaBreaches`). */
  sweep(): Promise<{ breached: number; met: number }> {
    return sweepSlaBreaches(this.db);
  }

  async list(filter: TransitionFilter, first: number | undefined, after: string | undefined): Promise<BandTransitionConnection> {
    const limit = pageSize(first, this.config.pageSize);
    if (Number.isNaN(filter.since.getTime())) throw new BadInputError("since is not a valid time.", { field: "since" });
    const accountId = optionalRowId(filter.accountId, "Account", "accountId");
    const params: unknown[] = [];
    const add = (v: unknown) => `$${params.push(v)}`;
    const w = [
      `t.model_id IN (SELECT id FROM scoring_models WHERE name = ${add(filter.model ?? DEFAULT_MODEL_NAME)})`,
      `t.entered_at >= ${add(filter.since)}`,
    ];
    if (filter.until) w.push(`t.entered_at <= ${add(filter.until)}`);
    if (filter.band?.length) w.push(`t.kind = 'BAND' AND t.to_value = ANY(${add(filter.band)}::text[])`);
    if (filter.kind) w.push(`t.kind = ${add(filter.kind)}`);
    if (filter.includeHoldout === false) w.push("NOT t.is_holdout");
    if (accountId !== null) w.push(`t.account_id = ${add(accountId)}::bigint`);
    const statuses = filter.slaStatus?.length ? [...new Set(filter.slaStatus)] : null;
    if (statuses && !statuses.includes(SlaStatus.NO_SLA)) w.push("t.sla_hours IS NOT NULL");
    const outer: string[] = [];
    if (statuses) outer.push(`"slaStatus" = ANY(${add(statuses)}::text[])`);
    const base = (where: string[]) => `SELECT t.id::text AS id, t.kind, t.from_value AS "from", t.to_value AS "to", t.entered_at AS "enteredAt",
        t.sla_hours AS "slaHours", t.sla_due_at AS "slaDueAt", ft.at AS "firstTouchAt",
        CASE WHEN t.sla_hours IS NULL THEN 'NO_SLA'
             WHEN ft.at IS NOT NULL AND ft.at <= t.sla_due_at THEN 'MET'
             WHEN ft.at IS NOT NULL OR now() > t.sla_due_at THEN 'BREACHED'
             ELSE 'PENDING' END AS "slaStatus",
        t.is_holdout AS "isHoldout", t.cause, t.sla_breached_at AS "slaBreachedAt", t.run_id::text AS "runId", t.account_id::text AS "accountId", t.model_id::text AS "modelId"
      FROM band_transitions t
      LEFT JOIN LATERAL (
        SELECT min(e.occurred_at) AS at FROM engagement_events e
         WHERE e.account_id = t.account_id AND e.type = 'sales_touch' AND NOT e.is_bot AND e.occurred_at >= t.entered_at
      ) ft ON t.sla_hours IS NOT NULL
      WHERE ${where.join(" AND ")}`;
    const outerWhere = outer.length ? `WHERE ${outer.join(" AND ")}` : "";
    const countSql = `SELECT count(*)::int AS n FROM (${base(w)}) x ${outerWhere}`;
    const countParams = [...params];
    const pageWhere = [...w];
    if (after) {
      const [at, id] = decodeCursor(after, 2) as [string, string];
      if (typeof at !== "string" || Number.isNaN(Date.parse(at)) || !isRowId(String(id))) {
        throw new BadInputError("The cursor is not valid for this list; pass an endCursor from the same query.", { field: "after" });
      }
      pageWhere.push(`(t.entered_at, t.id) < (${add(at)}::timestamptz, ${add(String(id))}::bigint)`);
    }
    const rows = await this.db.query<BandTransition>(
      `SELECT * FROM (${base(pageWhere)}) x ${outerWhere} ORDER BY "enteredAt" DESC, id::bigint DESC LIMIT ${add(limit + 1)}`, params);
    const page = toPage(rows, limit, after, (r) => encodeCursor([r.enteredAt.toISOString(), r.id]), (r) => r);
    return withLazyCount(page, () => this.db.query<{ n: number }>(countSql, countParams).then((r) => r[0]!.n));
  }
}

/**
 * The SLA breach sweep: marks, once, each transition whose SLA due time has passed with no
 * first sales touch in [entered, due] (`sla_breached_at`, the instant the sweep saw it); a
 * transition touched in time gets its `first_touch_at` instead, so neither is looked at
 * again. Returns how many were marked breached.
 */
export async function sweepSlaBreaches(db: Database): Promise<{ breached: number; met: number }> {
  const rows = await db.query<{ breached: number; met: number }>(
    `WITH due AS (
       SELECT t.id, ft.at FROM band_transitions t
       LEFT JOIN LATERAL (
         SELECT min(e.occurred_at) AS at FROM engagement_events e
          WHERE e.account_id = t.account_id AND e.type = 'sales_touch' AND NOT e.is_bot
            AND e.occurred_at >= t.entered_at AND e.occurred_at <= t.sla_due_at) ft ON true
        WHERE t.sla_due_at IS NOT NULL AND t.first_touch_at IS NULL AND t.sla_breached_at IS NULL AND t.sla_due_at < clock_timestamp()
        FOR UPDATE OF t SKIP LOCKED
     ), marked AS (
       UPDATE band_transitions t
          SET sla_breached_at = CASE WHEN d.at IS NULL THEN clock_timestamp() END, first_touch_at = d.at
         FROM due d WHERE t.id = d.id
       RETURNING d.at IS NULL AS breached
     )
     SELECT (count(*) FILTER (WHERE breached))::int AS breached, (count(*) FILTER (WHERE NOT breached))::int AS met FROM marked`);
  return rows[0]!;
}

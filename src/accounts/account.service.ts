import type { Config } from "../platform/config/config";
import type { Database } from "../platform/db/database";
import { decodeCursor, encodeCursor, pageSize, toPage, withLazyCount } from "../platform/graphql/connection";
import { BadInputError } from "../platform/errors/errors";
import { DEFAULT_MODEL_NAME, latestRunLoader } from "../scoring/latest-run";
import type { Loaders } from "../platform/graphql/loaders";
import { ACCOUNT_COLUMNS, type AccountRow } from "./account.row";
import { type AccountFilter, type AccountOrder, AccountOrderField, SortDirection } from "./account-filter.input";
import type { AccountConnection } from "./account.type";


/** Sort key per order field: SQL expression (NULLs mapped to a floor so keysets stay total) and its cast. */
const ORDER_KEYS: Record<AccountOrderField, { expr: string; cast: string }> = {
  NAME: { expr: "lower(a.name)", cast: "text" },
  SCORE: { expr: "COALESCE(s.total, -1)::float8", cast: "float8" },
  EMPLOYEES: { expr: "COALESCE(a.employees, -1)", cast: "integer" },
  ANNUAL_REVENUE: { expr: "COALESCE(a.annual_revenue, -1)::float8", cast: "float8" },
  LAST_ENGAGED_AT: { expr: "COALESCE(a.last_engaged_at, '-infinity'::timestamptz)", cast: "timestamptz" },
};

/** Builds positional parameters as SQL fragments are added. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export class AccountService {
  constructor(private readonly db: Database, private readonly config: Config) {}

  /**
   * One page of accounts: filters and keyset ordering run in one statement (two when the
   * filter or order needs current scores: the latest run is looked up first); the count runs
   * only if `totalCount` is selected.
   */
  async list(loaders: Loaders, filter: AccountFilter = {}, order: AccountOrder | undefined, first: number | undefined, after: string | undefined): Promise<AccountConnection> {
    const limit = pageSize(first, this.config.pageSize);
    const orderField = order?.field ?? AccountOrderField.NAME;
    const direction = order?.direction ?? SortDirection.ASC;
    const needsScores = orderField === AccountOrderField.SCORE || !!filter.band?.length || !!filter.status?.length
      || filter.scoreMin != null || filter.scoreMax != null;
    // Through the request's loader: the page's `score` fields reuse this lookup.
    const run = needsScores ? await latestRunLoader(loaders).load(filter.model ?? DEFAULT_MODEL_NAME) : null;

    const p = new Params();
    const where = this.where(filter, p, run !== null, needsScores);
    const scoreJoin = run
      ? `LEFT JOIN account_scores s ON s.run_id = ${p.add(run.runId)} AND s.as_of = ${p.add(run.asOf)} AND s.account_id = a.id`
      : needsScores ? "LEFT JOIN (SELECT NULL::real AS total) s ON false" : "";
    const key = ORDER_KEYS[orderField];
    const countSql = `SELECT count(*)::int AS n FROM accounts a ${scoreJoin} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}`;
    const countParams = [...p.values];

    const pageWhere = [...where];
    if (after) {
      const [sortValue, id] = decodeCursor(after, 2);
      const cmp = direction === SortDirection.ASC ? ">" : "<";
      pageWhere.push(`(${key.expr}, a.id) ${cmp} (${p.add(sortValue)}::${key.cast}, ${p.add(String(id))}::bigint)`);
    }
    const sql = `SELECT ${ACCOUNT_COLUMNS}, (${key.expr})::text AS sort_key
      FROM accounts a ${scoreJoin}
      ${pageWhere.length ? `WHERE ${pageWhere.join(" AND ")}` : ""}
      ORDER BY ${key.expr} ${direction}, a.id ${direction}
      LIMIT ${p.add(limit + 1)}`;
    const rows = await this.db.query<AccountRow & { sort_key: string }>(sql, p.values);
    const page = toPage(rows, limit, after, (r) => encodeCursor([r.sort_key, r.id]), stripSortKey);
    return withLazyCount(page, () => this.db.query<{ n: number }>(countSql, countParams).then((r) => r[0]!.n));
  }

  async byDomain(domain: string): Promise<AccountRow | null> {
    const rows = await this.db.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.domain = $1`, [normaliseDomainForLookup(domain)]);
    return rows[0] ?? null;
  }

  private where(filter: AccountFilter, p: Params, hasRun: boolean, needsScores: boolean): string[] {
    const w: string[] = [];
    if (filter.tier?.length) w.push(`a.tier = ANY(${p.add(filter.tier)}::text[])`);
    if (filter.industry?.length) w.push(`a.industry = ANY(${p.add(filter.industry)}::text[])`);
    if (filter.country?.length) w.push(`a.country = ANY(${p.add(filter.country)}::text[])`);
    if (filter.region?.length) w.push(`a.region = ANY(${p.add(filter.region)}::text[])`);
    if (filter.isTarget != null) w.push(`a.is_target = ${p.add(filter.isTarget)}`);
    if (filter.isHoldout != null) w.push(`a.is_holdout = ${p.add(filter.isHoldout)}`);
    if (filter.parentId != null) {
      if (!/^\d+$/.test(filter.parentId)) throw new BadInputError(`parentId must be an account id (got "${filter.parentId}")`, { field: "filter.parentId" });
      w.push(`a.parent_id = ${p.add(filter.parentId)}::bigint`);
    }
    if (filter.search != null && filter.search.trim() !== "") {
      const escaped = filter.search.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
      w.push(`(lower(a.name) || ' ' || a.domain) LIKE ${p.add(`%${escaped}%`)}`);
    }
    if (needsScores && (filter.band?.length || filter.status?.length || filter.scoreMin != null || filter.scoreMax != null) && !hasRun) {
      w.push("false"); // no current scores under that model: nothing can match a score filter
    }
    if (hasRun) {
      if (filter.band?.length) w.push(`s.band = ANY(${p.add(filter.band)}::text[])`);
      if (filter.status?.length) w.push(`s.status = ANY(${p.add(filter.status)}::text[])`);
      if (filter.scoreMin != null) w.push(`s.total >= ${p.add(filter.scoreMin)}`);
      if (filter.scoreMax != null) w.push(`s.total <= ${p.add(filter.scoreMax)}`);
    }
    return w;
  }
}

function stripSortKey(row: AccountRow & { sort_key?: string }): AccountRow {
  const { sort_key: _unused, ...account } = row;
  return account as AccountRow;
}

/** Lookups accept what people paste: case, scheme, `www.` and a trailing dot do not matter. */
export function normaliseDomainForLookup(input: string): string {
  return input.trim().toLowerCase().replace(/^[a-z]+:\/\//, "").replace(/\/.*$/, "").replace(/^www\./, "").replace(/\.$/, "");
}

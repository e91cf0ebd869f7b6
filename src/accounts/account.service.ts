import type { Config } from "../platform/config/config";
import type { Database } from "../platform/db/database";
import { decodeCursor, encodeCursor, pageSize, toPage, withLazyCount } from "../platform/graphql/connection";
import { BadInputError } from "../platform/errors/errors";
import { DEFAULT_MODEL_NAME, latestRunLoader } from "../scoring/latest-run";
import { isRowId } from "../platform/graphql/ids";
import { requireRowId } from "../platform/graphql/global-id";
import type { Loaders } from "../platform/graphql/loaders";
import { ACCOUNT_COLUMNS, type AccountRow } from "./account.row";
import { type AccountFilter, type AccountOrder, AccountOrderField, SortDirection } from "./account-filter.input";
import type { AccountConnection } from "./account.type";
import type { Deal } from "../deals/deal.type";


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
   * One page of accounts: filters and keyset ordering run in one statement (plus the current
   * run's lookup when the filter or order needs scores); the count runs only if `totalCount`
   * is selected. Score order walks `current_scores`' `(model_id, total, account_id)` index, so a page
   * costs the same at 100 and at 100k accounts.
   */
  async list(loaders: Loaders, filter: AccountFilter = {}, order: AccountOrder | undefined, first: number | undefined, after: string | undefined): Promise<AccountConnection> {
    const limit = pageSize(first, this.config.pageSize);
    const orderField = order?.field ?? AccountOrderField.NAME;
    const direction = order?.direction ?? SortDirection.ASC;
    const scoreFiltered = !!filter.band?.length || !!filter.status?.length || filter.scoreMin != null || filter.scoreMax != null;
    const needsScores = orderField === AccountOrderField.SCORE || scoreFiltered;
    // Through the request's loader: the page's `score` fields reuse this lookup.
    const run = needsScores ? await latestRunLoader(loaders).load(filter.model ?? DEFAULT_MODEL_NAME) : null;

    if (run && filter.band?.length) filter = { ...filter, band: await this.bandNames(run.modelId, filter.band, filter.model ?? DEFAULT_MODEL_NAME) };
    const p = new Params();
    const where = this.where(filter, p, run !== null, needsScores);
    const filterParams = [...p.values];
    /** The version's current scores; joined to an account by `s.account_id = a.id`. */
    const runMatch = run ? `s.model_id = ${p.add(run.modelId)}::bigint` : "";
    const runJoin = run ? `${runMatch} AND s.account_id = a.id` : "";
    const count = scoreFiltered && run
      ? { sql: `SELECT count(*)::int AS n FROM accounts a JOIN current_scores s ON ${runJoin} WHERE ${where.join(" AND ")}`, params: [...p.values] }
      : { sql: `SELECT count(*)::int AS n FROM accounts a ${where.length ? `WHERE ${where.join(" AND ")}` : ""}`, params: filterParams };

    const rows = orderField === AccountOrderField.SCORE && run
      ? await this.pageByScore(p, where, runMatch, scoreFiltered, direction, limit, after)
      : await this.pageByKey(p, where, runJoin, needsScores, ORDER_KEYS[orderField], direction, limit, after);
    const page = toPage(rows, limit, after, (r) => encodeCursor([r.sort_key, r.id]), stripSortKey);
    return withLazyCount(page, () => this.db.query<{ n: number }>(count.sql, count.params).then((r) => r[0]!.n));
  }

  /** Keyset page over one sort expression (the fallback for SCORE when no run exists: every key is the floor). */
  private pageByKey(p: Params, where: string[], runJoin: string, needsScores: boolean, key: { expr: string; cast: string },
    direction: SortDirection, limit: number, after: string | undefined): Promise<SortedRow[]> {
    const scoreJoin = runJoin ? `LEFT JOIN current_scores s ON ${runJoin}` : needsScores ? "LEFT JOIN (SELECT NULL::real AS total) s ON false" : "";
    const pageWhere = [...where];
    if (after) {
      const [sortValue, id] = decodeCursor(after, 2);
      const cmp = direction === SortDirection.ASC ? ">" : "<";
      pageWhere.push(`(${key.expr}, a.id) ${cmp} (${p.add(sortValue)}::${key.cast}, ${p.add(cursorId(id))}::bigint)`);
    }
    return this.db.query<SortedRow>(`SELECT ${ACCOUNT_COLUMNS}, (${key.expr})::text AS sort_key
      FROM accounts a ${scoreJoin}
      ${pageWhere.length ? `WHERE ${pageWhere.join(" AND ")}` : ""}
      ORDER BY ${key.expr} ${direction}, a.id ${direction}
      LIMIT ${p.add(limit + 1)}`, p.values);
  }

  /**
   * Score order as two sections, each an index walk: accounts with a current score, by (total,
   * id), and accounts without (created since the last run, sort key −1), by id. DESC reads scored then
   * unscored, ASC the reverse; the second section is read only when the page reaches it.
   */
  private async pageByScore(p: Params, where: string[], runMatch: string, scoreFiltered: boolean,
    direction: SortDirection, limit: number, after: string | undefined): Promise<SortedRow[]> {
    const desc = direction === SortDirection.DESC;
    const cmp = desc ? "<" : ">";
    let cursor: { total: number; id: string } | null = null;
    if (after) {
      const [sortValue, id] = decodeCursor(after, 2);
      const total = Number(sortValue);
      if (!Number.isFinite(total)) throw new BadInputError("The cursor is not valid for a list ordered by score; pass an endCursor from the same query.", { field: "after" });
      cursor = { total, id: cursorId(id) };
    }
    const inUnscored = cursor !== null && cursor.total < 0;
    const sections: ("scored" | "unscored")[] = [];
    const wantScored = !(desc && inUnscored);
    const wantUnscored = !scoreFiltered && !(!desc && cursor !== null && !inUnscored);
    if (desc) {
      if (wantScored) sections.push("scored");
      if (wantUnscored) sections.push("unscored");
    } else {
      if (wantUnscored) sections.push("unscored");
      if (wantScored) sections.push("scored");
    }

    const rows: SortedRow[] = [];
    for (const section of sections) {
      const q = new Params();
      q.values.push(...p.values);
      const w = [...where];
      let sql: string;
      if (section === "scored") {
        if (cursor && !inUnscored) w.push(`(s.total, s.account_id) ${cmp} (${q.add(cursor.total)}::real, ${q.add(cursor.id)}::bigint)`);
        sql = `SELECT ${ACCOUNT_COLUMNS}, s.total::float8::text AS sort_key
          FROM current_scores s JOIN accounts a ON a.id = s.account_id
          WHERE ${[runMatch, ...w].join(" AND ")}
          ORDER BY s.total ${direction}, s.account_id ${direction}`;
      } else {
        if (cursor && inUnscored) w.push(`a.id ${cmp} ${q.add(cursor.id)}::bigint`);
        sql = `SELECT ${ACCOUNT_COLUMNS}, '-1' AS sort_key
          FROM accounts a
          WHERE NOT EXISTS (SELECT 1 FROM current_scores s WHERE ${runMatch} AND s.account_id = a.id) ${w.length ? `AND ${w.join(" AND ")}` : ""}
          ORDER BY a.id ${direction}`;
      }
      rows.push(...await this.db.query<SortedRow>(`${sql} LIMIT ${q.add(limit + 1 - rows.length)}`, q.values));
      if (rows.length > limit) break;
    }
    return rows;
  }

  /**
   * Band names as the model spells them: `hot` matches a band named `Hot`; a name that is no band
   * of the model is refused (it would silently match nothing), listing the bands there are.
   */
  private async bandNames(modelId: string, asked: readonly string[], line: string): Promise<string[]> {
    const rows = await this.db.prepared<{ name: string }>(
      "SELECT b->>'name' AS name FROM scoring_models m, jsonb_array_elements(m.definition->'bands') b WHERE m.id = $1", [modelId]);
    const byLower = new Map(rows.map((r) => [r.name.toLowerCase(), r.name]));
    const unknown = asked.filter((b) => !byLower.has(b.trim().toLowerCase()));
    if (unknown.length > 0) {
      throw new BadInputError(`filter.band: ${unknown.map((b) => `"${b}"`).join(", ")} is not a band of model line "${line}"; its bands are ${rows.map((r) => r.name).join(", ")}`, { field: "filter.band" });
    }
    return [...new Set(asked.map((b) => byLower.get(b.trim().toLowerCase())!))];
  }

  /** Accounts by database id, in no particular order (missing ids are left out). */
  async byIds(ids: readonly string[]): Promise<AccountRow[]> {
    return this.db.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = ANY($1::bigint[])`, [ids]);
  }

  /** Deals by database id, in no particular order (missing ids are left out). */
  async dealsByIds(ids: readonly string[]): Promise<Deal[]> {
    return this.db.query<Deal>(
      `SELECT d.id::text AS id, d.external_id AS "externalId", d.name, d.amount::float8 AS amount, d.stage, d.outcome,
              d.created_at AS "createdAt", d.closed_at AS "closedAt", d.account_id::text AS "accountId"
         FROM deals d WHERE d.id = ANY($1::bigint[])`, [ids]);
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
      w.push(`a.parent_id = ${p.add(requireRowId(filter.parentId, "Account", "filter.parentId"))}::bigint`);
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

type SortedRow = AccountRow & { sort_key: string };

function cursorId(id: unknown): string {
  if (!isRowId(String(id))) throw new BadInputError("The cursor is not valid for this list; pass an endCursor from the same query.", { field: "after" });
  return String(id);
}

function stripSortKey(row: AccountRow & { sort_key?: string }): AccountRow {
  const { sort_key: _unused, ...account } = row;
  return account as AccountRow;
}

/** Lookups accept what people paste: case, scheme, `www.` and a trailing dot do not matter. */
export function normaliseDomainForLookup(input: string): string {
  return input.trim().toLowerCase().replace(/^[a-z]+:\/\//, "").replace(/\/.*$/, "").replace(/^www\./, "").replace(/\.$/, "");
}

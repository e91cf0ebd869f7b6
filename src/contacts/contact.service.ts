import type { Config } from "../platform/config/config";
import type { Database } from "../platform/db/database";
import { decodeCursor, encodeCursor, pageSize, toPage, withLazyCount } from "../platform/graphql/connection";
import { BadInputError } from "../platform/errors/errors";
import { isRowId } from "../platform/graphql/ids";
import { requireRowId } from "../platform/graphql/global-id";
import { CONTACT_COLUMNS } from "./contact.row";
import type { ContactFilter } from "./contact-filter.input";
import type { Contact, ContactConnection } from "./contact.type";

export class ContactService {
  constructor(private readonly db: Database, private readonly config: Config) {}

  /** Contacts in id order (keyset on id), filtered in SQL. */
  /** Contacts by database id, in no particular order (missing ids are left out). */
  async byIds(ids: readonly string[]): Promise<Contact[]> {
    return this.db.query<Contact>(`SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.id = ANY($1::bigint[])`, [ids]);
  }

  async list(filter: ContactFilter = {}, first?: number, after?: string): Promise<ContactConnection> {
    const limit = pageSize(first, this.config.pageSize);
    const params: unknown[] = [];
    const add = (v: unknown) => `$${params.push(v)}`;
    const w: string[] = [];
    if (filter.accountId != null) {
      w.push(`c.account_id = ${add(requireRowId(filter.accountId, "Account", "filter.accountId"))}::bigint`);
    }
    if (filter.accountDomain != null) w.push(`c.account_id = (SELECT id FROM accounts WHERE domain = lower(${add(filter.accountDomain.trim())}))`);
    if (filter.role?.length) w.push(`c.role = ANY(${add(filter.role)}::text[])`);
    if (filter.seniority?.length) w.push(`c.seniority = ANY(${add(filter.seniority)}::text[])`);
    if (filter.isInternal != null) w.push(`c.is_internal = ${add(filter.isInternal)}`);
    if (filter.held != null) w.push(filter.held ? "c.account_id IS NULL" : "c.account_id IS NOT NULL");
    if (filter.search?.trim()) {
      const needle = `%${filter.search.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const n = add(needle);
      w.push(`(c.email LIKE ${n} OR lower(coalesce(c.name, '')) LIKE ${n} OR lower(coalesce(c.title, '')) LIKE ${n})`);
    }
    const countSql = `SELECT count(*)::int AS n FROM contacts c ${w.length ? `WHERE ${w.join(" AND ")}` : ""}`;
    const countParams = [...params];
    if (after) w.push(`c.id > ${add(String(decodeCursor(after, 1)[0]))}::bigint`);
    const rows = await this.db.query<Contact>(
      `SELECT ${CONTACT_COLUMNS} FROM contacts c ${w.length ? `WHERE ${w.join(" AND ")}` : ""} ORDER BY c.id LIMIT ${add(limit + 1)}`,
      params,
    );
    const page = toPage(rows, limit, after, (r) => encodeCursor([r.id]), (r) => r);
    return withLazyCount(page, () => this.db.query<{ n: number }>(countSql, countParams).then((r) => r[0]!.n));
  }
}

import { BuyingRole, Seniority } from "../contacts/contact.type";
import { isInternalDomain, stitchDomainOfEmail } from "./domain-rules";
import { type IngestEntity, type MergeOutcome, presentMask, sentOrStored } from "./ingest-entity";
import { RowCheck } from "./row-check";
import { type Column, SqlParams, srcCte } from "./row-source";
import { PUBLIC_SUFFIX_PARAM, resolveDomainsSql, restitchEvents } from "./stitch.sql";

export interface ContactRow {
  readonly email: string;
  readonly emailDomain: string;
  /** The domain the contact stitches by: accountDomain when sent, else the email's own unless free-mail or internal. */
  readonly accountDomain: string | null;
  readonly name: string | null;
  readonly title: string | null;
  readonly seniority: Seniority | null;
  readonly department: string | null;
  readonly role: BuyingRole | null;
  readonly isInternal: boolean;
  readonly present: number;
}

const OPTIONAL = ["name", "title", "seniority", "department", "role", "accountDomain"] as const;

const COLUMNS: readonly Column[] = [
  { name: "email", type: "text" }, { name: "email_domain", type: "text" }, { name: "account_domain", type: "text" },
  { name: "name", type: "text" }, { name: "title", type: "text" }, { name: "seniority", type: "text" },
  { name: "department", type: "text" }, { name: "role", type: "text" }, { name: "is_internal", type: "boolean" },
  { name: "present", type: "integer" },
];

/**
 * Contacts, keyed by email. A contact joins the account of its email domain (or the nearest
 * parent domain with an account); `accountDomain` overrides that; free-mail addresses never
 * stitch by email; addresses of our internal domains are internal and stitch only through
 * `accountDomain`. Upserts merge like accounts: an omitted field keeps its stored value.
 */
export const contactsIngest: IngestEntity<ContactRow> = {
  name: "contacts",
  noun: "contact",
  fields: ["email", ...OPTIONAL],
  keyFields: ["email"],
  keyColumns: ["email"],
  columns: COLUMNS,

  validate(input, ctx) {
    const c = new RowCheck(input);
    const email = c.email("email", { required: true });
    const override = c.domain("accountDomain", { account: true });
    const row: ContactRow | null = email ? {
      email: email.email,
      emailDomain: email.domain,
      accountDomain: override ?? stitchDomainOfEmail(email.domain, ctx.internalDomains),
      name: c.text("name", { max: 300 }) ?? null,
      title: c.text("title", { max: 300 }) ?? null,
      seniority: c.oneOf("seniority", Object.values(Seniority)) ?? null,
      department: c.text("department", { max: 200 }) ?? null,
      role: c.oneOf("role", Object.values(BuyingRole)) ?? null,
      isInternal: isInternalDomain(email.domain, ctx.internalDomains),
      present: presentMask(input, OPTIONAL),
    } : null;
    return { row: c.errors.length ? null : row, errors: c.errors };
  },

  key: (row) => row.email,

  values: (r) => [r.email, r.emailDomain, r.accountDomain, r.name, r.title, r.seniority, r.department, r.role, r.isInternal, r.present],

  async merge(client, source): Promise<MergeOutcome> {
    const p = new SqlParams(source.params);
    const psl = p.add(PUBLIC_SUFFIX_PARAM, "text[]");
    const { rows } = await client.query<{ inserted: number; updated: number; held: number; new_emails: string[]; moved: string[] }>(
      `WITH ${srcCte(source)},
       cur AS MATERIALIZED (
         SELECT c.email, c.account_domain, c.account_id, c.name, c.title, c.seniority, c.department, c.role
           FROM contacts c WHERE c.email IN (SELECT email FROM src)
       ),
       merged AS MATERIALIZED (
         SELECT s.email, s.email_domain, s.is_internal,
                ${sentOrStored(0, "s.name", "c.name")} AS name,
                ${sentOrStored(1, "s.title", "c.title")} AS title,
                ${sentOrStored(2, "s.seniority", "c.seniority")} AS seniority,
                ${sentOrStored(3, "s.department", "c.department")} AS department,
                ${sentOrStored(4, "s.role", "c.role")} AS role,
                CASE WHEN s.present & ${1 << 5} <> 0 OR c.email IS NULL THEN s.account_domain ELSE c.account_domain END AS account_domain,
                c.account_id AS old_account_id
           FROM src s LEFT JOIN cur c ON c.email = s.email
       ),
       res AS (${resolveDomainsSql("SELECT DISTINCT account_domain FROM merged WHERE account_domain IS NOT NULL", psl)}),
       rows AS MATERIALIZED (SELECT m.*, r.account_id FROM merged m LEFT JOIN res r ON r.domain = m.account_domain),
       w AS (
         INSERT INTO contacts AS t (email, email_domain, account_domain, account_id, name, title, seniority, department, role, is_internal)
         SELECT email, email_domain, account_domain, account_id, name, title, seniority, department, role, is_internal
           FROM rows ORDER BY email
         ON CONFLICT (email) DO UPDATE SET
           email_domain = excluded.email_domain, account_domain = excluded.account_domain, account_id = excluded.account_id,
           name = excluded.name, title = excluded.title, seniority = excluded.seniority, department = excluded.department,
           role = excluded.role, is_internal = excluded.is_internal, updated_at = now()
         WHERE (t.account_domain, t.account_id, t.name, t.title, t.seniority, t.department, t.role, t.is_internal)
               IS DISTINCT FROM
               (excluded.account_domain, excluded.account_id, excluded.name, excluded.title, excluded.seniority,
                excluded.department, excluded.role, excluded.is_internal)
         RETURNING t.id, t.email, t.account_id, (t.xmax = 0) AS inserted
       )
       SELECT (SELECT count(*) FROM w WHERE inserted)::int AS inserted,
              (SELECT count(*) FROM w WHERE NOT inserted)::int AS updated,
              (SELECT count(*) FROM rows WHERE account_id IS NULL)::int AS held,
              ARRAY(SELECT w.email FROM w WHERE w.inserted) AS new_emails,
              ARRAY(SELECT w.id::text FROM w JOIN rows r ON r.email = w.email
                     WHERE NOT w.inserted AND w.account_id IS DISTINCT FROM r.old_account_id) AS moved`,
      p.values,
    );
    const r = rows[0]!;
    // Events sent before their contact wait by email; events of a contact that moved follow it.
    const events = await restitchEvents(client, { newEmails: r.new_emails, movedContacts: r.moved });
    return { inserted: r.inserted, updated: r.updated, held: r.held, stitched: events.stitched };
  },
};

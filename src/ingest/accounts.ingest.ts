import type { PoolClient } from "pg";
import { Tier } from "../accounts/account.type";
import { type IngestEntity, type MergeOutcome, presentMask, type RowConflict, sentOrStored } from "./ingest-entity";
import { RowCheck } from "./row-check";
import { type Column, type RowSource, SqlParams, srcCte } from "./row-source";
import { restitchByDomain, restitchEvents } from "./stitch.sql";

export interface AccountRow {
  readonly domain: string;
  readonly name: string;
  readonly parentDomain: string | null;
  readonly industry: string | null;
  readonly employees: number | null;
  readonly annualRevenue: number | null;
  readonly country: string | null;
  readonly region: string | null;
  readonly technologies: string[] | null;
  readonly attributes: Record<string, unknown> | null;
  readonly tier: Tier | null;
  readonly isTarget: boolean | null;
  readonly present: number;
}

/** Optional fields in bit order of `present`: an omitted one keeps the stored value. */
const OPTIONAL = ["parentDomain", "industry", "employees", "annualRevenue", "country", "region", "technologies", "attributes", "tier", "isTarget"] as const;

const COLUMNS: readonly Column[] = [
  { name: "domain", type: "text" }, { name: "name", type: "text" }, { name: "parent_domain", type: "text" },
  { name: "industry", type: "text" }, { name: "employees", type: "integer" }, { name: "annual_revenue", type: "numeric" },
  { name: "country", type: "text" }, { name: "region", type: "text" }, { name: "technologies", type: "text[]" },
  { name: "attributes", type: "jsonb" }, { name: "tier", type: "text" }, { name: "is_target", type: "boolean" },
  { name: "present", type: "integer" },
];

/** Advisory lock serialising hierarchy changes, so two batches cannot close a cycle between them. */
const HIERARCHY_LOCK = 4_212_002;

/**
 * Accounts, keyed by domain. Upserts merge: a field omitted keeps its stored value, null
 * clears it, and `attributes` merges key by key (a key sent as null is removed).
 * `parentDomain` links the subsidiary to its parent now or when the parent arrives.
 */
export const accountsIngest: IngestEntity<AccountRow> = {
  name: "accounts",
  noun: "account",
  fields: ["domain", "name", ...OPTIONAL],
  keyFields: ["domain"],
  keyColumns: ["domain"],
  columns: COLUMNS,

  validate(input) {
    const c = new RowCheck(input);
    const domain = c.domain("domain", { required: true, account: true });
    const name = c.text("name", { required: true, max: 300 });
    const parentDomain = c.domain("parentDomain", { account: true });
    if (domain && parentDomain === domain) c.fail("parentDomain", "an account cannot be its own parent; leave parentDomain empty or name the parent company's domain");
    const row: AccountRow = {
      domain: domain!,
      name: name!,
      parentDomain: parentDomain ?? null,
      industry: c.text("industry", { max: 200 }) ?? null,
      employees: c.int("employees", { min: 0 }) ?? null,
      annualRevenue: c.number("annualRevenue", { min: 0, max: 9_999_999_999_999_999 }) ?? null,
      country: c.text("country", { max: 100 }) ?? null,
      region: c.text("region", { max: 100 }) ?? null,
      technologies: c.textList("technologies") ?? null,
      attributes: c.jsonObject("attributes") ?? null,
      tier: c.oneOf("tier", Object.values(Tier)) ?? null,
      isTarget: c.bool("isTarget") ?? null,
      present: presentMask(input, OPTIONAL),
    };
    return { row: c.errors.length ? null : row, errors: c.errors };
  },

  key: (row) => row.domain,

  values: (r) => [r.domain, r.name, r.parentDomain, r.industry, r.employees, r.annualRevenue, r.country, r.region, r.technologies, r.attributes, r.tier, r.isTarget, r.present],

  async conflicts(client, source) {
    return parentCycles(client, source);
  },

  async merge(client, source): Promise<MergeOutcome> {
    const p = new SqlParams(source.params);
    const { rows } = await client.query<{ inserted: number; updated: number; new_domains: string[]; changed_domains: string[] }>(
      `WITH ${srcCte(source)},
       cur AS MATERIALIZED (SELECT a.* FROM accounts a WHERE a.domain IN (SELECT domain FROM src)),
       rows AS (
         SELECT s.domain, s.name,
                ${sentOrStored(0, "s.parent_domain", "c.parent_domain")} AS parent_domain,
                ${sentOrStored(1, "s.industry", "c.industry")} AS industry,
                ${sentOrStored(2, "s.employees", "c.employees")} AS employees,
                ${sentOrStored(3, "s.annual_revenue", "c.annual_revenue")} AS annual_revenue,
                ${sentOrStored(4, "s.country", "c.country")} AS country,
                ${sentOrStored(5, "s.region", "c.region")} AS region,
                coalesce(${sentOrStored(6, "s.technologies", "c.technologies")}, '{}') AS technologies,
                CASE WHEN s.present & ${1 << 7} = 0 THEN coalesce(c.attributes, '{}')
                     WHEN s.attributes IS NULL THEN '{}'::jsonb
                     ELSE (coalesce(c.attributes, '{}') || s.attributes)
                          - ARRAY(SELECT e.key FROM jsonb_each(s.attributes) e WHERE e.value = 'null'::jsonb)
                END AS attributes,
                ${sentOrStored(8, "s.tier", "c.tier")} AS tier,
                coalesce(${sentOrStored(9, "s.is_target", "c.is_target")}, false) AS is_target
           FROM src s LEFT JOIN cur c ON c.domain = s.domain
       ),
       w AS (
         INSERT INTO accounts AS t (domain, name, parent_domain, industry, employees, annual_revenue, country, region, technologies, attributes, tier, is_target)
         SELECT domain, name, parent_domain, industry, employees, annual_revenue, country, region, technologies, attributes, tier, is_target
           FROM rows ORDER BY domain
         ON CONFLICT (domain) DO UPDATE SET
           name = excluded.name, parent_domain = excluded.parent_domain, industry = excluded.industry, employees = excluded.employees,
           annual_revenue = excluded.annual_revenue, country = excluded.country, region = excluded.region,
           technologies = excluded.technologies, attributes = excluded.attributes, tier = excluded.tier, is_target = excluded.is_target,
           updated_at = now()
         WHERE (t.name, t.parent_domain, t.industry, t.employees, t.annual_revenue, t.country, t.region, t.technologies, t.attributes, t.tier, t.is_target)
               IS DISTINCT FROM
               (excluded.name, excluded.parent_domain, excluded.industry, excluded.employees, excluded.annual_revenue, excluded.country,
                excluded.region, excluded.technologies, excluded.attributes, excluded.tier, excluded.is_target)
         RETURNING t.domain, (t.xmax = 0) AS inserted
       )
       SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated,
              coalesce(array_agg(domain) FILTER (WHERE inserted), '{}') AS new_domains,
              coalesce(array_agg(domain), '{}') AS changed_domains
         FROM w`,
      p.values,
    );
    const { inserted, updated, new_domains: newDomains, changed_domains: changedDomains } = rows[0]!;
    let stitched = await linkParents(client, changedDomains, newDomains);
    if (newDomains.length > 0) {
      const contacts = await restitchByDomain(client, "contacts", newDomains);
      const intent = await restitchByDomain(client, "intent_signals", newDomains);
      const deals = await restitchByDomain(client, "deals", newDomains);
      const events = await restitchEvents(client, { newDomains, movedContacts: contacts.moved });
      stitched += contacts.stitched + intent.stitched + deals.stitched + events.stitched;
    }
    const held = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM accounts a WHERE a.domain IN (SELECT domain FROM (${source.sql}) s)
          AND a.parent_domain IS NOT NULL AND a.parent_id IS NULL`, source.params);
    return { inserted, updated, held: held.rows[0]!.n, stitched };
  },
};

/**
 * Sets `parent_id` from `parent_domain` for the accounts this batch changed, and for held
 * subsidiaries whose parent just arrived. Returns how many held subsidiaries it linked.
 */
async function linkParents(client: PoolClient, changedDomains: readonly string[], newDomains: readonly string[]): Promise<number> {
  if (changedDomains.length === 0) return 0;
  const { rows } = await client.query<{ n: number }>(
    `WITH touched AS (
       SELECT c.id, p.id AS parent_id, c.parent_id AS old_parent_id, false AS waiting
         FROM accounts c LEFT JOIN accounts p ON p.domain = c.parent_domain
        WHERE c.domain = ANY($1::text[])
       UNION ALL
       SELECT c.id, p.id, c.parent_id, true
         FROM accounts c JOIN accounts p ON p.domain = c.parent_domain
        WHERE c.parent_domain = ANY($2::text[]) AND c.parent_id IS NULL AND NOT c.domain = ANY($1::text[])
     ),
     w AS (
       UPDATE accounts a SET parent_id = t.parent_id FROM touched t
        WHERE a.id = t.id AND a.parent_id IS DISTINCT FROM t.parent_id
       RETURNING t.waiting
     )
     SELECT count(*) FILTER (WHERE waiting)::int AS n FROM w`,
    [changedDomains, newDomains],
  );
  return rows[0]!.n;
}

/**
 * Rows whose parent chain, as it would be after this batch (its rows over stored ones),
 * leads back to themselves. Runs before anything is written, under a lock that serialises
 * hierarchy changes.
 */
async function parentCycles(client: PoolClient, source: RowSource): Promise<RowConflict[]> {
  const any = await client.query(`SELECT 1 FROM (${source.sql}) s WHERE s.parent_domain IS NOT NULL LIMIT 1`, source.params);
  if (any.rowCount === 0) return [];
  await client.query("SELECT pg_advisory_xact_lock($1)", [HIERARCHY_LOCK]);
  const { rows } = await client.query<{ idx: string; cycle: string[] }>(
    `WITH RECURSIVE ${srcCte(source)},
     batch AS MATERIALIZED (
       SELECT s.idx, s.domain, ${sentOrStored(0, "s.parent_domain", "a.parent_domain")} AS parent
         FROM src s LEFT JOIN accounts a ON a.domain = s.domain
     ),
     walk (idx, start, cur, path) AS (
       SELECT b.idx, b.domain, b.parent, ARRAY[b.domain] FROM batch b WHERE b.parent IS NOT NULL
       UNION ALL
       SELECT w.idx, w.start, CASE WHEN b.domain IS NOT NULL THEN b.parent ELSE a.parent_domain END, w.path || w.cur
         FROM walk w
         LEFT JOIN batch b ON b.domain = w.cur
         LEFT JOIN accounts a ON b.domain IS NULL AND a.domain = w.cur
        WHERE w.cur <> w.start AND NOT w.cur = ANY(w.path) AND cardinality(w.path) < 100
          AND CASE WHEN b.domain IS NOT NULL THEN b.parent ELSE a.parent_domain END IS NOT NULL
     )
     SELECT idx, path || cur AS cycle FROM walk WHERE cur = start ORDER BY idx`,
    source.params,
  );
  return rows.map((r) => ({
    idx: Number(r.idx),
    key: r.cycle[0]!,
    field: "parentDomain",
    message: `parentDomain ${r.cycle[1]} would make a cycle (${r.cycle.join(" → ")}); an account cannot be its own ancestor`,
  }));
}

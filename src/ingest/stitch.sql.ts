import type { PoolClient } from "pg";
import { PUBLIC_SUFFIXES } from "./domain-lists";
import type { RowSource } from "./row-source";

/**
 * Identity stitching in SQL, shared by every write path (GraphQL batches and CSV imports).
 *
 * The rule: a fact carrying domain `mail.eu.acme.com` belongs to the account with the longest
 * domain that equals it or is a dot-suffix of it (`eu.acme.com` before `acme.com`), never to
 * or across a public suffix (`co.uk`, `github.io`, any TLD). Facts with no such account yet
 * are held (`account_id IS NULL`) and stitched by the statements below when it arrives.
 */

/**
 * Settings for every ingest transaction. JIT compiling these statements costs more than it
 * saves (seconds for a 50k-row merge), so it is off.
 */
export async function prepareIngestTransaction(client: PoolClient): Promise<void> {
  await client.query("SET LOCAL jit = off");
}

/** Multi-label public suffixes, sent as a parameter. */
export const PUBLIC_SUFFIX_PARAM: readonly string[] = [...PUBLIC_SUFFIXES];

/**
 * A relation `(domain, account_id)` resolving each domain of `domains` (a one-column query,
 * distinct values) to its account; domains with none are absent.
 *
 * @example domains mail.eu.acme.com, x.acme.co.uk with accounts eu.acme.com, acme.com, co.uk
 *   → (mail.eu.acme.com, id of eu.acme.com), (x.acme.co.uk, nothing: co.uk is public)
 */
export function resolveDomainsSql(domains: string, pslParam: string): string {
  return `SELECT DISTINCT ON (c.domain) c.domain, a.id AS account_id
      FROM (
        SELECT d.domain, array_to_string(l.labels[i:], '.') AS suffix, cardinality(l.labels) - i + 1 AS n,
               max(CASE WHEN cardinality(l.labels) - i + 1 BETWEEN 2 AND 4 AND array_to_string(l.labels[i:], '.') = ANY(${pslParam})
                        THEN cardinality(l.labels) - i + 1 ELSE 1 END) OVER (PARTITION BY d.domain) AS public_n
          FROM (${domains}) d(domain)
          CROSS JOIN LATERAL (SELECT string_to_array(d.domain, '.') AS labels) l
          CROSS JOIN LATERAL (SELECT i FROM generate_series(1, cardinality(l.labels)) i LIMIT 127) i
      ) c
      -- A look-up per candidate suffix: few, however many accounts there are.
      CROSS JOIN LATERAL (SELECT a.id FROM accounts a WHERE a.domain = c.suffix LIMIT 1) a
     WHERE c.n > c.public_n
     ORDER BY c.domain, c.n DESC`;
}

/** `col` is `domain` or one of its subdomains. */
function under(col: string, domain: string): string {
  return `(${col} = ${domain} OR right(${col}, length(${domain}) + 1) = '.' || ${domain})`;
}

/** Held rows of `alias` under `domain`, found by the reversed-domain index (see the ingest migration). */
function heldUnder(alias: string, domain: string): string {
  return `${alias}.account_id IS NULL AND ${alias}.account_domain IS NOT NULL
      AND (reverse(${alias}.account_domain) COLLATE "C") >= reverse(${domain})
      AND (reverse(${alias}.account_domain) COLLATE "C") < reverse(${domain}) || '/'
      AND ${under(`${alias}.account_domain`, domain)}`;
}

/** New account domains `n` and the existing accounts that are their parents by domain (`acme.com` for `eu.acme.com`). */
function newDomainsCtes(param: string): string {
  return `n AS (SELECT DISTINCT unnest(${param}) AS domain),
    anc AS (
      SELECT DISTINCT a.id FROM n
       CROSS JOIN LATERAL (SELECT string_to_array(n.domain, '.') AS labels) l
       CROSS JOIN LATERAL (SELECT i FROM generate_series(2, cardinality(l.labels) - 1) i LIMIT 127) i
       JOIN accounts a ON a.domain = array_to_string(l.labels[i:], '.')
    )`;
}

/**
 * Raises `accounts.last_engaged_at` to the newest human event of each account in `gain`
 * (a CTE of `account_id, t`). Rows are locked in id order so concurrent batches never
 * deadlock; a concurrent later time wins (the lock re-checks the condition).
 */
export function bumpLastEngagedCte(gain: string): string {
  return `bump AS (
      UPDATE accounts a SET last_engaged_at = l.t
        FROM (SELECT a2.id, g.t FROM accounts a2 JOIN ${gain} g ON g.account_id = a2.id
               WHERE a2.last_engaged_at IS NULL OR a2.last_engaged_at < g.t
               ORDER BY a2.id FOR NO KEY UPDATE OF a2) l
       WHERE a.id = l.id
      RETURNING a.id
    )`;
}

/**
 * Recomputes `last_engaged_at` exactly for accounts that may have lost their newest event
 * (it moved to another account, or was re-sent as a bot). Rare, so exactness is affordable.
 */
export async function refreshLastEngaged(client: PoolClient, accountIds: readonly string[]): Promise<void> {
  if (accountIds.length === 0) return;
  await client.query(
    `UPDATE accounts a SET last_engaged_at = m.t
       FROM (SELECT x.id, (SELECT max(e.occurred_at) FROM engagement_events e WHERE e.account_id = x.id AND NOT e.is_bot) AS t
               FROM (SELECT id FROM accounts WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE) x) m
      WHERE a.id = m.id AND a.last_engaged_at IS DISTINCT FROM m.t`,
    [accountIds],
  );
}

export interface Stitched {
  /** Held rows that now have an account. */
  readonly stitched: number;
  /** Ids of rows whose account changed (held → account, or parent → more specific subdomain account). */
  readonly moved: string[];
}

/**
 * After accounts arrive: contacts, intent signals or deals carrying one of their domains (or
 * a subdomain) are re-resolved — held ones, and ones attached to a less specific parent
 * domain (`acme.com`) when `eu.acme.com` arrives.
 */
export async function restitchByDomain(client: PoolClient, table: "contacts" | "intent_signals" | "deals", newDomains: readonly string[]): Promise<Stitched> {
  if (newDomains.length === 0) return { stitched: 0, moved: [] };
  const { rows } = await client.query<{ stitched: number; moved: string[] }>(
    `WITH ${newDomainsCtes("$1::text[]")},
     cand AS (
       SELECT t.id, t.account_id, t.account_domain FROM n JOIN ${table} t ON ${heldUnder("t", "n.domain")}
       UNION
       SELECT t.id, t.account_id, t.account_domain FROM ${table} t JOIN n ON ${under("t.account_domain", "n.domain")}
        WHERE t.account_id IN (SELECT id FROM anc)
     ),
     res AS (${resolveDomainsSql("SELECT DISTINCT account_domain FROM cand", "$2::text[]")}),
     w AS (
       UPDATE ${table} t SET account_id = r.account_id
         FROM cand c JOIN res r ON r.domain = c.account_domain
        WHERE t.id = c.id AND t.account_id IS DISTINCT FROM r.account_id
       RETURNING t.id::text AS id, c.account_id AS old_account_id
     )
     SELECT count(*) FILTER (WHERE old_account_id IS NULL)::int AS stitched, coalesce(array_agg(id), '{}') AS moved FROM w`,
    [newDomains, PUBLIC_SUFFIX_PARAM],
  );
  return rows[0]!;
}

/**
 * Re-resolves events whose account may have changed: held or parent-attached events under
 * newly arrived account domains, events waiting for a contact that arrived (by email), and
 * events of contacts that moved account. An event belongs to its contact's account when the
 * contact has one, else to the account of the domain it carries.
 */
export async function restitchEvents(
  client: PoolClient,
  cause: { newDomains?: readonly string[]; newEmails?: readonly string[]; movedContacts?: readonly string[] },
): Promise<{ stitched: number }> {
  const newDomains = cause.newDomains ?? [];
  const newEmails = cause.newEmails ?? [];
  const movedContacts = cause.movedContacts ?? [];
  if (newDomains.length + newEmails.length + movedContacts.length === 0) return { stitched: 0 };
  const { rows } = await client.query<{ stitched: number; losers: string[] }>(
    `WITH ${newDomainsCtes("$1::text[]")},
     cand AS (
       SELECT t.id FROM n JOIN engagement_events t ON ${heldUnder("t", "n.domain")}
       UNION
       SELECT t.id FROM engagement_events t JOIN n ON ${under("t.account_domain", "n.domain")} WHERE t.account_id IN (SELECT id FROM anc)
       UNION
       SELECT t.id FROM engagement_events t WHERE t.contact_id IS NULL AND t.contact_email = ANY($2::text[])
       UNION
       SELECT t.id FROM engagement_events t WHERE t.contact_id = ANY($3::bigint[])
     ),
     cur AS MATERIALIZED (
       SELECT e.id, e.account_id, e.contact_email, e.account_domain FROM engagement_events e WHERE e.id IN (SELECT id FROM cand)
     ),
     res AS (${resolveDomainsSql("SELECT DISTINCT account_domain FROM cur WHERE account_domain IS NOT NULL", "$4::text[]")}),
     nxt AS (
       SELECT c.id, c.account_id AS old_account_id, ct.id AS contact_id, coalesce(ct.account_id, r.account_id) AS account_id
         FROM cur c
         LEFT JOIN contacts ct ON ct.email = c.contact_email
         LEFT JOIN res r ON r.domain = c.account_domain
     ),
     w AS (
       UPDATE engagement_events t SET account_id = x.account_id, contact_id = x.contact_id
         FROM nxt x
        WHERE t.id = x.id AND (t.account_id, t.contact_id) IS DISTINCT FROM (x.account_id, x.contact_id)
       RETURNING t.account_id, x.old_account_id, t.occurred_at, t.is_bot
     ),
     gain AS (SELECT account_id, max(occurred_at) AS t FROM w WHERE account_id IS NOT NULL AND NOT is_bot GROUP BY account_id),
     ${bumpLastEngagedCte("gain")}
     SELECT count(*) FILTER (WHERE old_account_id IS NULL AND account_id IS NOT NULL)::int AS stitched,
            coalesce(array_agg(DISTINCT old_account_id::text) FILTER (WHERE old_account_id IS NOT NULL AND old_account_id IS DISTINCT FROM account_id), '{}') AS losers
       FROM w`,
    [newDomains, newEmails, movedContacts, PUBLIC_SUFFIX_PARAM],
  );
  await refreshLastEngaged(client, rows[0]!.losers);
  return { stitched: rows[0]!.stitched };
}

/**
 * How many rows of a batch are held after its merge. Written rows report it in RETURNING;
 * only when some rows were unchanged (not returned) does it take a look-up by natural key.
 */
export async function heldCount(
  client: PoolClient, source: RowSource, merged: { inserted: number; updated: number; held_written: number; total: number },
  table: string, keyColumns: readonly string[],
): Promise<number> {
  if (merged.inserted + merged.updated === merged.total) return merged.held_written;
  const keys = keyColumns.join(", ");
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} t WHERE t.account_id IS NULL AND (${keyColumns.map((k) => `t.${k}`).join(", ")}) IN (SELECT ${keys} FROM (${source.sql}) s)`,
    source.params);
  return rows[0]!.n;
}

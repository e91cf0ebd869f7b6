import type { Contact } from "../contacts/contact.type";
import { CONTACT_COLUMNS } from "../contacts/contact.row";
import type { Deal, DealOutcome } from "../deals/deal.type";
import type { EngagementEvent, IntentSignal } from "../engagement/engagement.type";
import { alignToKeys, groupBy, type Loaders } from "../platform/graphql/loaders";
import { ACCOUNT_COLUMNS, type AccountRow } from "./account.row";

export function accountById(loaders: Loaders) {
  return loaders.get<string, AccountRow | null>("accountById", undefined, async (ids) => {
    const rows = await loaders.db.prepared<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = ANY($1::bigint[])`, [ids]);
    return alignToKeys(ids, rows, (r) => r.id);
  });
}

export function subsidiariesByParent(loaders: Loaders) {
  return loaders.get<string, AccountRow[]>("subsidiaries", undefined, async (ids) => {
    const rows = await loaders.db.prepared<AccountRow>(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.parent_id = ANY($1::bigint[]) ORDER BY lower(a.name), a.id`, [ids]);
    return groupBy(ids, rows, (r) => r.parentId!);
  });
}

export function contactsByAccount(loaders: Loaders, role: string | null) {
  return loaders.get<string, Contact[]>("contactsByAccount", role, async (ids) => {
    const rows = await loaders.db.prepared<Contact>(
      `SELECT ${CONTACT_COLUMNS} FROM contacts c
        WHERE c.account_id = ANY($1::bigint[]) AND ($2::text IS NULL OR c.role = $2)
        ORDER BY c.id`, [ids, role]);
    return groupBy(ids, rows, (r) => r.accountId!);
  });
}

export function dealsByAccount(loaders: Loaders, outcome: DealOutcome | null) {
  return loaders.get<string, Deal[]>("dealsByAccount", outcome, async (ids) => {
    const rows = await loaders.db.prepared<Deal>(
      `SELECT d.id::text AS id, d.external_id AS "externalId", d.name, d.amount::float8 AS amount, d.stage, d.outcome,
              d.created_at AS "createdAt", d.closed_at AS "closedAt", d.account_id::text AS "accountId"
         FROM deals d
        WHERE d.account_id = ANY($1::bigint[]) AND ($2::text IS NULL OR d.outcome = $2)
        ORDER BY d.created_at DESC, d.id DESC`, [ids, outcome]);
    return groupBy(ids, rows, (r) => r.accountId!);
  });
}

export function intentByAccount(loaders: Loaders, since: Date | null) {
  return loaders.get<string, IntentSignal[]>("intentByAccount", since?.toISOString() ?? null, async (ids) => {
    const rows = await loaders.db.prepared<IntentSignal & { accountId: string }>(
      `SELECT i.id::text AS id, i.topic, i.strength::float8 AS strength, i.observed_at AS "observedAt",
              NULLIF(i.source, '') AS source, i.account_id::text AS "accountId"
         FROM intent_signals i
        WHERE i.account_id = ANY($1::bigint[]) AND ($2::timestamptz IS NULL OR i.observed_at >= $2)
        ORDER BY i.observed_at DESC, i.id DESC`, [ids, since]);
    return groupBy(ids, rows, (r) => r.accountId);
  });
}

export type EventRow = EngagementEvent & { accountId: string };

/**
 * A page of each account's events, newest first, for many accounts in one statement:
 * a LATERAL join runs the per-account index scan with its own LIMIT.
 */
export function eventsByAccount(loaders: Loaders, args: { limit: number; since: Date | null; before: [string, string] | null }) {
  return loaders.get<string, EventRow[]>("eventsByAccount", args, async (ids) => {
    const rows = await loaders.db.prepared<EventRow>(
      `SELECT e.id::text AS id, e.external_id AS "externalId", e.type, e.channel, e.asset, e.occurred_at AS "occurredAt",
              e.source, e.contact_id::text AS "contactId", e.contact_email AS "contactEmail", e.is_bot AS "isBot",
              e.bot_reason AS "botReason", a.id::text AS "accountId"
         FROM unnest($1::bigint[]) AS a(id)
         CROSS JOIN LATERAL (
           SELECT * FROM engagement_events e
            WHERE e.account_id = a.id
              AND ($2::timestamptz IS NULL OR e.occurred_at >= $2)
              AND ($3::timestamptz IS NULL OR (e.occurred_at, e.id) < ($3::timestamptz, $4::bigint))
            ORDER BY e.occurred_at DESC, e.id DESC
            LIMIT $5) e`,
      [ids, args.since, args.before?.[0] ?? null, args.before?.[1] ?? null, args.limit + 1]);
    return groupBy(ids, rows, (r) => r.accountId);
  });
}

export function eventCountByAccount(loaders: Loaders, since: Date | null) {
  return loaders.get<string, number>("eventCountByAccount", since?.toISOString() ?? null, async (ids) => {
    const rows = await loaders.db.prepared<{ accountId: string; n: number }>(
      `SELECT account_id::text AS "accountId", count(*)::int AS n FROM engagement_events
        WHERE account_id = ANY($1::bigint[]) AND ($2::timestamptz IS NULL OR occurred_at >= $2)
        GROUP BY account_id`, [ids, since]);
    return alignToKeys(ids, rows, (r) => r.accountId).map((r) => r?.n ?? 0);
  });
}

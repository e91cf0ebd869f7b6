import { stitchDomainOfEmail } from "./domain-rules";
import type { IngestEntity, MergeOutcome } from "./ingest-entity";
import { noiseReason } from "./noise-rules";
import { RowCheck } from "./row-check";
import { type Column, lookupJoin, SqlParams, srcCte } from "./row-source";
import { bumpLastEngagedCte, heldCount, PUBLIC_SUFFIX_PARAM, refreshLastEngaged, resolveDomainsSql } from "./stitch.sql";

export interface EventRow {
  readonly externalId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly contactEmail: string | null;
  /** accountDomain when sent, else the domain of contactEmail unless free-mail or internal. */
  readonly accountDomain: string | null;
  readonly channel: string | null;
  readonly asset: string | null;
  readonly source: string | null;
  readonly isBot: boolean;
  readonly botReason: string | null;
}

const COLUMNS: readonly Column[] = [
  { name: "external_id", type: "text" }, { name: "type", type: "text" }, { name: "occurred_at", type: "timestamptz" },
  { name: "contact_email", type: "text" }, { name: "account_domain", type: "text" }, { name: "channel", type: "text" },
  { name: "asset", type: "text" }, { name: "source", type: "text" }, { name: "is_bot", type: "boolean" },
  { name: "bot_reason", type: "text" },
];

/**
 * Engagement events, keyed by external id. Facts: re-sending one replaces it whole. An
 * event belongs to its contact's account when the contact is known and stitched, else to
 * the account of the domain it carries; otherwise it is held. Noise (bots, prefetch,
 * scanners) is stored and flagged, never dropped. `accounts.last_engaged_at` follows the
 * newest human event.
 */
export const eventsIngest: IngestEntity<EventRow> = {
  name: "events",
  noun: "event",
  fields: ["externalId", "type", "occurredAt", "contactEmail", "accountDomain", "channel", "asset", "source", "isBot", "userAgent", "deliveredAt"],
  keyFields: ["externalId"],
  keyColumns: ["external_id"],
  columns: COLUMNS,

  validate(input, ctx) {
    const c = new RowCheck(input);
    const externalId = c.text("externalId", { required: true, max: 200 });
    const rawType = c.text("type", { required: true, max: 100 });
    const type = rawType?.toLowerCase().replace(/[\s-]+/g, "_");
    if (type && !ctx.eventTypes.has(type)) {
      c.fail("type", `type "${rawType}" is not a configured event type; use one of ${[...ctx.eventTypes].join(", ")} (EVENT_TYPES sets the list)`);
    }
    const occurredAt = c.timestamp("occurredAt", { required: true, notAfterMs: ctx.latestMs });
    const contact = c.email("contactEmail");
    const domain = c.domain("accountDomain", { account: true });
    if (c.raw("contactEmail") == null && c.raw("accountDomain") == null) {
      c.fail("accountDomain", "send contactEmail or accountDomain, so the event can be attributed to an account");
    }
    const deliveredAt = c.timestamp("deliveredAt");
    const userAgent = c.text("userAgent", { max: 1_000 });
    const isBot = c.bool("isBot");
    const channel = c.text("channel", { max: 100 }) ?? null;
    const asset = c.text("asset", { max: 2_048 }) ?? null;
    const source = c.text("source", { max: 200 }) ?? null;
    if (c.errors.length) return { row: null, errors: c.errors };
    const botReason = noiseReason({ type: type!, occurredAtMs: occurredAt!.epochMs, deliveredAtMs: deliveredAt?.epochMs ?? null, userAgent: userAgent ?? null, isBot: isBot ?? null });
    return {
      row: {
        externalId: externalId!,
        type: type!,
        occurredAt: occurredAt!.iso,
        contactEmail: contact?.email ?? null,
        accountDomain: domain ?? (contact ? stitchDomainOfEmail(contact.domain, ctx.internalDomains) : null),
        channel, asset, source,
        isBot: botReason !== null,
        botReason,
      },
      errors: [],
    };
  },

  key: (row) => row.externalId,

  values: (r) => [r.externalId, r.type, r.occurredAt, r.contactEmail, r.accountDomain, r.channel, r.asset, r.source, r.isBot, r.botReason],

  async merge(client, source): Promise<MergeOutcome> {
    const p = new SqlParams(source.params);
    const psl = p.add(PUBLIC_SUFFIX_PARAM, "text[]");
    const batch = source.lookups === "index";
    // Domains decide only for events without a stitched contact: a batch resolves just those;
    // an import resolves all of its (few, repeated) domains rather than join contacts twice.
    // Rows go in external_id order (any fixed order keeps concurrent batches from deadlocking
    // on each other's keys), compared bytewise: cheaper than the database collation.
    // The old account of a re-sent event comes from a subquery in RETURNING: it reads the
    // statement's snapshot, which still holds the row as it was before this statement.
    const { rows } = await client.query<{ inserted: number; updated: number; held_written: number; total: number; losers: string[] }>(
      `WITH ${srcCte(source)},
       looked AS ${batch ? "MATERIALIZED" : "NOT MATERIALIZED"} (
         SELECT s.*, ct.id AS contact_id, ct.account_id AS contact_account_id
           FROM src s ${lookupJoin(source, "contacts", "ct", "ct.id, ct.account_id", "email", "s.contact_email")}
       ),
       dom AS MATERIALIZED (
         SELECT account_domain FROM ${batch ? "looked WHERE contact_account_id IS NULL AND" : "src WHERE"} account_domain IS NOT NULL
          GROUP BY account_domain
       ),
       res AS (${resolveDomainsSql("SELECT account_domain FROM dom", psl)}),
       rows AS (
         SELECT l.*, coalesce(l.contact_account_id, r.account_id) AS account_id
           FROM looked l LEFT JOIN res r ON r.domain = l.account_domain
       ),
       w AS (
         INSERT INTO engagement_events AS t (external_id, account_id, contact_id, type, channel, asset, occurred_at, source, contact_email, account_domain, is_bot, bot_reason)
         SELECT external_id, account_id, contact_id, type, channel, asset, occurred_at, source, contact_email, account_domain, is_bot, bot_reason
           FROM rows ORDER BY external_id COLLATE "C"
         ON CONFLICT (external_id) DO UPDATE SET
           account_id = excluded.account_id, contact_id = excluded.contact_id, type = excluded.type, channel = excluded.channel,
           asset = excluded.asset, occurred_at = excluded.occurred_at, source = excluded.source, contact_email = excluded.contact_email,
           account_domain = excluded.account_domain, is_bot = excluded.is_bot, bot_reason = excluded.bot_reason
         WHERE (t.account_id, t.contact_id, t.type, t.channel, t.asset, t.occurred_at, t.source, t.contact_email, t.account_domain, t.is_bot, t.bot_reason)
               IS DISTINCT FROM
               (excluded.account_id, excluded.contact_id, excluded.type, excluded.channel, excluded.asset, excluded.occurred_at,
                excluded.source, excluded.contact_email, excluded.account_domain, excluded.is_bot, excluded.bot_reason)
         RETURNING t.account_id, t.occurred_at, t.is_bot, (t.xmax = 0) AS inserted,
                   CASE WHEN NOT (t.xmax = 0) THEN (SELECT o.account_id FROM engagement_events o WHERE o.id = t.id) END AS old_account_id
       ),
       gain AS (SELECT account_id, max(occurred_at) AS t FROM w WHERE account_id IS NOT NULL AND NOT is_bot GROUP BY account_id),
       ${bumpLastEngagedCte("gain")}
       SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated,
              count(*) FILTER (WHERE account_id IS NULL)::int AS held_written, (SELECT count(*) FROM src)::int AS total,
              coalesce(array_agg(DISTINCT old_account_id::text) FILTER (WHERE old_account_id IS NOT NULL), '{}') AS losers
         FROM w`,
      p.values,
    );
    const r = rows[0]!;
    // A re-sent event may have moved account or become noise: its old account's newest event is recomputed.
    await refreshLastEngaged(client, r.losers);
    const held = await heldCount(client, source, r, "engagement_events", ["external_id"]);
    return { inserted: r.inserted, updated: r.updated, held, stitched: 0 };
  },
};

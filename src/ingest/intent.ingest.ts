import type { IngestEntity, MergeOutcome } from "./ingest-entity";
import { RowCheck } from "./row-check";
import { type Column, SqlParams, srcCte } from "./row-source";
import { heldCount, PUBLIC_SUFFIX_PARAM, resolveDomainsSql } from "./stitch.sql";

export interface IntentRow {
  readonly accountDomain: string;
  readonly topic: string;
  readonly strength: number;
  readonly observedAt: string;
  /** '' when not sent: part of the natural key, so it cannot be NULL. */
  readonly source: string;
}

const COLUMNS: readonly Column[] = [
  { name: "account_domain", type: "text" }, { name: "topic", type: "text" }, { name: "strength", type: "smallint" },
  { name: "observed_at", type: "timestamptz" }, { name: "source", type: "text" },
];

/**
 * Intent signals, keyed by (accountDomain, topic, observedAt, source): the same observation
 * sent twice is one signal; a new strength for it replaces the old one.
 */
export const intentIngest: IngestEntity<IntentRow> = {
  name: "intent",
  noun: "intent signal",
  fields: ["accountDomain", "topic", "strength", "observedAt", "source"],
  keyFields: ["accountDomain", "topic", "observedAt", "source"],
  keyColumns: ["account_domain", "topic", "observed_at", "source"],
  columns: COLUMNS,

  validate(input, ctx) {
    const c = new RowCheck(input);
    const row = {
      accountDomain: c.domain("accountDomain", { required: true, account: true })!,
      topic: c.text("topic", { required: true, max: 200 })!,
      strength: c.int("strength", { required: true, min: 0, max: 100 })!,
      observedAt: c.timestamp("observedAt", { required: true, notAfterMs: ctx.latestMs })?.iso as string,
      source: c.text("source", { max: 200 }) ?? "",
    };
    return { row: c.errors.length ? null : row, errors: c.errors };
  },

  key: (r) => JSON.stringify([r.accountDomain, r.topic, r.observedAt, r.source]),

  values: (r) => [r.accountDomain, r.topic, r.strength, r.observedAt, r.source],

  async merge(client, source): Promise<MergeOutcome> {
    const p = new SqlParams(source.params);
    const psl = p.add(PUBLIC_SUFFIX_PARAM, "text[]");
    const { rows } = await client.query<{ inserted: number; updated: number; held_written: number; total: number }>(
      `WITH ${srcCte(source)},
       res AS (${resolveDomainsSql("SELECT DISTINCT account_domain FROM src", psl)}),
       rows AS (SELECT s.*, r.account_id FROM src s LEFT JOIN res r ON r.domain = s.account_domain),
       w AS (
         INSERT INTO intent_signals AS t (account_id, account_domain, topic, strength, observed_at, source)
         SELECT account_id, account_domain, topic, strength, observed_at, source
           FROM rows ORDER BY account_domain, topic, observed_at, source
         ON CONFLICT ON CONSTRAINT intent_signals_natural_key DO UPDATE SET account_id = excluded.account_id, strength = excluded.strength
         WHERE (t.account_id, t.strength) IS DISTINCT FROM (excluded.account_id, excluded.strength)
         RETURNING t.account_id, (t.xmax = 0) AS inserted
       )
       SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated,
              count(*) FILTER (WHERE account_id IS NULL)::int AS held_written, (SELECT count(*) FROM src)::int AS total
         FROM w`,
      p.values,
    );
    const r = rows[0]!;
    return { inserted: r.inserted, updated: r.updated, held: await heldCount(client, source, r, "intent_signals", ["account_domain", "topic", "observed_at", "source"]), stitched: 0 };
  },
};

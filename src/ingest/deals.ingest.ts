import { DealOutcome } from "../deals/deal.type";
import type { IngestEntity, MergeOutcome } from "./ingest-entity";
import { RowCheck } from "./row-check";
import { type Column, SqlParams, srcCte } from "./row-source";
import { heldCount, PUBLIC_SUFFIX_PARAM, resolveDomainsSql } from "./stitch.sql";

export interface DealRow {
  readonly externalId: string;
  readonly accountDomain: string;
  readonly name: string | null;
  readonly amount: number;
  readonly stage: string | null;
  readonly outcome: DealOutcome;
  readonly createdAt: string;
  readonly closedAt: string | null;
}

const COLUMNS: readonly Column[] = [
  { name: "external_id", type: "text" }, { name: "account_domain", type: "text" }, { name: "name", type: "text" },
  { name: "amount", type: "numeric" }, { name: "stage", type: "text" }, { name: "outcome", type: "text" },
  { name: "created_at", type: "timestamptz" }, { name: "closed_at", type: "timestamptz" },
];

/**
 * Deals, keyed by external id. A CRM sends the whole opportunity each time, so re-sending one
 * replaces it. WON and LOST deals need `closedAt`, which cannot precede `createdAt`; an OPEN
 * deal may carry an expected close date.
 */
export const dealsIngest: IngestEntity<DealRow> = {
  name: "deals",
  noun: "deal",
  fields: ["externalId", "accountDomain", "name", "amount", "stage", "outcome", "createdAt", "closedAt"],
  keyFields: ["externalId"],
  keyColumns: ["external_id"],
  columns: COLUMNS,

  validate(input, ctx) {
    const c = new RowCheck(input);
    const externalId = c.text("externalId", { required: true, max: 200 });
    const accountDomain = c.domain("accountDomain", { required: true, account: true });
    const name = c.text("name", { max: 300 }) ?? null;
    const amount = c.number("amount", { required: true, min: 0, max: 9_999_999_999_999_999 });
    const stage = c.text("stage", { max: 100 }) ?? null;
    const outcome = c.oneOf("outcome", Object.values(DealOutcome), { required: true });
    const createdAt = c.timestamp("createdAt", { required: true, notAfterMs: ctx.latestMs });
    const closedAt = c.timestamp("closedAt", { notAfterMs: ctx.latestMs });
    if ((outcome === DealOutcome.WON || outcome === DealOutcome.LOST) && c.raw("closedAt") == null) {
      c.fail("closedAt", `a ${outcome} deal needs closedAt, the time it was ${outcome === DealOutcome.WON ? "won" : "lost"}`);
    }
    if (createdAt && closedAt && closedAt.epochMs < createdAt.epochMs) {
      c.fail("closedAt", `closedAt ${closedAt.iso} is before createdAt ${createdAt.iso}; a deal closes after it is created`);
    }
    if (c.errors.length) return { row: null, errors: c.errors };
    return {
      row: { externalId: externalId!, accountDomain: accountDomain!, name, amount: amount!, stage, outcome: outcome!, createdAt: createdAt!.iso, closedAt: closedAt?.iso ?? null },
      errors: [],
    };
  },

  key: (r) => r.externalId,

  values: (r) => [r.externalId, r.accountDomain, r.name, r.amount, r.stage, r.outcome, r.createdAt, r.closedAt],

  async merge(client, source): Promise<MergeOutcome> {
    const p = new SqlParams(source.params);
    const psl = p.add(PUBLIC_SUFFIX_PARAM, "text[]");
    const { rows } = await client.query<{ inserted: number; updated: number; held_written: number; total: number }>(
      `WITH ${srcCte(source)},
       res AS (${resolveDomainsSql("SELECT DISTINCT account_domain FROM src", psl)}),
       rows AS (SELECT s.*, r.account_id FROM src s LEFT JOIN res r ON r.domain = s.account_domain),
       w AS (
         INSERT INTO deals AS t (external_id, account_id, account_domain, name, amount, stage, outcome, created_at, closed_at)
         SELECT external_id, account_id, account_domain, name, amount, stage, outcome, created_at, closed_at
           FROM rows ORDER BY external_id
         ON CONFLICT (external_id) DO UPDATE SET
           account_id = excluded.account_id, account_domain = excluded.account_domain, name = excluded.name, amount = excluded.amount,
           stage = excluded.stage, outcome = excluded.outcome, created_at = excluded.created_at, closed_at = excluded.closed_at,
           updated_at = now()
         WHERE (t.account_id, t.account_domain, t.name, t.amount, t.stage, t.outcome, t.created_at, t.closed_at)
               IS DISTINCT FROM
               (excluded.account_id, excluded.account_domain, excluded.name, excluded.amount, excluded.stage, excluded.outcome,
                excluded.created_at, excluded.closed_at)
         RETURNING t.account_id, (t.xmax = 0) AS inserted
       )
       SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated,
              count(*) FILTER (WHERE account_id IS NULL)::int AS held_written, (SELECT count(*) FROM src)::int AS total
         FROM w`,
      p.values,
    );
    const r = rows[0]!;
    return { inserted: r.inserted, updated: r.updated, held: await heldCount(client, source, r, "deals", ["external_id"]), stitched: 0 };
  },
};

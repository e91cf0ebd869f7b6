import type { PoolClient } from "pg";
import type { Config } from "../platform/config/config";
import type { Database } from "../platform/db/database";
import { BadInputError } from "../platform/errors/errors";
import type { BatchResult, RowError } from "./batch-result.type";
import { INGEST_ENTITIES } from "./ingest-entities";
import type { EntityName, IngestEntity, ValidationContext } from "./ingest-entity";
import type { IngestStatus } from "./ingest-status.type";
import { type ImportRequest, type ImportSummary, runImport } from "./import/csv-import";
import { arraySource } from "./row-source";
import { prepareIngestTransaction } from "./stitch.sql";
import { isConcurrencyFailure } from "../platform/db/pg-errors";

/** Timestamps up to a day ahead pass (clock skew); later ones are a time-zone mistake. */
const FUTURE_TOLERANCE_MS = 24 * 3_600_000;

/** PostgreSQL errors after which the whole batch may simply run again (it is idempotent). */

/**
 * Batch writes of CRM and marketing data: check every row in Node, then write the batch with
 * one set-based statement per table and stitch what it unblocks, all in one transaction.
 * A batch with any invalid row writes nothing and reports every row's errors.
 */
export class IngestService {
  constructor(private readonly db: Database, private readonly config: Config) {}

  /** What row checks need from configuration, as of now. */
  validationContext(): ValidationContext {
    return {
      internalDomains: this.config.internalDomains,
      eventTypes: new Set(this.config.eventTypes.map((t) => t.toLowerCase())),
      latestMs: Date.now() + FUTURE_TOLERANCE_MS,
    };
  }

  /** Checks and writes one batch of `entity` rows (GraphQL input objects, or any objects with the same fields). */
  async write(name: EntityName, inputs: readonly object[]): Promise<BatchResult> {
    const entity = INGEST_ENTITIES[name];
    if (inputs.length > this.config.maxBatchSize) {
      throw new BadInputError(
        `A batch may hold at most ${this.config.maxBatchSize} ${entity.noun}s; this one has ${inputs.length}. Split it into smaller batches.`,
        { field: "input", maxBatchSize: this.config.maxBatchSize },
      );
    }
    const { rows, errors } = checkBatch(entity, inputs, this.validationContext());
    if (errors.length > 0) return rejected(errors);
    if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0, held: 0, stitched: 0, errors: [] };
    const source = arraySource(entity.columns, rows.map((r) => entity.values(r)));
    return this.retrying(async (client) => {
      await prepareIngestTransaction(client);
      const conflicts = entity.conflicts ? await entity.conflicts(client, source) : [];
      if (conflicts.length > 0) return rejected(conflicts.map((c) => ({ index: c.idx, field: c.field, message: c.message })));
      const outcome = await entity.merge(client, source);
      return { ...outcome, unchanged: rows.length - outcome.inserted - outcome.updated, errors: [] };
    });
  }

  /** Imports CSV files through their mappings, in one transaction (see runImport). */
  importFiles(request: ImportRequest): Promise<ImportSummary> {
    return runImport(this.db, this.validationContext(), request);
  }

  /** Counts of held facts, and the domains they wait for. */
  async status(first: number): Promise<IngestStatus> {
    if (!Number.isInteger(first) || first < 0 || first > 1_000) throw new BadInputError(`first must be between 0 and 1000 (got ${first})`, { field: "first" });
    const [counts] = await this.db.query<Omit<IngestStatus, "domains">>(
      `SELECT (SELECT count(*) FROM contacts WHERE account_id IS NULL AND account_domain IS NOT NULL)::int AS "heldContacts",
              (SELECT count(*) FROM contacts WHERE account_id IS NULL AND account_domain IS NULL)::int AS "unstitchableContacts",
              (SELECT count(*) FROM engagement_events WHERE account_id IS NULL AND account_domain IS NOT NULL)::int AS "heldEvents",
              (SELECT count(*) FROM engagement_events WHERE account_id IS NULL AND account_domain IS NULL)::int AS "eventsAwaitingContact",
              (SELECT count(*) FROM intent_signals WHERE account_id IS NULL)::int AS "heldIntentSignals",
              (SELECT count(*) FROM deals WHERE account_id IS NULL)::int AS "heldDeals",
              (SELECT count(*) FROM accounts WHERE parent_domain IS NOT NULL AND parent_id IS NULL)::int AS "heldParentLinks"`);
    const domains = first === 0 ? [] : await this.db.query<IngestStatus["domains"][number]>(
      `SELECT domain, sum(c)::int AS contacts, sum(e)::int AS events, sum(i)::int AS "intentSignals", sum(d)::int AS deals,
              sum(s)::int AS subsidiaries, sum(c + e + i + d + s)::int AS total
         FROM (SELECT account_domain AS domain, count(*) AS c, 0 AS e, 0 AS i, 0 AS d, 0 AS s
                 FROM contacts WHERE account_id IS NULL AND account_domain IS NOT NULL GROUP BY 1
               UNION ALL
               SELECT account_domain, 0, count(*), 0, 0, 0 FROM engagement_events WHERE account_id IS NULL AND account_domain IS NOT NULL GROUP BY 1
               UNION ALL
               SELECT account_domain, 0, 0, count(*), 0, 0 FROM intent_signals WHERE account_id IS NULL GROUP BY 1
               UNION ALL
               SELECT account_domain, 0, 0, 0, count(*), 0 FROM deals WHERE account_id IS NULL GROUP BY 1
               UNION ALL
               SELECT parent_domain, 0, 0, 0, 0, count(*) FROM accounts WHERE parent_domain IS NOT NULL AND parent_id IS NULL GROUP BY 1) x
        GROUP BY domain
        ORDER BY total DESC, domain
        LIMIT $1`, [first]);
    return { ...counts!, domains };
  }

  /** Runs `fn` in a transaction, again (up to 3 times) when PostgreSQL reports a deadlock or a serialization failure. */
  private async retrying<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.tx(fn);
      } catch (err) {
        if (attempt >= 3 || !isConcurrencyFailure(err)) throw err;
      }
    }
  }
}

/**
 * Checks every row and finds duplicate keys within the batch. Returns the checked rows, or
 * the errors of all rows (ordered by row).
 */
export function checkBatch<Row>(entity: IngestEntity<Row>, inputs: readonly object[], ctx: ValidationContext): { rows: Row[]; errors: RowError[] } {
  const rows: Row[] = [];
  const errors: RowError[] = [];
  const seen = new Map<string, number>();
  inputs.forEach((input, index) => {
    const checked = entity.validate(input as Record<string, unknown>, ctx);
    for (const e of checked.errors) errors.push({ index, field: e.field, message: e.message });
    if (!checked.row) return;
    const key = entity.key(checked.row);
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({ index, field: entity.keyFields[0]!, message: `duplicates row ${first} (same ${entity.keyFields.join(" + ")}); send each ${entity.noun} once per batch` });
      return;
    }
    seen.set(key, index);
    rows.push(checked.row);
  });
  return { rows, errors };
}

function rejected(errors: RowError[]): BatchResult {
  return { inserted: 0, updated: 0, unchanged: 0, held: 0, stitched: 0, errors: [...errors].sort((a, b) => a.index - b.index) };
}

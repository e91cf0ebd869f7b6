import type { PoolClient } from "pg";
import type { FieldError } from "./row-check";
import type { Column, RowSource } from "./row-source";

export const ENTITY_NAMES = ["accounts", "contacts", "events", "intent", "deals"] as const;
export type EntityName = (typeof ENTITY_NAMES)[number];

/** What row checks need to know beyond the row: configuration and the clock. */
export interface ValidationContext {
  readonly internalDomains: readonly string[];
  readonly eventTypes: ReadonlySet<string>;
  /** Timestamps later than this are in the future (a time-zone mistake, usually). */
  readonly latestMs: number;
}

/** What one merge did. */
export interface MergeOutcome {
  readonly inserted: number;
  readonly updated: number;
  /** Rows of this batch stored without an account, waiting for it to arrive. */
  readonly held: number;
  /** Earlier held facts (or parent links) this batch attached to an account. */
  readonly stitched: number;
}

/** A row that cannot be written because of stored data (a parent cycle), found in SQL. */
export interface RowConflict {
  /** The row's `idx` in its source: batch index, or line number in an import. */
  readonly idx: number;
  /** The row's natural key, for the reject file. */
  readonly key: string;
  readonly field: string;
  readonly message: string;
}

/**
 * One kind of input row: how to check it (in Node, once for every write path), the columns
 * its checked form travels in, and the set-based merge that writes a whole batch and
 * stitches what it unblocks.
 */
export interface IngestEntity<Row> {
  readonly name: EntityName;
  /** Singular noun for messages: "account". */
  readonly noun: string;
  /** Input fields, as GraphQL and import mappings name them. */
  readonly fields: readonly string[];
  /** Input fields that form the natural key. */
  readonly keyFields: readonly string[];
  /** Source columns that form the natural key (for finding duplicates in a staging table). */
  readonly keyColumns: readonly string[];
  readonly columns: readonly Column[];
  validate(input: Readonly<Record<string, unknown>>, ctx: ValidationContext): { row: Row | null; errors: FieldError[] };
  /** The natural key of a checked row, for duplicates within a batch. */
  key(row: Row): string;
  /** The row's values in `columns` order. */
  values(row: Row): unknown[];
  /** Rows that stored data makes impossible (checked before anything is written). */
  conflicts?(client: PoolClient, source: RowSource): Promise<RowConflict[]>;
  /** Writes the source's rows in one set-based statement, then stitches. */
  merge(client: PoolClient, source: RowSource): Promise<MergeOutcome>;
}

/** Bit `i` set when optional field `i` was sent (an omitted field keeps its stored value). */
export function presentMask(input: Readonly<Record<string, unknown>>, optional: readonly string[]): number {
  let mask = 0;
  for (let i = 0; i < optional.length; i++) if (input[optional[i]!] !== undefined) mask |= 1 << i;
  return mask;
}

/** `CASE` choosing the sent value when optional field `bit` was sent, else the stored one. */
export function sentOrStored(bit: number, sent: string, stored: string): string {
  return `CASE WHEN s.present & ${1 << bit} <> 0 THEN ${sent} ELSE ${stored} END`;
}

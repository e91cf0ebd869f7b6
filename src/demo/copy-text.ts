import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";

/** `\N`: NULL in PostgreSQL's COPY text format. */
export const NULL = "\\N";

/** A value for COPY text format: backslash, tab and line breaks escaped; null → `\N`. */
export function copyValue(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return NULL;
  if (typeof value === "boolean") return value ? "t" : "f";
  const text = String(value);
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : text;
}

const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** A `text[]` literal for COPY (the elements must not need quoting). */
export function copyArray(items: readonly string[]): string {
  return `{${items.join(",")}}`;
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));

/**
 * Formats epoch seconds as `YYYY-MM-DD HH:MM:SS+00` without a Date per row: the day part is
 * cached, which matters at ten million events.
 */
export class TimestampFormatter {
  private readonly days = new Map<number, string>();

  format(epochSeconds: number): string {
    const day = Math.floor(epochSeconds / 86_400);
    let prefix = this.days.get(day);
    if (prefix === undefined) {
      prefix = `${new Date(day * 86_400_000).toISOString().slice(0, 10)} `;
      this.days.set(day, prefix);
    }
    const s = epochSeconds - day * 86_400;
    return `${prefix}${TWO_DIGITS[Math.floor(s / 3600)]}:${TWO_DIGITS[Math.floor((s % 3600) / 60)]}:${TWO_DIGITS[s % 60]}+00`;
  }
}

/**
 * Streams rows (each a complete COPY text line) into `table` over the client's connection,
 * honouring back-pressure: rows are generated only as fast as PostgreSQL takes them.
 */
export async function copyRows(client: PoolClient, table: string, columns: readonly string[], rows: Iterable<string>): Promise<void> {
  const sink = client.query(copyFrom(`COPY ${table} (${columns.join(", ")}) FROM STDIN`));
  await pipeline(Readable.from(batches(rows), { objectMode: false }), sink);
}

/** Joins lines into ~64 KiB writes: one socket write per line would dominate the cost. */
function* batches(lines: Iterable<string>): Generator<string> {
  let buffer = "";
  for (const line of lines) {
    buffer += line;
    if (buffer.length >= 65_536) {
      yield buffer;
      buffer = "";
    }
  }
  if (buffer !== "") yield buffer;
}

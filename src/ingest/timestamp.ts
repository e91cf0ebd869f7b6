import { type Checked, clip } from "./domain-rules";

/** An instant checked for ingest: a canonical UTC string PostgreSQL stores exactly, and its time. */
export interface Instant {
  /** `2024-01-05T08:00:00.000000Z`: microsecond precision, as `timestamptz` keeps it. */
  readonly iso: string;
  readonly epochMs: number;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Checks an ISO 8601 date-time that must carry its time zone: `Z` or an offset. A timestamp
 * without one is ambiguous (whose 10:00?), so it is an error, not a guess.
 *
 * @example checkTimestamp("2024-01-05T10:00:00+02:00") // ok: 2024-01-05T08:00:00.000000Z
 * @example checkTimestamp("2024-01-05T10:00:00")       // error: has no time zone
 */
export function checkTimestamp(input: string): Checked<Instant> {
  const text = input.trim();
  const m = ISO.exec(text);
  if (!m) return { ok: false, message: `"${clip(input)}" is not an ISO 8601 date-time; send e.g. 2024-01-05T10:00:00Z` };
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (h === undefined) return { ok: false, message: `"${clip(input)}" is a date without a time; send a date-time with a time zone, e.g. ${y}-${mo}-${d}T00:00:00Z` };
  if (zone === undefined) return { ok: false, message: `"${clip(input)}" has no time zone; add Z for UTC or an offset such as +02:00` };
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return { ok: false, message: `"${clip(input)}" is not a real date and time` };
  }
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== "Z") {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.replace(":", "").slice(3, 5) || 0);
    if (oh > 14 || om > 59) return { ok: false, message: `"${clip(input)}" has an impossible time-zone offset ${zone}` };
    offsetMinutes = (zone[0] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const digits = (frac ?? "").padEnd(6, "0").slice(0, 6);
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second, Number(digits.slice(0, 3))) - offsetMinutes * 60_000;
  if (year < 1900 || year > 2200) return { ok: false, message: `"${clip(input)}" is outside the years 1900–2200` };
  // Already UTC: the canonical text is the input's own fields (no Date round trip on the hot path).
  const iso = offsetMinutes === 0
    ? `${y}-${mo}-${d}T${h}:${mi}:${s ?? "00"}.${digits}Z`
    : `${new Date(epochMs).toISOString().slice(0, 23)}${digits.slice(3)}Z`;
  return { ok: true, value: { iso, epochMs } };
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS[month - 1]!;
}

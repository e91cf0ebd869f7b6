import { daysInMonth } from "../timestamp";

/**
 * Turns the dates of a CSV export into ISO 8601 instants. A format is written with tokens
 * `yyyy yy MM M MMM dd d HH H hh h a mm ss SSS XXX`, anything else literal; `iso` accepts
 * ISO 8601 as is; `unix` and `unix_ms` read epoch seconds or milliseconds. A value without
 * its own offset is read in the mapping's `timezone` (`UTC`, `+02:00`, or an IANA name such
 * as `Europe/Berlin`); without one it is an error, never a guess.
 *
 * @example parseDate("03/01/2017 14:05", compileDateFormat("MM/dd/yyyy HH:mm", "America/New_York"))
 *   // { ok: true, value: "2017-03-01T19:05:00.000Z" }
 */
export interface DateFormat {
  readonly format: string;
  readonly timezone: string | null;
  readonly parse: (text: string) => { ok: true; value: string } | { ok: false; message: string };
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

const TOKENS: Record<string, { re: string; part: string }> = {
  yyyy: { re: "(\\d{4})", part: "year" },
  yy: { re: "(\\d{2})", part: "year2" },
  MMM: { re: "([A-Za-z]{3,9})", part: "monthName" },
  MM: { re: "(\\d{2})", part: "month" },
  M: { re: "(\\d{1,2})", part: "month" },
  dd: { re: "(\\d{2})", part: "day" },
  d: { re: "(\\d{1,2})", part: "day" },
  HH: { re: "(\\d{2})", part: "hour" },
  H: { re: "(\\d{1,2})", part: "hour" },
  hh: { re: "(\\d{2})", part: "hour12" },
  h: { re: "(\\d{1,2})", part: "hour12" },
  a: { re: "([AaPp][Mm])", part: "ampm" },
  mm: { re: "(\\d{2})", part: "minute" },
  ss: { re: "(\\d{2})", part: "second" },
  SSS: { re: "(\\d{1,9})", part: "fraction" },
  XXX: { re: "(Z|[+-]\\d{2}:?\\d{2})", part: "offset" },
};
const TOKEN_RE = /yyyy|yy|MMM|MM|M|dd|d|HH|H|hh|h|a|mm|ss|SSS|XXX/g;

export class DateFormatError extends Error {
  override name = "DateFormatError";
}

/** Compiles a format once per mapping field; throws DateFormatError for a bad format or time zone. */
export function compileDateFormat(format: string, timezone: string | null): DateFormat {
  const zone = timezone === null ? null : checkZone(timezone);
  if (format === "iso") return { format, timezone, parse: (t) => parseIso(t, zone) };
  if (format === "unix" || format === "unix_ms") {
    const scale = format === "unix" ? 1000 : 1;
    return {
      format, timezone,
      parse: (t) => (/^\d{1,13}(\.\d+)?$/.test(t) ? { ok: true, value: new Date(Number(t) * scale).toISOString() } : { ok: false, message: `"${t}" is not ${format === "unix" ? "epoch seconds" : "epoch milliseconds"}` }),
    };
  }
  const parts: string[] = [];
  let re = "^";
  let last = 0;
  for (const m of format.matchAll(TOKEN_RE)) {
    re += escapeRe(format.slice(last, m.index)) + TOKENS[m[0]]!.re;
    parts.push(TOKENS[m[0]]!.part);
    last = m.index! + m[0].length;
  }
  re += `${escapeRe(format.slice(last))}$`;
  if (!parts.includes("year") && !parts.includes("year2")) throw new DateFormatError(`The date format "${format}" has no year (yyyy)`);
  if (!parts.includes("month") && !parts.includes("monthName")) throw new DateFormatError(`The date format "${format}" has no month (MM)`);
  if (!parts.includes("day")) throw new DateFormatError(`The date format "${format}" has no day (dd)`);
  if (parts.includes("hour12") !== parts.includes("ampm")) throw new DateFormatError(`The date format "${format}" uses a 12-hour clock: it needs both hh and a (AM/PM)`);
  const regex = new RegExp(re);
  return {
    format, timezone,
    parse(text) {
      const m = regex.exec(text);
      if (!m) return { ok: false, message: `"${text}" does not match the date format ${format}` };
      const v: Record<string, string> = {};
      parts.forEach((p, i) => { v[p] = m[i + 1]!; });
      const year = v.year ? Number(v.year) : 2000 + Number(v.year2) - (Number(v.year2) >= 70 ? 100 : 0);
      const month = v.monthName ? MONTHS.indexOf(v.monthName.slice(0, 3).toLowerCase()) + 1 : Number(v.month);
      const day = Number(v.day);
      let hour = Number(v.hour ?? v.hour12 ?? 0);
      if (v.ampm) {
        if (hour < 1 || hour > 12) return { ok: false, message: `"${text}" has hour ${hour} on a 12-hour clock` };
        hour = (hour % 12) + (v.ampm.toLowerCase() === "pm" ? 12 : 0);
      }
      const minute = Number(v.minute ?? 0), second = Number(v.second ?? 0);
      if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
        return { ok: false, message: `"${text}" is not a real date (format ${format})` };
      }
      const ms = Number((v.fraction ?? "0").padEnd(3, "0").slice(0, 3));
      const local = Date.UTC(year, month - 1, day, hour, minute, second, ms);
      const utc = v.offset !== undefined ? local - offsetMinutes(v.offset) * 60_000 : zone ? zone(local) : null;
      if (utc === null) return { ok: false, message: `"${text}" has no time zone; set "timezone" in the import mapping (e.g. "UTC")` };
      return { ok: true, value: new Date(utc).toISOString() };
    },
  };
}

/** `local wall-clock ms → UTC ms` for a zone name or fixed offset. */
type Zone = (localMs: number) => number;

function checkZone(timezone: string): Zone {
  if (/^(utc|z|gmt)$/i.test(timezone)) return (l) => l;
  if (/^[+-]\d{2}:?\d{2}$/.test(timezone)) {
    const off = offsetMinutes(timezone);
    return (l) => l - off * 60_000;
  }
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat("en-US", { timeZone: timezone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
  } catch {
    throw new DateFormatError(`Unknown time zone "${timezone}"; use UTC, an offset such as +02:00, or an IANA name such as Europe/Berlin`);
  }
  const offsetAt = (utcMs: number): number => {
    const p = Object.fromEntries(fmt.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
    const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
    return asUtc - Math.floor(utcMs / 1000) * 1000;
  };
  return (local) => {
    const first = local - offsetAt(local);
    return local - offsetAt(first);
  };
}

const HAS_ZONE = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

function parseIso(text: string, zone: Zone | null): { ok: true; value: string } | { ok: false; message: string } {
  if (HAS_ZONE.test(text) && text.includes("T")) return { ok: true, value: text }; // checked in full by the row check
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(text.trim());
  if (!m) return { ok: false, message: `"${text}" is not an ISO 8601 date-time` };
  if (m[8] !== undefined) return { ok: true, value: text.trim() };
  if (!zone) return { ok: false, message: `"${text}" has no time zone; set "timezone" in the import mapping (e.g. "UTC")` };
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return { ok: false, message: `"${text}" is not a real date` };
  const local = Date.UTC(year, month - 1, day, Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), Number((m[7] ?? "0").padEnd(3, "0").slice(0, 3)));
  return { ok: true, value: new Date(zone(local)).toISOString() };
}

function offsetMinutes(offset: string): number {
  if (offset.toUpperCase() === "Z") return 0;
  const digits = offset.replace(":", "");
  return (digits[0] === "-" ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

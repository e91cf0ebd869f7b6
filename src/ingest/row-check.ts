import { type Checked, clip, normaliseAccountDomain, normaliseDomain, normaliseEmail } from "./domain-rules";
import { checkTimestamp, type Instant } from "./timestamp";

/** One problem with one field of one input row, in words that say what to change. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/**
 * Reads and checks the fields of one input row. The same checks serve GraphQL batches (typed
 * values) and CSV imports (strings from a mapping), so every rule exists once.
 *
 * Each reader returns `undefined` when the field was omitted (an upsert keeps the stored
 * value), `null` when it was sent empty, and the checked value otherwise; problems collect in
 * `errors` so a row reports all of them at once.
 */
export class RowCheck {
  readonly errors: FieldError[] = [];

  constructor(private readonly input: Readonly<Record<string, unknown>>) {}

  fail(field: string, message: string): void {
    this.errors.push({ field, message });
  }

  /** The raw value: undefined when omitted, null when empty (blank strings are empty). */
  raw(field: string): unknown {
    const value = this.input[field];
    if (typeof value === "string" && (value.length === 0 || (value.charCodeAt(0) <= 32 && value.trim() === ""))) return null;
    return value;
  }

  private required<T>(field: string, value: T | null | undefined, required: boolean): T | null | undefined {
    if ((value === null || value === undefined) && required) {
      this.fail(field, `${field} is required`);
      return undefined;
    }
    return value;
  }

  text(field: string, opts: { required?: boolean; max?: number } = {}): string | null | undefined {
    const value = this.raw(field);
    if (value === null || value === undefined) return this.required(field, value, opts.required ?? false);
    const text = typeof value === "string" ? squeeze(value) : typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
    if (text === undefined) return this.bad(field, `${field} must be text`);
    // PostgreSQL text cannot hold U+0000; a CSV export can (GraphQL requests are refused before this).
    if (text.includes("\u0000")) return this.bad(field, `${field} contains a NUL character (U+0000), which cannot be stored; remove it from the source`);
    const max = opts.max ?? 1_000;
    if (text.length > max) return this.bad(field, `${field} is ${text.length} characters long; the most is ${max}`);
    return text;
  }

  int(field: string, opts: { required?: boolean; min?: number; max?: number } = {}): number | null | undefined {
    const n = this.number(field, { ...opts, max: opts.max ?? 2_147_483_647 });
    if (n === null || n === undefined) return n;
    if (!Number.isInteger(n)) return this.bad(field, `${field} must be a whole number (got ${n})`);
    return n;
  }

  number(field: string, opts: { required?: boolean; min?: number; max?: number } = {}): number | null | undefined {
    const value = this.raw(field);
    if (value === null || value === undefined) return this.required(field, value, opts.required ?? false);
    const n = typeof value === "number" ? value : typeof value === "string" && NUMBER.test(value.trim()) ? Number(value.trim()) : NaN;
    if (!Number.isFinite(n)) return this.bad(field, `${field} must be a number (got ${show(value)})`);
    if (opts.min !== undefined && n < opts.min) return this.bad(field, `${field} must be ${opts.min} or more (got ${n})`);
    if (opts.max !== undefined && n > opts.max) return this.bad(field, `${field} must be ${opts.max} or less (got ${n})`);
    return n;
  }

  bool(field: string): boolean | null | undefined {
    const value = this.raw(field);
    if (value === null || value === undefined || typeof value === "boolean") return value;
    const text = String(value).trim().toLowerCase();
    if (TRUE.has(text)) return true;
    if (FALSE.has(text)) return false;
    return this.bad(field, `${field} must be true or false (got ${show(value)})`);
  }

  /** An enum value; case and spaces/hyphens are forgiven (`closed won` is not, `c-level` → C_LEVEL is). */
  oneOf<T extends string>(field: string, allowed: readonly T[], opts: { required?: boolean } = {}): T | null | undefined {
    const value = this.raw(field);
    if (value === null || value === undefined) return this.required(field, value, opts.required ?? false);
    const text = String(value).trim().toUpperCase().replace(/[\s-]+/g, "_");
    if ((allowed as readonly string[]).includes(text)) return text as T;
    return this.bad(field, `${field} must be one of ${allowed.join(", ")} (got ${show(value)}); map other spellings in the import mapping`);
  }

  timestamp(field: string, opts: { required?: boolean; notAfterMs?: number } = {}): Instant | null | undefined {
    const value = this.raw(field);
    if (value === null || value === undefined) return this.required(field, value, opts.required ?? false);
    const checked = value instanceof Date
      ? checkTimestamp(Number.isNaN(value.getTime()) ? "invalid" : value.toISOString())
      : typeof value === "string" ? checkTimestamp(value) : { ok: false as const, message: `must be an ISO 8601 date-time string` };
    const instant = this.unwrap(field, checked);
    if (instant && opts.notAfterMs !== undefined && instant.epochMs > opts.notAfterMs) {
      return this.bad(field, `${field} ${instant.iso} is in the future; check the time zone`);
    }
    return instant;
  }

  domain(field: string, opts: { required?: boolean; account?: boolean } = {}): string | null | undefined {
    const value = this.raw(field);
    if (value === null || value === undefined) return this.required(field, value, opts.required ?? false);
    if (typeof value !== "string") return this.bad(field, `${field} must be a domain name`);
    return this.unwrap(field, opts.account ? normaliseAccountDomain(value) : normaliseDomain(value));
  }

  email(field: string, opts: { required?: boolean } = {}): { email: string; domain: string } | null | undefined {
    const value = this.raw(field);
    if (value === null || value === undefined) return this.required(field, value, opts.required ?? false);
    if (typeof value !== "string") return this.bad(field, `${field} must be an email address`);
    return this.unwrap(field, normaliseEmail(value));
  }

  /** A list of short texts: an array, or one string split on `separator`; trimmed, blanks and repeats dropped. */
  textList(field: string, separator = ";"): string[] | null | undefined {
    const value = this.raw(field);
    if (value === null || value === undefined) return value;
    const items = Array.isArray(value) ? value : typeof value === "string" ? value.split(separator) : undefined;
    if (!items || !items.every((v) => typeof v === "string")) return this.bad(field, `${field} must be a list of texts`);
    const list = [...new Set((items as string[]).map((v) => v.trim()).filter((v) => v !== ""))];
    if (list.length > 500 || list.some((v) => v.length > 200)) return this.bad(field, `${field} may hold at most 500 entries of at most 200 characters`);
    return list;
  }

  jsonObject(field: string): Record<string, unknown> | null | undefined {
    const value = this.input[field];
    if (value === null || value === undefined) return value;
    if (typeof value !== "object" || Array.isArray(value)) return this.bad(field, `${field} must be a JSON object`);
    const size = JSON.stringify(value).length;
    if (size > 65_536) return this.bad(field, `${field} is ${size} bytes as JSON; the most is 65536`);
    return value as Record<string, unknown>;
  }

  private unwrap<T>(field: string, checked: Checked<T>): T | undefined {
    if (checked.ok) return checked.value;
    return this.bad(field, `${field}: ${checked.message}`);
  }

  private bad(field: string, message: string): undefined {
    this.fail(field, message);
    return undefined;
  }
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const TRUE = new Set(["true", "t", "yes", "y", "1"]);
const FALSE = new Set(["false", "f", "no", "n", "0"]);

/** Trims and collapses runs of white space (the common case has none and costs one test). */
function squeeze(value: string): string {
  const trimmed = value.trim();
  return /\s\s|[\t\n\r\f\v]/.test(trimmed) ? trimmed.replace(/\s+/g, " ") : trimmed;
}

function show(value: unknown): string {
  return typeof value === "string" ? `"${clip(value, 60)}"` : clip(JSON.stringify(value) ?? String(value), 60);
}

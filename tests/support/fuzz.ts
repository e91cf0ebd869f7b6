import {
  type GraphQLArgument, type GraphQLInputType, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType,
} from "graphql";
import type { Database } from "../../src/platform/db/database";

/*
 * Machinery of the mutation fuzz test (tests/platform/mutation-fuzz.test.ts): the input
 * leaves of a mutation's arguments, read from the executable schema; the hostile values each
 * kind of leaf gets; how a request carrying one is sent (JSON variables, raw JSON tokens, or
 * GraphQL literals); how its answer is judged; and a fingerprint of every table.
 */

/** A path into a mutation's arguments: `["input", 1, "name"]` is `input[1].name`. */
export type Path = readonly (string | number)[];

/** What sort of position a leaf is, which decides the hostile values it gets. */
export type LeafKind = "string" | "id" | "int" | "float" | "boolean" | "enum" | "date" | "json" | "list" | "object";

export interface Leaf {
  /** Which of the mutation's baselines it was found in. */
  readonly variant: number;
  readonly path: Path;
  readonly kind: LeafKind;
  readonly type: GraphQLInputType;
  readonly nonNull: boolean;
  /** The baseline's value there. */
  readonly base: unknown;
  /** For lists: whether the items are strings. */
  readonly ofStrings?: boolean;
}

export function showPath(path: Path): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** The input field a leaf belongs to, as error messages name it: `input[1].name` → `name`. */
export function fieldName(path: Path): string {
  return [...path].reverse().find((p): p is string => typeof p === "string")!;
}

/**
 * Every position in `args` (a baseline) that a hostile value can replace: scalars, enums,
 * lists and input objects, typed from the schema. Only positions present in the baseline are
 * listed, so a baseline chooses what gets fuzzed by what it sends. A scalar this test does
 * not know fails loudly, so a new scalar gets hostile values of its own.
 */
export function inputLeaves(args: readonly GraphQLArgument[], values: Record<string, unknown>, variant: number): Leaf[] {
  const out: Leaf[] = [];
  const walk = (type: GraphQLInputType, value: unknown, path: Path): void => {
    if (value === undefined || value === null) return;
    const nonNull = isNonNullType(type);
    const t = isNonNullType(type) ? type.ofType : type;
    const leaf = { variant, path, type, nonNull, base: value };
    if (isListType(t)) {
      const item = isNonNullType(t.ofType) ? t.ofType.ofType : t.ofType;
      out.push({ ...leaf, kind: "list", ofStrings: isScalarType(item) && item.name === "String" });
      if (Array.isArray(value)) value.forEach((v, i) => walk(t.ofType, v, [...path, i]));
      return;
    }
    if (isInputObjectType(t)) {
      out.push({ ...leaf, kind: "object" });
      for (const [name, field] of Object.entries(t.getFields())) walk(field.type, (value as Record<string, unknown>)[name], [...path, name]);
      return;
    }
    if (isEnumType(t)) {
      out.push({ ...leaf, kind: "enum" });
      return;
    }
    const kind = SCALAR_KINDS[t.name];
    if (!kind) throw new Error(`The fuzz test has no hostile values for scalar ${t.name} (at ${showPath(path)}); add it to SCALAR_KINDS`);
    out.push({ ...leaf, kind });
  };
  for (const arg of args) walk(arg.type, values[arg.name], [arg.name]);
  return out;
}

const SCALAR_KINDS: Record<string, LeafKind> = {
  String: "string", ID: "id", Int: "int", Float: "float", Boolean: "boolean", DateTime: "date", DateTimeTZ: "date", JSONObject: "json",
};

export function getAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

/** A copy of `value` with `path` set to `leaf` (only the containers on the path are copied). */
export function setAt<T>(value: T, path: Path, leaf: unknown): T {
  if (path.length === 0) return leaf as T;
  const [head, ...rest] = path;
  const copy: Record<string | number, unknown> = Array.isArray(value) ? [...value] as unknown as Record<number, unknown> : { ...(value as object) };
  copy[head!] = setAt(copy[head!], rest, leaf);
  return copy as T;
}

// ---------------------------------------------------------------------------------------
// Hostile values

export type HostileClass =
  | "sql" | "unicode" | "nul" | "surrogate" | "huge-string" | "body-limit" | "number" | "id-number"
  | "wrong-type" | "date" | "enum" | "deep" | "huge-array";

/**
 * What a case must come to:
 * - `reject`: a coded error (or ingest row errors), nothing written;
 * - `named`: that, and the error is BAD_USER_INPUT (or a row error) naming the field;
 * - `either`: that, or success with the value stored verbatim.
 */
export type Expectation = "reject" | "named" | "either";

/** How the request carries the value: JSON variables, raw JSON text at the leaf, or literals in the document. */
export type SendMode = "json" | "raw" | "inline";

export interface Hostile {
  readonly cls: HostileClass;
  readonly label: string;
  readonly kinds: readonly LeafKind[];
  readonly expect: Expectation;
  readonly mode: SendMode;
  /** Further narrows the leaves it applies to. */
  readonly when?: (leaf: Leaf) => boolean;
  /** Sent to every leaf it applies to, not to one leaf per mutation. */
  readonly every?: boolean;
  /** The value (what the server sees when it parses the request), and the text sent in its place for raw and inline modes. */
  make(leaf: Leaf, env: HostileEnv): { value: unknown; text?: string };
}

export interface HostileEnv {
  readonly maxBodyBytes: number;
  readonly maxBatchSize: number;
  /** `count` valid, distinct rows for the mutation's batch argument. */
  rows(count: number): unknown[];
}

const STRINGISH: LeafKind[] = ["string", "id"];
const SCALARS: LeafKind[] = ["string", "id", "int", "float", "boolean", "enum", "date", "json"];
const NUMBERS: LeafKind[] = ["int", "float"];

const SQL = [
  "'; DROP TABLE accounts; --",
  "\" OR 1=1 --",
  "\\'; --\\\\",
  "$1 $2::text",
  "%_%",
  "x' OR 'a'='a",
  "1; TRUNCATE contacts",
];
const UNICODE = [
  "\u202Egnp.exe\u202C Ñoño", // right-to-left override
  "شركة الأمل 🚀👩‍💻", // Arabic, emoji, a ZWJ sequence
  "Z\u0351\u0325a\u036Bl\u0310g\u0352o\u0301\u0301", // stacked combining marks
  "a\u200Bb\uFEFFc", // zero-width space, a BOM inside
  "𝕬𝖈𝖒𝖊 ☃", // astral plane
];

const value = (v: unknown) => () => ({ value: v });
const raw = (text: string, v?: unknown) => () => ({ value: v, text });

/** Nested objects `{"a": {"a": … 1}}`, as JSON text (too deep for JSON.stringify) or as a GraphQL literal. */
function nestedObject(depth: number, literal: boolean): { value: unknown; text: string } {
  const text = literal ? `${"{a: ".repeat(depth)}1${"}".repeat(depth)}` : `${"{\"a\":".repeat(depth)}1${"}".repeat(depth)}`;
  return { value: JSON.parse(`${"{\"a\":".repeat(depth)}1${"}".repeat(depth)}`), text };
}

function nestedList(depth: number, inner: unknown): { value: unknown; text: string } {
  const json = JSON.stringify(inner) ?? "null";
  const text = `${"[".repeat(depth)}${json}${"]".repeat(depth)}`;
  return { value: JSON.parse(text), text };
}

/** Every hostile value, by class. Deterministic: no randomness anywhere. */
export const HOSTILE: readonly Hostile[] = [
  ...SQL.map((s, i): Hostile => ({ cls: "sql", label: JSON.stringify(s), kinds: STRINGISH, expect: "either", mode: i === SQL.length - 1 ? "inline" : "json", make: value(s) })),
  { cls: "sql", label: "unterminated string literal", kinds: STRINGISH, expect: "reject", mode: "inline", make: raw("\"'; DROP TABLE accounts; --", "") },
  { cls: "sql", label: "SQL in attribute keys and values", kinds: ["json"], expect: "either", mode: "json",
    make: value({ "'; DROP TABLE accounts; --": "\" OR 1=1 --", $1: "%_", "back\\slash": "x\\'y", "a'b": ["'); DELETE FROM deals; --"] }) },

  ...UNICODE.map((s, i): Hostile => ({ cls: "unicode", label: JSON.stringify(s), kinds: STRINGISH, expect: "either", mode: i === 1 ? "inline" : "json", make: value(s) })),
  { cls: "unicode", label: "unicode keys and values", kinds: ["json"], expect: "either", mode: "json", make: value({ "🚀": "مرحبا\u202E", "e\u0301": ["👩‍💻"], Ωmega: { "\u200B": "ok" } }) },

  { cls: "nul", label: "NUL inside text", kinds: STRINGISH, expect: "named", mode: "json", every: true, make: value("Acme\u0000Corp") },
  { cls: "nul", label: "NUL alone", kinds: STRINGISH, expect: "named", mode: "json", make: value("\u0000") },
  { cls: "nul", label: "NUL in a literal", kinds: STRINGISH, expect: "named", mode: "inline", make: () => ({ value: "x\u0000y", text: "\"x\\u0000y\"" }) },
  { cls: "nul", label: "NUL in a JSON value", kinds: ["json"], expect: "named", mode: "json", make: value({ note: "a\u0000b" }) },
  { cls: "nul", label: "NUL in a JSON key", kinds: ["json"], expect: "named", mode: "json", make: value({ "k\u0000": 1 }) },
  { cls: "nul", label: "NUL in a JSON literal", kinds: ["json"], expect: "named", mode: "inline", make: () => ({ value: { note: "a\u0000" }, text: "{note: \"a\\u0000\"}" }) },

  { cls: "surrogate", label: "lone high surrogate", kinds: STRINGISH, expect: "named", mode: "json", make: value("\uD800") },
  { cls: "surrogate", label: "lone low surrogate inside text", kinds: STRINGISH, expect: "named", mode: "json", make: value("Acme \uDFFF Corp") },
  { cls: "surrogate", label: "lone surrogate in a literal", kinds: STRINGISH, expect: "reject", mode: "inline", make: () => ({ value: "\uD83D", text: "\"\\uD83D\"" }) },
  { cls: "surrogate", label: "lone surrogate in a JSON value", kinds: ["json"], expect: "named", mode: "json", make: value({ note: "\uDC00" }) },

  // No field of this API holds 100 KB of text: every one must have a bound.
  { cls: "huge-string", label: "100 KB string", kinds: STRINGISH, expect: "reject", mode: "json", every: true, make: value("x".repeat(100_000)) },
  { cls: "huge-string", label: "100 KB attribute", kinds: ["json"], expect: "reject", mode: "json", make: value({ blob: "y".repeat(100_000) }) },
  { cls: "body-limit", label: "string over the body limit", kinds: STRINGISH, expect: "reject", mode: "json", make: (_l, env) => ({ value: "z".repeat(env.maxBodyBytes + 1) }) },

  { cls: "number", label: "raw NaN", kinds: NUMBERS, expect: "reject", mode: "raw", make: raw("NaN") },
  { cls: "number", label: "raw Infinity", kinds: NUMBERS, expect: "reject", mode: "raw", make: raw("Infinity") },
  { cls: "number", label: "raw -Infinity", kinds: NUMBERS, expect: "reject", mode: "raw", make: raw("-Infinity") },
  { cls: "number", label: "\"NaN\" as a string", kinds: NUMBERS, expect: "reject", mode: "json", make: value("NaN") },
  { cls: "number", label: "\"Infinity\" as a string", kinds: NUMBERS, expect: "reject", mode: "json", make: value("Infinity") },
  { cls: "number", label: "-0", kinds: NUMBERS, expect: "either", mode: "raw", make: raw("-0", -0) },
  { cls: "number", label: "1e308", kinds: NUMBERS, expect: "either", mode: "json", make: value(1e308) },
  { cls: "number", label: "1e400 literal (Infinity)", kinds: NUMBERS, expect: "either", mode: "inline", make: raw("1e400", Infinity) },
  { cls: "number", label: "2^53+1", kinds: NUMBERS, expect: "either", mode: "raw", make: raw("9007199254740993", 9007199254740993) },
  { cls: "number", label: "2^31 (beyond Int32)", kinds: ["int"], expect: "reject", mode: "json", make: value(2 ** 31) },
  { cls: "number", label: "-2^31-1 (beyond Int32)", kinds: ["int"], expect: "reject", mode: "json", make: value(-(2 ** 31) - 1) },
  { cls: "number", label: "99999999999 literal", kinds: ["int"], expect: "reject", mode: "inline", make: raw("99999999999", 99999999999) },
  { cls: "number", label: "negative", kinds: NUMBERS, expect: "either", mode: "json", make: value(-1) },
  { cls: "number", label: "fraction for a count", kinds: ["int"], expect: "reject", mode: "json", make: value(2.5) },

  { cls: "id-number", label: "id beyond bigint", kinds: ["id"], expect: "either", mode: "json", every: true, make: value("99999999999999999999") },
  { cls: "id-number", label: "negative id", kinds: ["id"], expect: "either", mode: "json", make: value("-1") },
  { cls: "id-number", label: "id 0", kinds: ["id"], expect: "either", mode: "json", make: value("0") },
  { cls: "id-number", label: "id 1e3", kinds: ["id"], expect: "either", mode: "json", make: value("1e3") },
  { cls: "id-number", label: "id as a huge number", kinds: ["id"], expect: "either", mode: "raw", make: raw("1e21", "1e+21") },

  { cls: "wrong-type", label: "object for a scalar", kinds: ["string", "id", "int", "float", "boolean", "enum", "date"], expect: "reject", mode: "json", make: value({ a: 1 }) },
  { cls: "wrong-type", label: "array for a scalar", kinds: ["string", "id", "int", "float", "boolean", "date"], expect: "reject", mode: "json", make: value(["x", "y"]) },
  { cls: "wrong-type", label: "number for a string", kinds: ["string", "date"], expect: "reject", mode: "json", make: value(42) },
  { cls: "wrong-type", label: "boolean for text", kinds: ["string", "id", "enum"], expect: "reject", mode: "json", make: value(true) },
  { cls: "wrong-type", label: "string for a number", kinds: NUMBERS, expect: "reject", mode: "json", make: value("12") },
  { cls: "wrong-type", label: "string for a boolean", kinds: ["boolean"], expect: "reject", mode: "json", make: value("true") },
  { cls: "wrong-type", label: "number for a boolean", kinds: ["boolean"], expect: "reject", mode: "json", make: value(1) },
  { cls: "wrong-type", label: "array for JSON object", kinds: ["json"], expect: "reject", mode: "json", make: value([1, 2]) },
  { cls: "wrong-type", label: "string for JSON object", kinds: ["json"], expect: "reject", mode: "json", make: value("{}") },
  { cls: "wrong-type", label: "string for an input object", kinds: ["object"], expect: "reject", mode: "json", make: value("x") },
  { cls: "wrong-type", label: "number for a list", kinds: ["list"], expect: "reject", mode: "json", when: (l) => !l.ofStrings, make: value(7) },
  { cls: "wrong-type", label: "object for a list of strings", kinds: ["list"], expect: "reject", mode: "json", when: (l) => !!l.ofStrings, make: value({ a: "b" }) },
  { cls: "wrong-type", label: "null for non-null", kinds: SCALARS.concat(["list", "object"]), expect: "reject", mode: "json", when: (l) => l.nonNull, make: value(null) },
  { cls: "wrong-type", label: "null literal for non-null", kinds: SCALARS, expect: "reject", mode: "inline", when: (l) => l.nonNull, make: raw("null", null) },

  ...[
    "2026-02-30T10:00:00Z", "2026-03-01T10:00:00", "2026-03-01T10:00:00+25:00", "2026-03-01T25:61:00Z", "yesterday",
    "2026-03-01T10:00:00 Europe/Berlin", "+275760-09-13T00:00:00Z", "2026-03-01",
  ].map((d): Hostile => ({ cls: "date", label: JSON.stringify(d), kinds: ["date"], expect: "reject", mode: "json", make: value(d) })),
  // Blank is "empty" for an optional ingest date (as in a CSV cell), so only a required one must refuse it.
  { cls: "date", label: "blank", kinds: ["date"], expect: "reject", mode: "json", when: (l) => l.nonNull, make: value("") },
  { cls: "date", label: "year 0000", kinds: ["date"], expect: "either", mode: "json", make: value("0000-01-01T00:00:00Z") },
  { cls: "date", label: "year 9999", kinds: ["date"], expect: "either", mode: "json", make: value("9999-12-31T23:59:59Z") },
  { cls: "date", label: "epoch milliseconds", kinds: ["date"], expect: "either", mode: "json", make: value(1_772_000_000_000) },
  { cls: "date", label: "bad date literal", kinds: ["date"], expect: "reject", mode: "inline", make: raw("\"2026-13-01T00:00:00Z\"", "2026-13-01T00:00:00Z") },

  { cls: "enum", label: "unknown enum value", kinds: ["enum"], expect: "reject", mode: "json", make: value("NOT_A_VALUE") },
  { cls: "enum", label: "lower-case enum value", kinds: ["enum"], expect: "reject", mode: "json", make: (l) => ({ value: String(l.base).toLowerCase() }) },
  { cls: "enum", label: "SQL in an enum", kinds: ["enum"], expect: "reject", mode: "json", make: (l) => ({ value: `${String(l.base)}' OR '1'='1` }) },
  { cls: "enum", label: "empty enum", kinds: ["enum"], expect: "reject", mode: "json", make: value("") },
  { cls: "enum", label: "unknown enum literal", kinds: ["enum"], expect: "reject", mode: "inline", make: raw("NOT_A_VALUE", "NOT_A_VALUE") },
  { cls: "enum", label: "string literal for an enum", kinds: ["enum"], expect: "reject", mode: "inline", make: (l) => ({ value: l.base, text: JSON.stringify(l.base) }) },

  { cls: "deep", label: "JSON nested 100 deep", kinds: ["json"], expect: "either", mode: "raw", make: () => nestedObject(100, false) },
  { cls: "deep", label: "JSON nested 10,000 deep", kinds: ["json"], expect: "either", mode: "raw", make: () => nestedObject(10_000, false) },
  { cls: "deep", label: "JSON nested 100,000 deep", kinds: ["json"], expect: "either", mode: "raw", make: () => nestedObject(100_000, false) },
  { cls: "deep", label: "JSON literal nested 2,000 deep", kinds: ["json"], expect: "either", mode: "inline", make: () => nestedObject(2_000, true) },
  { cls: "deep", label: "lists nested 1,000 deep at a scalar", kinds: ["string", "id", "int", "float", "boolean", "enum", "date"], expect: "reject", mode: "raw", make: (l) => nestedList(1_000, l.base) },
  { cls: "deep", label: "lists nested 1,000 deep at a list", kinds: ["list"], expect: "reject", mode: "raw", make: (l) => nestedList(1_000, l.base) },
  { cls: "deep", label: "lists nested 100,000 deep", kinds: ["list", "string"], expect: "reject", mode: "raw", make: () => nestedList(100_000, "x") },

  { cls: "huge-array", label: "batch over the batch limit", kinds: ["list"], expect: "reject", mode: "json", when: (l) => l.path.length === 1,
    make: (_l, env) => ({ value: env.rows(env.maxBatchSize + 1) }) },
  { cls: "huge-array", label: "10,000 distinct strings", kinds: ["list"], expect: "reject", mode: "json", when: (l) => l.path.length > 1 && !!l.ofStrings,
    make: (l) => ({ value: Array.from({ length: 10_000 }, (_, i) => `${String((l.base as unknown[])[0])}-${i}`) }) },
];

// ---------------------------------------------------------------------------------------
// Requests

const RAW_MARK = "__fuzz_raw_value__";

/** A GraphQL literal for `value` of `type` (`raw` text where the value is the raw marker). */
export function literal(value: unknown, type: GraphQLInputType, rawText?: string): string {
  if (value === RAW_MARK) return rawText!;
  const t = isNonNullType(type) ? type.ofType : type;
  if (value === null) return "null";
  if (isListType(t)) return Array.isArray(value) ? `[${value.map((v) => literal(v, t.ofType, rawText)).join(", ")}]` : literal(value, t.ofType, rawText);
  if (isInputObjectType(t)) {
    const fields = t.getFields();
    return `{${Object.entries(value as object).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${fields[k] ? literal(v, fields[k]!.type, rawText) : jsonLiteral(v, rawText)}`).join(", ")}}`;
  }
  if (isEnumType(t) && typeof value === "string" && /^[_A-Za-z][_0-9A-Za-z]*$/.test(value)) return value;
  return jsonLiteral(value, rawText);
}

function jsonLiteral(value: unknown, rawText?: string): string {
  if (value === RAW_MARK) return rawText!;
  if (value === null) return "null";
  if (Array.isArray(value)) return `[${value.map((v) => jsonLiteral(v, rawText)).join(", ")}]`;
  if (typeof value === "object") return `{${Object.entries(value as object).map(([k, v]) => `${k}: ${jsonLiteral(v, rawText)}`).join(", ")}}`;
  return JSON.stringify(value);
}

export interface Operation {
  readonly field: string;
  readonly args: readonly GraphQLArgument[];
  readonly selection: string;
}

/**
 * The request body for `op` with `values` (one of them possibly replaced at `path`), in the
 * given mode. Raw and inline modes put `text` at the path verbatim.
 */
export function requestBody(op: Operation, values: Record<string, unknown>, mode: SendMode, hostile?: { path: Path; value: unknown; text?: string }): string {
  const present = op.args.filter((a) => values[a.name] !== undefined || (hostile && hostile.path[0] === a.name));
  // Raw text goes in through a marker; a value without text is sent (or printed) as itself.
  const text = hostile?.text;
  const withValue = hostile ? setAt(values, hostile.path, mode !== "json" && text !== undefined ? RAW_MARK : hostile.value) : values;
  if (mode === "inline") {
    const list = present.map((a) => `${a.name}: ${literal(withValue[a.name], a.type, text)}`).join(", ");
    return JSON.stringify({ query: `mutation Fuzz { ${op.field}${list ? `(${list})` : ""} ${op.selection} }` });
  }
  const defs = present.map((a) => `$${a.name}: ${a.type.toString()}`).join(", ");
  const call = present.map((a) => `${a.name}: $${a.name}`).join(", ");
  const query = `mutation Fuzz${defs ? `(${defs})` : ""} { ${op.field}${call ? `(${call})` : ""} ${op.selection} }`;
  const vars = Object.fromEntries(present.map((a) => [a.name, withValue[a.name]]));
  const body = JSON.stringify({ query, variables: vars });
  return mode === "raw" ? body.replace(JSON.stringify(RAW_MARK), () => text!) : body;
}

export interface RawResponse {
  readonly status: number;
  readonly text: string;
  readonly json: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] } | null;
}

export async function post(url: string, authorization: string, body: string): Promise<RawResponse> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization }, body });
  const text = await res.text();
  let json: RawResponse["json"] = null;
  try {
    json = JSON.parse(text) as RawResponse["json"];
  } catch {
    // judged below: a non-JSON answer is a failure of its own
  }
  return { status: res.status, text, json };
}

// ---------------------------------------------------------------------------------------
// Judging

/** Codes that say "your request was wrong" — anything else (INTERNAL_SERVER_ERROR, …) is a bug for hostile input. */
export const CLIENT_ERROR_CODES = new Set([
  "BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "BAD_REQUEST", "NOT_FOUND", "CONFLICT", "FORBIDDEN",
  "QUERY_TOO_COSTLY", "PAYLOAD_TOO_LARGE",
]);

/** What an error must never show: SQL, database internals, stack frames, file paths. */
const LEAKS = [
  /\b(?:SELECT|INSERT INTO|DELETE FROM \w+ WHERE|UPDATE \w+ SET|WHERE|RETURNING|SQLSTATE)\b/, // SQL keywords, as SQL writes them
  new RegExp([
    "violates (?:check|unique|foreign key|not-null) constraint", "duplicate key value", "invalid input syntax for", "syntax error at or near",
    "out of range for type", "unsupported Unicode escape", "invalid byte sequence", String.raw`relation "`, String.raw`column "`,
    String.raw`\bat (?:async )?[\w$.<>]+ \(`, String.raw`\.(?:ts|js|mjs|cjs):\d+`, "/work/", "node_modules", "stacktrace",
    "Maximum call stack", "RangeError", "TypeError", "Cannot read properties",
  ].join("|"), "i"),
];

export function leaks(text: string): string | null {
  for (const leak of LEAKS) {
    const found = leak.exec(text);
    if (found) return found[0];
  }
  return null;
}

/**
 * Whether the stored value reads back as what was sent: numbers by value (so -0 is 0),
 * date-times by instant, JSON structurally (key order aside), lists item by item.
 */
export function sameValue(stored: unknown, sent: unknown, kind: LeafKind): boolean {
  if (kind === "date") {
    const a = typeof stored === "string" ? Date.parse(stored) : NaN;
    const b = typeof sent === "number" ? sent : typeof sent === "string" ? Date.parse(sent) : NaN;
    return Number.isFinite(a) && a === b;
  }
  if (kind === "int" || kind === "float") return typeof stored === "number" && stored === sent;
  if (kind === "json") return jsonEqual(stored, sent);
  if (Array.isArray(sent)) return Array.isArray(stored) && stored.length === sent.length && sent.every((v, i) => stored[i] === v);
  return stored === sent;
}

/** Structural equality without recursion (hostile JSON nests deeper than the stack). */
function jsonEqual(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  while (stack.length) {
    const [x, y] = stack.pop()!;
    if (x === y) continue;
    if (x === null || y === null || typeof x !== "object" || typeof y !== "object") return false;
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    const kx = Object.keys(x), ky = Object.keys(y);
    if (kx.length !== ky.length) return false;
    for (const k of kx) {
      if (!Object.prototype.hasOwnProperty.call(y, k)) return false;
      stack.push([(x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]]);
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// Fingerprint

/**
 * A hash of every table in the public schema (partitions included, so a table created by a
 * request shows too): row order does not matter, every column of every row does. Not
 * `score_queue`: it is the live scorer's work list, written with every fact and emptied by the
 * scorer on its own time, so its contents say nothing about what one request wrote.
 */
export async function fingerprint(db: Database): Promise<Map<string, string>> {
  // One round trip: each table's hash comes from a query built for it and run by query_to_xml.
  const rows = await db.query<{ name: string; hash: string }>(
    `SELECT c.relname AS name,
            (xpath('/row/h/text()', query_to_xml(format(
              'SELECT md5(coalesce(string_agg(h, '','' ORDER BY h), '''')) AS h FROM (SELECT md5(x::text) AS h FROM %I.%I x) s',
              n.nspname, c.relname), false, true, '')))[1]::text AS hash
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'score_queue'
      ORDER BY 1`);
  return new Map(rows.map((r) => [r.name, r.hash]));
}

/** Tables whose contents differ (or that appeared or vanished) between two fingerprints. */
export function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((n) => before.get(n) !== after.get(n)).sort();
}

/** A stable number for a name, to rotate which leaf a hostile value lands on (FNV-1a). */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

import fs from "node:fs";
import path from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { AppError } from "../../platform/errors/errors";
import { INGEST_ENTITIES } from "../ingest-entities";
import { ENTITY_NAMES, type EntityName } from "../ingest-entity";
import type { FieldError } from "../row-check";
import { regionOfCountry } from "./country-regions";
import { compileDateFormat, DateFormatError } from "./date-format";

/**
 * The JSON mapping that says how a CSV file becomes ingest rows (see src/ingest/README.md).
 * Either one file — `{ "entity": "deals", "fields": { … } }` with the file given on the
 * command line — or several, imported in order in one transaction:
 * `{ "timezone": "UTC", "files": [{ "entity": "accounts", "file": "accounts.csv", "fields": { … } }, …] }`.
 */
export interface MappingJson {
  readonly description?: string;
  /** What the data is called in warnings and in `data_sources` ("maven-crm"); the file name without `.mapping.json` when absent. */
  readonly source?: string;
  readonly timezone?: string;
  readonly delimiter?: string;
  readonly files?: readonly FileMappingJson[];
  readonly entity?: string;
  readonly file?: string;
  readonly fields?: Readonly<Record<string, string | FieldSpecJson>>;
}

export interface FileMappingJson {
  readonly entity: string;
  readonly file?: string;
  readonly delimiter?: string;
  readonly timezone?: string;
  readonly fields: Readonly<Record<string, string | FieldSpecJson>>;
}

/** How one input field is filled: from a column, a constant or a template, then transformed in this order. */
export interface FieldSpecJson {
  /** Source column (header name; case and surrounding space do not matter). */
  readonly column?: string;
  /** A constant for every row. */
  readonly value?: string | number | boolean;
  /** Columns in braces: `"{product} for {account}"`. */
  readonly template?: string;
  /** Value map, applied first: exact match, then ignoring case and spacing. `"Won": "WON"`, typo fixes. */
  readonly map?: Readonly<Record<string, string | number | boolean | null>>;
  /** Used when the (mapped) value is blank. */
  readonly default?: string | number | boolean;
  /** `"Gekko & Co"` → `gekko-co`: keys derived from names. */
  readonly slug?: boolean;
  readonly prefix?: string;
  readonly suffix?: string;
  /** Scale a number: revenue in millions → `1000000`. */
  readonly multiply?: number;
  /** Date format for timestamp fields (`yyyy-MM-dd`, `MM/dd/yyyy HH:mm`, `iso`, `unix`, `unix_ms`). */
  readonly format?: string;
  /** Time zone for dates without an offset; overrides the mapping's. */
  readonly timezone?: string;
  /** Separator of list fields (technologies); default `;`. */
  readonly separator?: string;
  /** Type of an `attributes.*` value: string (default), number, integer, boolean. */
  readonly type?: "string" | "number" | "integer" | "boolean";
  /** On `region`: the (mapped) value is a country, turned into its sales region (NA, LATAM, EMEA, APAC). */
  readonly regionFromCountry?: boolean;
  /**
   * The value is a key into another file of the same export: the field takes the `value` column of
   * the row whose `key` column equals it (a deal's company id → that company's domain). Several
   * keys separated by `;` (HubSpot's associations): the first one found. No match: blank.
   */
  readonly lookup?: { readonly file: string; readonly key: string; readonly value: string };
}

/** A mistake in a mapping file: the import stops before reading any row. */
export class MappingError extends AppError {
  constructor(message: string) {
    super("BAD_USER_INPUT", message);
  }
}

export interface FileMapping {
  readonly entity: EntityName;
  /** Resolved path, when the mapping names the file. */
  readonly file: string | null;
  readonly delimiter: string;
  readonly timezone: string | null;
  readonly fields: Readonly<Record<string, FieldSpecJson>>;
}

const REQUIRED: Record<EntityName, readonly string[]> = {
  accounts: ["domain", "name"],
  contacts: ["email"],
  events: ["externalId", "type", "occurredAt"],
  intent: ["accountDomain", "topic", "strength", "observedAt"],
  deals: ["externalId", "accountDomain", "amount", "outcome", "createdAt"],
};
const DATE_FIELDS = new Set(["occurredAt", "deliveredAt", "observedAt", "createdAt", "closedAt"]);
const NUMBER_FIELDS = new Set(["employees", "annualRevenue", "amount", "strength"]);
const LIST_FIELDS = new Set(["technologies"]);
const SPEC_KEYS = new Set(["column", "value", "template", "map", "default", "slug", "prefix", "suffix", "multiply", "format", "timezone", "separator", "type", "regionFromCountry", "lookup"]);

/**
 * Reads a mapping (parsed JSON) and checks it completely: entities, target fields, required
 * fields, transforms, date formats and time zones. `baseDir` resolves the files it names.
 */
export function parseMapping(json: unknown, baseDir: string): FileMapping[] {
  if (!isObject(json)) throw new MappingError("The mapping must be a JSON object");
  const m = json as MappingJson;
  const files = m.files ?? [{ entity: m.entity ?? "", file: m.file, fields: m.fields ?? {} }];
  if (!Array.isArray(files) || files.length === 0) throw new MappingError(`"files" must be a non-empty list of { entity, file, fields }`);
  return files.map((f, i) => parseFileMapping(f, m, baseDir, m.files ? `files[${i}]` : "mapping"));
}

function parseFileMapping(f: FileMappingJson, top: MappingJson, baseDir: string, where: string): FileMapping {
  if (!isObject(f)) throw new MappingError(`${where} must be an object with entity and fields`);
  if (!(ENTITY_NAMES as readonly string[]).includes(f.entity)) {
    throw new MappingError(`${where}.entity must be one of ${ENTITY_NAMES.join(", ")} (got ${JSON.stringify(f.entity)})`);
  }
  const entity = f.entity as EntityName;
  const allowed = INGEST_ENTITIES[entity].fields;
  if (!isObject(f.fields)) throw new MappingError(`${where}.fields must map input fields to columns`);
  const timezone = f.timezone ?? top.timezone ?? null;
  const fields: Record<string, FieldSpecJson> = {};
  for (const [target, raw] of Object.entries(f.fields)) {
    const at = `${where}.fields.${target}`;
    const isAttribute = entity === "accounts" && /^attributes\.[^.]+$/.test(target);
    if (!allowed.includes(target) && !isAttribute) {
      throw new MappingError(`${at}: ${entity} have no field "${target}"; use ${allowed.join(", ")}${entity === "accounts" ? " or attributes.<name>" : ""}`);
    }
    if (target === "attributes") throw new MappingError(`${at}: map custom fields one by one as "attributes.<name>"`);
    const spec: FieldSpecJson = typeof raw === "string" ? { column: raw } : raw;
    if (!isObject(spec as unknown)) throw new MappingError(`${at} must be a column name or an object such as { "column": "…" }`);
    for (const key of Object.keys(spec)) if (!SPEC_KEYS.has(key)) throw new MappingError(`${at}: unknown option "${key}"; options are ${[...SPEC_KEYS].join(", ")}`);
    const sources = [spec.column, spec.value, spec.template].filter((v) => v !== undefined).length;
    if (sources !== 1) throw new MappingError(`${at} needs exactly one of column, value or template`);
    if (spec.map !== undefined && !isObject(spec.map)) throw new MappingError(`${at}.map must be an object of value → replacement`);
    if (spec.multiply !== undefined && (typeof spec.multiply !== "number" || !NUMBER_FIELDS.has(target) && !isAttribute)) {
      throw new MappingError(`${at}.multiply must be a number, on a numeric field (${[...NUMBER_FIELDS].join(", ")})`);
    }
    if (spec.type !== undefined && (!isAttribute || !["string", "number", "integer", "boolean"].includes(spec.type))) {
      throw new MappingError(`${at}.type is for attributes.* only: string, number, integer or boolean`);
    }
    if (spec.format !== undefined && !DATE_FIELDS.has(target)) throw new MappingError(`${at}.format is for timestamp fields (${[...DATE_FIELDS].join(", ")})`);
    if (spec.separator !== undefined && !LIST_FIELDS.has(target)) throw new MappingError(`${at}.separator is for list fields (technologies)`);
    if (spec.regionFromCountry !== undefined && (target !== "region" || typeof spec.regionFromCountry !== "boolean")) {
      throw new MappingError(`${at}.regionFromCountry is for the region field: true derives it from the country in the column`);
    }
    if (spec.lookup !== undefined) {
      const l = spec.lookup as Partial<NonNullable<FieldSpecJson["lookup"]>>;
      if (!isObject(l) || typeof l.file !== "string" || typeof l.key !== "string" || typeof l.value !== "string") {
        throw new MappingError(`${at}.lookup must be { "file": "companies.csv", "key": "<column of ids>", "value": "<column to take>" }`);
      }
      fields[target] = { ...spec, lookup: { file: path.resolve(baseDir, l.file), key: l.key, value: l.value } };
      continue;
    }
    if (DATE_FIELDS.has(target)) {
      try {
        compileDateFormat(spec.format ?? "iso", spec.timezone ?? timezone);
      } catch (err) {
        if (err instanceof DateFormatError) throw new MappingError(`${at}: ${err.message}`);
        throw err;
      }
    }
    fields[target] = spec;
  }
  const missing = REQUIRED[entity].filter((r) => !(r in fields));
  if (missing.length > 0) throw new MappingError(`${where}: ${entity} need ${missing.join(", ")}; map ${missing.length === 1 ? "it" : "them"} to a column, a value or a template`);
  const delimiter = f.delimiter ?? top.delimiter ?? ",";
  if (delimiter.length !== 1) throw new MappingError(`${where}.delimiter must be one character (got ${JSON.stringify(delimiter)})`);
  return { entity, file: f.file ? path.resolve(baseDir, f.file) : null, delimiter, timezone, fields };
}

/** One CSV row mapped to an input object, with the problems mapping itself found. */
export interface MappedRow {
  readonly input: Record<string, unknown>;
  readonly errors: FieldError[];
}

/** Applies a file's mapping to the rows of a file with this header. */
export interface RowMapper {
  map(fields: readonly string[]): MappedRow;
  /** The column a field reads, for messages (`column "account" is blank`). */
  columnOf(field: string): string | undefined;
}

/** A field's value from a row; a MappingProblem (allocated only then) when the value cannot be mapped. */
type Getter = (fields: readonly string[]) => unknown;

class MappingProblem {
  constructor(readonly message: string) {}
}

/** Resolves the mapping's columns against the header (case-insensitive); unknown columns fail here, before any row. */
export function compileRowMapper(mapping: FileMapping, header: readonly string[], fileLabel: string): RowMapper {
  const index = new Map<string, number>();
  header.forEach((h, i) => { const k = normaliseKey(h); if (!index.has(k)) index.set(k, i); });
  const col = (name: string, at: string): number => {
    const i = index.get(normaliseKey(name));
    if (i === undefined) throw new MappingError(`${fileLabel}: ${at} names column "${name}", which the header does not have; columns are ${header.map((h) => `"${h}"`).join(", ")}`);
    return i;
  };
  const getters: [string, Getter][] = Object.entries(mapping.fields).map(([target, spec]) => [target, compileField(target, spec, mapping.timezone, col)]);
  const columns = new Map(Object.entries(mapping.fields).filter(([, s]) => s.column !== undefined).map(([t, s]) => [t, s.column!]));
  return {
    columnOf: (field) => columns.get(field),
    map(fields) {
      const input: Record<string, unknown> = {};
      const errors: FieldError[] = [];
      for (const [target, get] of getters) {
        let value = get(fields);
        if (value instanceof MappingProblem) {
          errors.push({ field: target, message: `${target}: ${value.message}` });
          value = null;
        }
        if (target.startsWith("attributes.")) {
          ((input.attributes ??= {}) as Record<string, unknown>)[target.slice("attributes.".length)] = value;
        } else {
          input[target] = value;
        }
      }
      return { input, errors };
    },
  };
}

function compileField(target: string, spec: FieldSpecJson, mappingZone: string | null, col: (name: string, at: string) => number): Getter {
  const at = `fields.${target}`;
  let read: (fields: readonly string[]) => string | number | boolean | null;
  if (spec.column !== undefined) {
    const i = col(spec.column, at);
    read = (f) => f[i]?.trim() ?? "";
  } else if (spec.template !== undefined) {
    const parts = spec.template.split(/(\{[^}]+\})/).map((p) => (p.startsWith("{") && p.endsWith("}") ? col(p.slice(1, -1), at) : p));
    read = (f) => parts.map((p) => (typeof p === "number" ? f[p]?.trim() ?? "" : p)).join("").trim();
  } else {
    const constant = spec.value!;
    read = () => constant;
  }
  const table = spec.lookup ? lookupTable(spec.lookup, at) : null;
  const exact = spec.map ? new Map(Object.entries(spec.map)) : null;
  const loose = spec.map ? new Map(Object.entries(spec.map).map(([k, v]) => [normaliseKey(k), v])) : null;
  const date = DATE_FIELDS.has(target) ? compileDateFormat(spec.format ?? "iso", spec.timezone ?? mappingZone) : null;
  return (fields) => {
    let v: string | number | boolean | null = read(fields);
    if (exact && typeof v === "string") {
      if (exact.has(v)) v = exact.get(v)!;
      else if (loose!.has(normaliseKey(v))) v = loose!.get(normaliseKey(v))!;
    }
    if (table && v !== null && v !== "") {
      const keys = String(v).split(";").map((k) => k.trim()).filter((k) => k !== "");
      const found = keys.map((k) => table.get(k)).find((hit) => hit !== undefined && hit !== "");
      if (found === undefined) return new MappingProblem(`no row of ${path.basename(spec.lookup!.file)} has ${spec.lookup!.key} "${keys.join(";")}"`);
      v = found;
    }
    if (v === "" || v === null) v = spec.default ?? null;
    if (v === null) return null;
    if (spec.slug) {
      v = slug(String(v));
      if (v === "") return null;
    }
    if (spec.regionFromCountry) return regionOfCountry(String(v));
    if (spec.prefix !== undefined || spec.suffix !== undefined) v = `${spec.prefix ?? ""}${v}${spec.suffix ?? ""}`;
    if (spec.multiply !== undefined) {
      const n = typeof v === "number" ? v : Number(String(v).trim());
      if (!Number.isFinite(n)) return new MappingProblem(`"${v}" is not a number`);
      v = Number((n * spec.multiply).toPrecision(15));
    }
    if (date) {
      const parsed = date.parse(String(v));
      return parsed.ok ? parsed.value : new MappingProblem(parsed.message);
    }
    if (LIST_FIELDS.has(target)) return String(v).split(spec.separator ?? ";");
    if (spec.type && spec.type !== "string") return convert(v, spec.type);
    return v;
  };
}

/** key column → value column of a lookup file, read once per import (a file of companies fits in memory). */
function lookupTable(lookup: NonNullable<FieldSpecJson["lookup"]>, at: string): Map<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(lookup.file, "utf8");
  } catch (err) {
    throw new MappingError(`${at}.lookup: cannot read ${lookup.file}: ${(err as Error).message}`);
  }
  const rows = parseCsv(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  const header = (rows[0] ?? []).map(normaliseKey);
  const k = header.indexOf(normaliseKey(lookup.key));
  const v = header.indexOf(normaliseKey(lookup.value));
  if (k < 0 || v < 0) {
    throw new MappingError(`${at}.lookup: ${path.basename(lookup.file)} has no column "${k < 0 ? lookup.key : lookup.value}"; columns are ${(rows[0] ?? []).map((h) => `"${h}"`).join(", ")}`);
  }
  const table = new Map<string, string>();
  for (const row of rows.slice(1)) {
    const key = row[k]?.trim();
    if (key && !table.has(key)) table.set(key, row[v]?.trim() ?? "");
  }
  return table;
}

function convert(v: string | number | boolean, type: "number" | "integer" | "boolean"): unknown {
  if (type === "boolean") {
    const t = String(v).trim().toLowerCase();
    if (["true", "t", "yes", "y", "1"].includes(t)) return true;
    if (["false", "f", "no", "n", "0"].includes(t)) return false;
    return new MappingProblem(`"${v}" is not true or false`);
  }
  const n = typeof v === "number" ? v : Number(String(v).trim());
  if (!Number.isFinite(n) || (type === "integer" && !Number.isInteger(n))) return new MappingProblem(`"${v}" is not ${type === "integer" ? "a whole number" : "a number"}`);
  return n;
}

/** `"Gekko & Co."` → `gekko-co`: lower-case ASCII letters and digits joined by hyphens. */
export function slug(text: string): string {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}

function normaliseKey(s: string): string {
  return s.trim().toLowerCase().replace(/\s+/g, " ");
}

function isObject(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

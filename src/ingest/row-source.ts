/**
 * Where a merge reads its checked rows from: a GraphQL batch (arrays sent as parameters and
 * unnested) or an import's staging table (filled by COPY). Both expose the same columns,
 * plus `idx` (the row's index in the batch, or its line in the file), so one merge statement
 * serves both.
 */

export type ColumnType = "text" | "integer" | "smallint" | "numeric" | "boolean" | "timestamptz" | "text[]" | "jsonb";

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
}

/** A relation the merge SQL selects from, with the parameters it needs. */
export interface RowSource {
  readonly sql: string;
  readonly params: unknown[];
  /** Unnesting parameters is worth doing once; a staging table is already stored. */
  readonly materialize: boolean;
  /**
   * How merges join stored tables (contacts by email, …): a batch of at most a few thousand
   * rows by index look-ups; a staging table of millions by hashing. Left to the planner, a
   * batch of 1,000 events hashed all 100k contacts (stale estimates make a scan look cheap).
   */
  readonly lookups: "index" | "hash";
}

/**
 * `LEFT JOIN` of `table` rows whose `column` equals `value`, as the source prefers (see
 * {@link RowSource.lookups}); `column` must be unique in `table`.
 */
export function lookupJoin(source: RowSource, table: string, alias: string, columns: string, column: string, value: string): string {
  return source.lookups === "index"
    ? `LEFT JOIN LATERAL (SELECT ${columns} FROM ${table} ${alias} WHERE ${alias}.${column} = ${value} LIMIT 1) ${alias} ON true`
    : `LEFT JOIN ${table} ${alias} ON ${alias}.${column} = ${value}`;
}

/** The `src` CTE every merge starts from. */
export function srcCte(source: RowSource): string {
  return `src AS ${source.materialize ? "MATERIALIZED" : "NOT MATERIALIZED"} (${source.sql})`;
}

/** Positional parameters, numbered as they are added after the source's own. */
export class SqlParams {
  readonly values: unknown[];

  constructor(initial: readonly unknown[] = []) {
    this.values = [...initial];
  }

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}

/** Array element types sent as parameters; arrays and JSON travel as text and are cast after unnesting. */
const PARAM_TYPE: Record<ColumnType, string> = {
  text: "text", integer: "int4", smallint: "int2", numeric: "numeric", boolean: "bool", timestamptz: "timestamptz", "text[]": "text", jsonb: "text",
};

/**
 * A batch as one parameter array per column, unnested in one statement; `idx` is the row's
 * 0-based position in the batch.
 */
export function arraySource(columns: readonly Column[], rows: readonly (readonly unknown[])[]): RowSource {
  const params = columns.map((c, i) => rows.map((r) => encodeParam(c.type, r[i])));
  const unnest = columns.map((c, i) => `$${i + 1}::${PARAM_TYPE[c.type]}[]`).join(", ");
  const names = columns.map((c) => `c_${c.name}`);
  const select = columns.map((c) => (c.type === "text[]" || c.type === "jsonb" ? `u.c_${c.name}::${c.type} AS ${c.name}` : `u.c_${c.name} AS ${c.name}`));
  return {
    sql: `SELECT (u.ord - 1)::bigint AS idx, ${select.join(", ")} FROM unnest(${unnest}) WITH ORDINALITY AS u(${names.join(", ")}, ord)`,
    params,
    materialize: true,
    lookups: "index",
  };
}

/** An import's staging table as a source. */
export function tableSource(table: string): RowSource {
  return { sql: `SELECT * FROM ${table}`, params: [], materialize: false, lookups: "hash" };
}

/** `CREATE TEMP TABLE` for staging rows of these columns; dropped when the import's transaction ends. */
export function createStagingSql(table: string, columns: readonly Column[]): string {
  return `CREATE TEMP TABLE ${table} (idx bigint NOT NULL, ${columns.map((c) => `${c.name} ${c.type}`).join(", ")}) ON COMMIT DROP`;
}

function encodeParam(type: ColumnType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (type === "text[]") return arrayLiteral(value as string[]);
  if (type === "jsonb") return JSON.stringify(value);
  return value;
}

/** A PostgreSQL array literal: `{"a","b \"c\""}`. */
export function arrayLiteral(items: readonly string[]): string {
  return `{${items.map((s) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(",")}}`;
}

/**
 * One row in COPY text format: tab-separated, `\N` for null, backslash escapes for the
 * characters the format reserves.
 */
export function copyLine(idx: number, columns: readonly Column[], values: readonly unknown[]): string {
  let line = String(idx);
  for (let i = 0; i < columns.length; i++) {
    const v = values[i];
    line += "\t";
    if (v === null || v === undefined) {
      line += "\\N";
      continue;
    }
    switch (columns[i]!.type) {
      case "boolean": line += v ? "t" : "f"; break;
      case "integer": case "smallint": case "numeric": line += String(v); break;
      case "text[]": line += escapeCopy(arrayLiteral(v as string[])); break;
      case "jsonb": line += escapeCopy(JSON.stringify(v)); break;
      default: line += escapeCopy(String(v));
    }
  }
  return `${line}\n`;
}

const COPY_SPECIAL = /[\\\t\n\r]/;

function escapeCopy(s: string): string {
  if (!COPY_SPECIAL.test(s)) return s;
  return s.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

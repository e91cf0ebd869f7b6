import { fieldKind } from "./model-validation";
import type { FitRule } from "./model.types";

/** Positional parameters, added as SQL fragments are generated: user values never enter the SQL text. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

const ACCOUNT_COLUMNS: Record<string, string> = {
  industry: "industry", employees: "employees::float8", annualRevenue: "annual_revenue::float8", country: "country",
  region: "region", technologies: "technologies", tier: "tier", isTarget: "is_target",
};
const CONTACT_COLUMNS: Record<string, string> = { title: "title", seniority: "seniority", department: "department", role: "role" };

/** Escapes LIKE wildcards so a value matches literally. */
export function likeLiteral(value: string): string {
  return value.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** An asset glob (`*` = any run of characters) as a LIKE pattern over the lowercased asset. */
export function globToLike(glob: string): string {
  return glob.toLowerCase().split("*").map((part) => part.replace(/[\\%_]/g, (c) => `\\${c}`)).join("%");
}

/**
 * The SQL condition (never NULL) for one fit rule over the row alias `t` (`accounts` or
 * `contacts`). Text compares case-insensitively; a missing (or blank) value matches nothing but
 * a failed EXISTS (so NOT_IN does not match an unknown industry). Lists (technologies, JSON arrays)
 * match when any element does; CONTAINS_ANY on text is a substring test. With `lowered`, a
 * lowercased text or list column is read from a hoisted column, collected there (name → SQL).
 *
 * @example { field: "employees", operator: "BETWEEN", min: 200, max: 5000 }
 *          → `COALESCE((t.employees::float8 BETWEEN $1::float8 AND $2::float8), false)`
 */
export function fitCondition(rule: FitRule, subject: "account" | "contact", t: string, p: SqlParams, lowered?: Map<string, string>): string {
  const kind = fieldKind(rule.field, subject);
  const lowerValues = rule.values.map((v) => v.toLowerCase());
  const op = rule.operator;
  let cond: string;
  if (kind === "attribute") {
    const v = `(${t}.attributes -> ${p.add(rule.field.slice("attributes.".length), "text")})`;
    const text = `(${v} #>> '{}')`;
    const present = `(${v} IS NOT NULL AND jsonb_typeof(${v}) <> 'null')`;
    const anyEquals = (arr: string) => `CASE jsonb_typeof(${v}) WHEN 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements_text(${v}) x WHERE lower(x) = ANY(${arr})) WHEN 'object' THEN false ELSE lower(${text}) = ANY(${arr}) END`;
    const num = `CASE WHEN jsonb_typeof(${v}) = 'number' THEN (${text})::float8 WHEN jsonb_typeof(${v}) = 'string' AND ${text} ~ '^\\s*-?[0-9]+(\\.[0-9]+)?\\s*$' THEN (${text})::float8 END`;
    switch (op) {
      case "EQ": case "IN": cond = anyEquals(p.add(lowerValues, "text[]")); break;
      case "NOT_IN": cond = `${present} AND NOT (${anyEquals(p.add(lowerValues, "text[]"))})`; break;
      case "CONTAINS_ANY": {
        const arr = p.add(lowerValues, "text[]");
        cond = `CASE jsonb_typeof(${v}) WHEN 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements_text(${v}) x WHERE lower(x) = ANY(${arr})) WHEN 'string' THEN lower(${text}) LIKE ANY(${p.add(rule.values.map((x) => `%${likeLiteral(x)}%`), "text[]")}) ELSE false END`;
        break;
      }
      case "BETWEEN": cond = `(${num}) BETWEEN ${p.add(rule.min, "float8")} AND ${p.add(rule.max, "float8")}`; break;
      case "GTE": cond = `(${num}) >= ${p.add(rule.min, "float8")}`; break;
      case "LTE": cond = `(${num}) <= ${p.add(rule.max, "float8")}`; break;
      case "EXISTS": cond = `${present} AND ${v} NOT IN ('""'::jsonb, '[]'::jsonb, '{}'::jsonb)`; break;
    }
  } else {
    const column = (subject === "account" ? ACCOUNT_COLUMNS : CONTACT_COLUMNS)[rule.field];
    if (!kind || !column) throw new Error(`fit rule ${rule.key} tests unknown field ${rule.field}`);
    const col = `${t}.${column}`;
    const lower = (expr: string) => {
      if (!lowered) return expr;
      const name = `_lc_${column}`;
      lowered.set(name, `${expr} AS ${name}`);
      return `${t}.${name}`;
    };
    if (kind === "number") {
      const nums = rule.values.map(Number);
      switch (op) {
        case "EQ": case "IN": cond = `${col} = ANY(${p.add(nums, "float8[]")})`; break;
        case "NOT_IN": cond = `${col} IS NOT NULL AND NOT (${col} = ANY(${p.add(nums, "float8[]")}))`; break;
        case "BETWEEN": cond = `${col} BETWEEN ${p.add(rule.min, "float8")} AND ${p.add(rule.max, "float8")}`; break;
        case "GTE": cond = `${col} >= ${p.add(rule.min, "float8")}`; break;
        case "LTE": cond = `${col} <= ${p.add(rule.max, "float8")}`; break;
        case "EXISTS": cond = `${col} IS NOT NULL`; break;
        default: throw new Error(`operator ${op} does not apply to ${rule.field}`);
      }
    } else if (kind === "boolean") {
      const bools = rule.values.map((v) => v === "true");
      switch (op) {
        case "EQ": case "IN": cond = `${col} = ANY(${p.add(bools, "boolean[]")})`; break;
        case "NOT_IN": cond = `NOT (${col} = ANY(${p.add(bools, "boolean[]")}))`; break;
        case "EXISTS": cond = `${col} IS NOT NULL`; break;
        default: throw new Error(`operator ${op} does not apply to ${rule.field}`);
      }
    } else if (kind === "list") {
      // Lowercasing the array's text form and reading it back lowercases every element, with
      // no per-row subquery.
      const anyElement = (arr: string) => `(${lower(`lower(${col}::text)::text[]`)} && ${arr})`;
      switch (op) {
        case "EQ": case "IN": case "CONTAINS_ANY": cond = anyElement(p.add(lowerValues, "text[]")); break;
        case "NOT_IN": cond = `cardinality(${col}) > 0 AND NOT ${anyElement(p.add(lowerValues, "text[]"))}`; break;
        case "EXISTS": cond = `cardinality(${col}) > 0`; break;
        default: throw new Error(`operator ${op} does not apply to ${rule.field}`);
      }
    } else {
      const lc = () => lower(`lower(${col})`);
      switch (op) {
        case "EQ": case "IN": cond = `${lc()} = ANY(${p.add(lowerValues, "text[]")})`; break;
        case "NOT_IN": cond = `btrim(${col}) <> '' AND NOT (${lc()} = ANY(${p.add(lowerValues, "text[]")}))`; break;
        case "CONTAINS_ANY": cond = `${lc()} LIKE ANY(${p.add(rule.values.map((x) => `%${likeLiteral(x)}%`), "text[]")})`; break;
        case "EXISTS": cond = `btrim(${col}) <> ''`; break;
        default: throw new Error(`operator ${op} does not apply to ${rule.field}`);
      }
    }
  }
  return `COALESCE((${cond}), false)`;
}

/**
 * Points per fit rule as SQL expressions (`points` when matched, else 0), and the disqualifier
 * test. With `hoist`, the conditions read lowercased text and list columns from columns of the
 * row (`lowered`, for `fitSource`) instead of lowercasing them in every rule that tests them.
 */
export function fitExpressions(rules: readonly FitRule[], subject: "account" | "contact", t: string, p: SqlParams, opts: { hoist?: boolean } = {}): { points: string[]; disqualified: string; lowered: string[] } {
  const lowered = opts.hoist ? new Map<string, string>() : undefined;
  const conds = rules.map((r) => fitCondition(r, subject, t, p, lowered));
  const points = rules.map((r, i) => `CASE WHEN ${conds[i]} THEN ${p.add(r.points, "float8")} ELSE 0::float8 END`);
  const dq = rules.map((r, i) => (r.disqualify ? conds[i] : null)).filter((c): c is string => c !== null);
  return { points, disqualified: dq.length ? `(${dq.join(" OR ")})` : "false", lowered: [...(lowered?.values() ?? [])] };
}

/** `table alias`, with the hoisted columns of `fitExpressions` computed once per row. */
export function fitSource(table: string, alias: string, lowered: readonly string[]): string {
  return lowered.length ? `(SELECT ${alias}.*, ${lowered.join(", ")} FROM ${table} ${alias} OFFSET 0) ${alias}` : `${table} ${alias}`;
}

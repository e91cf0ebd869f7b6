/**
 * A readable difference between two model definitions (`ScoringModel.definition`): one line per
 * setting that differs, named the way the council talks about it.
 *
 * Lists of rules are matched by their identity (`key`, a band's `name`, a multiplier's `role`), not
 * by position, so reordering nothing-changed rules shows nothing, and a renamed rule shows as one
 * removed and one added. Lists of plain values (event types, industries) compare as one value.
 *
 * @example
 * diffDefinitions({ weights: { fit: 0.35 } }, { weights: { fit: 0.4 } })
 * // → [{ section: "Component weights", item: "fit", setting: "", before: "0.35", after: "0.4", kind: "changed" }]
 * Numbers show four significant digits; the comparison itself is exact.
 */

export type DiffKind = "changed" | "added" | "removed";
export interface DiffLine { section: string; item: string; setting: string; before: string | null; after: string | null; kind: DiffKind }

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const SECTIONS: Record<string, string> = {
  description: "Description", weights: "Component weights", fitRules: "Fit rules", engagementRules: "Engagement rules",
  roleMultipliers: "Role multipliers", intentRules: "Intent rules", committee: "Buying committee", bands: "Bands",
  thresholds: "Thresholds", rollup: "Roll-up", leadRules: "Lead scoring",
};
/** Derived from the rules (the order of contributions) or identity, not settings a council changes. */
const SKIPPED = new Set(["criteria", "leadCriteria", "name", "basedOnId"]);
const IDENTITY = ["key", "name", "role"];

const isObject = (v: Json | undefined): v is { [key: string]: Json } => typeof v === "object" && v !== null && !Array.isArray(v);

/** camelCase keys as words: `capPerAccount` → "cap per account". */
export function humanize(key: string): string {
  return key.split(".").map((part) => part.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase()).join(" › ");
}

function show(v: Json | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "number") return String(parseFloat(v.toPrecision(4)));
  if (Array.isArray(v)) return v.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(", ");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function identityOf(list: Json[]): string | null {
  if (list.length === 0 || !list.every(isObject)) return null;
  return IDENTITY.find((k) => list.every((x) => typeof (x as Record<string, Json>)[k] === "string")) ?? null;
}

function keyed(list: Json[], id: string): Map<string, { [key: string]: Json }> {
  return new Map(list.map((x) => [String((x as Record<string, Json>)[id]), x as { [key: string]: Json }]));
}

/** Flattens an object into setting → shown value ("a.b" paths). */
function settings(value: Json | undefined, prefix = ""): Map<string, string | null> {
  const out = new Map<string, string | null>();
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) for (const [p, s] of settings(v, prefix ? `${prefix}.${k}` : k)) out.set(p, s);
  } else {
    out.set(prefix, show(value));
  }
  return out;
}

function compareItems(section: string, item: string, a: Json | undefined, b: Json | undefined, out: DiffLine[]): void {
  if (a === undefined || b === undefined) {
    const present = (a ?? b) as Json;
    const summary = isObject(present) ? describeRule(present) : show(present);
    out.push({ section, item, setting: "", before: a === undefined ? null : summary, after: b === undefined ? null : summary, kind: a === undefined ? "added" : "removed" });
    return;
  }
  const sa = settings(a), sb = settings(b);
  for (const path of new Set([...sa.keys(), ...sb.keys()])) {
    const before = sa.get(path) ?? null, after = sb.get(path) ?? null;
    if (before !== after) out.push({ section, item, setting: humanize(path), before, after, kind: "changed" });
  }
}

/** One line for a whole added or removed rule: its points and what it tests. */
function describeRule(rule: { [key: string]: Json }): string {
  const parts: string[] = [];
  if (typeof rule.points === "number") parts.push(`${rule.points} points`);
  if (typeof rule.minScore === "number") parts.push(`from ${rule.minScore}`);
  if (typeof rule.multiplier === "number") parts.push(`× ${rule.multiplier}`);
  if (typeof rule.field === "string") parts.push(`${rule.field} ${rule.operator ?? ""} ${show(rule.values ?? null) ?? [rule.min, rule.max].filter((x) => x !== null && x !== undefined).join("–")}`.trim());
  if (Array.isArray(rule.eventTypes)) parts.push(`on ${show(rule.eventTypes)}`);
  if (Array.isArray(rule.topics)) parts.push(`topics ${show(rule.topics)}`);
  return parts.join(", ") || JSON.stringify(rule);
}

function itemName(rule: { [key: string]: Json }, id: string): string {
  const label = typeof rule.label === "string" ? rule.label : null;
  return label && label !== rule[id] ? `${label} (${String(rule[id])})` : String(rule[id]);
}

export function diffDefinitions(before: { [key: string]: Json }, after: { [key: string]: Json }): DiffLine[] {
  const out: DiffLine[] = [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !SKIPPED.has(k));
  const order = Object.keys(SECTIONS);
  keys.sort((x, y) => (order.indexOf(x) === -1 ? 99 : order.indexOf(x)) - (order.indexOf(y) === -1 ? 99 : order.indexOf(y)));
  for (const key of keys) diffValue(SECTIONS[key] ?? key, before[key], after[key], out);
  return out;
}

function diffValue(section: string, a: Json | undefined, b: Json | undefined, out: DiffLine[]): void {
  if (JSON.stringify(a ?? null) === JSON.stringify(b ?? null)) return;
  const la = Array.isArray(a) ? a : a === undefined || a === null ? [] : null;
  const lb = Array.isArray(b) ? b : b === undefined || b === null ? [] : null;
  const id = la && lb ? identityOf([...la, ...lb]) : null;
  if (la && lb && id) {
    const ma = keyed(la, id), mb = keyed(lb, id);
    for (const k of new Set([...ma.keys(), ...mb.keys()])) {
      const ra = ma.get(k), rb = mb.get(k);
      compareItems(section, itemName((rb ?? ra)!, id), ra, rb, out);
    }
    return;
  }
  if (isObject(a) && isObject(b)) {
    // Nested lists of rules (lead scoring's fit rules) get the same treatment, one level down.
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (Array.isArray(a[k]) || Array.isArray(b[k])) diffValue(`${section} › ${k}`, a[k], b[k], out);
      else compareItems(section, humanize(k), a[k], b[k], out);
    }
    return;
  }
  out.push({ section, item: "", setting: "", before: show(a), after: show(b), kind: a === undefined || a === null ? "added" : b === undefined || b === null ? "removed" : "changed" });
}

import { BadInputError } from "../platform/errors/errors";
import { decodeId } from "../platform/graphql/global-id";
import {
  ACCOUNT_FIT_FIELDS, CONTACT_FIT_FIELDS, type Band, type Criterion, type EngagementRule, type FieldKind, type FitOperator, type FitRule,
  type IntentRule, type ModelDefinition, type Rollup,
} from "./model.types";

/** What a client sends (`ScoringModelInput`): optional parts may be missing or null. */
export interface ScoringModelInputData {
  name: string;
  description?: string | null;
  basedOnId?: string | null;
  weights: { fit: number; engagement: number; intent: number; committee: number };
  fitRules?: FitRuleInputData[] | null;
  engagementRules?: {
    key: string; label: string; eventTypes: string[]; points: number; halfLifeDays: number; lookbackDays: number;
    capPerContact?: number | null; capPerAccount?: number | null; assetPattern?: string | null;
  }[] | null;
  roleMultipliers?: { role: string; multiplier: number }[] | null;
  intentRules?: { key: string; label: string; topics: string[]; points: number; halfLifeDays: number; lookbackDays: number; capPerAccount?: number | null }[] | null;
  committee?: { requiredRoles: string[]; pointsPerRole: number; minEngagedContacts: number; breadthBonus: number; engagedThreshold?: number | null } | null;
  bands: { name: string; minScore: number; slaHours?: number | null; play?: string | null }[];
  thresholds: { nurture: number; mqa: number; sqa: number; minFit: number; minEngagedContacts: number };
  rollup?: Rollup | null;
  leadRules?: {
    weights?: { fit: number; engagement: number } | null;
    fitRules?: FitRuleInputData[] | null;
    thresholds: { nurture: number; mql: number; sql: number; minFit?: number | null };
  } | null;
}

export interface FitRuleInputData {
  key: string; label: string; field: string; operator: FitOperator;
  values?: string[] | null; min?: number | null; max?: number | null; points: number; disqualify?: boolean | null;
}

export interface NormalisedModel {
  readonly name: string;
  readonly description: string | null;
  readonly basedOnId: string | null;
  readonly definition: ModelDefinition;
}

export const BUYING_ROLES = ["DECISION_MAKER", "ECONOMIC_BUYER", "CHAMPION", "TECHNICAL_EVALUATOR", "INFLUENCER", "USER", "BLOCKER", "OTHER"];
const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const ATTRIBUTE_KEY = /^[A-Za-z0-9_][A-Za-z0-9_ .-]{0,99}$/;
const MAX_POINTS = 1_000;
/** The engine keeps one bit per engagement rule in a bigint. */
const MAX_ENGAGEMENT_RULES = 60;
/** Bounds on free text: a model is a small document, and every score's explanation quotes its labels. */
const MAX_LABEL = 200;
const MAX_DESCRIPTION = 2_000;
const MAX_PLAY = 100;
const MAX_PATTERN = 300;
/** Fit-rule values and intent topics: as many, and as long, as an account's technologies may be. */
const MAX_VALUES = 500;
const MAX_VALUE = 200;

/** Used when a model sets no committee: the three roles most B2B purchases need. */
export const DEFAULT_COMMITTEE = {
  requiredRoles: ["DECISION_MAKER", "CHAMPION", "TECHNICAL_EVALUATOR"], pointsPerRole: 25, minEngagedContacts: 3, breadthBonus: 25, engagedThreshold: 10,
} as const;

/** Used when a model sets no lead rules: a lead is its own engagement. */
export const DEFAULT_LEAD_RULES = { weights: { fit: 0, engagement: 1 }, fitRules: [], thresholds: { nurture: 10, mql: 40, sql: 70, minFit: 0 } } as const;

/**
 * Checks a model input and returns its stored form, or throws one BAD_USER_INPUT error that
 * lists every problem (`extensions.problems: [{ path, message }]`), each saying what to change.
 */
export function normaliseModelInput(input: ScoringModelInputData, opts: { eventTypes: readonly string[] }): NormalisedModel {
  const p = new Problems();
  const name = input.name?.trim() ?? "";
  if (!NAME_PATTERN.test(name)) p.add("name", `must be 1–63 lowercase letters, digits, "-" or "_", starting with a letter or digit (got ${show(input.name)})`);
  const basedOnId = input.basedOnId == null ? null : decodeId(input.basedOnId, "ScoringModel");
  if (input.basedOnId != null && basedOnId === null) p.add("basedOnId", `must be a model id (its id or rowId; got ${show(input.basedOnId)})`);
  const description = input.description?.trim() || null;
  if (description && description.length > MAX_DESCRIPTION) p.add("description", `must be at most ${MAX_DESCRIPTION} characters (got ${description.length})`);

  const w = input.weights;
  for (const k of ["fit", "engagement", "intent", "committee"] as const) checkRange(p, `weights.${k}`, w[k], 0, 1);
  const sum = w.fit + w.engagement + w.intent + w.committee;
  if (Math.abs(sum - 1) > 1e-6) p.add("weights", `must sum to 1 (fit + engagement + intent + committee = ${round(sum)})`);

  const keys = new Set<string>();
  const fitRules = (input.fitRules ?? []).map((r, i) => fitRule(p, `fitRules[${i}]`, r, "account", keys));

  const eventTypes = new Set(opts.eventTypes);
  if ((input.engagementRules ?? []).length > MAX_ENGAGEMENT_RULES) p.add("engagementRules", `at most ${MAX_ENGAGEMENT_RULES} rules (got ${input.engagementRules!.length}); merge rules that share a half-life and caps`);
  const engagementRules: EngagementRule[] = (input.engagementRules ?? []).map((r, i) => {
    const at = `engagementRules[${i}]`;
    checkKey(p, at, r.key, r.label, keys);
    if (r.eventTypes.length === 0) p.add(`${at}.eventTypes`, "needs at least one event type");
    const unknown = r.eventTypes.filter((t) => !eventTypes.has(t));
    if (unknown.length) p.add(`${at}.eventTypes`, `${showList(unknown)} ${unknown.length > 1 ? "are" : "is"} not a known event type; use one of ${[...eventTypes].join(", ")}`);
    checkRange(p, `${at}.points`, r.points, -MAX_POINTS, MAX_POINTS);
    checkPositive(p, `${at}.halfLifeDays`, r.halfLifeDays);
    checkPositive(p, `${at}.lookbackDays`, r.lookbackDays, 3_650);
    if (r.capPerContact != null) checkPositive(p, `${at}.capPerContact`, r.capPerContact, MAX_POINTS);
    if (r.capPerAccount != null) checkPositive(p, `${at}.capPerAccount`, r.capPerAccount, MAX_POINTS);
    const pattern = r.assetPattern?.trim() || null;
    if (r.assetPattern != null && !pattern) p.add(`${at}.assetPattern`, "must not be blank; omit it to match any asset");
    if (pattern && pattern.length > MAX_PATTERN) p.add(`${at}.assetPattern`, `must be at most ${MAX_PATTERN} characters (got ${pattern.length})`);
    return {
      key: r.key, label: r.label.trim(), eventTypes: [...new Set(r.eventTypes)], points: r.points, halfLifeDays: r.halfLifeDays, lookbackDays: r.lookbackDays,
      capPerContact: r.capPerContact ?? null, capPerAccount: r.capPerAccount ?? null, assetPattern: pattern,
    };
  });

  const roles = new Set<string>();
  const roleMultipliers = (input.roleMultipliers ?? []).map((m, i) => {
    if (!BUYING_ROLES.includes(m.role)) p.add(`roleMultipliers[${i}].role`, `"${m.role}" is not a buying role; use one of ${BUYING_ROLES.join(", ")}`);
    if (roles.has(m.role)) p.add(`roleMultipliers[${i}].role`, `${m.role} is listed twice`);
    roles.add(m.role);
    checkRange(p, `roleMultipliers[${i}].multiplier`, m.multiplier, 0, 10);
    return { role: m.role, multiplier: m.multiplier };
  });

  const intentRules: IntentRule[] = (input.intentRules ?? []).map((r, i) => {
    const at = `intentRules[${i}]`;
    checkKey(p, at, r.key, r.label, keys);
    const topics = [...new Set(r.topics.map((t) => t.trim()).filter((t) => t !== ""))];
    if (topics.length === 0) p.add(`${at}.topics`, "needs at least one topic");
    checkTexts(p, `${at}.topics`, topics);
    checkRange(p, `${at}.points`, r.points, -MAX_POINTS, MAX_POINTS);
    checkPositive(p, `${at}.halfLifeDays`, r.halfLifeDays);
    checkPositive(p, `${at}.lookbackDays`, r.lookbackDays, 3_650);
    if (r.capPerAccount != null) checkPositive(p, `${at}.capPerAccount`, r.capPerAccount, MAX_POINTS);
    return { key: r.key, label: r.label.trim(), topics, points: r.points, halfLifeDays: r.halfLifeDays, lookbackDays: r.lookbackDays, capPerAccount: r.capPerAccount ?? null };
  });

  const c = input.committee ?? DEFAULT_COMMITTEE;
  const requiredRoles = [...new Set(c.requiredRoles)];
  for (const r of requiredRoles) if (!BUYING_ROLES.includes(r)) p.add("committee.requiredRoles", `"${r}" is not a buying role; use one of ${BUYING_ROLES.join(", ")}`);
  checkRange(p, "committee.pointsPerRole", c.pointsPerRole, 0, 100);
  checkInt(p, "committee.minEngagedContacts", c.minEngagedContacts, 1, 1_000);
  checkRange(p, "committee.breadthBonus", c.breadthBonus, 0, 100);
  const engagedThreshold = c.engagedThreshold ?? DEFAULT_COMMITTEE.engagedThreshold;
  if (!(engagedThreshold > 0 && engagedThreshold <= 100)) p.add("committee.engagedThreshold", `must be above 0 and at most 100 (got ${engagedThreshold})`);
  const committee = { requiredRoles, pointsPerRole: c.pointsPerRole, minEngagedContacts: c.minEngagedContacts, breadthBonus: c.breadthBonus, engagedThreshold };

  const bands = checkBands(p, input.bands);

  const t = input.thresholds;
  for (const k of ["nurture", "mqa", "sqa", "minFit"] as const) checkRange(p, `thresholds.${k}`, t[k], 0, 100);
  checkInt(p, "thresholds.minEngagedContacts", t.minEngagedContacts, 0, 1_000);
  if (!(t.nurture <= t.mqa && t.mqa <= t.sqa)) p.add("thresholds", `must satisfy nurture ≤ mqa ≤ sqa (got ${t.nurture}, ${t.mqa}, ${t.sqa})`);
  const thresholds = { nurture: t.nurture, mqa: t.mqa, sqa: t.sqa, minFit: t.minFit, minEngagedContacts: t.minEngagedContacts };

  const lr = input.leadRules;
  const leadKeys = new Set<string>(engagementRules.map((r) => r.key));
  const leadWeights = lr?.weights ?? DEFAULT_LEAD_RULES.weights;
  checkRange(p, "leadRules.weights.fit", leadWeights.fit, 0, 1);
  checkRange(p, "leadRules.weights.engagement", leadWeights.engagement, 0, 1);
  if (Math.abs(leadWeights.fit + leadWeights.engagement - 1) > 1e-6) p.add("leadRules.weights", `must sum to 1 (fit + engagement = ${round(leadWeights.fit + leadWeights.engagement)})`);
  const leadFitRules = (lr?.fitRules ?? []).map((r, i) => fitRule(p, `leadRules.fitRules[${i}]`, r, "contact", leadKeys));
  const lt = lr?.thresholds ?? DEFAULT_LEAD_RULES.thresholds;
  const leadThresholds = { nurture: lt.nurture, mql: lt.mql, sql: lt.sql, minFit: lt.minFit ?? 0 };
  for (const k of ["nurture", "mql", "sql", "minFit"] as const) checkRange(p, `leadRules.thresholds.${k}`, leadThresholds[k], 0, 100);
  if (!(leadThresholds.nurture <= leadThresholds.mql && leadThresholds.mql <= leadThresholds.sql)) {
    p.add("leadRules.thresholds", `must satisfy nurture ≤ mql ≤ sql (got ${leadThresholds.nurture}, ${leadThresholds.mql}, ${leadThresholds.sql})`);
  }

  p.throwIfAny();

  const criteria: Criterion[] = [
    ...fitRules.map((r) => ({ component: "FIT" as const, key: r.key, label: r.label })),
    ...engagementRules.map((r) => ({ component: "ENGAGEMENT" as const, key: r.key, label: r.label })),
    ...intentRules.map((r) => ({ component: "INTENT" as const, key: r.key, label: r.label })),
    ...committee.requiredRoles.map((role) => ({ component: "COMMITTEE" as const, key: role, label: `Engaged ${role.toLowerCase().replace(/_/g, " ")}` })),
    { component: "COMMITTEE", key: "breadth", label: `${committee.minEngagedContacts}+ engaged contacts` },
  ];
  const leadCriteria: Criterion[] = [
    ...leadFitRules.map((r) => ({ component: "FIT" as const, key: r.key, label: r.label })),
    ...engagementRules.map((r) => ({ component: "ENGAGEMENT" as const, key: r.key, label: r.label })),
  ];
  return {
    name,
    description,
    basedOnId,
    definition: {
      weights: { fit: w.fit, engagement: w.engagement, intent: w.intent, committee: w.committee },
      fitRules, engagementRules, roleMultipliers, intentRules, committee, bands, thresholds,
      rollup: input.rollup ?? "NONE",
      leadRules: { weights: { fit: leadWeights.fit, engagement: leadWeights.engagement }, fitRules: leadFitRules, thresholds: leadThresholds },
      criteria, leadCriteria,
    },
  };
}

/** The kind of a fit rule's field, or null when the field is not one rules may test. */
export function fieldKind(field: string, subject: "account" | "contact"): FieldKind | null {
  if (subject === "account") {
    if (field.startsWith("attributes.")) return ATTRIBUTE_KEY.test(field.slice("attributes.".length)) ? "attribute" : null;
    return (ACCOUNT_FIT_FIELDS as Record<string, FieldKind>)[field] ?? null;
  }
  return (CONTACT_FIT_FIELDS as Record<string, FieldKind>)[field] ?? null;
}

const OPERATORS_BY_KIND: Record<FieldKind, readonly FitOperator[]> = {
  text: ["EQ", "IN", "NOT_IN", "CONTAINS_ANY", "EXISTS"],
  number: ["EQ", "IN", "NOT_IN", "BETWEEN", "GTE", "LTE", "EXISTS"],
  list: ["EQ", "IN", "NOT_IN", "CONTAINS_ANY", "EXISTS"],
  boolean: ["EQ", "IN", "NOT_IN", "EXISTS"],
  attribute: ["EQ", "IN", "NOT_IN", "BETWEEN", "GTE", "LTE", "CONTAINS_ANY", "EXISTS"],
};

function fitRule(p: Problems, at: string, r: FitRuleInputData, subject: "account" | "contact", keys: Set<string>): FitRule {
  checkKey(p, at, r.key, r.label, keys);
  const kind = fieldKind(r.field, subject);
  const fields = subject === "account"
    ? `${Object.keys(ACCOUNT_FIT_FIELDS).join(", ")} or attributes.<key>`
    : Object.keys(CONTACT_FIT_FIELDS).join(", ");
  if (!kind) p.add(`${at}.field`, `${show(r.field)} is not a field ${subject === "account" ? "fit" : "lead fit"} rules can test; use ${fields}`);
  else if (!OPERATORS_BY_KIND[kind].includes(r.operator)) {
    p.add(`${at}.operator`, `${r.operator} does not apply to ${r.field}; use one of ${OPERATORS_BY_KIND[kind].join(", ")}`);
  }
  const values = (r.values ?? []).map((v) => v.trim());
  const op = r.operator;
  if (op === "EQ" && values.length !== 1) p.add(`${at}.values`, `EQ needs exactly one value (got ${values.length})`);
  if ((op === "IN" || op === "NOT_IN" || op === "CONTAINS_ANY") && values.length === 0) p.add(`${at}.values`, `${op} needs at least one value`);
  if (values.some((v) => v === "")) p.add(`${at}.values`, "values must not be blank");
  checkTexts(p, `${at}.values`, values);
  if (kind === "number" && (op === "EQ" || op === "IN" || op === "NOT_IN")) {
    const bad = values.filter((v) => !Number.isFinite(Number(v)));
    if (bad.length) p.add(`${at}.values`, `${r.field} is a number; ${showList(bad)} ${bad.length > 1 ? "are" : "is"} not`);
  }
  if (kind === "boolean" && (op === "EQ" || op === "IN" || op === "NOT_IN")) {
    const bad = values.filter((v) => v !== "true" && v !== "false");
    if (bad.length) p.add(`${at}.values`, `${r.field} is true or false; ${showList(bad)} ${bad.length > 1 ? "are" : "is"} neither`);
  }
  const min = r.min ?? null;
  const max = r.max ?? null;
  if ((op === "BETWEEN" || op === "GTE") && min === null) p.add(`${at}.min`, `${op} needs min`);
  if ((op === "BETWEEN" || op === "LTE") && max === null) p.add(`${at}.max`, `${op} needs max`);
  if (min !== null && !Number.isFinite(min)) p.add(`${at}.min`, "must be a finite number");
  if (max !== null && !Number.isFinite(max)) p.add(`${at}.max`, "must be a finite number");
  if (op === "BETWEEN" && min !== null && max !== null && min > max) p.add(`${at}`, `BETWEEN needs min ≤ max (got ${min} > ${max})`);
  checkRange(p, `${at}.points`, r.points, -MAX_POINTS, MAX_POINTS);
  const usesValues = op === "EQ" || op === "IN" || op === "NOT_IN" || op === "CONTAINS_ANY";
  return {
    key: r.key, label: r.label.trim(), field: r.field, operator: op,
    values: usesValues ? [...new Set(values)] : [],
    min: op === "BETWEEN" || op === "GTE" ? min : null,
    max: op === "BETWEEN" || op === "LTE" ? max : null,
    points: r.points, disqualify: r.disqualify ?? false,
  };
}

function checkBands(p: Problems, input: ScoringModelInputData["bands"]): Band[] {
  if (input.length === 0) p.add("bands", "needs at least one band, starting at minScore 0");
  const names = new Set<string>();
  input.forEach((b, i) => {
    const name = b.name.trim();
    if (name === "" || name.length > 40) p.add(`bands[${i}].name`, "must be 1–40 characters");
    if (names.has(name)) p.add(`bands[${i}].name`, `${show(name)} is used twice`);
    if (b.play != null && b.play.trim().length > MAX_PLAY) p.add(`bands[${i}].play`, `must be at most ${MAX_PLAY} characters (got ${b.play.trim().length})`);
    names.add(name);
    checkRange(p, `bands[${i}].minScore`, b.minScore, 0, 100);
    if (b.slaHours != null && !(Number.isInteger(b.slaHours) && b.slaHours > 0 && b.slaHours <= 24 * 366)) {
      p.add(`bands[${i}].slaHours`, `must be a whole number of hours from 1 to ${24 * 366} (got ${b.slaHours}); omit it for no SLA`);
    }
    if (i > 0 && !(b.minScore > input[i - 1]!.minScore)) {
      p.add(`bands[${i}].minScore`, `bands go from lowest to highest minScore: ${show(name)} (${b.minScore}) must start above ${show(input[i - 1]!.name)} (${input[i - 1]!.minScore})`);
    }
  });
  if (input.length > 0 && input[0]!.minScore !== 0) p.add("bands[0].minScore", `the lowest band must start at 0 so every score has a band (got ${input[0]!.minScore})`);
  return input.map((b) => ({ name: b.name.trim(), minScore: b.minScore, slaHours: b.slaHours ?? null, play: b.play?.trim() || null }));
}

function checkKey(p: Problems, at: string, key: string, label: string, keys: Set<string>): void {
  if (!KEY_PATTERN.test(key)) p.add(`${at}.key`, `must be 1–63 letters, digits, ".", "-" or "_" (got ${show(key)})`);
  else if (keys.has(key)) p.add(`${at}.key`, `"${key}" is used by another rule; keys name criteria, so they must be unique`);
  keys.add(key);
  const text = label.trim();
  if (text === "") p.add(`${at}.label`, "must not be blank: it is what a score's explanation shows");
  if (text.length > MAX_LABEL) p.add(`${at}.label`, `must be at most ${MAX_LABEL} characters (got ${text.length}): it is what a score's explanation shows`);
}

function checkTexts(p: Problems, at: string, texts: readonly string[]): void {
  if (texts.length > MAX_VALUES) p.add(at, `may hold at most ${MAX_VALUES} entries (got ${texts.length})`);
  const long = texts.find((t) => t.length > MAX_VALUE);
  if (long !== undefined) p.add(at, `entries must be at most ${MAX_VALUE} characters (got one of ${long.length})`);
}

/** Quotes a value the client sent, cut short: a message must not echo a 100 KB string back. */
function show(value: unknown): string {
  const text = String(value);
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

function showList(values: readonly string[], max = 5): string {
  const shown = values.slice(0, max).map(show).join(", ");
  return values.length > max ? `${shown} and ${values.length - max} more` : shown;
}

function checkRange(p: Problems, at: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) p.add(at, `must be from ${min} to ${max} (got ${value})`);
}

function checkPositive(p: Problems, at: string, value: number, max = 10_000): void {
  if (!Number.isFinite(value) || value <= 0 || value > max) p.add(at, `must be above 0 and at most ${max} (got ${value})`);
}

function checkInt(p: Problems, at: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) p.add(at, `must be a whole number from ${min} to ${max} (got ${value})`);
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** Problems listed in `extensions.problems`; the message counts them all. */
const MAX_PROBLEMS = 100;

class Problems {
  private readonly list: { path: string; message: string }[] = [];

  add(path: string, message: string): void {
    this.list.push({ path, message });
  }

  throwIfAny(): void {
    if (this.list.length === 0) return;
    const shown = this.list.slice(0, 10).map((x) => `${x.path} ${x.message}`).join("; ");
    const more = this.list.length > 10 ? ` (and ${this.list.length - 10} more)` : "";
    throw new BadInputError(`The scoring model is not valid: ${shown}${more}.`, { problems: this.list.slice(0, MAX_PROBLEMS) });
  }
}

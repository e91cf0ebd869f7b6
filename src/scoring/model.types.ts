/**
 * The stored shape of a scoring model version: `scoring_models.definition`.
 *
 * It is the normalised `ScoringModelInput` (DESIGN §6: every optional field filled with its
 * default) plus `criteria` and `leadCriteria`, the fixed order of the per-criterion
 * contributions stored as `real[]` in `account_scores.contributions` and
 * `contact_scores.contributions`. A version is never edited, so an array written by a run
 * always lines up with the definition of that run's model.
 */

export type Component = "FIT" | "ENGAGEMENT" | "INTENT" | "COMMITTEE";
export const COMPONENTS: readonly Component[] = ["FIT", "ENGAGEMENT", "INTENT", "COMMITTEE"];

export type FitOperator = "EQ" | "IN" | "NOT_IN" | "BETWEEN" | "GTE" | "LTE" | "CONTAINS_ANY" | "EXISTS";
export const FIT_OPERATORS: readonly FitOperator[] = ["EQ", "IN", "NOT_IN", "BETWEEN", "GTE", "LTE", "CONTAINS_ANY", "EXISTS"];

export type Rollup = "NONE" | "SUM" | "MAX";
export type ModelStatus = "DRAFT" | "ACTIVE" | "RETIRED";
export type AccountStatus = "SQA" | "MQA" | "NURTURE" | "UNQUALIFIED" | "DISQUALIFIED";
export type LeadStatus = "SQL" | "MQL" | "NURTURE" | "UNQUALIFIED" | "DISQUALIFIED";

export interface Weights {
  readonly fit: number;
  readonly engagement: number;
  readonly intent: number;
  readonly committee: number;
}

/** One test of one field; `points` (may be negative) when it matches. */
export interface FitRule {
  readonly key: string;
  readonly label: string;
  /** A core field (`industry`, `employees`, …) or a custom attribute, `attributes.<key>`. */
  readonly field: string;
  readonly operator: FitOperator;
  readonly values: readonly string[];
  readonly min: number | null;
  readonly max: number | null;
  readonly points: number;
  /** A match makes the status DISQUALIFIED (its points still count). */
  readonly disqualify: boolean;
}

/**
 * Points for each event of `eventTypes`, decayed: `points × roleMultiplier × 0.5^(ageDays /
 * halfLifeDays)` for `ageDays ≤ lookbackDays`, summed and capped per contact, then per account.
 */
export interface EngagementRule {
  readonly key: string;
  readonly label: string;
  readonly eventTypes: readonly string[];
  readonly points: number;
  readonly halfLifeDays: number;
  readonly lookbackDays: number;
  readonly capPerContact: number | null;
  readonly capPerAccount: number | null;
  /** Glob on the event's asset (`*` = anything), case-insensitive; null = any asset. */
  readonly assetPattern: string | null;
}

export interface RoleMultiplier {
  readonly role: string;
  readonly multiplier: number;
}

/** `points × strength/100 × 0.5^(ageDays / halfLifeDays)` per signal on one of `topics`. */
export interface IntentRule {
  readonly key: string;
  readonly label: string;
  readonly topics: readonly string[];
  readonly points: number;
  readonly halfLifeDays: number;
  readonly lookbackDays: number;
  readonly capPerAccount: number | null;
}

export interface CommitteeSettings {
  readonly requiredRoles: readonly string[];
  readonly pointsPerRole: number;
  /** Breadth: the bonus is earned with at least this many engaged contacts. */
  readonly minEngagedContacts: number;
  readonly breadthBonus: number;
  /** A contact is engaged when its (clamped) engagement reaches this, and is above 0. */
  readonly engagedThreshold: number;
}

export interface Band {
  readonly name: string;
  readonly minScore: number;
  /** Hours from entering the band to the first sales touch; null = no SLA. */
  readonly slaHours: number | null;
  /** What routing does with it, e.g. "1:1", "1:few", "1:many". */
  readonly play: string | null;
}

export interface Thresholds {
  readonly nurture: number;
  readonly mqa: number;
  readonly sqa: number;
  readonly minFit: number;
  readonly minEngagedContacts: number;
}

export interface LeadRules {
  readonly weights: { readonly fit: number; readonly engagement: number };
  /** Fit rules on the contact: `title`, `seniority`, `department`, `role`. */
  readonly fitRules: readonly FitRule[];
  readonly thresholds: { readonly nurture: number; readonly mql: number; readonly sql: number; readonly minFit: number };
}

/** One slot of a stored contributions array. */
export interface Criterion {
  readonly component: Component;
  readonly key: string;
  readonly label: string;
}

export interface ModelDefinition {
  readonly weights: Weights;
  readonly fitRules: readonly FitRule[];
  readonly engagementRules: readonly EngagementRule[];
  readonly roleMultipliers: readonly RoleMultiplier[];
  readonly intentRules: readonly IntentRule[];
  readonly committee: CommitteeSettings;
  /** Lowest first; the first band starts at 0. */
  readonly bands: readonly Band[];
  readonly thresholds: Thresholds;
  readonly rollup: Rollup;
  readonly leadRules: LeadRules;
  /** Order of `account_scores.contributions`: fit rules, engagement rules, intent rules, committee roles, breadth. */
  readonly criteria: readonly Criterion[];
  /** Order of `contact_scores.contributions`: lead fit rules (component FIT), then engagement rules. */
  readonly leadCriteria: readonly Criterion[];
}

/** A model version as stored. */
export interface ModelRow {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly status: ModelStatus;
  readonly description: string | null;
  readonly basedOnId: string | null;
  readonly definition: ModelDefinition;
  readonly createdBy: string | null;
  readonly createdAt: Date;
  readonly activatedAt: Date | null;
  readonly retiredAt: Date | null;
}

export const MODEL_COLUMNS = `m.id::text AS id, m.name, m.version, m.status, m.description, m.based_on_id::text AS "basedOnId",
  m.definition, m.created_by AS "createdBy", m.created_at AS "createdAt", m.activated_at AS "activatedAt", m.retired_at AS "retiredAt"`;

/** Account fields fit rules may test, with their kind. */
export const ACCOUNT_FIT_FIELDS = {
  industry: "text",
  employees: "number",
  annualRevenue: "number",
  country: "text",
  region: "text",
  technologies: "list",
  tier: "text",
  isTarget: "boolean",
} as const;

/** Contact fields lead fit rules may test. */
export const CONTACT_FIT_FIELDS = {
  title: "text",
  seniority: "text",
  department: "text",
  role: "text",
} as const;

export type FieldKind = "text" | "number" | "list" | "boolean" | "attribute";

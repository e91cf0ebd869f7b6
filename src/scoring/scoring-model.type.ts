import { Node } from "../platform/graphql/node.type";
import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { BuyingRole } from "../contacts/contact.type";
import { JSONObject } from "../platform/graphql/scalars";
import type { ModelDefinition, ModelRow } from "./model.types";

export enum ModelStatus { DRAFT = "DRAFT", ACTIVE = "ACTIVE", RETIRED = "RETIRED" }
registerEnumType(ModelStatus, { name: "ModelStatus", description: "DRAFT → ACTIVE → RETIRED; re-activating a RETIRED version is the rollback." });

export enum FitOperator {
  EQ = "EQ", IN = "IN", NOT_IN = "NOT_IN", BETWEEN = "BETWEEN", GTE = "GTE", LTE = "LTE", CONTAINS_ANY = "CONTAINS_ANY", EXISTS = "EXISTS",
}
registerEnumType(FitOperator, { name: "FitOperator", description: "How a fit rule tests its field. Text compares case-insensitively; a missing value matches nothing." });

export enum RollupMode { NONE = "NONE", SUM = "SUM", MAX = "MAX" }
registerEnumType(RollupMode, {
  name: "RollupMode",
  description: "How a parent account's engagement includes its subsidiaries': NONE (not at all), SUM (added), MAX (the most engaged family member's).",
});

export enum ScoreComponent { FIT = "FIT", ENGAGEMENT = "ENGAGEMENT", INTENT = "INTENT", COMMITTEE = "COMMITTEE" }
registerEnumType(ScoreComponent, { name: "ScoreComponent" });

@ObjectType({ simpleResolvers: true, description: "Component weights; they sum to 1, so totals stay within 0–100." })
export class ComponentWeights {
  @Field(() => Float) fit!: number;
  @Field(() => Float) engagement!: number;
  @Field(() => Float) intent!: number;
  @Field(() => Float) committee!: number;
}

@ObjectType({ simpleResolvers: true, description: "Points when one field of the account (or, in lead rules, the contact) passes a test." })
export class FitRule {
  @Field(() => String) key!: string;
  @Field(() => String) label!: string;
  @Field(() => String, { description: "A core field (industry, employees, annualRevenue, country, region, technologies, tier, isTarget) or attributes.<key>; lead rules: title, seniority, department, role." })
  field!: string;
  @Field(() => FitOperator) operator!: FitOperator;
  @Field(() => [String]) values!: string[];
  @Field(() => Float, { nullable: true }) min!: number | null;
  @Field(() => Float, { nullable: true }) max!: number | null;
  @Field(() => Float, { description: "May be negative." }) points!: number;
  @Field(() => Boolean, { description: "A match makes the status DISQUALIFIED." }) disqualify!: boolean;
}

@ObjectType({ simpleResolvers: true, description: "Decayed points per event: points × role multiplier × 0.5^(ageDays / halfLifeDays), ageDays ≤ lookbackDays." })
export class EngagementRule {
  @Field(() => String) key!: string;
  @Field(() => String) label!: string;
  @Field(() => [String]) eventTypes!: string[];
  @Field(() => Float) points!: number;
  @Field(() => Float) halfLifeDays!: number;
  @Field(() => Float) lookbackDays!: number;
  @Field(() => Float, { nullable: true, description: "Bound on one contact's points from this rule (anonymous visits of an account count as one contact)." }) capPerContact!: number | null;
  @Field(() => Float, { nullable: true, description: "Bound on the account's points from this rule." }) capPerAccount!: number | null;
  @Field(() => String, { nullable: true, description: "Glob on the event's asset (* = anything), case-insensitive." }) assetPattern!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class RoleMultiplier {
  @Field(() => BuyingRole) role!: BuyingRole;
  @Field(() => Float) multiplier!: number;
}

@ObjectType({ simpleResolvers: true, description: "Decayed points per intent signal: points × strength/100 × 0.5^(ageDays / halfLifeDays)." })
export class IntentRule {
  @Field(() => String) key!: string;
  @Field(() => String) label!: string;
  @Field(() => [String]) topics!: string[];
  @Field(() => Float) points!: number;
  @Field(() => Float) halfLifeDays!: number;
  @Field(() => Float) lookbackDays!: number;
  @Field(() => Float, { nullable: true }) capPerAccount!: number | null;
}

@ObjectType({ simpleResolvers: true })
export class CommitteeSettings {
  @Field(() => [BuyingRole]) requiredRoles!: BuyingRole[];
  @Field(() => Float) pointsPerRole!: number;
  @Field(() => Int, { description: "Engaged contacts needed for the breadth bonus." }) minEngagedContacts!: number;
  @Field(() => Float) breadthBonus!: number;
  @Field(() => Float, { description: "A contact is engaged when its decayed engagement reaches this." }) engagedThreshold!: number;
}

@ObjectType({ simpleResolvers: true })
export class Band {
  @Field(() => String) name!: string;
  @Field(() => Float) minScore!: number;
  @Field(() => Int, { nullable: true, description: "Hours from entering the band to the first sales touch." }) slaHours!: number | null;
  @Field(() => String, { nullable: true, description: "What routing does, e.g. 1:1, 1:few, 1:many." }) play!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class Thresholds {
  @Field(() => Float) nurture!: number;
  @Field(() => Float) mqa!: number;
  @Field(() => Float) sqa!: number;
  @Field(() => Float, { description: "Minimum fit for MQA and SQA." }) minFit!: number;
  @Field(() => Int, { description: "Minimum engaged contacts for SQA." }) minEngagedContacts!: number;
}

@ObjectType({ simpleResolvers: true })
export class LeadWeights {
  @Field(() => Float) fit!: number;
  @Field(() => Float) engagement!: number;
}

@ObjectType({ simpleResolvers: true })
export class LeadThresholds {
  @Field(() => Float) nurture!: number;
  @Field(() => Float) mql!: number;
  @Field(() => Float) sql!: number;
  @Field(() => Float, { description: "Minimum lead fit for MQL and SQL." }) minFit!: number;
}

@ObjectType({ simpleResolvers: true, description: "Lead scoring: fit on the contact plus its own engagement under the engagement rules." })
export class LeadRules {
  @Field(() => LeadWeights) weights!: LeadWeights;
  @Field(() => [FitRule]) fitRules!: FitRule[];
  @Field(() => LeadThresholds) thresholds!: LeadThresholds;
}

@ObjectType({ simpleResolvers: true, description: "One explainable part of a score." })
export class Criterion {
  @Field(() => ScoreComponent) component!: ScoreComponent;
  @Field(() => String, { description: "The rule's key; for committee criteria the buying role, or \"breadth\"." }) key!: string;
  @Field(() => String) label!: string;
}

/** A model version: its lifecycle fields and its definition, typed. */
@ObjectType({ description: "One immutable version of a named scoring model.", implements: Node })
export class ScoringModel {
  @Field(() => ID, { name: "rowId", description: "The database id (every id argument accepts it, or the global `id`)." }) id!: string;
  @Field(() => String, { description: "The model line, e.g. \"default\" or one per product line." }) name!: string;
  @Field(() => Int) version!: number;
  @Field(() => ModelStatus) status!: ModelStatus;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => String, { nullable: true }) createdBy!: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) activatedAt!: Date | null;
  @Field(() => Date, { nullable: true }) retiredAt!: Date | null;
  @Field(() => ComponentWeights) weights!: ComponentWeights;
  @Field(() => [FitRule]) fitRules!: FitRule[];
  @Field(() => [EngagementRule]) engagementRules!: EngagementRule[];
  @Field(() => [RoleMultiplier]) roleMultipliers!: RoleMultiplier[];
  @Field(() => [IntentRule]) intentRules!: IntentRule[];
  @Field(() => CommitteeSettings) committee!: CommitteeSettings;
  @Field(() => [Band], { description: "Lowest first." }) bands!: Band[];
  @Field(() => Thresholds) thresholds!: Thresholds;
  @Field(() => RollupMode) rollup!: RollupMode;
  @Field(() => LeadRules) leadRules!: LeadRules;
  @Field(() => [Criterion], { description: "The order of account score contributions." }) criteria!: Criterion[];
  @Field(() => [Criterion], { description: "The order of contact (lead) score contributions." }) leadCriteria!: Criterion[];
  @Field(() => JSONObject, { description: "The whole definition as stored: the normalised ScoringModelInput plus criteria and leadCriteria." })
  definition!: ModelDefinition;
  /** Not a field: `basedOn` loads it. */
  basedOnId!: string | null;
}

/** A stored version as the GraphQL object: the definition's parts become typed fields. */
export function toScoringModel(row: ModelRow): ScoringModel {
  return { ...(row.definition as unknown as Omit<ScoringModel, keyof ModelRow>), ...row, definition: row.definition } as unknown as ScoringModel;
}

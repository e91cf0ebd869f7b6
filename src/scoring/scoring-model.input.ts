import { Field, Float, ID, InputType, Int } from "type-graphql";
import { BuyingRole } from "../contacts/contact.type";
import { FitOperator, RollupMode } from "./scoring-model.type";

@InputType()
export class ComponentWeightsInput {
  @Field(() => Float) fit!: number;
  @Field(() => Float) engagement!: number;
  @Field(() => Float) intent!: number;
  @Field(() => Float) committee!: number;
}

@InputType({ description: "EQ takes one value; IN, NOT_IN and CONTAINS_ANY a list; BETWEEN min and max; GTE min; LTE max; EXISTS nothing." })
export class FitRuleInput {
  @Field(() => String, { description: "Unique within the model: names the criterion in explanations." }) key!: string;
  @Field(() => String) label!: string;
  @Field(() => String) field!: string;
  @Field(() => FitOperator) operator!: FitOperator;
  @Field(() => [String], { nullable: true }) values?: string[] | null;
  @Field(() => Float, { nullable: true }) min?: number | null;
  @Field(() => Float, { nullable: true }) max?: number | null;
  @Field(() => Float) points!: number;
  @Field(() => Boolean, { nullable: true, defaultValue: false }) disqualify?: boolean | null;
}

@InputType()
export class EngagementRuleInput {
  @Field(() => String) key!: string;
  @Field(() => String) label!: string;
  @Field(() => [String]) eventTypes!: string[];
  @Field(() => Float) points!: number;
  @Field(() => Float) halfLifeDays!: number;
  @Field(() => Float) lookbackDays!: number;
  @Field(() => Float, { nullable: true }) capPerContact?: number | null;
  @Field(() => Float, { nullable: true }) capPerAccount?: number | null;
  @Field(() => String, { nullable: true }) assetPattern?: string | null;
}

@InputType()
export class RoleMultiplierInput {
  @Field(() => BuyingRole) role!: BuyingRole;
  @Field(() => Float) multiplier!: number;
}

@InputType()
export class IntentRuleInput {
  @Field(() => String) key!: string;
  @Field(() => String) label!: string;
  @Field(() => [String]) topics!: string[];
  @Field(() => Float) points!: number;
  @Field(() => Float) halfLifeDays!: number;
  @Field(() => Float) lookbackDays!: number;
  @Field(() => Float, { nullable: true }) capPerAccount?: number | null;
}

@InputType()
export class CommitteeInput {
  @Field(() => [BuyingRole]) requiredRoles!: BuyingRole[];
  @Field(() => Float) pointsPerRole!: number;
  @Field(() => Int) minEngagedContacts!: number;
  @Field(() => Float) breadthBonus!: number;
  @Field(() => Float, { nullable: true, description: "10 when omitted." }) engagedThreshold?: number | null;
}

@InputType()
export class BandInput {
  @Field(() => String) name!: string;
  @Field(() => Float) minScore!: number;
  @Field(() => Int, { nullable: true }) slaHours?: number | null;
  @Field(() => String, { nullable: true }) play?: string | null;
}

@InputType()
export class ThresholdsInput {
  @Field(() => Float) nurture!: number;
  @Field(() => Float) mqa!: number;
  @Field(() => Float) sqa!: number;
  @Field(() => Float) minFit!: number;
  @Field(() => Int) minEngagedContacts!: number;
}

@InputType()
export class LeadWeightsInput {
  @Field(() => Float) fit!: number;
  @Field(() => Float) engagement!: number;
}

@InputType()
export class LeadThresholdsInput {
  @Field(() => Float) nurture!: number;
  @Field(() => Float) mql!: number;
  @Field(() => Float) sql!: number;
  @Field(() => Float, { nullable: true }) minFit?: number | null;
}

@InputType({ description: "Omitted: leads score on engagement alone (weights fit 0, engagement 1; MQL 40, SQL 70)." })
export class LeadRulesInput {
  @Field(() => LeadWeightsInput, { nullable: true }) weights?: LeadWeightsInput | null;
  @Field(() => [FitRuleInput], { nullable: true }) fitRules?: FitRuleInput[] | null;
  @Field(() => LeadThresholdsInput) thresholds!: LeadThresholdsInput;
}

@InputType({ description: "A new version of a scoring model (DESIGN §6). It is stored as a DRAFT; activateScoringModel puts it live." })
export class ScoringModelInput {
  @Field(() => String, { description: "The model line: lowercase letters, digits, - and _." }) name!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => ID, { nullable: true, description: "The version this one derives from." }) basedOnId?: string | null;
  @Field(() => ComponentWeightsInput) weights!: ComponentWeightsInput;
  @Field(() => [FitRuleInput], { nullable: true }) fitRules?: FitRuleInput[] | null;
  @Field(() => [EngagementRuleInput], { nullable: true }) engagementRules?: EngagementRuleInput[] | null;
  @Field(() => [RoleMultiplierInput], { nullable: true }) roleMultipliers?: RoleMultiplierInput[] | null;
  @Field(() => [IntentRuleInput], { nullable: true }) intentRules?: IntentRuleInput[] | null;
  @Field(() => CommitteeInput, { nullable: true, description: "Omitted: decision maker, champion and technical evaluator, 25 points each, +25 with 3 engaged contacts." })
  committee?: CommitteeInput | null;
  @Field(() => [BandInput], { description: "Lowest first; the first starts at 0." }) bands!: BandInput[];
  @Field(() => ThresholdsInput) thresholds!: ThresholdsInput;
  @Field(() => RollupMode, { nullable: true, defaultValue: RollupMode.NONE }) rollup?: RollupMode | null;
  @Field(() => LeadRulesInput, { nullable: true }) leadRules?: LeadRulesInput | null;
}

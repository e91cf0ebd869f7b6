import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { GlobalIdOf } from "../platform/graphql/node.type";

import { KpiDirection, KpiVersionSource } from "./band-kpi.enums";

export { KpiDirection, KpiVersionSource };
registerEnumType(KpiVersionSource, { name: "KpiVersionSource", description: "Where the report's model version came from." });
registerEnumType(KpiDirection, { name: "KpiDirection", description: "Which way a KPI is better: a lift above 1 is good for HIGHER_IS_BETTER, below 1 for LOWER_IS_BETTER (velocity, speed to first touch)." });

@InputType({ description: "A KPI report by score band, treated against holdout accounts, for the window [from, to)." })
export class BandKpiInput {
  @Field(() => Date, { description: "Window start; each account's band is its band at this instant." }) from!: Date;
  @Field(() => Date, { description: "Window end (exclusive)." }) to!: Date;
  @Field(() => String, { nullable: true, description: "Model line whose bands split the report; \"default\" when omitted (or the line of modelId)." }) model?: string | null;
  @Field(() => ID, { nullable: true, description: "A model version to band accounts by, instead of the version that was ACTIVE at from." }) modelId?: string | null;
  @Field(() => Boolean, { defaultValue: false, description: "Also split each band by account tier." }) byTier!: boolean;
  @Field(() => Int, { nullable: true, description: "Seed of the bootstrap intervals (win rate, won amount, velocity, speed to first touch); a fixed default, so the same data give the same report." })
  seed?: number | null;
  @Field(() => Float, { defaultValue: 0.95, description: "Confidence level of every interval, between 0.5 and 0.999." }) confidence!: number;
  @Field(() => Int, { defaultValue: 2000, description: "Bootstrap resamples (win rate, won amount, velocity, speed to first touch), 100 to 100 000." }) bootstrapIterations!: number;
}

@ObjectType({ simpleResolvers: true, description: "One side's value of a KPI with its confidence interval. Null where undefined (see note)." })
export class KpiEstimate {
  @Field(() => Float, { nullable: true, description: "The KPI: a rate in [0, 1], an amount, a count per account, days or hours." }) value!: number | null;
  @Field(() => Float, { nullable: true }) low!: number | null;
  @Field(() => Float, { nullable: true }) high!: number | null;
  @Field(() => Int, { description: "What the value is over: accounts (meetings, opportunity, pipeline), closed deals (win rate), won deals (won amount, velocity), customers at from (expansion), touched accounts (speed to first touch) or contacts (SQL rate)." })
  n!: number;
  @Field(() => Int, { nullable: true, description: "For rates, how many of the n had the event." }) x!: number | null;
  @Field(() => String, { description: "How the interval was computed." }) method!: string;
  @Field(() => String, { nullable: true, description: "Why a value or limit is missing." }) note!: string | null;
}

@ObjectType({ simpleResolvers: true, description: "Lift = treated / holdout, with its interval and the p-value of \"no difference\"." })
export class KpiLift {
  @Field(() => Float, { nullable: true, description: "Null when undefined: the holdout value is 0, or a side is empty (see note)." }) estimate!: number | null;
  @Field(() => Float, { nullable: true }) low!: number | null;
  @Field(() => Float, { nullable: true, description: "Null when unbounded." }) high!: number | null;
  @Field(() => Float, { nullable: true, description: "Raw p-value of this one comparison." }) pValue!: number | null;
  @Field(() => Float, { nullable: true, description: "Holm-adjusted p-value, over every lift p-value of the report." }) adjustedPValue!: number | null;
  @Field(() => Boolean, { description: "Adjusted p-value below 1 − confidence." }) significant!: boolean;
  @Field(() => String) method!: string;
  @Field(() => String) pValueMethod!: string;
  @Field(() => String, { nullable: true, description: "Why the lift or a limit is missing." }) note!: string | null;
  @Field(() => String, { nullable: true, description: "Set when the samples are too small to conclude anything." }) warning!: string | null;
}

@ObjectType({ simpleResolvers: true, description: "Treated or holdout accounts of one group: counts and KPIs." })
export class BandKpiSide {
  @Field(() => Int) accounts!: number;
  @Field(() => Int, { description: "Accounts with a meeting_held event in the window." }) accountsWithMeeting!: number;
  @Field(() => Int, { description: "Accounts with a deal created in the window." }) accountsWithOpportunity!: number;
  @Field(() => Int, { description: "Deals created in the window." }) opportunitiesCreated!: number;
  @Field(() => Float, { description: "Amount of the deals created in the window." }) pipelineCreated!: number;
  @Field(() => Int, { description: "Deals closed (won or lost) in the window." }) closedDeals!: number;
  @Field(() => Int) wonDeals!: number;
  @Field(() => Float, { description: "Amount of the deals won in the window." }) wonAmount!: number;
  @Field(() => Int, { description: "Accounts that won a deal closed in the window." }) accountsWon!: number;
  @Field(() => Int, { description: "Accounts with a deal closed in the window: the accounts the win-rate, won-amount and velocity intervals resample." }) accountsWithClosedDeals!: number;
  @Field(() => Int, { description: "meeting_held events (not bot-flagged) in the window." }) meetings!: number;
  @Field(() => Int, { description: "Customers at from: accounts with a WON deal closed before from." }) customersAtFrom!: number;
  @Field(() => Int, { description: "Of them, accounts with a WON deal closed in the window." }) customersExpanded!: number;
  @Field(() => Int, { description: "Non-internal contacts of the accounts." }) contacts!: number;
  @Field(() => Int, { description: "Of them, contacts that first reached SQL in the window (contact score history)." }) contactsReachedSql!: number;
  @Field(() => Int, { description: "Accounts with a recorded entry into their band at or before from." }) accountsWithBandEntry!: number;
  @Field(() => Int, { description: "Of them, accounts with a sales_touch after the entry and before to." }) touchedAccounts!: number;
  @Field(() => Int, { description: "Accounts with a band entry but no sales touch before to: left out of the median, counted here." }) untouched!: number;
  @Field(() => Int, { description: "Accounts of this side (at from) that entered or left the holdout during the window." }) movedDuringWindow!: number;
  @Field(() => KpiEstimate, { description: "accountsWithMeeting / accounts (Wilson interval)." }) meetingRate!: KpiEstimate;
  @Field(() => KpiEstimate, { description: "meetings / accounts (normal interval)." }) meetingsPerAccount!: KpiEstimate;
  @Field(() => KpiEstimate, { description: "accountsWithOpportunity / accounts (Wilson interval)." }) opportunityRate!: KpiEstimate;
  @Field(() => KpiEstimate, { description: "wonDeals / closedDeals (account-level cluster bootstrap interval)." }) winRate!: KpiEstimate;
  @Field(() => KpiEstimate, { description: "Average won amount: mean amount of the deals won in the window (account-level cluster bootstrap interval). Not annualised." }) averageAcv!: KpiEstimate;
  @Field(() => KpiEstimate, { description: "Median days from creation to close of the deals won in the window (account-level cluster bootstrap interval). Lower is better." })
  medianVelocityDays!: KpiEstimate;
  @Field(() => KpiEstimate, { description: "pipelineCreated / accounts (normal interval)." }) pipelinePerAccount!: KpiEstimate;
  @Field(() => KpiEstimate, { description: "customersExpanded / customersAtFrom (Wilson interval)." }) expansionRate!: KpiEstimate;
  @Field(() => KpiEstimate, { description: "Median hours from band entry to first sales touch over touchedAccounts (order-statistic interval). Lower is better." })
  medianHoursToFirstTouch!: KpiEstimate;
  @Field(() => KpiEstimate, { description: "contactsReachedSql / contacts (Wilson interval)." }) sqlRate!: KpiEstimate;
}

@ObjectType({ simpleResolvers: true, description: "Lift of each KPI, treated over holdout." })
export class BandKpiLifts {
  @Field(() => KpiLift, { description: "Koopman score interval, pooled z-test." }) meetingRate!: KpiLift;
  @Field(() => KpiLift, { description: "Koopman score interval, pooled z-test." }) opportunityRate!: KpiLift;
  @Field(() => KpiLift, { description: "Seeded cluster bootstrap over accounts." }) winRate!: KpiLift;
  @Field(() => KpiLift, { description: "Average won amount: seeded cluster bootstrap over accounts." }) averageAcv!: KpiLift;
  @Field(() => KpiLift, { description: "Seeded cluster bootstrap over accounts; below 1 is better." }) medianVelocityDays!: KpiLift;
  @Field(() => KpiLift, { description: "Delta method on the log ratio of means." }) pipelinePerAccount!: KpiLift;
  @Field(() => KpiLift, { description: "Delta method on the log ratio of means." }) meetingsPerAccount!: KpiLift;
  @Field(() => KpiLift, { description: "Koopman score interval, pooled z-test." }) expansionRate!: KpiLift;
  @Field(() => KpiLift, { description: "Seeded percentile bootstrap of the ratio of medians (accounts resampled); below 1 is better." }) medianHoursToFirstTouch!: KpiLift;
  @Field(() => KpiLift, { description: "Koopman score interval, pooled z-test." }) sqlRate!: KpiLift;
}

@ObjectType({ simpleResolvers: true, description: "One band (optionally one tier of it), treated against holdout." })
export class BandKpiGroup {
  @Field(() => String, { description: "Band at the window's start; ALL for the overall group; UNSCORED for accounts without a score." }) band!: string;
  @Field(() => String, { nullable: true, description: "Tier (A, B, C, UNTIERED) when the report is split by tier, else null." }) tier!: string | null;
  @Field(() => BandKpiSide) treated!: BandKpiSide;
  @Field(() => BandKpiSide) holdout!: BandKpiSide;
  @Field(() => BandKpiLifts) lift!: BandKpiLifts;
  @Field(() => [String], { description: "Every small-sample warning of the group's KPIs, prefixed with the KPI." }) warnings!: string[];
  @Field(() => Boolean, { description: "Both sides have accounts, so treated can be compared with holdout." }) comparable!: boolean;
  @Field(() => String, { nullable: true, description: "Why there is nothing to compare (\"nothing to compare yet, because …\"); null when comparable." }) nothingToCompare!: string | null;
  @Field(() => String, { description: "One sentence a council can repeat: the opportunity-rate lift with its interval and adjusted p-value, and every KPI that differs clearly after adjustment." })
  headline!: string;
}

@ObjectType({ simpleResolvers: true, description: "A band of the model version the report uses." })
export class KpiBand {
  @Field(() => String) name!: string;
  @Field(() => Float, { nullable: true, description: "Null for UNSCORED." }) minScore!: number | null;
  @Field(() => Float, { nullable: true, description: "The next band's minimum (scores below it), null for the top band and UNSCORED." }) maxScore!: number | null;
  @Field(() => String, { description: "The score range in words, e.g. \"40–70\", \"70–100\", \"no score\"." }) range!: string;
  @Field(() => Int, { nullable: true }) slaHours!: number | null;
  @Field(() => String, { nullable: true }) play!: string | null;
}

@ObjectType({ simpleResolvers: true, description: "What a KPI means, its unit and which way is better." })
export class KpiDefinition {
  @Field(() => String, { description: "The field name in BandKpiSide and BandKpiLifts." }) key!: string;
  @Field(() => String) label!: string;
  @Field(() => String, { description: "rate, count, amount, days or hours." }) unit!: string;
  @Field(() => KpiDirection) direction!: KpiDirection;
  @Field(() => String) definition!: string;
  @Field(() => String, { description: "How each side's interval and the lift are computed." }) method!: string;
}

@ObjectType({ simpleResolvers: true, description: "The scoring run whose snapshots gave most accounts their band at the window's start." })
export class KpiModelRun {
  @GlobalIdOf("ScoringRun")
  @Field(() => ID) id!: string;
  @Field(() => Date) asOf!: Date;
  @GlobalIdOf("ScoringModel")
  @Field(() => ID) modelId!: string;
  @Field(() => Int) modelVersion!: number;
}

@ObjectType({ simpleResolvers: true, description: "How a band converts, treated and holdout accounts together." })
export class KpiBandConversion {
  @Field(() => String) band!: string;
  @Field(() => Int) accounts!: number;
  @Field(() => Int, { description: "Accounts that won a deal closed in the window." }) accountsWon!: number;
  @Field(() => KpiEstimate, { description: "accountsWon / accounts (Wilson interval)." }) conversion!: KpiEstimate;
  @Field(() => Int) closedDeals!: number;
  @Field(() => Int) wonDeals!: number;
  @Field(() => KpiEstimate, { description: "wonDeals / closedDeals (Wilson interval)." }) winRate!: KpiEstimate;
}

@ObjectType({ simpleResolvers: true })
export class KpiBandShare {
  @Field(() => String) band!: string;
  @Field(() => Int) accounts!: number;
  @Field(() => Float) share!: number;
  @Field(() => Float, { nullable: true }) averageScore!: number | null;
}

@ObjectType({ simpleResolvers: true, description: "Accounts per band in one scoring run of the model line." })
export class KpiRunDistribution {
  @GlobalIdOf("ScoringRun")
  @Field(() => ID) runId!: string;
  @Field(() => Date) asOf!: Date;
  @Field(() => Int) modelVersion!: number;
  @Field(() => Int) accounts!: number;
  @Field(() => Float, { nullable: true }) averageScore!: number | null;
  @Field(() => [KpiBandShare], { description: "In the report's band order; bands the run's version does not have come last." }) bands!: KpiBandShare[];
}

@ObjectType({ simpleResolvers: true, description: "Is the score itself right? Conversion by band, AUC, and the distribution over time." })
export class KpiScoreQuality {
  @Field(() => [KpiBandConversion], { description: "Scored bands, lowest first (UNSCORED excluded)." }) conversionByBand!: KpiBandConversion[];
  @Field(() => Boolean, { nullable: true, description: "Conversion never falls from a band to the next higher one (bands without accounts skipped); null with fewer than two such bands." })
  monotonic!: boolean | null;
  @Field(() => Boolean, { nullable: true, description: "The same for win rate (bands without closed deals skipped)." }) winRateMonotonic!: boolean | null;
  @Field(() => Float, { nullable: true, description: "AUC of the total score at the window's start for \"won a deal closed in the window\", ties counted half; null without both outcomes." })
  auc!: number | null;
  @Field(() => Int, { description: "Scored accounts the AUC is over." }) aucAccounts!: number;
  @Field(() => Int, { description: "Of them, accounts that won." }) aucPositives!: number;
  @Field(() => [KpiRunDistribution], { description: "Runs of the model line with as-of in the window, oldest first (at most 60, evenly spaced)." })
  distributionOverTime!: KpiRunDistribution[];
  @Field(() => [String]) notes!: string[];
}

@ObjectType({ simpleResolvers: true, description: "KPIs by score band, treated against holdout accounts, with intervals, p-values and small-sample warnings." })
export class BandKpiReport {
  @Field(() => Date) from!: Date;
  @Field(() => Date) to!: Date;
  @Field(() => String) model!: string;
  @GlobalIdOf("ScoringModel")
  @Field(() => ID) modelId!: string;
  @Field(() => Int) modelVersion!: number;
  @Field(() => KpiVersionSource, { description: "Why this version: named by the request, ACTIVE at from, or no activation recorded." }) versionSource!: KpiVersionSource;
  @Field(() => String, { description: "In words: which version bands the accounts and why." }) versionReason!: string;
  @Field(() => KpiModelRun, { nullable: true, description: "Null when no run of the version is at or before from." }) asOfRun!: KpiModelRun | null;
  @Field(() => String, { description: "In words: where each account's band at from came from." }) bandRule!: string;
  @Field(() => Float) confidence!: number;
  @Field(() => Int) seed!: number;
  @Field(() => Int) bootstrapIterations!: number;
  @Field(() => Int, { description: "Target accounts in the report (treated + holdout)." }) accounts!: number;
  @Field(() => Int) treatedAccounts!: number;
  @Field(() => Int) holdoutAccounts!: number;
  @Field(() => Int, { description: "Accounts without a snapshot at or before from, scored as of from for this report (nothing is stored)." }) scoredAsOfFrom!: number;
  @Field(() => Int, { description: "Accounts left without a band (UNSCORED)." }) unscoredAccounts!: number;
  @Field(() => Int, { description: "Accounts not held out at from that entered the holdout during the window (they are treated in this report)." }) holdoutEnteredAfterFrom!: number;
  @Field(() => Int, { description: "Accounts held out at from that left the holdout during the window (they are holdout in this report)." }) holdoutLeftDuringWindow!: number;
  @Field(() => Int, { description: "Accounts that entered or left the holdout during the window; each stays on its side at from." }) movedDuringWindow!: number;
  @Field(() => [KpiDefinition], { description: "Every KPI: definition, unit, direction of good and method." }) kpis!: KpiDefinition[];
  @Field(() => Int, { description: "Lift p-values in the report: the family the Holm adjustment runs over." }) comparisons!: number;
  @Field(() => String, { description: "How p-values are adjusted for the many comparisons." }) pValueAdjustment!: string;
  @Field(() => String, { nullable: true, description: "Why nothing in the report can be compared yet (no holdout at from, no target accounts…); null when something can." })
  nothingToCompare!: string | null;
  @Field(() => [String], { description: "One headline per band (all bands first), as in each group." }) headlines!: string[];
  @Field(() => [KpiBand], { description: "The bands, lowest first; UNSCORED last when present." }) bands!: KpiBand[];
  @Field(() => BandKpiGroup, { description: "All bands together." }) overall!: BandKpiGroup;
  @Field(() => [BandKpiGroup], { description: "Per band, lowest first; with byTier each band is followed by one group per tier." }) groups!: BandKpiGroup[];
  @Field(() => [String], { description: "Report-wide caveats; each group lists its own small-sample warnings." }) warnings!: string[];
  @Field(() => KpiScoreQuality) scoreQuality!: KpiScoreQuality;
}

import { GlobalIdOf } from "../platform/graphql/node.type";
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { PageInfo } from "../platform/graphql/connection";

/** What a holdout draw is stratified by: each stratum gets the same share of its target accounts. */
export enum HoldoutStratifyBy {
  NONE = "NONE",
  TIER = "TIER",
  BAND = "BAND",
}
registerEnumType(HoldoutStratifyBy, {
  name: "HoldoutStratifyBy",
  description: "NONE: one stratum of all target accounts; TIER: per tier (A, B, C, UNTIERED); BAND: per current band of the model line (UNSCORED for accounts it has not scored).",
});

@InputType({ description: "A seeded, stratified random draw of target accounts into the holdout that plays and routing leave alone." })
export class HoldoutInput {
  @Field(() => Float, { description: "Share of each stratum's target accounts to hold out, strictly between 0 and 1 (0.1 = 10%)." })
  share!: number;

  @Field(() => Int, { description: "The same seed (on the same accounts) draws the same accounts." })
  seed!: number;

  @Field(() => HoldoutStratifyBy, { defaultValue: HoldoutStratifyBy.TIER })
  stratifyBy!: HoldoutStratifyBy;

  @Field(() => String, { nullable: true, description: "Model line whose current bands are the strata when stratifying by BAND; \"default\" when omitted." })
  model?: string | null;

  @Field(() => Boolean, {
    defaultValue: false,
    description: "false: accounts already held out stay, and only the shortfall of each stratum is drawn. true: the holdout becomes exactly this draw; accounts not drawn leave it.",
  })
  replaceExisting!: boolean;

  @Field(() => String, { nullable: true, description: "Why the draw is made; each account it puts in carries it as its entry reason (a default names the draw)." })
  reason?: string | null;
}

@InputType({ description: "Accounts to take out of the holdout, so plays and routing may work them; the history keeps when, who and why." })
export class HoldoutReleaseInput {
  @Field(() => [String], { description: "Domains of held-out accounts (at most 10 000). All or nothing: an unknown or not held-out domain refuses the batch." })
  accountDomains!: string[];

  @Field(() => String, { description: "Why they leave the holdout (required, e.g. \"customer asked for a call\")." })
  reason!: string;
}

@ObjectType({ simpleResolvers: true, description: "One stratum of a holdout draw." })
export class HoldoutStratum {
  @Field(() => String, { description: "Tier (A, B, C, UNTIERED), band (or UNSCORED), or ALL." }) stratum!: string;
  @Field(() => Int, { description: "Target accounts in the stratum." }) targets!: number;
  @Field(() => Int, { description: "Of them, held out after this assignment." }) holdout!: number;
  @Field(() => Int, { description: "Of them, newly held out by this assignment." }) added!: number;
  @Field(() => Float, { description: "holdout / targets." }) share!: number;
}

@ObjectType({ simpleResolvers: true, description: "A holdout draw: what was asked and what it did." })
export class HoldoutAssignment {
  @Field(() => ID) id!: string;
  @Field(() => Int) seed!: number;
  @Field(() => Float) share!: number;
  @Field(() => HoldoutStratifyBy) stratifyBy!: HoldoutStratifyBy;
  @Field(() => String, { nullable: true, description: "Model line of BAND strata." }) model!: string | null;
  @GlobalIdOf("ScoringRun")
  @Field(() => ID, { nullable: true, description: "Scoring run whose bands were the strata (BAND only)." }) runId!: string | null;
  @Field(() => Boolean) replaceExisting!: boolean;
  @Field(() => Int, { description: "Target accounts in the holdout after this assignment." }) accountsIn!: number;
  @Field(() => Int, { description: "Accounts this assignment put into the holdout." }) accountsAdded!: number;
  @Field(() => Int, { description: "Accounts this assignment took out of the holdout (replaceExisting only)." }) accountsRemoved!: number;
  @Field(() => [HoldoutStratum]) strata!: HoldoutStratum[];
  @Field(() => Date) assignedAt!: Date;
  @Field(() => String, { nullable: true, description: "Name of the API key that made it." }) assignedBy!: string | null;
  @Field(() => String, { nullable: true, description: "Why it was made, when the caller said." }) reason!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class HoldoutAssignmentEdge {
  @Field(() => String) cursor!: string;
  @Field(() => HoldoutAssignment) node!: HoldoutAssignment;
}

@ObjectType({ simpleResolvers: true })
export class HoldoutAssignmentConnection {
  @Field(() => [HoldoutAssignmentEdge]) edges!: HoldoutAssignmentEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: Promise<number>;
}

@ObjectType({ simpleResolvers: true, description: "One stay of an account in the holdout: when, by whom and why it entered, and (once it left) when, by whom and why it left." })
export class HoldoutHistoryEntry {
  @Field(() => ID) id!: string;
  @Field(() => ID, { description: "The account's row id." }) accountId!: string;
  @Field(() => String) accountDomain!: string;
  @Field(() => String) accountName!: string;
  @Field(() => Date) enteredAt!: Date;
  @Field(() => String, { nullable: true, description: "Name of the API key (or \"cli\") that put it in." }) enteredBy!: string | null;
  @Field(() => String) entryReason!: string;
  @Field(() => ID, { nullable: true, description: "The holdout draw that put it in." }) assignmentId!: string | null;
  @Field(() => Date, { nullable: true, description: "Null while the account is still held out." }) exitedAt!: Date | null;
  @Field(() => String, { nullable: true }) exitedBy!: string | null;
  @Field(() => String, { nullable: true }) exitReason!: string | null;
  @Field(() => ID, { nullable: true, description: "The replacing draw that took it out; null for a release." }) exitAssignmentId!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class HoldoutHistoryEdge {
  @Field(() => String) cursor!: string;
  @Field(() => HoldoutHistoryEntry) node!: HoldoutHistoryEntry;
}

@ObjectType({ simpleResolvers: true })
export class HoldoutHistoryConnection {
  @Field(() => [HoldoutHistoryEdge]) edges!: HoldoutHistoryEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: Promise<number>;
}

@ObjectType({ simpleResolvers: true, description: "What releaseHoldout did." })
export class HoldoutRelease {
  @Field(() => Int, { description: "Accounts taken out of the holdout." }) released!: number;
  @Field(() => [HoldoutHistoryEntry], { description: "Their stays, now closed, by domain." }) entries!: HoldoutHistoryEntry[];
}

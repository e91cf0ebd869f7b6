import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { PageInfo } from "../platform/graphql/connection";
import { WeightProposal } from "../training/training.type";

export enum ModelChangeKind {
  ACTIVATED = "ACTIVATED", APPROVED = "APPROVED", REJECTED = "REJECTED", SUBMITTED = "SUBMITTED", ROLLBACK = "ROLLBACK", BREAK_GLASS = "BREAK_GLASS",
}
registerEnumType(ModelChangeKind, {
  name: "ModelChangeKind",
  description: "ACTIVATED (an approved proposal went live), APPROVED / REJECTED (a COUNCIL review), SUBMITTED (a hand-written draft put up for review), ROLLBACK (a version that was ACTIVE before, re-activated), BREAK_GLASS (an ADMIN override, or Quorum's own bootstrap of the shipped default model).",
});

@ObjectType({ simpleResolvers: true, description: "Who made a change: the API key (null id for ADMIN_API_KEY and for Quorum itself, role SYSTEM)." })
export class ModelChangeActor {
  @Field(() => ID, { nullable: true }) keyId!: string | null;
  @Field(() => String, { nullable: true }) keyName!: string | null;
  @Field(() => String, { nullable: true }) role!: string | null;
}

@ObjectType({ description: "One entry of the council's audit log (model_changes)." })
export class ModelChange {
  @Field(() => ID) id!: string;
  @Field(() => Date) at!: Date;
  @Field(() => ModelChangeKind) kind!: ModelChangeKind;
  @Field(() => String, { description: "The model line." }) line!: string;
  @Field(() => ModelChangeActor) actor!: ModelChangeActor;
  @Field(() => String, { nullable: true, description: "Why: the break-glass override, the rollback." }) reason!: string | null;
  @Field(() => String, { nullable: true, description: "The review's or submission's comment." }) comment!: string | null;
  /** Resolved by loaders. */
  modelId!: string;
  previousModelId!: string | null;
  proposalId!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class ModelChangeEdge {
  @Field(() => String) cursor!: string;
  @Field(() => ModelChange) node!: ModelChange;
}

@ObjectType({ simpleResolvers: true })
export class ModelChangeConnection {
  @Field(() => [ModelChangeEdge]) edges!: ModelChangeEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number | Promise<number>;
}

@ObjectType({ simpleResolvers: true })
export class WeightProposalEdge {
  @Field(() => String) cursor!: string;
  @Field(() => WeightProposal) node!: WeightProposal;
}

@ObjectType({ simpleResolvers: true })
export class WeightProposalConnection {
  @Field(() => [WeightProposalEdge]) edges!: WeightProposalEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number | Promise<number>;
}

@ObjectType({ simpleResolvers: true, description: "Accounts in band `from` now (their latest snapshot of the ACTIVE version) and in band `to` under the proposal; null: not scored on that side." })
export class BandMove {
  @Field(() => String, { nullable: true }) from!: string | null;
  @Field(() => String, { nullable: true }) to!: string | null;
  @Field(() => Int) accounts!: number;
}

@ObjectType({ simpleResolvers: true, description: "A target account whose band would change." })
export class TargetMove {
  @Field(() => String, { description: "Pass as targetMoves(after:) for the moves after this one." }) cursor!: string;
  @Field(() => ID) accountId!: string;
  @Field(() => String) domain!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) from!: string | null;
  @Field(() => String, { nullable: true }) to!: string | null;
}

@ObjectType({ description: "What approving a proposal does to today's scores: each account's latest stored snapshot of the line's ACTIVE version against the proposed version scored as of asOf." })
export class ProposalImpact {
  @Field(() => Date) asOf!: Date;
  @Field(() => ID, { nullable: true, description: "The ACTIVE version compared with (null: the line has none yet)." }) activeModelId!: string | null;
  @Field(() => Int, { description: "Accounts compared." }) accounts!: number;
  @Field(() => [BandMove], { description: "Accounts per (current band → proposed band), every pair that occurs." }) bandMatrix!: BandMove[];
  @Field(() => Int, { description: "Target accounts that change band (targetMoves pages through them)." }) targetMovesCount!: number;
  @Field(() => Int) newlySqa!: number;
  @Field(() => Int) noLongerSqa!: number;
  @Field(() => Int) newlyMqa!: number;
  @Field(() => Int) noLongerMqa!: number;
  @Field(() => Int, { description: "SLA clocks the switch would start: moves up into a band with an SLA, and up into MQA or SQA." }) slaClocksStarted!: number;
  /** Served by `targetMoves(first, after)`. */
  moves!: readonly Omit<TargetMove, "cursor">[];
}

import { GlobalIdOf, Node } from "../platform/graphql/node.type";
import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { PageInfo } from "../platform/graphql/connection";
import { ScoreComponent, ScoringModel } from "./scoring-model.type";

export enum AccountScoreStatus { SQA = "SQA", MQA = "MQA", NURTURE = "NURTURE", UNQUALIFIED = "UNQUALIFIED", DISQUALIFIED = "DISQUALIFIED" }
registerEnumType(AccountScoreStatus, { name: "AccountScoreStatus", description: "Sales-qualified, marketing-qualified, nurture, unqualified, or disqualified by a rule." });

export enum LeadStatus { SQL = "SQL", MQL = "MQL", NURTURE = "NURTURE", UNQUALIFIED = "UNQUALIFIED", DISQUALIFIED = "DISQUALIFIED" }
registerEnumType(LeadStatus, { name: "LeadStatus" });

export enum RunStatus { RUNNING = "RUNNING", SUCCEEDED = "SUCCEEDED", FAILED = "FAILED" }
registerEnumType(RunStatus, { name: "ScoringRunStatus" });

@ObjectType({ simpleResolvers: true, description: "One criterion's share of a total, after weights and clamping: a score's contributions add up to its total." })
export class ScoreContribution {
  @Field(() => ScoreComponent) component!: ScoreComponent;
  @Field(() => String, { description: "The rule's key (a buying role or \"breadth\" for committee criteria)." }) criterion!: string;
  @Field(() => String) label!: string;
  @Field(() => Float, { description: "Points of the total; negative for negative rules." }) points!: number;
}

@ObjectType({ simpleResolvers: true, description: "An account's score in one scoring run." })
export class AccountScore {
  @GlobalIdOf("ScoringRun")
  @Field(() => ID) runId!: string;
  @Field(() => Date) asOf!: Date;
  @Field(() => ScoringModel) model!: ScoringModel;
  @Field(() => Float, { description: "0–100: Σ weight × component." }) total!: number;
  @Field(() => Float) fit!: number;
  @Field(() => Float) engagement!: number;
  @Field(() => Float) intent!: number;
  @Field(() => Float) committee!: number;
  @Field(() => String) band!: string;
  @Field(() => String, { nullable: true, description: "The band's play." }) play!: string | null;
  @Field(() => Int, { nullable: true, description: "The band's SLA in hours." }) slaHours!: number | null;
  @Field(() => String, { description: "Fit letter A–D × engagement digit 1–4; A1 is best." }) grade!: string;
  @Field(() => AccountScoreStatus) status!: AccountScoreStatus;
  @Field(() => Int) engagedContacts!: number;
  @Field(() => [ScoreContribution], { description: "Every criterion of the model, in model order; they add up to total." }) contributions!: ScoreContribution[];
}

@ObjectType({ simpleResolvers: true, description: "A contact's lead score in one scoring run." })
export class ContactScore {
  @GlobalIdOf("ScoringRun")
  @Field(() => ID) runId!: string;
  @Field(() => Date) asOf!: Date;
  @Field(() => ScoringModel) model!: ScoringModel;
  @Field(() => Float) total!: number;
  @Field(() => Float) fit!: number;
  @Field(() => Float, { description: "Decayed engagement after role multiplier and per-contact caps, 0–100." }) engagement!: number;
  @Field(() => Boolean, { description: "Engagement reached the committee's engagedThreshold." }) engaged!: boolean;
  @Field(() => LeadStatus) status!: LeadStatus;
  @Field(() => Boolean, { description: "False when the run stored no snapshot (no counted engagement in the lookback): the score is the contact's fit alone." })
  stored!: boolean;
  @Field(() => [ScoreContribution]) contributions!: ScoreContribution[];
}

@ObjectType({ simpleResolvers: true, description: "How many accounts a run put in a band." })
export class BandCount {
  @Field(() => String) band!: string;
  @Field(() => Float) minScore!: number;
  @Field(() => Float, { description: "The next band's minimum (exclusive), or 100." }) maxScore!: number;
  @Field(() => Int, { nullable: true }) slaHours!: number | null;
  @Field(() => String, { nullable: true }) play!: string | null;
  @Field(() => Int) count!: number;
  @Field(() => Float, { description: "Share of the run's accounts, 0–1." }) share!: number;
  @Field(() => Float, { nullable: true }) averageTotal!: number | null;
  @Field(() => Int, { description: "Of them, holdout accounts." }) holdoutCount!: number;
}

export enum RunKind { FULL = "FULL", INCREMENTAL = "INCREMENTAL" }
registerEnumType(RunKind, {
  name: "RunKind",
  description: "FULL: every account (a scheduled or requested run, or an activation). INCREMENTAL: only the accounts whose facts changed since their last snapshot, scored seconds after ingest.",
});

@ObjectType({ description: "One scoring run: a snapshot of every account (FULL), or of the accounts ingest touched (INCREMENTAL), and their engaged contacts, as of a time.", implements: Node })
export class ScoringRun {
  @Field(() => ID, { name: "rowId", description: "The database id (every id argument accepts it, or the global `id`)." }) id!: string;
  @Field(() => RunKind) kind!: RunKind;
  @Field(() => Date) asOf!: Date;
  @Field(() => RunStatus) status!: RunStatus;
  @Field(() => Int, { description: "Accounts the run wrote a snapshot of: all of them, or for an INCREMENTAL run the touched ones." }) accountsScored!: number;
  @Field(() => Int) contactsScored!: number;
  @Field(() => Int, { description: "Band and status transitions recorded (only runs of the ACTIVE version record them)." }) transitions!: number;
  @Field(() => String, { nullable: true }) triggeredBy!: string | null;
  @Field(() => String, { nullable: true, description: "Why a FAILED run failed." }) error!: string | null;
  @Field(() => Date) startedAt!: Date;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
  @Field(() => Float, { nullable: true }) seconds!: number | null;
  /** Not fields: resolved by loaders. */
  modelId!: string;
}

@ObjectType({ simpleResolvers: true })
export class ScoringRunEdge {
  @Field(() => String) cursor!: string;
  @Field(() => ScoringRun) node!: ScoringRun;
}

@ObjectType({ simpleResolvers: true })
export class ScoringRunConnection {
  @Field(() => [ScoringRunEdge]) edges!: ScoringRunEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: Promise<number>;
}

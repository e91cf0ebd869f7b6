import { GlobalIdOf } from "../platform/graphql/node.type";
import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { PageInfo } from "../platform/graphql/connection";

export enum TransitionKind { BAND = "BAND", STATUS = "STATUS" }
registerEnumType(TransitionKind, { name: "TransitionKind" });

export enum SlaStatus { MET = "MET", BREACHED = "BREACHED", PENDING = "PENDING", NO_SLA = "NO_SLA" }
registerEnumType(SlaStatus, {
  name: "SlaStatus",
  description: "MET: the first sales touch after entering came by the due time. BREACHED: it came later, or none came and the due time passed. PENDING: none yet, not due yet. NO_SLA: the transition carries no SLA.",
});

export enum TransitionCause { EVENTS = "EVENTS", DECAY = "DECAY", MODEL_CHANGE = "MODEL_CHANGE" }
registerEnumType(TransitionCause, {
  name: "TransitionCause",
  description: "Why an account moved. EVENTS: facts of the account changed since its previous snapshot. DECAY: none did; time alone moved it (a full run re-based it). MODEL_CHANGE: its previous snapshot was of another version of the model line (an activation).",
});

@ObjectType({ description: "An account entering a band or a status, with the SLA that started." })
export class BandTransition {
  @Field(() => ID) id!: string;
  @Field(() => TransitionKind) kind!: TransitionKind;
  @Field(() => String, { nullable: true, description: "Null when the account had no earlier snapshot." }) from!: string | null;
  @Field(() => String) to!: string;
  @Field(() => Date, { description: "The as-of of the run that saw the change." }) enteredAt!: Date;
  @Field(() => Int, { nullable: true }) slaHours!: number | null;
  @Field(() => Date, { nullable: true }) slaDueAt!: Date | null;
  @Field(() => Date, { nullable: true, description: "The first sales_touch event on the account at or after enteredAt." }) firstTouchAt!: Date | null;
  @Field(() => SlaStatus) slaStatus!: SlaStatus;
  @Field(() => Date, { nullable: true, description: "When the SLA sweep found the due time passed with no first touch (set once)." }) slaBreachedAt!: Date | null;
  @Field(() => TransitionCause) cause!: TransitionCause;
  @Field(() => Boolean, { description: "Holdout accounts are scored but left alone by plays and routing." }) isHoldout!: boolean;
  @GlobalIdOf("ScoringRun")
  @Field(() => ID) runId!: string;
  /** Not fields: `account` and `model` load them. */
  accountId!: string;
  modelId!: string;
}

@ObjectType({ simpleResolvers: true })
export class BandTransitionEdge {
  @Field(() => String) cursor!: string;
  @Field(() => BandTransition) node!: BandTransition;
}

@ObjectType({ simpleResolvers: true })
export class BandTransitionConnection {
  @Field(() => [BandTransitionEdge]) edges!: BandTransitionEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: Promise<number>;
}

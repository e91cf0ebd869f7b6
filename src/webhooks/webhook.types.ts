import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { PageInfo } from "../platform/graphql/connection";
import { JSONObject } from "../platform/graphql/scalars";
import { TransitionCause } from "../scoring/band-transition.type";

/** What happened, as webhooks and subscriptions name it (DESIGN §8). */
export enum QuorumEventType {
  BAND_ENTERED = "BAND_ENTERED",
  STATUS_CHANGED = "STATUS_CHANGED",
  SLA_BREACHED = "SLA_BREACHED",
  SCORING_RUN_FINISHED = "SCORING_RUN_FINISHED",
  PROPOSAL_CREATED = "PROPOSAL_CREATED",
  PROPOSAL_DECIDED = "PROPOSAL_DECIDED",
  MODEL_ACTIVATED = "MODEL_ACTIVATED",
}
registerEnumType(QuorumEventType, {
  name: "QuorumEventType",
  description: "BAND_ENTERED and STATUS_CHANGED: a scoring run moved an account; SLA_BREACHED: its first-touch SLA passed untouched; SCORING_RUN_FINISHED; PROPOSAL_CREATED and PROPOSAL_DECIDED: a weight proposal; MODEL_ACTIVATED: a version became ACTIVE.",
});

/** Why an account moved (band_transitions.cause): the scoring feature's enum, one GraphQL type. */
export { TransitionCause };

export enum DeliveryStatus { PENDING = "PENDING", DELIVERED = "DELIVERED", FAILED = "FAILED" }
registerEnumType(DeliveryStatus, { name: "DeliveryStatus", description: "PENDING: not yet answered with 2xx, more attempts to come; DELIVERED: a 2xx came back; FAILED: every attempt failed (redeliver to try again)." });

@ObjectType({ simpleResolvers: true, description: "An HTTP endpoint that receives signed events (Standard Webhooks). Its secret is shown once, when created." })
export class Webhook {
  @Field(() => ID) id!: string;
  @Field(() => String) url!: string;
  @Field(() => [QuorumEventType]) events!: QuorumEventType[];
  @Field(() => [String], { description: "Only account events whose band is one of these; empty: any band." }) bands!: string[];
  @Field(() => [TransitionCause], { description: "Only transitions with one of these causes; empty: any cause." }) causes!: TransitionCause[];
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class CreatedWebhook {
  @Field(() => Webhook) webhook!: Webhook;
  @Field(() => String, { description: "The signing secret (`whsec_…`) receivers verify `webhook-signature` with. It cannot be shown again." })
  secret!: string;
}

@ObjectType({ simpleResolvers: true, description: "One event on its way to one webhook." })
export class WebhookDelivery {
  @Field(() => ID) id!: string;
  @Field(() => ID) webhookId!: string;
  @Field(() => String, { description: "The `webhook-id` header: the same on every attempt and redelivery." }) messageId!: string;
  @Field(() => QuorumEventType) event!: QuorumEventType;
  @Field(() => ID) eventId!: string;
  @Field(() => DeliveryStatus) status!: DeliveryStatus;
  @Field(() => Int) attempts!: number;
  @Field(() => Date, { nullable: true, description: "When PENDING: when the next attempt is due." }) nextAttemptAt!: Date | null;
  @Field(() => Date, { nullable: true }) lastAttemptAt!: Date | null;
  @Field(() => Int, { nullable: true, description: "The HTTP status of the last answer; null when none came (timeout, refused)." }) lastResponseStatus!: number | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => Date, { nullable: true }) deliveredAt!: Date | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => String, { description: "The exact body every attempt sends." }) body!: string;
}

@ObjectType({ simpleResolvers: true })
export class WebhookDeliveryEdge {
  @Field(() => String) cursor!: string;
  @Field(() => WebhookDelivery) node!: WebhookDelivery;
}

@ObjectType({ simpleResolvers: true })
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEdge]) edges!: WebhookDeliveryEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: Promise<number>;
}

@ObjectType({ simpleResolvers: true, description: "An event as subscriptions stream it: the same type and data a webhook body carries." })
export class QuorumEvent {
  @Field(() => ID) id!: string;
  @Field(() => QuorumEventType) type!: QuorumEventType;
  @Field(() => Date) timestamp!: Date;
  @Field(() => String, { nullable: true, description: "The account's band, for account events." }) band!: string | null;
  @Field(() => TransitionCause, { nullable: true }) cause!: TransitionCause | null;
  @Field(() => JSONObject, { description: "The `data` of the webhook body." }) data!: Record<string, unknown>;
}

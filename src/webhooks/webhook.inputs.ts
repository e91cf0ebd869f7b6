import { Field, InputType } from "type-graphql";
import { QuorumEventType, TransitionCause } from "./webhook.types";

@InputType({ description: "Where to send which events. Filters that are empty or omitted let everything through." })
export class WebhookInput {
  @Field(() => String, { description: "http:// or https://; must resolve to public addresses unless WEBHOOK_ALLOW_PRIVATE_TARGETS is on." }) url!: string;
  @Field(() => [QuorumEventType]) events!: QuorumEventType[];
  @Field(() => [String], { nullable: true, description: "Account events only for accounts in these bands (band names of the model)." }) bands?: string[] | null;
  @Field(() => [TransitionCause], { nullable: true, description: "Transition events only with these causes." }) causes?: TransitionCause[] | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => Boolean, { nullable: true, description: "true when omitted." }) enabled?: boolean | null;
}

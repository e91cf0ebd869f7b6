import { GlobalIdOf } from "../platform/graphql/node.type";
import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import { PageInfo } from "../platform/graphql/connection";

@ObjectType({ simpleResolvers: true, description: "Something a person (or an anonymous visitor of the account) did." })
export class EngagementEvent {
  @Field(() => ID) id!: string;
  @Field(() => String) externalId!: string;
  @Field(() => String) type!: string;
  @Field(() => String, { nullable: true }) channel!: string | null;
  @Field(() => String, { nullable: true }) asset!: string | null;
  @Field(() => Date) occurredAt!: Date;
  @Field(() => String, { nullable: true }) source!: string | null;
  @GlobalIdOf("Contact")
  @Field(() => ID, { nullable: true }) contactId!: string | null;
  @Field(() => String, { nullable: true }) contactEmail!: string | null;
  @Field(() => Boolean, { description: "Bot or mail-privacy prefetch: stored, never scored." }) isBot!: boolean;
  @Field(() => String, { nullable: true }) botReason!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class EngagementEdge {
  @Field(() => String) cursor!: string;
  @Field(() => EngagementEvent) node!: EngagementEvent;
}

@ObjectType({ simpleResolvers: true })
export class EngagementConnection {
  @Field(() => [EngagementEdge]) edges!: EngagementEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: Promise<number>;
}

@ObjectType({ simpleResolvers: true, description: "Third-party research intent on a topic." })
export class IntentSignal {
  @Field(() => ID) id!: string;
  @Field(() => String) topic!: string;
  @Field(() => Float, { description: "0–100." }) strength!: number;
  @Field(() => Date) observedAt!: Date;
  @Field(() => String, { nullable: true }) source!: string | null;
}

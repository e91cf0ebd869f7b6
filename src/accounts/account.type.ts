import { Node } from "../platform/graphql/node.type";
import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { JSONObject } from "../platform/graphql/scalars";
import { PageInfo } from "../platform/graphql/connection";

export enum Tier { A = "A", B = "B", C = "C" }
registerEnumType(Tier, { name: "Tier", description: "Account tier: A is the most strategic." });

/** A company we sell to. Relations (parent, contacts, committee, deals, …) are field resolvers backed by DataLoaders. */
@ObjectType({ description: "A company we sell to.", implements: Node })
export class Account {
  @Field(() => ID, { name: "rowId", description: "The database id (every id argument accepts it, or the global `id`)." }) id!: string;
  @Field(() => String) domain!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) industry!: string | null;
  @Field(() => Int, { nullable: true }) employees!: number | null;
  @Field(() => Float, { nullable: true }) annualRevenue!: number | null;
  @Field(() => String, { nullable: true }) country!: string | null;
  @Field(() => String, { nullable: true }) region!: string | null;
  @Field(() => [String]) technologies!: string[];
  @Field(() => JSONObject, { description: "Custom CRM attributes that fit rules can test." }) attributes!: Record<string, unknown>;
  @Field(() => Tier, { nullable: true }) tier!: Tier | null;
  @Field(() => Boolean) isTarget!: boolean;
  @Field(() => Boolean, { description: "Held out from plays and routing, to measure what acting on the score is worth." }) isHoldout!: boolean;
  @Field(() => Date, { nullable: true }) holdoutAssignedAt!: Date | null;
  @Field(() => Date, { nullable: true }) lastEngagedAt!: Date | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
  /** Not a field: the parent resolver loads it. */
  parentId!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class AccountEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Account) node!: Account;
}

@ObjectType({ simpleResolvers: true })
export class AccountConnection {
  @Field(() => [AccountEdge]) edges!: AccountEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  /** Counted only when asked for. */
  @Field(() => Int, { description: "All accounts matching the filter, across pages." })
  totalCount!: Promise<number>;
}

import { Node } from "../platform/graphql/node.type";
import { Field, Float, ID, ObjectType, registerEnumType } from "type-graphql";

export enum DealOutcome { OPEN = "OPEN", WON = "WON", LOST = "LOST" }
registerEnumType(DealOutcome, { name: "DealOutcome" });

@ObjectType({ simpleResolvers: true, description: "An opportunity at an account.", implements: Node })
export class Deal {
  @Field(() => ID, { name: "rowId", simple: false, description: "The database id (every id argument accepts it, or the global `id`)." }) id!: string;
  @Field(() => String) externalId!: string;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => Float) amount!: number;
  @Field(() => String, { nullable: true }) stage!: string | null;
  @Field(() => DealOutcome) outcome!: DealOutcome;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) closedAt!: Date | null;
  accountId!: string | null;
}

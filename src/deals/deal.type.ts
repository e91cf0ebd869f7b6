import { Field, Float, ID, ObjectType, registerEnumType } from "type-graphql";

export enum DealOutcome { OPEN = "OPEN", WON = "WON", LOST = "LOST" }
registerEnumType(DealOutcome, { name: "DealOutcome" });

@ObjectType({ simpleResolvers: true, description: "An opportunity at an account." })
export class Deal {
  @Field(() => ID) id!: string;
  @Field(() => String) externalId!: string;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => Float) amount!: number;
  @Field(() => String, { nullable: true }) stage!: string | null;
  @Field(() => DealOutcome) outcome!: DealOutcome;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) closedAt!: Date | null;
  accountId!: string | null;
}

import { Field, ID, InputType } from "type-graphql";
import { BuyingRole, Seniority } from "./contact.type";

@InputType()
export class ContactFilter {
  @Field(() => ID, { nullable: true }) accountId?: string;
  @Field(() => String, { nullable: true }) accountDomain?: string;
  @Field(() => [BuyingRole], { nullable: true }) role?: BuyingRole[];
  @Field(() => [Seniority], { nullable: true }) seniority?: Seniority[];
  @Field(() => Boolean, { nullable: true }) isInternal?: boolean;
  @Field(() => Boolean, { nullable: true, description: "true: only contacts still waiting for their account to arrive." }) held?: boolean;
  @Field(() => String, { nullable: true, description: "Case-insensitive text in the name, email or title." }) search?: string;
}

import { Field, Float, ID, InputType, registerEnumType } from "type-graphql";
import { Tier } from "./account.type";

@InputType({ description: "Every field narrows the list; lists match any of their values." })
export class AccountFilter {
  @Field(() => [Tier], { nullable: true }) tier?: Tier[];
  @Field(() => [String], { nullable: true, description: "Current band under the filter's model." }) band?: string[];
  @Field(() => [String], { nullable: true, description: "Current status (SQA, MQA, NURTURE, UNQUALIFIED, DISQUALIFIED)." }) status?: string[];
  @Field(() => [String], { nullable: true }) industry?: string[];
  @Field(() => [String], { nullable: true }) country?: string[];
  @Field(() => [String], { nullable: true }) region?: string[];
  @Field(() => Boolean, { nullable: true }) isTarget?: boolean;
  @Field(() => Boolean, { nullable: true }) isHoldout?: boolean;
  @Field(() => Float, { nullable: true, description: "Current total score at least this." }) scoreMin?: number;
  @Field(() => Float, { nullable: true, description: "Current total score at most this." }) scoreMax?: number;
  @Field(() => String, { nullable: true, description: "Case-insensitive text in the name or domain." }) search?: string;
  @Field(() => ID, { nullable: true, description: "Only the subsidiaries of this account." }) parentId?: string;
  @Field(() => String, { nullable: true, description: "Model line whose current scores band, status, score and SCORE ordering use; the default model when omitted." })
  model?: string;
}

export enum AccountOrderField {
  NAME = "NAME",
  SCORE = "SCORE",
  EMPLOYEES = "EMPLOYEES",
  ANNUAL_REVENUE = "ANNUAL_REVENUE",
  LAST_ENGAGED_AT = "LAST_ENGAGED_AT",
}
registerEnumType(AccountOrderField, { name: "AccountOrderField" });

export enum SortDirection { ASC = "ASC", DESC = "DESC" }
registerEnumType(SortDirection, { name: "SortDirection" });

@InputType()
export class AccountOrder {
  @Field(() => AccountOrderField) field!: AccountOrderField;
  @Field(() => SortDirection, { defaultValue: SortDirection.ASC }) direction!: SortDirection;
}

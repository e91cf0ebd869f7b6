import { Node } from "../platform/graphql/node.type";
import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { PageInfo } from "../platform/graphql/connection";

export enum BuyingRole {
  DECISION_MAKER = "DECISION_MAKER",
  ECONOMIC_BUYER = "ECONOMIC_BUYER",
  CHAMPION = "CHAMPION",
  TECHNICAL_EVALUATOR = "TECHNICAL_EVALUATOR",
  INFLUENCER = "INFLUENCER",
  USER = "USER",
  BLOCKER = "BLOCKER",
  OTHER = "OTHER",
}
registerEnumType(BuyingRole, { name: "BuyingRole", description: "A contact's part in the buying committee." });

export enum Seniority {
  C_LEVEL = "C_LEVEL",
  VP = "VP",
  DIRECTOR = "DIRECTOR",
  MANAGER = "MANAGER",
  INDIVIDUAL_CONTRIBUTOR = "INDIVIDUAL_CONTRIBUTOR",
  OTHER = "OTHER",
}
registerEnumType(Seniority, { name: "Seniority" });

@ObjectType({ description: "A person at an account (or held until their account arrives).", implements: Node })
export class Contact {
  @Field(() => ID, { name: "rowId", description: "The database id (every id argument accepts it, or the global `id`)." }) id!: string;
  @Field(() => String) email!: string;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => String, { nullable: true }) title!: string | null;
  @Field(() => Seniority, { nullable: true }) seniority!: Seniority | null;
  @Field(() => String, { nullable: true }) department!: string | null;
  @Field(() => BuyingRole, { nullable: true }) role!: BuyingRole | null;
  @Field(() => Boolean, { description: "One of our own people: never scores." }) isInternal!: boolean;
  @Field(() => Date) createdAt!: Date;
  accountId!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class ContactEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Contact) node!: Contact;
}

@ObjectType({ simpleResolvers: true })
export class ContactConnection {
  @Field(() => [ContactEdge]) edges!: ContactEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: Promise<number>;
}

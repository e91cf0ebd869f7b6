import { Field, Int, ObjectType } from "type-graphql";

@ObjectType({ simpleResolvers: true, description: "Facts waiting for an account with this domain (or a parent domain of it)." })
export class HeldDomain {
  @Field(() => String) domain!: string;
  @Field(() => Int) contacts!: number;
  @Field(() => Int) events!: number;
  @Field(() => Int) intentSignals!: number;
  @Field(() => Int) deals!: number;
  @Field(() => Int, { description: "Accounts naming this domain as parentDomain." }) subsidiaries!: number;
  @Field(() => Int) total!: number;
}

@ObjectType({ simpleResolvers: true, description: "What ingest holds back, waiting for accounts (or contacts) to arrive." })
export class IngestStatus {
  @Field(() => Int, { description: "Contacts waiting for the account of their domain." }) heldContacts!: number;
  @Field(() => Int, { description: "Free-mail or internal contacts sent without accountDomain: nothing to stitch them by." }) unstitchableContacts!: number;
  @Field(() => Int, { description: "Events waiting for the account of their domain." }) heldEvents!: number;
  @Field(() => Int, { description: "Events with no domain to go by, waiting for their contact (by email)." }) eventsAwaitingContact!: number;
  @Field(() => Int) heldIntentSignals!: number;
  @Field(() => Int) heldDeals!: number;
  @Field(() => Int, { description: "Accounts whose parentDomain has no account yet." }) heldParentLinks!: number;
  @Field(() => [HeldDomain], { description: "The domains with most waiting, most first." }) domains!: HeldDomain[];
}

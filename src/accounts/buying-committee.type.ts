import { Field, Float, Int, ObjectType } from "type-graphql";
import { BuyingRole, Contact } from "../contacts/contact.type";

@ObjectType({ simpleResolvers: true })
export class CommitteeMember {
  @Field(() => Contact) contact!: Contact;
  @Field(() => BuyingRole, { nullable: true }) role!: BuyingRole | null;
  @Field(() => Float, { description: "Decayed engagement points of this contact under the committee's model." }) engagement!: number;
  @Field(() => Date, { nullable: true }) lastEngagedAt!: Date | null;
  @Field(() => Boolean, { description: "Engagement reached the model's engagedThreshold." }) engaged!: boolean;
}

@ObjectType({ simpleResolvers: true, description: "The people at an account who buy: who is there, who is engaged, who is missing." })
export class BuyingCommittee {
  @Field(() => [CommitteeMember], { description: "Contacts with a buying role or any engagement, most engaged first." }) members!: CommitteeMember[];
  @Field(() => [BuyingRole], { description: "Required roles (from the model) without an engaged contact." }) missingRequiredRoles!: BuyingRole[];
  @Field(() => Float, { description: "Share of required roles covered by an engaged contact, 0–1." }) coverage!: number;
  @Field(() => Int) engagedContacts!: number;
}

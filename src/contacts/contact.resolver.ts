import { Args, ArgsType, Authorized, Ctx, Field, FieldResolver, Int, Query, Resolver, Root } from "type-graphql";
import { accountById } from "../accounts/account.loaders";
import type { AccountRow } from "../accounts/account.row";
import { Account } from "../accounts/account.type";
import { Permission } from "../auth/roles";
import type { RequestContext } from "../platform/graphql/context";
import { ContactFilter } from "./contact-filter.input";
import { Contact, ContactConnection } from "./contact.type";

@ArgsType()
class ContactsArgs {
  @Field(() => ContactFilter, { nullable: true }) filter?: ContactFilter;
  @Field(() => Int, { nullable: true }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
}

@Resolver(() => Contact)
export class ContactResolver {
  @Authorized(Permission.READ)
  @Query(() => ContactConnection)
  contacts(@Args(() => ContactsArgs) args: ContactsArgs, @Ctx() ctx: RequestContext): Promise<ContactConnection> {
    return ctx.services.contacts.list(args.filter, args.first, args.after);
  }

  @FieldResolver(() => Account, { nullable: true, description: "Null while the contact is held, waiting for its account." })
  account(@Root() contact: Contact, @Ctx() ctx: RequestContext): Promise<AccountRow | null> | null {
    return contact.accountId ? accountById(ctx.loaders).load(contact.accountId) : null;
  }
}

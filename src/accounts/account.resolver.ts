import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import { Permission } from "../auth/roles";
import { BuyingRole, type Contact, Contact as ContactType } from "../contacts/contact.type";
import { Deal, DealOutcome } from "../deals/deal.type";
import { EngagementConnection, IntentSignal } from "../engagement/engagement.type";
import type { RequestContext } from "../platform/graphql/context";
import { decodeCursor, encodeCursor, pageSize, toPage } from "../platform/graphql/connection";
import { BadInputError } from "../platform/errors/errors";
import { decodeId } from "../platform/graphql/global-id";
import { AccountFilter, AccountOrder } from "./account-filter.input";
import { Account, AccountConnection } from "./account.type";
import type { AccountRow } from "./account.row";
import {
  accountById, contactsByAccount, dealsByAccount, eventCountByAccount, eventsByAccount, intentByAccount, subsidiariesByParent,
} from "./account.loaders";
import { committeeByAccount } from "./buying-committee.loader";
import { BuyingCommittee } from "./buying-committee.type";

@ArgsType()
class AccountsArgs {
  @Field(() => AccountFilter, { nullable: true }) filter?: AccountFilter;
  @Field(() => AccountOrder, { nullable: true }) orderBy?: AccountOrder;
  @Field(() => Int, { nullable: true }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
}

@Resolver(() => Account)
export class AccountResolver {
  @Authorized(Permission.READ)
  @Query(() => AccountConnection, { description: "Accounts, filtered and ordered, a page at a time." })
  accounts(@Args(() => AccountsArgs) args: AccountsArgs, @Ctx() ctx: RequestContext): Promise<AccountConnection> {
    return ctx.services.accounts.list(ctx.loaders, args.filter, args.orderBy, args.first, args.after);
  }

  @Authorized(Permission.READ)
  @Query(() => Account, { nullable: true, description: "One account by id or by domain." })
  async account(
    @Arg("id", () => ID, { nullable: true }) id: string | undefined,
    @Arg("domain", () => String, { nullable: true }) domain: string | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<AccountRow | null> {
    if ((id == null) === (domain == null)) throw new BadInputError("Pass exactly one of id or domain.");
    if (id != null) {
      const rowId = decodeId(id, "Account");
      return rowId === null ? null : accountById(ctx.loaders).load(rowId);
    }
    return ctx.services.accounts.byDomain(domain!);
  }

  @FieldResolver(() => Account, { nullable: true })
  parent(@Root() account: AccountRow, @Ctx() ctx: RequestContext): Promise<AccountRow | null> | null {
    return account.parentId ? accountById(ctx.loaders).load(account.parentId) : null;
  }

  @FieldResolver(() => [Account])
  subsidiaries(@Root() account: AccountRow, @Ctx() ctx: RequestContext): Promise<AccountRow[]> {
    return subsidiariesByParent(ctx.loaders).load(account.id);
  }

  @FieldResolver(() => [ContactType])
  contacts(@Root() account: AccountRow, @Arg("role", () => BuyingRole, { nullable: true }) role: BuyingRole | undefined, @Ctx() ctx: RequestContext): Promise<Contact[]> {
    return contactsByAccount(ctx.loaders, role ?? null).load(account.id);
  }

  @FieldResolver(() => BuyingCommittee, { description: "Who buys at this account, as of the model line's current run." })
  buyingCommittee(@Root() account: AccountRow, @Arg("model", () => String, { nullable: true }) model: string | undefined, @Ctx() ctx: RequestContext): Promise<BuyingCommittee> {
    return committeeByAccount(ctx.loaders, model ?? undefined).load(account.id);
  }

  @FieldResolver(() => [Deal])
  deals(@Root() account: AccountRow, @Arg("outcome", () => DealOutcome, { nullable: true }) outcome: DealOutcome | undefined, @Ctx() ctx: RequestContext): Promise<Deal[]> {
    return dealsByAccount(ctx.loaders, outcome ?? null).load(account.id);
  }

  @FieldResolver(() => [IntentSignal])
  intentSignals(@Root() account: AccountRow, @Arg("since", () => Date, { nullable: true }) since: Date | undefined, @Ctx() ctx: RequestContext): Promise<IntentSignal[]> {
    return intentByAccount(ctx.loaders, since ?? null).load(account.id);
  }

  @FieldResolver(() => EngagementConnection, { description: "The account's events, newest first." })
  async engagement(
    @Root() account: AccountRow,
    @Arg("first", () => Int, { nullable: true }) first: number | undefined,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Arg("since", () => Date, { nullable: true }) since: Date | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<EngagementConnection> {
    const limit = pageSize(first, ctx.config.pageSize);
    const before = after ? (decodeCursor(after, 2) as [string, string]) : null;
    const rows = await eventsByAccount(ctx.loaders, { limit, since: since ?? null, before }).load(account.id);
    const page = toPage(rows, limit, after, (r) => encodeCursor([r.occurredAt.toISOString(), r.id]), ({ accountId: _a, ...event }) => event);
    const counter = eventCountByAccount(ctx.loaders, since ?? null);
    let count: Promise<number> | undefined;
    return Object.defineProperty(page, "totalCount", { get: () => (count ??= counter.load(account.id)), enumerable: true }) as EngagementConnection;
  }
}

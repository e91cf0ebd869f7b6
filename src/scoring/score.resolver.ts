import { Arg, Ctx, FieldResolver, ID, Resolver, Root } from "type-graphql";
import type { AccountRow } from "../accounts/account.row";
import { Account } from "../accounts/account.type";
import { Contact } from "../contacts/contact.type";
import type { RequestContext } from "../platform/graphql/context";
import { BadInputError } from "../platform/errors/errors";
import { optionalRowId } from "../platform/graphql/global-id";
import { DEFAULT_MODEL_NAME } from "./latest-run";
import { currentScoreByAccount, currentScoreByContact, scoreHistoryByAccount } from "./score.loaders";
import { AccountScore, ContactScore } from "./score.type";

@Resolver(() => Account)
export class AccountScoreResolver {
  @FieldResolver(() => AccountScore, {
    nullable: true,
    description: "The current score: the latest run of the ACTIVE version of the model line (\"default\" when omitted). Null before the line's first run.",
  })
  score(@Root() account: AccountRow, @Arg("model", () => String, { nullable: true }) model: string | undefined, @Ctx() ctx: RequestContext): Promise<AccountScore | null> {
    return currentScoreByAccount(ctx.loaders, model ?? DEFAULT_MODEL_NAME).load(account.id);
  }

  @FieldResolver(() => [AccountScore], {
    description: "Snapshots with as-of in [from, to], oldest first: of model version modelId, or of every version of the line model (\"default\").",
  })
  scoreHistory(
    @Root() account: AccountRow,
    @Arg("from", () => Date, { nullable: true }) from: Date | undefined,
    @Arg("to", () => Date, { nullable: true }) to: Date | undefined,
    @Arg("modelId", () => ID, { nullable: true }) modelId: string | undefined,
    @Arg("model", () => String, { nullable: true }) model: string | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<AccountScore[]> {
    const modelRowId = optionalRowId(modelId, "ScoringModel", "modelId");
    if (from && to && from > to) throw new BadInputError("from must not be after to.", { field: "from" });
    return scoreHistoryByAccount(ctx.loaders, { from: from ?? null, to: to ?? null, modelId: modelRowId, modelName: model ?? DEFAULT_MODEL_NAME }).load(account.id);
  }
}

@Resolver(() => Contact)
export class ContactScoreResolver {
  @FieldResolver(() => ContactScore, {
    nullable: true,
    description: "The current lead score under the model line (\"default\"). Null for internal contacts, contacts without an account, and before the line's first run.",
  })
  score(@Root() contact: Contact, @Arg("model", () => String, { nullable: true }) model: string | undefined, @Ctx() ctx: RequestContext): Promise<ContactScore | null> {
    return currentScoreByContact(ctx.loaders, model ?? DEFAULT_MODEL_NAME).load(contact.id);
  }
}

import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from "type-graphql";
import { Permission } from "../auth/roles";
import type { RequestContext } from "../platform/graphql/context";
import { HoldoutAssignment, HoldoutAssignmentConnection, HoldoutHistoryConnection, HoldoutInput, HoldoutRelease, HoldoutReleaseInput } from "./holdout.type";

@Resolver()
export class HoldoutResolver {
  @Authorized(Permission.ANALYZE)
  @Mutation(() => HoldoutAssignment, {
    description: "Draws a seeded, stratified random share of target accounts into the holdout (one transaction). Existing holdouts stay unless replaceExisting.",
  })
  assignHoldout(@Arg("input", () => HoldoutInput) input: HoldoutInput, @Ctx() ctx: RequestContext): Promise<HoldoutAssignment> {
    return ctx.services.holdout.assign(input, ctx.auth.principal?.name ?? null);
  }

  @Authorized(Permission.READ)
  @Query(() => HoldoutAssignmentConnection, { description: "Holdout assignments, newest first." })
  holdoutAssignments(
    @Arg("first", () => Int, { nullable: true }) first: number | undefined,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<HoldoutAssignmentConnection> {
    return ctx.services.holdout.list(first ?? undefined, after ?? undefined);
  }

  @Authorized(Permission.ANALYZE)
  @Mutation(() => HoldoutRelease, {
    description: "Takes accounts out of the holdout (plays and routing may work them from now on), recording when, who and why; all or nothing.",
  })
  releaseHoldout(@Arg("input", () => HoldoutReleaseInput) input: HoldoutReleaseInput, @Ctx() ctx: RequestContext): Promise<HoldoutRelease> {
    return ctx.services.holdout.release(input, ctx.auth.principal?.name ?? null);
  }

  @Authorized(Permission.READ)
  @Query(() => HoldoutHistoryConnection, { description: "Every stay of an account in the holdout (entry and exit, with time, actor and reason), newest first; of one account with accountDomain." })
  holdoutHistory(
    @Arg("accountDomain", () => String, { nullable: true }) accountDomain: string | undefined,
    @Arg("first", () => Int, { nullable: true }) first: number | undefined,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<HoldoutHistoryConnection> {
    return ctx.services.holdout.history({ accountDomain: accountDomain ?? null }, first ?? undefined, after ?? undefined);
  }
}

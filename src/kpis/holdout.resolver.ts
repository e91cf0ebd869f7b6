import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from "type-graphql";
import { Permission } from "../auth/roles";
import type { RequestContext } from "../platform/graphql/context";
import { HoldoutAssignment, HoldoutAssignmentConnection, HoldoutInput } from "./holdout.type";

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
}

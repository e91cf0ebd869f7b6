import { Arg, Authorized, Ctx, Query, Resolver } from "type-graphql";
import { Permission } from "../auth/roles";
import type { RequestContext } from "../platform/graphql/context";
import { BandKpiInput, BandKpiReport } from "./band-kpi.type";

@Resolver()
export class BandKpiResolver {
  @Authorized(Permission.READ)
  @Query(() => BandKpiReport, {
    description: "Does acting on the score pay off? KPIs per band at the window's start, treated against holdout accounts, with intervals, p-values and warnings; plus whether the score itself ranks accounts well.",
  })
  bandKpis(@Arg("input", () => BandKpiInput) input: BandKpiInput, @Ctx() ctx: RequestContext): Promise<BandKpiReport> {
    return ctx.services.kpis.report(input, ctx.signal);
  }
}

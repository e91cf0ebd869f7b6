import { Authorized, Ctx, Query, Resolver } from "type-graphql";
import { Permission } from "../auth/roles";
import type { RequestContext } from "../platform/graphql/context";
import { Schedule } from "./schedule.type";

@Resolver()
export class ScheduleResolver {
  @Authorized(Permission.READ)
  @Query(() => [Schedule], { description: "The scheduled jobs: full scoring, the SLA breach sweep, training, retention." })
  schedules(@Ctx() ctx: RequestContext): Promise<Schedule[]> {
    return ctx.services.schedules.list();
  }
}

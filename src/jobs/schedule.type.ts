import { Field, ObjectType, registerEnumType } from "type-graphql";

export enum ScheduleStatus { RUNNING = "RUNNING", SUCCEEDED = "SUCCEEDED", FAILED = "FAILED" }
registerEnumType(ScheduleStatus, { name: "ScheduleStatus" });

@ObjectType({ simpleResolvers: true, description: "A job Quorum runs by itself on a cron schedule (UTC), once per tick across all API processes." })
export class Schedule {
  @Field(() => String, { description: "full-scoring-run, sla-breach-sweep, training-run or score-retention." }) name!: string;
  @Field(() => String, { description: "Five-field cron expression, UTC (SCHEDULE_FULL_RUN, SCHEDULE_SLA_SWEEP, SCHEDULE_TRAINING, SCHEDULE_RETENTION)." }) cron!: string;
  @Field(() => String) description!: string;
  @Field(() => Date, { nullable: true, description: "The next tick; null if the expression never fires within a year." }) nextRunAt!: Date | null;
  @Field(() => Date, { nullable: true, description: "When the last execution started." }) lastRunAt!: Date | null;
  @Field(() => ScheduleStatus, { nullable: true }) lastStatus!: ScheduleStatus | null;
  @Field(() => String, { nullable: true, description: "Why the last execution failed." }) lastError!: string | null;
}

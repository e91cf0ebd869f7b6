import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from "type-graphql";
import { Permission } from "../auth/roles";
import type { RequestContext } from "../platform/graphql/context";
import { BatchResult } from "./batch-result.type";
import { AccountInput, ContactInput, DealInput, EngagementEventInput, IntentSignalInput } from "./ingest.inputs";
import { IngestStatus } from "./ingest-status.type";

@Resolver()
export class IngestResolver {
  @Authorized(Permission.INGEST)
  @Mutation(() => BatchResult, { description: "Creates or updates accounts by domain, and links parents and held facts that were waiting for them." })
  upsertAccounts(@Arg("input", () => [AccountInput]) input: AccountInput[], @Ctx() ctx: RequestContext): Promise<BatchResult> {
    return ctx.services.ingest.write("accounts", input);
  }

  @Authorized(Permission.INGEST)
  @Mutation(() => BatchResult, { description: "Creates or updates contacts by email, stitched to accounts by email domain." })
  upsertContacts(@Arg("input", () => [ContactInput]) input: ContactInput[], @Ctx() ctx: RequestContext): Promise<BatchResult> {
    return ctx.services.ingest.write("contacts", input);
  }

  @Authorized(Permission.INGEST)
  @Mutation(() => BatchResult, { description: "Records engagement events by external id; bots and prefetches are stored and flagged." })
  recordEngagement(@Arg("input", () => [EngagementEventInput]) input: EngagementEventInput[], @Ctx() ctx: RequestContext): Promise<BatchResult> {
    return ctx.services.ingest.write("events", input);
  }

  @Authorized(Permission.INGEST)
  @Mutation(() => BatchResult, { description: "Records third-party intent signals." })
  recordIntent(@Arg("input", () => [IntentSignalInput]) input: IntentSignalInput[], @Ctx() ctx: RequestContext): Promise<BatchResult> {
    return ctx.services.ingest.write("intent", input);
  }

  @Authorized(Permission.INGEST)
  @Mutation(() => BatchResult, { description: "Creates or replaces deals by external id." })
  upsertDeals(@Arg("input", () => [DealInput]) input: DealInput[], @Ctx() ctx: RequestContext): Promise<BatchResult> {
    return ctx.services.ingest.write("deals", input);
  }

  @Authorized(Permission.READ)
  @Query(() => IngestStatus, { description: "Facts held back until their account (or contact) arrives, and the domains they wait for." })
  ingestStatus(@Arg("first", () => Int, { defaultValue: 20, description: "How many waiting domains to list (most waiting first)." }) first: number, @Ctx() ctx: RequestContext): Promise<IngestStatus> {
    return ctx.services.ingest.status(first);
  }
}

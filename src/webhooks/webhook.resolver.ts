import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { Permission } from "../auth/roles";
import { BadInputError } from "../platform/errors/errors";
import type { RequestContext } from "../platform/graphql/context";
import { WebhookInput } from "./webhook.inputs";
import { CreatedWebhook, DeliveryStatus, QuorumEvent, QuorumEventType, Webhook, WebhookDelivery, WebhookDeliveryConnection } from "./webhook.types";

@ArgsType()
class WebhookDeliveriesArgs {
  @Field(() => ID, { nullable: true }) webhookId?: string;
  @Field(() => DeliveryStatus, { nullable: true }) status?: DeliveryStatus;
  @Field(() => Int, { nullable: true }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
}

interface QuorumEventsArgs {
  types?: QuorumEventType[] | null;
  minBand?: string | null;
}

/**
 * Webhooks are ADMIN's: their URLs may carry a receiver's tokens, and their deliveries show
 * what left the building. Subscriptions read like queries (READ).
 */
@Resolver()
export class WebhookResolver {
  @Authorized(Permission.ADMIN)
  @Query(() => [Webhook], { description: "Every webhook (secrets are never shown)." })
  webhooks(@Ctx() ctx: RequestContext): Promise<Webhook[]> {
    return ctx.services.webhooks.list();
  }

  @Authorized(Permission.ADMIN)
  @Query(() => WebhookDeliveryConnection, { description: "Deliveries, newest first." })
  webhookDeliveries(@Args(() => WebhookDeliveriesArgs) args: WebhookDeliveriesArgs, @Ctx() ctx: RequestContext): Promise<WebhookDeliveryConnection> {
    return ctx.services.webhooks.deliveries({ webhookId: args.webhookId, status: args.status }, args.first, args.after);
  }

  @Authorized(Permission.ADMIN)
  @Mutation(() => CreatedWebhook, { description: "Saves a webhook; the answer carries its signing secret, shown this once." })
  createWebhook(@Arg("input", () => WebhookInput) input: WebhookInput, @Ctx() ctx: RequestContext): Promise<CreatedWebhook> {
    return ctx.services.webhooks.create(input, ctx.auth.principal?.name ?? null);
  }

  @Authorized(Permission.ADMIN)
  @Mutation(() => Webhook, { description: "Replaces a webhook's settings; its secret stays." })
  updateWebhook(@Arg("id", () => ID) id: string, @Arg("input", () => WebhookInput) input: WebhookInput, @Ctx() ctx: RequestContext): Promise<Webhook> {
    return ctx.services.webhooks.update(id, input);
  }

  @Authorized(Permission.ADMIN)
  @Mutation(() => Boolean, { description: "Deletes a webhook and its deliveries." })
  deleteWebhook(@Arg("id", () => ID) id: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return ctx.services.webhooks.delete(id);
  }

  @Authorized(Permission.ADMIN)
  @Mutation(() => WebhookDelivery, { description: "Sends a delivery again, whatever its status, with the same webhook-id and body." })
  redeliverWebhookDelivery(@Arg("id", () => ID) id: string, @Ctx() ctx: RequestContext): Promise<WebhookDelivery> {
    return ctx.services.webhooks.redeliver(id);
  }

  @Authorized(Permission.READ)
  @Subscription(() => QuorumEvent, {
    description: "The events webhooks receive, as they commit. Over graphql-ws on /graphql, with `{ authorization: \"Bearer <key>\" }` as the connection_init payload.",
    subscribe: async ({ args, context }) => {
      const { types, minBand } = args as QuorumEventsArgs;
      if (minBand != null && (minBand.trim() === "" || minBand.length > 100)) throw new BadInputError("minBand must be a band name.", { field: "minBand" });
      return (context as RequestContext).services.events.subscribe({ types, minBand });
    },
  })
  quorumEvents(
    @Root() event: QuorumEvent,
    @Arg("types", () => [QuorumEventType], { nullable: true }) _types: QuorumEventType[] | undefined,
    @Arg("minBand", () => String, { nullable: true, description: "Account events only at this band or above (by the event's model's band order)." }) _minBand: string | undefined,
  ): QuorumEvent {
    return event;
  }
}

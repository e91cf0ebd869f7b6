/** Webhooks and subscriptions: the public surface other folders (and the composition root) use. */
export { WebhookService } from "./webhook.service";
export { WebhookDispatcher, DELIVERIES_CHANNEL } from "./webhook.dispatcher";
export { EventStream, EVENTS_CHANNEL } from "./event-stream";
export { WebhookResolver } from "./webhook.resolver";
export * from "./webhook.types";

import { Field, Float, InputType, Int } from "type-graphql";
import { Tier } from "../accounts/account.type";
import { BuyingRole, Seniority } from "../contacts/contact.type";
import { DealOutcome } from "../deals/deal.type";
import { JSONObject } from "../platform/graphql/scalars";
import { DateTimeTZ } from "./date-time-tz.scalar";

/*
 * Batch input rows use natural keys (domain, email, external id), so clients never need our
 * ids. For accounts and contacts an omitted field keeps its stored value and null clears it;
 * events, intent signals and deals are facts and are replaced whole when re-sent.
 */

@InputType({ description: "An account, keyed by domain. Omitted fields keep their stored values; null clears one." })
export class AccountInput {
  @Field(() => String, { description: "The company's web domain; case, scheme, www. and a trailing dot are ignored." }) domain!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true, description: "The parent company's domain; linked now or when that account arrives." }) parentDomain?: string | null;
  @Field(() => String, { nullable: true }) industry?: string | null;
  @Field(() => Int, { nullable: true }) employees?: number | null;
  @Field(() => Float, { nullable: true }) annualRevenue?: number | null;
  @Field(() => String, { nullable: true }) country?: string | null;
  @Field(() => String, { nullable: true }) region?: string | null;
  @Field(() => [String], { nullable: true }) technologies?: string[] | null;
  @Field(() => JSONObject, { nullable: true, description: "Custom CRM fields; merged key by key, a key sent as null is removed." }) attributes?: Record<string, unknown> | null;
  @Field(() => Tier, { nullable: true }) tier?: Tier | null;
  @Field(() => Boolean, { nullable: true }) isTarget?: boolean | null;
}

@InputType({ description: "A contact, keyed by email; stitched to the account of its email domain unless accountDomain says otherwise." })
export class ContactInput {
  @Field(() => String) email!: string;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => Seniority, { nullable: true }) seniority?: Seniority | null;
  @Field(() => String, { nullable: true }) department?: string | null;
  @Field(() => BuyingRole, { nullable: true }) role?: BuyingRole | null;
  @Field(() => String, { nullable: true, description: "The account's domain, overriding the email domain (needed for free-mail and internal addresses)." })
  accountDomain?: string | null;
}

@InputType({ description: "Something a person or an anonymous visitor of an account did, keyed by externalId." })
export class EngagementEventInput {
  @Field(() => String) externalId!: string;
  @Field(() => String, { description: "One of the configured event types (EVENT_TYPES), e.g. email_open, page_view, demo_request." }) type!: string;
  @Field(() => DateTimeTZ) occurredAt!: string;
  @Field(() => String, { nullable: true }) contactEmail?: string | null;
  @Field(() => String, { nullable: true, description: "The account's domain, when there is no contact (e.g. a reverse-IP page view)." }) accountDomain?: string | null;
  @Field(() => String, { nullable: true }) channel?: string | null;
  @Field(() => String, { nullable: true, description: "The asset or URL." }) asset?: string | null;
  @Field(() => String, { nullable: true }) source?: string | null;
  @Field(() => Boolean, { nullable: true, description: "The source already knows this is a bot or a mail-privacy prefetch." }) isBot?: boolean | null;
  @Field(() => String, { nullable: true, description: "Scanner and crawler agents flag the event as noise." }) userAgent?: string | null;
  @Field(() => DateTimeTZ, { nullable: true, description: "When the email was delivered: an open or click within seconds of it is a prefetch." }) deliveredAt?: string | null;
}

@InputType({ description: "Third-party research intent, keyed by (accountDomain, topic, observedAt, source)." })
export class IntentSignalInput {
  @Field(() => String) accountDomain!: string;
  @Field(() => String) topic!: string;
  @Field(() => Int, { description: "0–100." }) strength!: number;
  @Field(() => DateTimeTZ) observedAt!: string;
  @Field(() => String, { nullable: true }) source?: string | null;
}

@InputType({ description: "An opportunity, keyed by externalId; re-sending it replaces it." })
export class DealInput {
  @Field(() => String) externalId!: string;
  @Field(() => String) accountDomain!: string;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => Float, { description: "At least 0." }) amount!: number;
  @Field(() => String, { nullable: true, description: "The CRM's own stage name." }) stage?: string | null;
  @Field(() => DealOutcome) outcome!: DealOutcome;
  @Field(() => DateTimeTZ) createdAt!: string;
  @Field(() => DateTimeTZ, { nullable: true, description: "Required for WON and LOST; not before createdAt." }) closedAt?: string | null;
}

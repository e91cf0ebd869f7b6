import { accountsIngest } from "./accounts.ingest";
import { contactsIngest } from "./contacts.ingest";
import { dealsIngest } from "./deals.ingest";
import { eventsIngest } from "./events.ingest";
import type { EntityName, IngestEntity } from "./ingest-entity";
import { intentIngest } from "./intent.ingest";

/** Every kind of row ingest accepts, by the name CLI and mappings use. */
export const INGEST_ENTITIES: Readonly<Record<EntityName, IngestEntity<unknown>>> = {
  accounts: accountsIngest as IngestEntity<unknown>,
  contacts: contactsIngest as IngestEntity<unknown>,
  events: eventsIngest as IngestEntity<unknown>,
  intent: intentIngest as IngestEntity<unknown>,
  deals: dealsIngest as IngestEntity<unknown>,
};

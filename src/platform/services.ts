import type { Logger } from "pino";
import { AccountService } from "../accounts/account.service";
import { ApiKeyService } from "../auth/api-key.service";
import { ContactService } from "../contacts/contact.service";
import type { Config } from "./config/config";
import type { Database } from "./db/database";

/** Every service, built once at start and shared by HTTP requests and CLI commands. */
export function createServices(db: Database, config: Config, log: Logger) {
  return {
    apiKeys: new ApiKeyService(db, config.adminApiKey),
    accounts: new AccountService(db, config),
    contacts: new ContactService(db, config),
    log,
  };
}

export type Services = ReturnType<typeof createServices>;

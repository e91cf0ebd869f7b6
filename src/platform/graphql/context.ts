import type { Logger } from "pino";
import type { Principal } from "../../auth/api-key.service";
import type { Config } from "../config/config";
import type { Database } from "../db/database";
import type { Services } from "../services";
import { Loaders } from "./loaders";

/** Everything a resolver may use, passed explicitly; made fresh for every request. */
export interface RequestContext {
  readonly requestId: string;
  readonly auth: { readonly principal: Principal | null; readonly problem?: string };
  readonly config: Config;
  readonly db: Database;
  readonly services: Services;
  readonly loaders: Loaders;
  readonly log: Logger;
  /** Aborts when the client closes the connection before the answer: long work may stop. */
  readonly signal: AbortSignal;
}

export function createContext(base: { requestId: string; config: Config; db: Database; services: Services; log: Logger }, auth: RequestContext["auth"],
  signal: AbortSignal = new AbortController().signal): RequestContext {
  return { ...base, auth, signal, loaders: new Loaders(base.db) };
}

import { GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { loadConfig, type Config } from "../../src/platform/config/config";
import { startApi, type App } from "../../src/platform/app";
import { createLogger } from "../../src/platform/logging/logger";
import { freshDatabase, type TestDatabase } from "./db";

export const TEST_ADMIN_KEY = "test-admin-key-0123456789abcdef";

export interface TestServer {
  readonly app: App;
  readonly url: string;
  readonly database: TestDatabase;
  readonly config: Config;
  /** A graphql-request client over real HTTP, authenticated as a fresh key of `role` (ADMIN_API_KEY for ADMIN). */
  client(role?: Role): Promise<GraphQLClient>;
  /** A client with exactly this Authorization header (or none). */
  rawClient(authorization?: string): GraphQLClient;
  stop(): Promise<void>;
}

/** The real API over HTTP on a random port, on a fresh database of its own. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const database = await freshDatabase();
  const config = loadConfig({ NODE_ENV: "test", PORT: "0", HOST: "127.0.0.1", ADMIN_API_KEY: TEST_ADMIN_KEY, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent", DATABASE_URL: database.url,
    // Background work is opt-in per test: the suite's assertions assume only the runs they start.
    LIVE_SCORING: "false", SCHEDULES: "false", ...env });
  const app = await startApi(config, createLogger(config), { db: database.db, close: () => database.drop() });
  const keys = new Map<Role, string>();
  const rawClient = (authorization?: string) => new GraphQLClient(app.url, { headers: authorization ? { authorization } : {} });
  return {
    app, url: app.url, database, config, rawClient,
    async client(role = Role.ADMIN) {
      if (role === Role.ADMIN) return rawClient(`Bearer ${TEST_ADMIN_KEY}`);
      let key = keys.get(role);
      if (!key) {
        key = (await app.services.apiKeys.create(`test-${role.toLowerCase()}`, role)).key;
        keys.set(role, key);
      }
      return rawClient(`Bearer ${key}`);
    },
    stop: () => app.stop(),
  };
}

/** The `extensions.code` of the first GraphQL error a failed request carried. */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    const errors = (err as { response?: { errors?: { extensions?: { code?: string } }[] } }).response?.errors;
    if (errors?.[0]) return errors[0].extensions?.code ?? "NO_CODE";
    throw err;
  }
  throw new Error("expected the request to fail, but it succeeded");
}

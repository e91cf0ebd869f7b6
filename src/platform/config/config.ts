import path from "node:path";
import { projectRoot } from "./paths";

/** Where the database comes from: an external server (`DATABASE_URL`) or an embedded one. */
export type DatabaseMode = { kind: "external"; url: string } | { kind: "embedded"; dataDir: string; port: number };

/** The one validated configuration object. Built once at start-up; services never read `process.env`. */
export interface Config {
  readonly nodeEnv: "development" | "production" | "test";
  readonly host: string;
  readonly port: number;
  readonly database: DatabaseMode;
  readonly poolSize: number;
  /** Secret: accepted as an ADMIN key when set. Never logged. */
  readonly adminApiKey: string | undefined;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  readonly pageSize: { readonly default: number; readonly max: number };
  readonly maxBatchSize: number;
  readonly maxBodyBytes: number;
  readonly statementTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** KPI reports computed at once; more wait their turn (each takes a core for a while at 100k accounts). */
  readonly reportConcurrency: number;
  /** Distinct COUNCIL keys whose APPROVE a proposal needs before its version may go live (DESIGN §9). */
  readonly councilApprovals: number;
  readonly slowOperationMs: number;
  readonly introspection: boolean;
  /**
   * Browser origins allowed to call the API (CORS). Empty (the default): no cross-origin browser
   * access. `["*"]`: any origin, only without credentials.
   */
  readonly cors: { readonly origins: readonly string[]; readonly credentials: boolean };
  /** GraphiQL (a bundled copy, no CDN) at `/graphiql`: on in development, off in production unless `GRAPHIQL=true`. */
  readonly graphiql: boolean;
  /** Bounds on one GraphQL request. */
  readonly limits: { readonly maxDepth: number; readonly maxAliases: number; readonly maxDirectives: number; readonly maxTokens: number; readonly maxCost: number };
  readonly demo: { readonly accounts: number; readonly seed: number; readonly loadWhenEmpty: boolean };
  /** Email domains of our own staff: their contacts are internal and never score. */
  readonly internalDomains: readonly string[];
  /** Engagement event types ingest accepts. */
  readonly eventTypes: readonly string[];
  readonly webhooks: WebhookConfig;
  /**
   * The background scorer (`LIVE_SCORING`, `LIVE_SCORING_DELAY_MS`): accounts ingest touched are
   * re-scored this long after the first touch, in an INCREMENTAL run.
   */
  readonly liveScoring: { readonly enabled: boolean; readonly delayMs: number };
  /**
   * Scheduled jobs (graphile-worker, one runner per serving process; `SCHEDULES=false` runs
   * none in this process): cron expressions, UTC.
   */
  readonly schedules: {
    readonly enabled: boolean;
    readonly fullRun: string;
    readonly slaSweep: string;
    readonly training: string;
    readonly retention: string;
  };
  /** Score history kept (see RetentionPolicy): every run for `allDays`, one a week until `weeklyDays`, one a month after. */
  readonly retention: { readonly allDays: number; readonly weeklyDays: number };
}

/** Webhook delivery (README "Webhooks"). */
export interface WebhookConfig {
  /** Whether this process delivers (another process on the same database may do it instead). */
  readonly deliver: boolean;
  /** Accept targets that resolve to loopback, private, link-local, CGNAT, multicast or metadata addresses (tests, local receivers). */
  readonly allowPrivateTargets: boolean;
  /** Time for one attempt, connection to last byte of the answer's head. */
  readonly timeoutMs: number;
  /** Attempts per delivery before it is FAILED. */
  readonly maxAttempts: number;
  /** Wait before the first retry; it doubles after every further failure (5 s, 10 s, 20 s, …). */
  readonly retryBaseMs: number;
  /** The longest wait between two attempts. */
  readonly retryMaxMs: number;
  /** Deliveries in flight at once, per process. */
  readonly concurrency: number;
  /** Bodies larger than this are sent truncated to the fields that identify the event. */
  readonly maxBodyBytes: number;
}

/** Secrets copied from an example file rather than generated: anyone who read the example knows them. */
const PLACEHOLDER_SECRET = /change[-_ ]?me|placeholder|your[-_ ]?(admin[-_ ]?)?(api[-_ ]?)?key|replace[-_ ]?me|^x+$/i;

export const DEFAULT_EVENT_TYPES = [
  "email_open", "email_click", "email_reply", "page_view", "pricing_page_view", "content_download",
  "webinar_registered", "webinar_attended", "form_fill", "demo_request", "trial_signup",
  "meeting_booked", "meeting_held", "ad_click", "event_attended", "sales_touch",
] as const;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates the environment; collects every problem before failing. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);
  const nodeEnv = read.oneOf("NODE_ENV", ["development", "production", "test"] as const, "development");
  const databaseUrl = read.string("DATABASE_URL");
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`DATABASE_URL must start with postgres:// or postgresql:// (got "${redactUrl(databaseUrl)}")`);
  }
  const config: Config = {
    nodeEnv,
    host: read.string("HOST") ?? "127.0.0.1",
    port: read.int("PORT", 4000, 0, 65535),
    database: databaseUrl
      ? { kind: "external", url: databaseUrl }
      : {
          kind: "embedded",
          dataDir: path.resolve(read.string("QUORUM_DATA_DIR") ?? path.join(projectRoot, ".data", "pg")),
          port: read.int("EMBEDDED_PG_PORT", 54329, 1024, 65535),
        },
    poolSize: read.int("DB_POOL_SIZE", 16, 1, 200),
    adminApiKey: read.string("ADMIN_API_KEY"),
    logLevel: read.oneOf("LOG_LEVEL", ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const, nodeEnv === "test" ? "silent" : "info"),
    pageSize: { default: read.int("PAGE_SIZE_DEFAULT", 50, 1, 10_000), max: read.int("PAGE_SIZE_MAX", 500, 1, 10_000) },
    maxBatchSize: read.int("MAX_BATCH_SIZE", 5_000, 1, 100_000),
    maxBodyBytes: read.int("MAX_BODY_BYTES", 8 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    statementTimeoutMs: read.int("STATEMENT_TIMEOUT_MS", 120_000, 100, 3_600_000),
    requestTimeoutMs: read.int("REQUEST_TIMEOUT_MS", 150_000, 100, 3_600_000),
    reportConcurrency: read.int("REPORT_CONCURRENCY", 4, 1, 256),
    councilApprovals: read.int("COUNCIL_APPROVALS", 2, 1, 20),
    slowOperationMs: read.int("SLOW_OPERATION_MS", 1_000, 1, 3_600_000),
    introspection: read.bool("INTROSPECTION", nodeEnv !== "production"),
    cors: { origins: read.list("CORS_ORIGINS", []).map((o) => o.replace(/\/$/, "").toLowerCase()), credentials: read.bool("CORS_CREDENTIALS", false) },
    graphiql: read.bool("GRAPHIQL", nodeEnv !== "production"),
    limits: {
      maxDepth: read.int("MAX_QUERY_DEPTH", 12, 2, 100),
      maxAliases: read.int("MAX_QUERY_ALIASES", 30, 1, 1_000),
      maxDirectives: read.int("MAX_QUERY_DIRECTIVES", 50, 1, 1_000),
      maxTokens: read.int("MAX_QUERY_TOKENS", 5_000, 100, 100_000),
      maxCost: read.int("MAX_QUERY_COST", 200_000, 100, 100_000_000),
    },
    demo: {
      accounts: read.int("DEMO_ACCOUNTS", 2_000, 1, 1_000_000),
      seed: read.int("DEMO_SEED", 42, 0, 2 ** 31 - 1),
      loadWhenEmpty: read.bool("DEMO_WHEN_EMPTY", databaseUrl === undefined),
    },
    internalDomains: read.list("INTERNAL_DOMAINS", ["quorum.example"]).map((d) => d.toLowerCase()),
    eventTypes: read.list("EVENT_TYPES", [...DEFAULT_EVENT_TYPES]),
    webhooks: {
      deliver: read.bool("WEBHOOK_DELIVERY", true),
      allowPrivateTargets: read.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", false),
      timeoutMs: read.int("WEBHOOK_TIMEOUT_MS", 10_000, 100, 120_000),
      maxAttempts: read.int("WEBHOOK_MAX_ATTEMPTS", 8, 1, 50),
      retryBaseMs: read.int("WEBHOOK_RETRY_BASE_MS", 5_000, 10, 10_000),
      retryMaxMs: read.int("WEBHOOK_RETRY_MAX_MS", 3_600_000, 10, 86_400_000),
      concurrency: read.int("WEBHOOK_CONCURRENCY", 16, 1, 256),
      maxBodyBytes: read.int("WEBHOOK_MAX_BODY_BYTES", 65_536, 1_024, 1_048_576),
    },
    liveScoring: {
      enabled: read.bool("LIVE_SCORING", true),
      delayMs: read.int("LIVE_SCORING_DELAY_MS", 2_000, 0, 3_600_000),
    },
    schedules: {
      enabled: read.bool("SCHEDULES", true),
      fullRun: read.cron("SCHEDULE_FULL_RUN", "0 2 * * *"),
      slaSweep: read.cron("SCHEDULE_SLA_SWEEP", "*/5 * * * *"),
      training: read.cron("SCHEDULE_TRAINING", "0 3 1 * *"),
      retention: read.cron("SCHEDULE_RETENTION", "30 3 * * *"),
    },
    retention: {
      allDays: read.int("RETENTION_ALL_DAYS", 30, 1, 3_650),
      weeklyDays: read.int("RETENTION_WEEKLY_DAYS", 365, 1, 36_500),
    },
  };
  if (config.retention.weeklyDays < config.retention.allDays) problems.push("RETENTION_WEEKLY_DAYS must not be less than RETENTION_ALL_DAYS");
  if (config.pageSize.default > config.pageSize.max) problems.push("PAGE_SIZE_DEFAULT must not exceed PAGE_SIZE_MAX");
  if (config.adminApiKey !== undefined && config.adminApiKey.length < 16) {
    problems.push("ADMIN_API_KEY must be at least 16 characters long");
  } else if (config.adminApiKey !== undefined && PLACEHOLDER_SECRET.test(config.adminApiKey)) {
    problems.push("ADMIN_API_KEY is a placeholder from an example; set a long random secret, e.g. $(openssl rand -hex 24)");
  }
  problems.push(...corsProblems(config.cors));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

class EnvReader {
  constructor(private readonly env: Env, private readonly problems: string[]) {}

  string(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  /** Booleans are parsed explicitly: the string "false" is not truthy here. */
  bool(name: string, fallback: boolean): boolean {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (["1", "true", "yes", "on"].includes(raw)) return true;
    if (["0", "false", "no", "off"].includes(raw)) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name} must be one of ${allowed.join(", ")} (got "${raw}")`);
    return fallback;
  }

  /** A five-field cron expression (minute hour day-of-month month day-of-week, UTC), as graphile-worker reads it. */
  cron(name: string, fallback: string): string {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const field = /^(\*|\d{1,2}(-\d{1,2})?)(\/\d{1,2})?(,(\*|\d{1,2}(-\d{1,2})?)(\/\d{1,2})?)*$/;
    const fields = raw.split(/\s+/);
    if (fields.length === 5 && fields.every((f) => field.test(f))) return raw;
    this.problems.push(`${name} must be a cron expression of five fields (minute hour day-of-month month day-of-week, UTC), e.g. "0 2 * * *" (got "${raw}")`);
    return fallback;
  }

  list(name: string, fallback: string[]): string[] {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    return raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
  }
}

/**
 * An origin is `scheme://host[:port]`, nothing more (what a browser sends in `Origin`); `*` stands
 * alone and never with credentials, which browsers would refuse anyway.
 */
function corsProblems(cors: Config["cors"]): string[] {
  const problems: string[] = [];
  if (cors.origins.includes("*")) {
    if (cors.origins.length > 1) problems.push(`CORS_ORIGINS: "*" already allows every origin; list origins or use "*" alone`);
    if (cors.credentials) problems.push(`CORS_ORIGINS="*" cannot be combined with CORS_CREDENTIALS=true: list the origins that may send credentials`);
    return problems;
  }
  for (const origin of cors.origins) {
    let parsed: URL | undefined;
    try { parsed = new URL(origin); } catch { parsed = undefined; }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
      problems.push(`CORS_ORIGINS: "${origin}" is not an origin; write scheme://host[:port] without a path, e.g. https://bi.example.com`);
    }
  }
  return problems;
}

/** Hides the password of a connection string for logs and messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]*)@/, "//$1:***@");
}

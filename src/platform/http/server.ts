import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { type ExecutionResult, GraphQLError } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import type { Logger } from "pino";
import { WebSocketServer } from "ws";
import type { Config } from "../config/config";
import type { Database } from "../db/database";
import { pendingMigrations } from "../db/migrate";
import { isDatabaseUnavailable } from "../db/database-unavailable";
import { DatabaseUnavailableError } from "../errors/errors";
import { authStatusPlugin, createErrorFormatter, unavailableStatusPlugin } from "../errors/format-error";
import { createContext, type RequestContext } from "../graphql/context";
import { getSchema } from "../graphql/schema";
import { requestLimits } from "../graphql/limits";
import type { Services } from "../services";
import { CorsPolicy } from "./cors";
import { serveGraphiql } from "./graphiql";

export interface HttpServer {
  readonly url: string;
  readonly server: http.Server;
  /** Stops accepting, lets in-flight requests finish, then closes. */
  close(): Promise<void>;
}

interface Deps { config: Config; db: Database; services: Services; log: Logger }

/**
 * A plain Node HTTP server in front of Apollo: `/graphql`, `/healthz`, `/readyz`, and the console's static files under `/console`. Owning the
 * handler keeps the hot path short and lets us enforce body-size and time limits ourselves.
 */
export async function startHttpServer(deps: Deps, listen: { host: string; port: number }): Promise<HttpServer> {
  const { config, log } = deps;
  const schema = getSchema();
  const limits = requestLimits(config, schema);
  const apollo = new ApolloServer<RequestContext>({
    schema,
    formatError: createErrorFormatter(log),
    introspection: config.introspection,
    // Apollo refuses "simple" requests a cross-site page could send without a preflight. A request
    // carrying `Authorization` cannot be one (browsers preflight that header), so a plain
    // `GET /graphql?query=…` with a key is let through; mutations over GET are refused regardless.
    csrfPrevention: { requestHeaders: ["authorization", "x-apollo-operation-name", "apollo-require-preflight"] },
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: config.nodeEnv === "production",
    allowBatchedHttpRequests: false,
    // The serve command owns SIGINT/SIGTERM (graceful: http, training, pool, database in order);
    // Apollo's own handler would stop it concurrently and deadlock that sequence.
    stopOnTerminationSignals: false,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    plugins: [ApolloServerPluginCacheControlDisabled(), ApolloServerPluginLandingPageDisabled(), ...(limits.plugins as ApolloServerPlugin<RequestContext>[]), unavailableStatusPlugin(), authStatusPlugin(), operationLog(config, log)],
  });
  await apollo.start();

  const cors = new CorsPolicy(config.cors);
  let closing = false;
  // Node checks request timeouts on this interval (30 s by default): a short timeout needs a shorter check.
  const server = http.createServer({ connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(config.requestTimeoutMs / 4))) }, (req, res) => {
    // Once closing, a keep-alive connection is dropped as soon as its request is answered.
    res.once("finish", () => { if (closing) setImmediate(() => server.closeIdleConnections()); });
    handle(req, res, apollo, deps, cors).catch((err: unknown) => {
      log.error({ err }, "request failed outside GraphQL");
      if (!res.headersSent) send(res, 500, { error: "Internal server error" });
      else res.end();
    });
  });
  const subscriptions = serveSubscriptions(server, schema, deps);
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = Math.min(60_000, config.requestTimeoutMs);
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = listen.host.includes(":") ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}/graphql`,
    server,
    async close() {
      closing = true;
      await subscriptions.dispose();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await apollo.stop();
    },
  };
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, apollo: ApolloServer<RequestContext>, deps: Deps, cors: CorsPolicy): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname === "/healthz") return send(res, 200, { status: "ok" });
  if (url.pathname === "/readyz") return ready(res, deps);
  if (deps.services.console.handles(url.pathname)) return deps.services.console.serve(req, res, url.pathname);
  if (url.pathname === "/graphiql" && (req.method === "GET" || req.method === "HEAD")) {
    if (!deps.config.graphiql) return send(res, 404, { error: "GraphiQL is off (production); set GRAPHIQL=true to serve it at /graphiql" });
    return serveGraphiql(req, res);
  }
  if (url.pathname !== "/graphql") return send(res, 404, { error: "Not found: the API is at /graphql" });
  if (req.method === "OPTIONS") return cors.preflight(req, res);
  cors.apply(req, res);
  if (req.method !== "GET" && req.method !== "POST") {
    res.setHeader("allow", "GET, POST, OPTIONS");
    return send(res, 405, { error: "Use GET or POST on /graphql" });
  }

  const body = req.method === "POST" ? await readBody(req, deps.config.maxBodyBytes) : undefined;
  if (body === TOO_LARGE) return send(res, 413, { errors: [{ message: `The request body exceeds ${deps.config.maxBodyBytes} bytes; send smaller batches.`, extensions: { code: "PAYLOAD_TOO_LARGE" } }] });
  let parsed: unknown;
  if (body !== undefined && body.length > 0) {
    try {
      parsed = JSON.parse(body);
    } catch {
      return send(res, 400, { errors: [{ message: "The request body is not valid JSON.", extensions: { code: "BAD_REQUEST" } }] });
    }
  }

  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
  }
  const requestId = (typeof req.headers["x-request-id"] === "string" && req.headers["x-request-id"].slice(0, 100)) || crypto.randomUUID();
  res.setHeader("x-request-id", requestId);

  const gone = new AbortController();
  res.once("close", () => { if (!res.writableFinished) gone.abort(); });
  const result = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method!, headers, search: url.search, body: parsed },
    context: async () => createContext({ requestId, ...deps }, await authenticate(req.headers.authorization, deps.services), gone.signal),
  });
  for (const [key, value] of result.headers) res.setHeader(key, value);
  res.statusCode = legacyStatus(result.status ?? 200, result.headers.get("content-type"));
  if (result.body.kind === "complete") {
    res.end(result.body.string);
  } else {
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }
}

/**
 * 401 and 403 are for clients of `application/graphql-response+json` (authStatusPlugin);
 * `application/json` keeps answering 200 with the error in the body, as before.
 */
function legacyStatus(status: number, contentType: string | undefined): number {
  return (status === 401 || status === 403) && contentType?.startsWith("application/json") ? 200 : status;
}

/**
 * GraphQL subscriptions over graphql-ws on the same port and path: the API key comes in the
 * connection_init payload (`{ authorization: "Bearer <key>" }`) and is checked as for HTTP; a
 * missing, malformed or refused key closes the connection with 4401 or 4403 and says why.
 * Root fields check roles with `@Authorized` as queries do; errors are shaped by the same
 * formatter.
 */
function serveSubscriptions(server: http.Server, schema: ReturnType<typeof getSchema>, deps: Deps) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.config.maxBodyBytes });
  server.on("upgrade", (req, socket, head) => {
    if (new URL(req.url ?? "/", "http://localhost").pathname !== "/graphql") {
      socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });
  const format = createErrorFormatter(deps.log);
  const shape = (errors: readonly GraphQLError[]) => errors.map((e) => new GraphQLError(format(e.toJSON(), e).message, { extensions: format(e.toJSON(), e).extensions, path: e.path, nodes: e.nodes }));
  type Extra = { socket: import("ws").WebSocket; auth?: RequestContext["auth"]; requestId?: string };
  return useServer<Record<string, unknown>, Extra>({
    schema,
    isProd: true,
    async onConnect(ctx) {
      const header = ctx.connectionParams?.authorization;
      let auth: RequestContext["auth"];
      try {
        auth = await authenticate(typeof header === "string" ? header : undefined, deps.services);
      } catch {
        ctx.extra.socket.close(1013, "The database is unavailable; reconnect in a few seconds.");
        return false;
      }
      if (!auth.principal) {
        const reason = header === undefined ? "Send { authorization: \"Bearer <api key>\" } as the connection_init payload." : auth.problem ?? "The API key was refused.";
        ctx.extra.socket.close(header === undefined ? 4401 : 4403, reason.slice(0, 120));
        return false;
      }
      ctx.extra.auth = auth;
      ctx.extra.requestId = crypto.randomUUID();
      deps.log.info({ requestId: ctx.extra.requestId, role: auth.principal.role, keyName: auth.principal.name }, "subscription connection");
      return true;
    },
    context: (ctx) => createContext({ requestId: ctx.extra.requestId ?? crypto.randomUUID(), ...deps }, ctx.extra.auth ?? { principal: null }),
    onNext: (_ctx, _id, _payload, _args, result) => {
      const r = result as ExecutionResult;
      return r.errors?.length ? { ...r, errors: shape(r.errors) } : undefined;
    },
    onError: (_ctx, _id, _payload, errors) => shape(errors),
  }, wss);
}

async function authenticate(header: string | undefined, services: Services): Promise<RequestContext["auth"]> {
  if (!header) return { principal: null };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return { principal: null, problem: "The Authorization header must be `Bearer <api key>`." };
  // This runs while Apollo builds the context, before any resolver: name an outage here, or it
  // would reach the client as an internal error with HTTP 500.
  const principal = await services.apiKeys.authenticate(match[1]!).catch((err: unknown) => {
    throw isDatabaseUnavailable(err) ? new DatabaseUnavailableError() : err;
  });
  return principal ? { principal } : { principal: null, problem: "The API key is unknown or revoked; ask an admin for a new one." };
}

async function ready(res: http.ServerResponse, { db }: Deps): Promise<void> {
  try {
    const pending = await pendingMigrations(db.pool);
    if (pending.length > 0) return send(res, 503, { status: "migrating", pending });
    return send(res, 200, { status: "ready" });
  } catch {
    return send(res, 503, { status: "database unreachable" });
  }
}

const TOO_LARGE = Symbol("too large");

function readBody(req: http.IncomingMessage, limit: number): Promise<string | typeof TOO_LARGE> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      req.resume();
      resolve(TOO_LARGE);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        resolve(TOO_LARGE);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(JSON.stringify(body));
}

/** One log line per operation: request id, operation, role, duration; slow ones at warn. */
function operationLog(config: Config, log: Logger): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ contextValue, operationName, errors }) {
          const durationMs = Math.round(performance.now() - started);
          const entry = {
            requestId: contextValue.requestId,
            operation: operationName ?? null,
            role: contextValue.auth.principal?.role ?? null,
            keyName: contextValue.auth.principal?.name ?? null,
            durationMs,
            errors: errors?.length ?? 0,
          };
          if (durationMs >= config.slowOperationMs) log.warn(entry, "slow operation");
          else log.info(entry, "operation");
        },
      };
    },
  };
}

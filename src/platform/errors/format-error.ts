import { GraphQLError, type GraphQLFormattedError } from "graphql";
import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { unwrapResolverError } from "@apollo/server/errors";
import type { Logger } from "pino";
import { isDatabaseUnavailable } from "../db/database-unavailable";
import { AppError, DatabaseUnavailableError } from "./errors";

/** Codes graphql-js and Apollo raise themselves for client mistakes; these pass through. */
const CLIENT_CODES = new Set([
  "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "BAD_REQUEST",
  "QUERY_TOO_COSTLY", "PERSISTED_QUERY_NOT_FOUND", "PERSISTED_QUERY_NOT_SUPPORTED", "OPERATION_RESOLUTION_FAILURE",
]);

/**
 * One mapper for every error a client sees: expected errors keep their code and message; a
 * database outage becomes SERVICE_UNAVAILABLE, which says to retry; anything unexpected
 * becomes a masked INTERNAL_SERVER_ERROR, logged in full.
 */
export function createErrorFormatter(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    let original = causeOf(error);
    if (isDatabaseUnavailable(original)) {
      log.warn({ err: original, path: formatted.path }, "database unavailable");
      original = new DatabaseUnavailableError();
    }
    if (original instanceof AppError) {
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: original.code, ...(original.details ?? {}) },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === "string" && CLIENT_CODES.has(code)) {
      const { stacktrace: _s, ...extensions } = formatted.extensions ?? {};
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { ...extensions, code } };
    }
    // By name, not instanceof: a package's ESM build can carry graphql's other module copy.
    if (isGraphQLError(original) && original.originalError == null && !formatted.path) {
      // Raised by graphql-js while validating or coercing the request: the client's mistake.
      return { message: formatted.message, locations: formatted.locations, extensions: { code: "BAD_USER_INPUT" } };
    }
    if ((original as { code?: unknown })?.code === "57014") {
      return { message: "The query ran longer than the statement timeout; narrow it (smaller page, shorter window) and retry.", path: formatted.path, extensions: { code: "TIMEOUT" } };
    }
    log.error({ err: original, path: formatted.path }, "unexpected error");
    return { message: "Internal server error", path: formatted.path, extensions: { code: "INTERNAL_SERVER_ERROR" } };
  };
}

function isGraphQLError(err: unknown): err is GraphQLError {
  return err instanceof GraphQLError || (err as Error | undefined)?.name === "GraphQLError";
}

/**
 * The error a resolver threw; or, for a failure while building the request's context
 * (authentication), the AppError Apollo wrapped without a path.
 */
function causeOf(error: unknown): unknown {
  const original = unwrapResolverError(error);
  return isGraphQLError(original) && original.originalError instanceof AppError ? original.originalError : original;
}

/**
 * Responses carrying SERVICE_UNAVAILABLE get HTTP 503, so load balancers, proxies and client
 * retry policies see a transient outage rather than a success or a bug.
 */
export function unavailableStatusPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const errors = response.body.kind === "single" ? response.body.singleResult.errors : undefined;
          if (errors?.some((e) => e.extensions?.code === "SERVICE_UNAVAILABLE")) response.http.status = 503;
        },
      };
    },
  };
}

/**
 * GraphQL over HTTP (`application/graphql-response+json`): a request that produced no data because
 * the caller is not authenticated answers 401 (with `WWW-Authenticate: Bearer`), one refused for its
 * role 403. A response with any data keeps 2xx, as the spec requires. The HTTP layer puts clients
 * that asked for `application/json` back on 200, the status they have always had.
 */
export function authStatusPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== "single") return;
          const { errors, data } = response.body.singleResult;
          if (!errors?.length || hasData(data)) return;
          if (errors.some((e) => e.extensions?.code === "UNAUTHENTICATED")) {
            response.http.status = 401;
            response.http.headers.set("www-authenticate", 'Bearer realm="quorum"');
          } else if (errors.some((e) => e.extensions?.code === "FORBIDDEN")) {
            response.http.status = 403;
          }
        },
      };
    },
  };
}

/** Whether any root field produced a value (`{ a: null, b: null }` is no data). */
function hasData(data: Record<string, unknown> | null | undefined): boolean {
  return data != null && Object.values(data).some((v) => v !== null);
}

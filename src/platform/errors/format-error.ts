import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import type { Logger } from "pino";
import { AppError } from "./errors";

/** Codes graphql-js and Apollo raise themselves for client mistakes; these pass through. */
const CLIENT_CODES = new Set([
  "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "BAD_REQUEST",
  "QUERY_TOO_COSTLY", "PERSISTED_QUERY_NOT_FOUND", "PERSISTED_QUERY_NOT_SUPPORTED", "OPERATION_RESOLUTION_FAILURE",
]);

/** PostgreSQL error classes that mean "the database is not reachable right now". */
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3]|53300)/;

/**
 * One mapper for every error a client sees: expected errors keep their code and message;
 * anything unexpected becomes a masked INTERNAL_SERVER_ERROR, logged in full.
 */
export function createErrorFormatter(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
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
    const sqlState = (original as { code?: unknown })?.code;
    if (typeof sqlState === "string" && UNAVAILABLE_SQLSTATE.test(sqlState) || isConnectionError(original)) {
      log.warn({ err: original, path: formatted.path }, "database unavailable");
      return { message: "The database is unavailable; retry shortly.", path: formatted.path, extensions: { code: "SERVICE_UNAVAILABLE" } };
    }
    if (sqlState === "57014") {
      return { message: "The query ran longer than the statement timeout; narrow it (smaller page, shorter window) and retry.", path: formatted.path, extensions: { code: "TIMEOUT" } };
    }
    log.error({ err: original, path: formatted.path }, "unexpected error");
    return { message: "Internal server error", path: formatted.path, extensions: { code: "INTERNAL_SERVER_ERROR" } };
  };
}

function isGraphQLError(err: unknown): err is GraphQLError {
  return err instanceof GraphQLError || (err as Error | undefined)?.name === "GraphQLError";
}

function isConnectionError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = (err as Error | undefined)?.message ?? "";
  return code === "ECONNREFUSED" || code === "ECONNRESET" || code === "EPIPE"
    || /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message);
}

import { GraphQLError, GraphQLScalarType, Kind } from "graphql";

/**
 * Timestamps in ingest inputs. The value arrives as the string the client sent and is checked
 * per row (ISO 8601 with `Z` or an offset), so a batch reports every bad timestamp in
 * `BatchResult.errors` with its row index, next to the row's other problems — instead of one
 * request-level coercion error that hides the rest.
 */
export const DateTimeTZ = new GraphQLScalarType<string, string>({
  name: "DateTimeTZ",
  description: "An ISO 8601 date-time with its time zone (Z or an offset), e.g. 2025-03-01T09:30:00Z or 2025-03-01T10:30:00+01:00. "
    + "Checked per row: a value without a time zone is reported in BatchResult.errors.",
  serialize: (value) => (value instanceof Date ? value.toISOString() : String(value)),
  parseValue: (value) => {
    if (typeof value !== "string") throw new GraphQLError(`DateTimeTZ must be a string such as 2025-03-01T09:30:00Z (got ${JSON.stringify(value)})`);
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError("DateTimeTZ must be a string such as 2025-03-01T09:30:00Z", { nodes: ast });
    return ast.value;
  },
});

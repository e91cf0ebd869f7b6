import "reflect-metadata";
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from "graphql";
import { GraphQLDateTime } from "graphql-scalars";
import { buildSchemaSync } from "type-graphql";
import { authChecker } from "../../auth/auth.checker";
import { resolvers } from "./resolvers";

let built: GraphQLSchema | undefined;

/** The executable schema, built once per process from the resolver classes. */
export function getSchema(): GraphQLSchema {
  built ??= buildSchemaSync({
    resolvers,
    authChecker,
    authMode: "error",
    validate: false,
    // DESIGN §6 names the scalar DateTime: RFC 3339, so an input without a zone offset is refused.
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
    // type-graphql insists on a PubSub once a subscription exists; ours name their own event
    // source (`subscribe:`), so topic-based publishing is refused rather than silently dropped.
    pubSub: {
      publish() { throw new Error("Subscriptions read their own event source; there are no pub/sub topics."); },
      subscribe() { throw new Error("Subscriptions read their own event source; there are no pub/sub topics."); },
    },
  });
  return built;
}

/** The SDL committed as `schema.graphql`: sorted, so diffs show only real changes. */
export function printPublishedSchema(): string {
  return `# Generated from the code by \`npm run schema:emit\`. Do not edit by hand.\n\n${printSchema(lexicographicSortSchema(getSchema()))}\n`;
}

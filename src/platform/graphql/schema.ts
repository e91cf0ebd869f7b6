import "reflect-metadata";
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema, isObjectType, lexicographicSortSchema, printSchema } from "graphql";
import { GraphQLDateTime } from "graphql-scalars";
import { buildSchemaSync } from "type-graphql";
import { authChecker } from "../../auth/auth.checker";
import { toGlobalId } from "./global-id";
import { resolvers } from "./resolvers";

let built: GraphQLSchema | undefined;

/** The executable schema, built once per process from the resolver classes. */
export function getSchema(): GraphQLSchema {
  if (built) return built;
  built = buildSchemaSync({
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
  encodeGlobalIds(built);
  return built;
}

/**
 * Rows carry database ids; the schema serves global ids: `id` of every `Node` type, and every
 * field marked `@GlobalIdOf(type)`. Done once here, so no resolver encodes ids by hand.
 */
function encodeGlobalIds(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    const isNode = type.getInterfaces().some((i) => i.name === "Node");
    for (const field of Object.values(type.getFields())) {
      const target = field.name === "id" && isNode ? type.name : (field.extensions as { globalIdOf?: string }).globalIdOf;
      if (target) field.resolve = encoding(target, field.resolve ?? defaultFieldResolver);
    }
  }
}

function encoding(type: string, inner: GraphQLFieldResolver<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> {
  const encode = (value: unknown) => (value == null ? value : toGlobalId(type, String(value)));
  return (source, args, context, info) => {
    const value = inner(source, args, context, info);
    return value instanceof Promise ? value.then(encode) : encode(value);
  };
}

/** The SDL committed as `schema.graphql`: sorted, so diffs show only real changes. */
export function printPublishedSchema(): string {
  return `# Generated from the code by \`npm run schema:emit\`. Do not edit by hand.\n\n${printSchema(lexicographicSortSchema(getSchema()))}\n`;
}

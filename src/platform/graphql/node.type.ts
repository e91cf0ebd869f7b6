import { Extensions, Field, ID, InterfaceType } from "type-graphql";

/**
 * Relay's `Node`: anything a client can refetch by `node(id:)`. `id` is a global id (see
 * global-id.ts), encoded from the row's database id when the schema is built (schema.ts), so
 * rows keep their database `id` everywhere in the code.
 */
@InterfaceType("Node", {
  description: "An object with a global id, refetchable with `node(id:)`.",
  resolveType: (value: { __typename?: string }) => value.__typename,
})
export abstract class Node {
  @Field(() => ID, { description: "Opaque global id: unique across types; every id argument accepts it (or the rowId)." })
  id!: string;
}

/**
 * Marks an ID field that refers to a `Node` of `type` by its database id: the schema serves it as
 * that node's global id, e.g. `@GlobalIdOf("ScoringRun") @Field(() => ID) runId!: string`.
 */
export function GlobalIdOf(type: string): PropertyDecorator & MethodDecorator & ClassDecorator {
  return Extensions({ globalIdOf: type });
}

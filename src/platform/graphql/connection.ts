import { Field, ObjectType } from "type-graphql";
import { BadInputError } from "../errors/errors";

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => Boolean) hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true }) startCursor!: string | null;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

/** An opaque cursor: the sort key values of a row, base64url-encoded JSON. */
export function encodeCursor(values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

export function decodeCursor(cursor: string, arity: number): unknown[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(values) && values.length === arity) return values;
  } catch {
    // fall through to the error below
  }
  throw new BadInputError(`The cursor "${cursor.slice(0, 40)}" is not valid for this list; pass an endCursor from the same query.`, { field: "after" });
}

/** Clamps `first` to the configured page size: default when absent, an error when out of range. */
export function pageSize(first: number | null | undefined, limits: { default: number; max: number }): number {
  if (first === null || first === undefined) return limits.default;
  if (!Number.isInteger(first) || first < 0 || first > limits.max) {
    throw new BadInputError(`first must be between 0 and ${limits.max} (got ${first}); page through longer lists with after.`, { field: "first" });
  }
  return first;
}

/**
 * Builds a Relay page from `rows` fetched with LIMIT first + 1: the extra row only tells
 * whether a next page exists.
 */
export function toPage<Row, Node>(rows: Row[], first: number, after: string | null | undefined, cursorOf: (row: Row) => string, nodeOf: (row: Row) => Node) {
  const hasNextPage = rows.length > first;
  const pageRows = hasNextPage ? rows.slice(0, first) : rows;
  const edges = pageRows.map((row) => ({ cursor: cursorOf(row), node: nodeOf(row) }));
  const pageInfo: PageInfo = {
    hasNextPage,
    hasPreviousPage: after !== null && after !== undefined,
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges[edges.length - 1]?.cursor ?? null,
  };
  return { edges, pageInfo };
}

/** Adds `totalCount` as a lazy property: the count query runs only when a client selects it. */
export function withLazyCount<T extends object>(page: T, count: () => Promise<number>): T & { totalCount: Promise<number> } {
  let pending: Promise<number> | undefined;
  return Object.defineProperty(page, "totalCount", { get: () => (pending ??= count()), enumerable: true }) as T & { totalCount: Promise<number> };
}

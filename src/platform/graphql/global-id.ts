import { BadInputError } from "../errors/errors";
import { isRowId } from "./ids";

/**
 * Relay global ids: `base64url("<GraphQL type>:<row id>")`, opaque to clients, unique across
 * types, and decodable back to the row. Every object with an identity (the `Node` interface)
 * carries one as `id`, and its database id as `rowId`.
 *
 * @example toGlobalId("Account", "42") // "QWNjb3VudDo0Mg"
 */
export function toGlobalId(type: string, rowId: string): string {
  return Buffer.from(`${type}:${rowId}`, "utf8").toString("base64url");
}

/** The type and row id a global id names, or null when `id` is not one. */
export function parseGlobalId(id: string): { type: string; rowId: string } | null {
  if (id.length > 120 || !/^[A-Za-z0-9_-]+$/.test(id)) return null;
  const decoded = Buffer.from(id, "base64url").toString("utf8");
  const match = /^([A-Z][A-Za-z]*):(\d+)$/.exec(decoded);
  if (!match || !isRowId(match[2]!) || toGlobalId(match[1]!, match[2]!) !== id) return null;
  return { type: match[1]!, rowId: match[2]! };
}

/**
 * THE decoder for every ID argument: a row id (`"42"`) or a global id of `type` gives the row id;
 * anything else (malformed, beyond bigint, another type's global id) gives null, which callers
 * answer as "not found" or, through {@link requireRowId}, as BAD_USER_INPUT.
 *
 * @example decodeId("42", "Account")              // "42"
 * @example decodeId("QWNjb3VudDo0Mg", "Account")  // "42"
 * @example decodeId("QWNjb3VudDo0Mg", "Contact")  // null: an account's id
 */
export function decodeId(id: string, type: string): string | null {
  if (isRowId(id)) return id;
  const parsed = parseGlobalId(id);
  return parsed && parsed.type === type ? parsed.rowId : null;
}

/** {@link decodeId}, refusing what it cannot decode with BAD_USER_INPUT naming the argument. */
export function requireRowId(id: string, type: string, field: string): string {
  const rowId = decodeId(id, type);
  if (rowId === null) throw new BadInputError(`${field}: "${id.slice(0, 120)}" is not an id of type ${type}; pass the ${type}'s id or rowId`, { field });
  return rowId;
}

/** {@link requireRowId} for an optional argument: null and undefined pass through as null. */
export function optionalRowId(id: string | null | undefined, type: string, field: string): string | null {
  return id == null ? null : requireRowId(id, type, field);
}

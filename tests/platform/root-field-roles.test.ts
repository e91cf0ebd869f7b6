import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  getNamedType, getNullableType, isEnumType, isInputObjectType, isLeafType, isListType, isNonNullType,
  type GraphQLField, type GraphQLInputType,
} from "graphql";
import { getMetadataStorage } from "type-graphql";
import { Permission, Role, roleAllows } from "../../src/auth/roles";
import { getSchema } from "../../src/platform/graphql/schema";
import { errorCode, startTestServer, type TestServer } from "../support/server";

/**
 * Every root field × every role, generated from the schema: a field added without
 * `@Authorized` fails the first test, and each role is refused exactly where its permissions
 * end. Arguments are dummy literals of the right types — auth is checked before a resolver
 * runs, so refused calls never touch the data.
 */
const schema = getSchema();
const storage = getMetadataStorage();
const roots = [
  ...storage.queries.map((q) => ({ kind: "query" as const, name: q.schemaName, target: q.target, method: q.methodName })),
  ...storage.mutations.map((m) => ({ kind: "mutation" as const, name: m.schemaName, target: m.target, method: m.methodName })),
].filter((r) => (r.kind === "query" ? schema.getQueryType() : schema.getMutationType())?.getFields()[r.name]);

function permissionOf(root: (typeof roots)[number]): Permission[] | undefined {
  return storage.authorizedFields.find((a) => a.target === root.target && a.fieldName === root.method)?.roles as Permission[] | undefined;
}

function literal(type: GraphQLInputType): string {
  if (isNonNullType(type)) return literal(type.ofType);
  if (isListType(type)) return `[${literal(type.ofType)}]`;
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const required = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return `{ ${required.map((f) => `${f.name}: ${literal(f.type)}`).join(", ")} }`;
  }
  switch (type.name) {
    case "Int": return "1";
    case "Float": return "0.5";
    case "Boolean": return "true";
    case "ID": return `"1"`;
    case "JSONObject": return "{}";
    default: return /date|time/i.test(type.name) ? `"2026-01-01T00:00:00Z"` : `"x"`;
  }
}

function documentFor(kind: "query" | "mutation", field: GraphQLField<unknown, unknown>): string {
  const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  const args = required.length ? `(${required.map((a) => `${a.name}: ${literal(a.type)}`).join(", ")})` : "";
  const selection = isLeafType(getNamedType(getNullableType(field.type))) ? "" : " { __typename }";
  return `${kind} { ${field.name}${args}${selection} }`;
}

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server?.stop(); });

describe("every root field checks the caller's role", () => {
  it("has @Authorized on every query and mutation", () => {
    expect(roots.length).toBeGreaterThan(25);
    const open = roots.filter((r) => !permissionOf(r)?.length).map((r) => r.name);
    expect(open).toEqual([]);
  });

  it("has @Authorized on every subscription (checked when it subscribes; see tests/webhooks/subscriptions.test.ts)", () => {
    const subscriptions = storage.subscriptions.filter((s) => schema.getSubscriptionType()?.getFields()[s.schemaName]);
    expect(subscriptions.map((s) => s.schemaName)).toContain("quorumEvents");
    const open = subscriptions.filter((s) => !storage.authorizedFields.find((a) => a.target === s.target && a.fieldName === s.methodName)?.roles.length);
    expect(open.map((s) => s.schemaName)).toEqual([]);
  });

  it("refuses every root field without a key (UNAUTHENTICATED)", async () => {
    for (const root of roots) {
      const field = (root.kind === "query" ? schema.getQueryType() : schema.getMutationType())!.getFields()[root.name]!;
      expect([root.name, await errorCode(server.rawClient().request(documentFor(root.kind, field)))]).toEqual([root.name, "UNAUTHENTICATED"]);
    }
  });

  it.each(Object.values(Role))("refuses %s exactly where its permissions end", async (role) => {
    const client = await server.client(role);
    for (const root of roots) {
      const permissions = permissionOf(root)!;
      const allowed = permissions.every((p) => roleAllows(role, p));
      const field = (root.kind === "query" ? schema.getQueryType() : schema.getMutationType())!.getFields()[root.name]!;
      const document = documentFor(root.kind, field);
      if (!allowed) {
        expect([root.name, await errorCode(client.request(document))]).toEqual([root.name, "FORBIDDEN"]);
      } else if (root.kind === "query") {
        // Allowed reads run: whatever they answer, it is not an auth refusal.
        const outcome = await client.request(document).then(() => "OK", (err: { response?: { errors?: { extensions?: { code?: string } }[] } }) => err.response?.errors?.[0]?.extensions?.code ?? "NO_CODE");
        expect([root.name, outcome]).not.toEqual([root.name, "FORBIDDEN"]);
        expect([root.name, outcome]).not.toEqual([root.name, "UNAUTHENTICATED"]);
      }
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { errorCode, startTestServer, TEST_ADMIN_KEY, type TestServer } from "../support/server";

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server?.stop(); });

const READ = gql`{ accounts(first: 1) { totalCount } }`;
const CREATE_KEY = gql`mutation CreateKey($name: String!, $role: Role!) { createApiKey(name: $name, role: $role) { key apiKey { id name role keyPrefix } } }`;
const REVOKE_KEY = gql`mutation Revoke($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`;

describe("API keys and roles", () => {
  it("refuses a request without a key as UNAUTHENTICATED", async () => {
    expect(await errorCode(server.rawClient().request(READ))).toBe("UNAUTHENTICATED");
  });

  it("refuses a malformed header and an unknown key as UNAUTHENTICATED", async () => {
    expect(await errorCode(server.rawClient("Basic abc").request(READ))).toBe("UNAUTHENTICATED");
    expect(await errorCode(server.rawClient("Bearer qrm_doesnotexist").request(READ))).toBe("UNAUTHENTICATED");
  });

  it("accepts ADMIN_API_KEY as an ADMIN key", async () => {
    const res = await server.rawClient(`Bearer ${TEST_ADMIN_KEY}`).request<{ accounts: { totalCount: number } }>(READ);
    expect(res.accounts.totalCount).toBe(0);
  });

  it("lets a VIEWER read but not manage keys (FORBIDDEN)", async () => {
    const viewer = await server.client(Role.VIEWER);
    await expect(viewer.request(READ)).resolves.toBeTruthy();
    expect(await errorCode(viewer.request(CREATE_KEY, { name: "x", role: "VIEWER" }))).toBe("FORBIDDEN");
  });

  it("does not let an INGEST key read", async () => {
    const ingest = await server.client(Role.INGEST);
    expect(await errorCode(ingest.request(READ))).toBe("FORBIDDEN");
  });

  it("creates a key that works once, stores only its hash, and refuses it after revocation", async () => {
    const admin = await server.client(Role.ADMIN);
    const created = await admin.request<{ createApiKey: { key: string; apiKey: { id: string; role: string; keyPrefix: string } } }>(CREATE_KEY, { name: "looker", role: "VIEWER" });
    const { key, apiKey } = created.createApiKey;
    expect(apiKey.role).toBe("VIEWER");
    expect(key.startsWith(apiKey.keyPrefix)).toBe(true);

    const stored = await server.database.db.query<{ key_hash: string }>("SELECT key_hash FROM api_keys WHERE id = $1", [apiKey.id]);
    expect(stored[0]!.key_hash).not.toContain(key);
    expect(stored[0]!.key_hash).toMatch(/^[0-9a-f]{64}$/);

    const client = server.rawClient(`Bearer ${key}`);
    await expect(client.request(READ)).resolves.toBeTruthy();
    await admin.request(REVOKE_KEY, { id: apiKey.id });
    expect(await errorCode(client.request(READ))).toBe("UNAUTHENTICATED");
  });

  it("rejects an empty key name with BAD_USER_INPUT", async () => {
    const admin = await server.client(Role.ADMIN);
    expect(await errorCode(admin.request(CREATE_KEY, { name: "  ", role: "VIEWER" }))).toBe("BAD_USER_INPUT");
  });
});

describe("health", () => {
  it("serves /healthz and /readyz", async () => {
    const base = server.url.replace(/\/graphql$/, "");
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });
});

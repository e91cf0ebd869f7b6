import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "graphql-request";
import { startTestServer, type TestServer } from "../support/server";

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server?.stop(); });

describe("smoke", () => {
  it("answers a query", async () => {
    const client = await server.client();
    const res = await client.request<{ accounts: { totalCount: number } }>(gql`{ accounts { totalCount } }`);
    expect(res.accounts.totalCount).toBe(0);
  });
});

import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../src/auth/roles";
import { ConfigError, loadConfig } from "../../src/platform/config/config";
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from "../support/server";
import { launchOfflineBrowser, type OfflineBrowser } from "../support/web-browser";

/** A page on its own origin that asks the API for accounts with a key, and shows what it got. */
const PAGE = `<!doctype html><html><body><pre id="out">loading</pre><script>
const params = new URLSearchParams(location.search);
fetch(params.get("api"), {
  method: "POST",
  headers: { "content-type": "application/json", authorization: "Bearer " + params.get("key") },
  body: JSON.stringify({ query: "{ accounts(first: 5) { totalCount edges { node { domain } } } }" }),
}).then(async (r) => { document.getElementById("out").textContent = "status " + r.status + " " + await r.text(); },
        (e) => { document.getElementById("out").textContent = "failed " + e.name; });
</script></body></html>`;

interface PageServer { readonly origin: string; close(): Promise<void> }

async function pageServer(): Promise<PageServer> {
  const server = http.createServer((_req, res) => { res.setHeader("content-type", "text/html"); res.end(PAGE); });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let pages: PageServer;
let otherPages: PageServer;
let api: TestServer;
let browser: OfflineBrowser;

beforeAll(async () => {
  pages = await pageServer();
  otherPages = await pageServer();
  api = await startTestServer({ CORS_ORIGINS: pages.origin });
  await api.client(Role.ADMIN).then((c) => c.request(`mutation { upsertAccounts(input: [{ domain: "acme.example", name: "Acme" }, { domain: "globex.example", name: "Globex" }]) { inserted } }`));
  browser = await launchOfflineBrowser();
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await pages?.close();
  await otherPages?.close();
});

const QUERY = JSON.stringify({ query: "{ accounts(first: 1) { totalCount } }" });

describe("CORS", () => {
  it("answers a preflight from a listed origin with 204 and the methods and headers a page needs", async () => {
    const res = await fetch(api.url, { method: "OPTIONS", headers: { origin: pages.origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(pages.origin);
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("access-control-allow-headers")).toMatch(/authorization/);
    expect(res.headers.get("access-control-allow-headers")).toMatch(/content-type/);
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    expect(res.headers.get("vary")).toMatch(/Origin/);
  });

  it("refuses a preflight from an origin that is not listed, naming the setting", async () => {
    const res = await fetch(api.url, { method: "OPTIONS", headers: { origin: otherPages.origin, "access-control-request-method": "POST" } });
    expect(res.status).toBe(403);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(await res.text()).toContain("CORS_ORIGINS");
  });

  it("lets a page on a listed origin query the API with a key, in Chromium", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${pages.origin}/?api=${encodeURIComponent(api.url)}&key=${TEST_ADMIN_KEY}`);
    await page.waitForFunction(() => document.getElementById("out")?.textContent !== "loading");
    const out = await page.textContent("#out");
    expect(out).toMatch(/^status 200 /);
    expect(JSON.parse(out!.replace(/^status 200 /, "")).data.accounts.totalCount).toBe(2);
    await page.close();
  });

  it("keeps the answer from a page on any other origin (the browser blocks it)", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${otherPages.origin}/?api=${encodeURIComponent(api.url)}&key=${TEST_ADMIN_KEY}`);
    await page.waitForFunction(() => document.getElementById("out")?.textContent !== "loading");
    expect(await page.textContent("#out")).toBe("failed TypeError");
    await page.close();
  });

  it("sends no CORS headers when CORS_ORIGINS is not set", async () => {
    const closed = await startTestServer();
    try {
      const res = await fetch(closed.url, { method: "POST", headers: { origin: pages.origin, "content-type": "application/json", authorization: `Bearer ${TEST_ADMIN_KEY}` }, body: QUERY });
      expect(res.status).toBe(200);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
      const pre = await fetch(closed.url, { method: "OPTIONS", headers: { origin: pages.origin, "access-control-request-method": "POST" } });
      expect(pre.status).toBe(403);
    } finally {
      await closed.stop();
    }
  });

  it("refuses * together with credentials, and anything that is not an origin, at start-up", () => {
    expect(() => loadConfig({ CORS_ORIGINS: "*", CORS_CREDENTIALS: "true" })).toThrow(/cannot be combined with CORS_CREDENTIALS/);
    expect(() => loadConfig({ CORS_ORIGINS: "https://bi.example.com/path" })).toThrow(ConfigError);
    expect(loadConfig({ CORS_ORIGINS: "*" }).cors).toEqual({ origins: ["*"], credentials: false });
    expect(loadConfig({}).cors.origins).toEqual([]);
  });
});

describe("GraphQL over HTTP", () => {
  const post = (accept: string | null, authorization: string | null, body = QUERY) => fetch(api.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(accept ? { accept } : {}), ...(authorization ? { authorization } : {}) },
    body,
  });

  it("answers application/graphql-response+json with 401 without a key and 403 for the wrong role", async () => {
    const anonymous = await post("application/graphql-response+json", null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toMatch(/^application\/graphql-response\+json/);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await anonymous.json()).errors[0].extensions.code).toBe("UNAUTHENTICATED");

    const ingest = await (await api.client(Role.INGEST)).requestConfig.headers as Record<string, string>;
    const forbidden = await post("application/graphql-response+json", ingest.authorization!);
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).errors[0].extensions.code).toBe("FORBIDDEN");

    const ok = await post("application/graphql-response+json", `Bearer ${TEST_ADMIN_KEY}`);
    expect(ok.status).toBe(200);
    expect((await ok.json()).data.accounts.totalCount).toBe(2);
  });

  it("keeps 200 with the error in the body for clients that ask for application/json (or send no Accept)", async () => {
    for (const accept of ["application/json", null]) {
      const res = await post(accept, null);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect((await res.json()).errors[0].extensions.code).toBe("UNAUTHENTICATED");
    }
  });

  it("serves read-only queries over GET with a key, and still refuses GETs a cross-site page could send", async () => {
    const search = `?query=${encodeURIComponent("{ accounts(first: 1) { totalCount } }")}`;
    const withKey = await fetch(api.url + search, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    expect(withKey.status).toBe(200);
    expect((await withKey.json()).data.accounts.totalCount).toBe(2);

    // What an <img src> or a link would send: no Authorization, no custom header.
    const simple = await fetch(api.url + search);
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/Cross-Site Request Forgery/);

    const mutation = await fetch(`${api.url}?query=${encodeURIComponent(`mutation { createApiKey(name: "x", role: VIEWER) { key } }`)}`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    expect(mutation.status).toBe(405);
    expect(await api.database.db.query("SELECT 1 FROM api_keys WHERE name = 'x'")).toHaveLength(0);
  });
});

describe("GraphiQL", () => {
  it("loads in Chromium with every other host unreachable, and reads the schema from /graphql", async () => {
    const page = await browser.context.newPage();
    const introspected = page.waitForResponse((r) => r.url() === api.url && r.request().method() === "POST" && (r.request().postData() ?? "").includes("__schema"), { timeout: 60_000 });
    const res = await page.goto(api.url.replace(/\/graphql$/, "/graphiql"));
    expect(res?.status()).toBe(200);
    await page.waitForSelector(".graphiql-container", { timeout: 60_000 });
    const introspection = await introspected;
    expect(introspection.status()).toBe(200);
    expect((await introspection.json()).data.__schema.queryType.name).toBe("Query");
    await page.waitForSelector("text=FirstAccounts", { timeout: 30_000 });
    const shot = path.resolve(".data", "screenshots", "graphiql.png");
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot });
    expect(browser.foreignRequests).toEqual([]);
    await page.close();
  });

  it("is off in production unless GRAPHIQL=true", async () => {
    const prod = await startTestServer({ NODE_ENV: "production" });
    const enabled = await startTestServer({ NODE_ENV: "production", GRAPHIQL: "true" });
    try {
      const off = await fetch(prod.url.replace(/\/graphql$/, "/graphiql"));
      expect(off.status).toBe(404);
      expect(await off.text()).toContain("GRAPHIQL=true");
      const on = await fetch(enabled.url.replace(/\/graphql$/, "/graphiql"));
      expect(on.status).toBe(200);
      expect(on.headers.get("content-type")).toMatch(/^text\/html/);
      expect(await on.text()).toContain("Quorum GraphiQL");
    } finally {
      await prod.stop();
      await enabled.stop();
    }
  });
});

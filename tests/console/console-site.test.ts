/**
 * The console's files over real HTTP: what a browser gets at /console, with which headers, and
 * what it does not get (unknown paths, other methods, any path that climbs out of the console).
 * Also `me`, the query the console signs in with.
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { CONSOLE_CSP } from "../../src/console/console.site";
import { errorCode, startTestServer, TEST_ADMIN_KEY, type TestServer } from "../support/server";

let server: TestServer;
let origin: string;
beforeAll(async () => {
  server = await startTestServer();
  origin = new URL(server.url).origin;
});
afterAll(async () => { await server?.stop(); });

/** A GET with the path sent exactly as written (fetch would normalise `..` away before sending). */
function raw(pathname: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path: pathname, method: opts.method ?? "GET", headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

const ME = gql`{ me { keyId name role } }`;

describe("the console's files", () => {
  it("serves the page at /console and /console/ with a strict CSP that allows no inline script", async () => {
    for (const at of ["/console", "/console/"]) {
      const res = await raw(at);
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(res.headers["content-security-policy"]).toBe(CONSOLE_CSP);
      expect(res.body).toContain('<script type="module" src="/console/js/main.js"></script>');
      // Nothing inline for the CSP to forbid, and nothing from another origin.
      expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(res.body).not.toMatch(/\sstyle=|https?:\/\//);
    }
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain("unsafe-inline");
    expect(CONSOLE_CSP).toContain("connect-src 'self'");
  });

  it("serves the compiled scripts and the styles, and every module the page imports exists", async () => {
    const main = await raw("/console/js/main.js");
    expect(main.status).toBe(200);
    expect(main.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(main.headers["x-content-type-options"]).toBe("nosniff");
    const css = await raw("/console/console.css");
    expect(css.status).toBe(200);
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    // Follow the import graph from main.js: a missing module would be a blank page.
    const seen = new Set<string>();
    const queue = ["/console/js/main.js"];
    while (queue.length) {
      const url = queue.pop()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const res = await raw(url);
      expect([url, res.status]).toEqual([url, 200]);
      for (const m of res.body.matchAll(/from\s+"(\.[^"]+)"/g)) queue.push(new URL(m[1]!, `http://x${url}`).pathname);
    }
    expect(seen.size).toBeGreaterThan(8);
  });

  it("answers with an ETag and no-cache, and 304 when the browser already has the file", async () => {
    const first = await raw("/console/js/main.js");
    expect(first.headers["cache-control"]).toBe("no-cache");
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await raw("/console/js/main.js", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBe("");
  });

  it("answers 404 for unknown console paths and 405 for other methods", async () => {
    for (const at of ["/console/nope", "/console/js/nope.js", "/console/pages/overview.js", "/console/index.html", "/console/src/main.ts", "/console/tsconfig.json"]) {
      const res = await raw(at);
      expect([at, res.status]).toEqual([at, 404]);
      expect(res.body).toContain("the console starts at /console/");
    }
    const post = await raw("/console/", { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET, HEAD");
  });

  it("never serves a file from outside the console, however the path is spelled", async () => {
    const secrets = [fs.readFileSync(path.resolve(__dirname, "../../package.json"), "utf8").slice(0, 40), "compilerOptions", "root:x:0:0"];
    const attempts = [
      "/console/../package.json", "/console/js/../../package.json", "/console/%2e%2e/package.json", "/console/js/%2e%2e/%2e%2e/package.json",
      "/console/js/..%2f..%2fpackage.json", "/console/js/%2e%2e%2f%2e%2e%2fpackage.json", "/console/..%5c..%5cpackage.json",
      "/console/js/....//....//package.json", "/console/tsconfig.json", "/console/js/../tsconfig.json", "/console/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
      "/console/js/%252e%252e/%252e%252e/package.json", "/console//etc/passwd", "/console/js/main.js%00.html",
    ];
    for (const at of attempts) {
      const res = await raw(at);
      expect([at, res.status]).toEqual([at, 404]);
      for (const secret of secrets) expect(res.body).not.toContain(secret);
    }
  });
});

describe("me", () => {
  it("tells any key its name and role, INGEST included, and refuses no key", async () => {
    for (const role of [Role.VIEWER, Role.INGEST, Role.ANALYST, Role.COUNCIL]) {
      const { me } = await (await server.client(role)).request<{ me: { keyId: string | null; name: string; role: string } }>(ME);
      expect(me).toMatchObject({ name: `test-${role.toLowerCase()}`, role });
      expect(me.keyId).toMatch(/^\d+$/);
    }
    const admin = await server.rawClient(`Bearer ${TEST_ADMIN_KEY}`).request<{ me: { keyId: string | null; role: string } }>(ME);
    expect(admin.me).toMatchObject({ keyId: null, role: "ADMIN" });
    expect(await errorCode(server.rawClient().request(ME))).toBe("UNAUTHENTICATED");
    expect(await errorCode(server.rawClient("Bearer qrm_revoked_or_unknown").request(ME))).toBe("UNAUTHENTICATED");
  });
});

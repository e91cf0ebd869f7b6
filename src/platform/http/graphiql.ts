import { gzipSync } from "node:zlib";
import type http from "node:http";

/** The example the editor opens with: a query any role that reads can run. */
const DEFAULT_QUERY = `# Put your API key in the Headers tab: {"authorization": "Bearer qrm_…"}
query FirstAccounts {
  accounts(first: 5, orderBy: { field: SCORE, direction: DESC }) {
    totalCount
    edges { node { id rowId name domain score { total band status } } }
  }
}
`;

interface Page { readonly html: Buffer; readonly gzip: Buffer }
let page: Page | undefined;

/**
 * GraphiQL from `@graphql-yoga/render-graphiql`, which inlines the whole IDE (React, the editor
 * and its workers) into one HTML page: nothing is fetched from another host, so it works offline
 * and behind a strict firewall. Rendered on first use (about 9 MB, 2 MB gzipped) and kept.
 */
function render(): Page {
  if (page) return page;
  // Loaded lazily: a server without GraphiQL never holds the bundle in memory.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { renderGraphiQL } = require("@graphql-yoga/render-graphiql") as typeof import("@graphql-yoga/render-graphiql");
  const html = Buffer.from(renderGraphiQL({
    title: "Quorum GraphiQL",
    endpoint: "/graphql",
    defaultQuery: DEFAULT_QUERY,
    headers: JSON.stringify({ authorization: "Bearer " }, null, 2),
    shouldPersistHeaders: false,
  }), "utf8");
  page = { html, gzip: gzipSync(html) };
  return page;
}

/** Serves the GraphiQL page (GET and HEAD), gzipped when the browser accepts it. */
export function serveGraphiql(req: http.IncomingMessage, res: http.ServerResponse): void {
  const { html, gzip } = render();
  const zipped = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
  const body = zipped ? gzip : html;
  res.statusCode = 200;
  res.setHeader("content-type", "text/html; charset=utf-8");
  res.setHeader("cache-control", "no-cache");
  res.setHeader("vary", "Accept-Encoding");
  // The page is self-contained: nothing but this origin for fetches, workers from blobs.
  res.setHeader("content-security-policy", "default-src 'self' data: blob:; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'");
  if (zipped) res.setHeader("content-encoding", "gzip");
  res.setHeader("content-length", String(body.length));
  res.end(req.method === "HEAD" ? undefined : body);
}

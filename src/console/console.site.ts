import crypto from "node:crypto";
import fs from "node:fs";
import type http from "node:http";
import path from "node:path";

/** Where the console's files live: the page shell and styles (sources), and the compiled scripts. */
export interface ConsoleFolders {
  /** `console/` in the repository: `index.html`, `console.css`. */
  readonly pages: string;
  /** `dist/console/` after `npm run build`: the browser modules compiled from `console/src/`. */
  readonly scripts: string;
}

interface Asset { readonly body: Buffer; readonly type: string; readonly etag: string }

/** Mount point of the console. */
export const CONSOLE_PATH = "/console";

/**
 * No inline script or style, nothing from another origin: the page talks only to this server's
 * `/graphql`. SVG charts set presentation attributes, never `style=`, so `style-src 'self'` holds.
 */
export const CONSOLE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join("; ");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
};

/**
 * The council's web console, served as static files under `/console`.
 *
 * Only files known when the site is built are served: a URL is looked up in that table, never
 * joined onto a folder, so no spelling of `..` reaches the file system. Client-side routes live in
 * the URL's fragment (`/console/#/accounts`), so every other path under `/console` is a 404.
 * Files are read once and answered with an ETag and `cache-control: no-cache` (names carry no
 * content hash, so browsers revalidate and get a 304 when nothing changed).
 */
export class ConsoleSite {
  private table: Map<string, Asset> | null = null;

  constructor(private readonly folders: ConsoleFolders) {}

  /** True when the path is the console's to answer (it then always answers). */
  handles(pathname: string): boolean {
    return pathname === CONSOLE_PATH || pathname.startsWith(`${CONSOLE_PATH}/`);
  }

  serve(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): void {
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("referrer-policy", "no-referrer");
    res.setHeader("x-frame-options", "DENY");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return text(res, 405, "The console is read with GET.");
    }
    const table = this.load();
    if (!table) return text(res, 503, "The console is not built: run `npm run build` (it compiles console/ into dist/console/).");
    const asset = table.get(pathname === CONSOLE_PATH ? `${CONSOLE_PATH}/` : pathname);
    if (!asset) return text(res, 404, `No console page at ${pathname}: the console starts at ${CONSOLE_PATH}/.`);

    res.setHeader("content-type", asset.type);
    res.setHeader("cache-control", "no-cache");
    res.setHeader("etag", asset.etag);
    if (asset.type.startsWith("text/html")) res.setHeader("content-security-policy", CONSOLE_CSP);
    if (req.headers["if-none-match"] === asset.etag) {
      res.statusCode = 304;
      res.end();
      return;
    }
    res.statusCode = 200;
    res.setHeader("content-length", asset.body.length);
    res.end(req.method === "HEAD" ? undefined : asset.body);
  }

  /** The URL → file table, read once; null while the scripts are not built. */
  private load(): Map<string, Asset> | null {
    if (this.table) return this.table;
    const main = path.join(this.folders.scripts, "main.js");
    if (!fs.existsSync(main)) return null;
    const table = new Map<string, Asset>();
    table.set(`${CONSOLE_PATH}/`, asset(path.join(this.folders.pages, "index.html")));
    table.set(`${CONSOLE_PATH}/console.css`, asset(path.join(this.folders.pages, "console.css")));
    table.set(`${CONSOLE_PATH}/favicon.svg`, asset(path.join(this.folders.pages, "favicon.svg")));
    for (const file of listFiles(this.folders.scripts)) {
      if (!file.endsWith(".js")) continue;
      const rel = path.relative(this.folders.scripts, file).split(path.sep).join("/");
      table.set(`${CONSOLE_PATH}/js/${rel}`, asset(file));
    }
    this.table = table;
    return table;
  }
}

function asset(file: string): Asset {
  const body = fs.readFileSync(file);
  const type = TYPES[path.extname(file)] ?? "application/octet-stream";
  return { body, type, etag: `"${crypto.createHash("sha256").update(body).digest("base64url").slice(0, 22)}"` };
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : entry.isFile() ? [full] : [];
  });
}

function text(res: http.ServerResponse, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "text/plain; charset=utf-8");
  res.setHeader("cache-control", "no-store");
  res.end(message);
}

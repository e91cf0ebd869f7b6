import type http from "node:http";
import type { Config } from "../config/config";

/** Request headers a browser may send cross-origin (anything else fails its preflight). */
const ALLOWED_HEADERS = "authorization, content-type, accept, x-request-id, apollo-require-preflight, x-apollo-operation-name";
/** Response headers a cross-origin script may read. */
const EXPOSED_HEADERS = "x-request-id, www-authenticate";
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * CORS for `/graphql`: an allowed origin is echoed (never `*` with credentials), every answer
 * varies by `Origin`, and a preflight (`OPTIONS` with `Access-Control-Request-Method`) gets 204.
 * Origins not listed get no CORS headers, so the browser keeps the response from their script.
 */
export class CorsPolicy {
  private readonly any: boolean;
  private readonly origins: ReadonlySet<string>;

  constructor(private readonly config: Config["cors"]) {
    this.any = config.origins.includes("*");
    this.origins = new Set(config.origins);
  }

  /** The value for `Access-Control-Allow-Origin`, or null when the origin is not allowed. */
  allowedOrigin(origin: string | undefined): string | null {
    if (!origin) return null;
    if (this.any) return "*";
    return this.origins.has(origin) ? origin : null;
  }

  /** Headers on an actual (non-preflight) response. */
  apply(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.config.origins.length === 0) return;
    res.setHeader("vary", "Origin");
    const allowed = this.allowedOrigin(req.headers.origin);
    if (allowed === null) return;
    res.setHeader("access-control-allow-origin", allowed);
    res.setHeader("access-control-expose-headers", EXPOSED_HEADERS);
    if (this.config.credentials) res.setHeader("access-control-allow-credentials", "true");
  }

  /**
   * Answers `OPTIONS`: 204 with the allowed methods and headers for an allowed origin; 403 naming
   * the setting for a preflight from any other origin; 204 with `Allow` for a plain OPTIONS.
   */
  preflight(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.setHeader("allow", "GET, POST, OPTIONS");
    const isPreflight = req.headers.origin !== undefined && req.headers["access-control-request-method"] !== undefined;
    if (!isPreflight) {
      res.statusCode = 204;
      res.end();
      return;
    }
    res.setHeader("vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    const allowed = this.allowedOrigin(req.headers.origin);
    if (allowed === null) {
      res.statusCode = 403;
      res.setHeader("content-type", "application/json; charset=utf-8");
      res.end(JSON.stringify({ error: `Origin ${req.headers.origin} is not allowed to call this API; add it to CORS_ORIGINS.` }));
      return;
    }
    res.statusCode = 204;
    res.setHeader("access-control-allow-origin", allowed);
    res.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
    res.setHeader("access-control-allow-headers", ALLOWED_HEADERS);
    res.setHeader("access-control-max-age", String(PREFLIGHT_MAX_AGE_S));
    if (this.config.credentials) res.setHeader("access-control-allow-credentials", "true");
    res.end();
  }
}

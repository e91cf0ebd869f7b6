import http from "node:http";
import type { AddressInfo } from "node:net";

/** One request a receiver got, as it arrived. */
export interface Received {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly at: number;
  /** What the receiver answered. */
  readonly status: number;
}

/** Decides the HTTP status for a request; default 200. */
export type Responder = (req: { path: string; headers: Record<string, string>; body: string }) => number | Promise<number>;

/**
 * A real HTTP server on loopback that records every request and answers what `respond` says —
 * the receiving end a Sales tool would run.
 */
export interface WebhookReceiver {
  readonly url: string;
  readonly received: Received[];
  respond: Responder;
  /** Requests to `path` whose body parses to an object with this `type`. */
  ofType(type: string, path?: string): (Received & { json: { type: string; timestamp: string; data: Record<string, any> } })[];
  close(): Promise<void>;
}

export async function startReceiver(respond: Responder = () => 200): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const receiver: WebhookReceiver = {
    url: "",
    received,
    respond,
    ofType(type, path) {
      return received
        .filter((r) => (path === undefined || r.path === path) && r.status >= 200 && r.status < 300)
        .map((r) => ({ ...r, json: JSON.parse(r.body) }))
        .filter((r) => r.json.type === type);
    },
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v ?? ""]));
      const body = Buffer.concat(chunks).toString("utf8");
      const path = req.url ?? "/";
      Promise.resolve(receiver.respond({ path, headers, body })).then((status) => {
        received.push({ path, headers, body, at: Date.now(), status });
        res.statusCode = status;
        res.end(status >= 200 && status < 300 ? "ok" : "receiver says no");
      }, () => { res.statusCode = 500; res.end(); });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  (receiver as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

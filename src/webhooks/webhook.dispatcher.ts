import http from "node:http";
import https from "node:https";
import { Pool } from "pg";
import type { Logger } from "pino";
import type { WebhookConfig } from "../platform/config/config";
import type { Database } from "../platform/db/database";
import { Listener, poolSettings } from "../platform/db/listener";
import { sign } from "./signature";
import { guardedLookup } from "./target-guard";

/** The NOTIFY channel the outbox trigger and redeliveries use when deliveries become due. */
export const DELIVERIES_CHANNEL = "quorum_webhook_deliveries";
/** The longest the dispatcher sleeps without looking at the table (a lost NOTIFY costs at most this). */
const SAFETY_POLL_MS = 5_000;

interface Claimed {
  readonly id: string;
  readonly message_id: string;
  readonly attempts: number;
  readonly requeued_at_attempt: number;
  readonly url: string;
  readonly secret: string;
  readonly body: string;
}

interface Outcome {
  readonly ok: boolean;
  readonly status: number | null;
  readonly error: string | null;
}

/**
 * Wait before retry number `failures` (1 = the first retry): `retryBaseMs × 2^(failures − 1)`,
 * at most `retryMaxMs`.
 *
 * @example retryDelayMs(1, { retryBaseMs: 5000, retryMaxMs: 3600000 }) // 5000
 * @example retryDelayMs(3, { retryBaseMs: 5000, retryMaxMs: 3600000 }) // 20000
 */
export function retryDelayMs(failures: number, config: Pick<WebhookConfig, "retryBaseMs" | "retryMaxMs">): number {
  return Math.min(config.retryMaxMs, config.retryBaseMs * 2 ** Math.max(0, failures - 1));
}

/**
 * Sends webhook deliveries, at least once. The outbox table is the queue: a delivery is
 * claimed with `FOR UPDATE SKIP LOCKED` (so several processes share the work and each
 * delivery goes to one of them), its attempt counted and its due time moved past the attempt's
 * timeout as a lease — a process killed mid-attempt leaves it due again a moment later, and the
 * next process sends it with the same `webhook-id`. NOTIFY wakes the dispatcher when
 * deliveries are written; a timer wakes it for the next retry. Its own small pool and at most
 * `concurrency` requests in flight keep a slow or dead receiver away from ingest and scoring.
 */
export class WebhookDispatcher {
  private readonly pool: Pool;
  private readonly listener: Listener;
  private readonly agents: { http: http.Agent; https: https.Agent };
  private inFlight = 0;
  /** Claimed (leased) deliveries waiting for a free slot: claiming in batches saves a round trip per delivery. */
  private readonly queue: Claimed[] = [];
  private readonly running = new Set<Promise<void>>();
  private pumping = false;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  /** Successful attempts waiting to be recorded together (one UPDATE for many). */
  private delivered: { id: string; attempts: number; status: number }[] = [];
  private flushing: Promise<void> | null = null;

  constructor(db: Database, private readonly config: WebhookConfig, private readonly log: Logger) {
    const settings = poolSettings(db.pool);
    this.pool = new Pool({ ...settings, max: 2, application_name: `${String(settings.application_name ?? "quorum")}-webhooks` });
    this.pool.on("error", () => undefined);
    this.listener = new Listener(settings, DELIVERIES_CHANNEL, () => this.wake(), () => this.wake(), log);
    const agentOptions = { keepAlive: true, maxSockets: config.concurrency, timeout: config.timeoutMs };
    this.agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  }

  /** Starts listening and sends whatever is due already (overdue deliveries after a restart). */
  async start(): Promise<void> {
    await this.listener.start();
    this.wake();
  }

  /** Stops claiming, waits for the attempts in flight (each bounded by its timeout), closes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.listener.stop();
    await Promise.allSettled([...this.running]);
    // Claimed but never sent: hand them back, due now, their attempt not counted.
    const unsent = this.queue.splice(0);
    if (unsent.length > 0) {
      await this.pool.query(
        `UPDATE webhook_deliveries d SET attempts = d.attempts - 1, next_attempt_at = now()
           FROM unnest($1::bigint[], $2::int[]) AS v(id, attempts) WHERE d.id = v.id AND d.attempts = v.attempts AND d.status = 'PENDING'`,
        [unsent.map((u) => u.id), unsent.map((u) => u.attempts)]).catch(() => undefined);
    }
    this.agents.http.destroy();
    this.agents.https.destroy();
    await this.pool.end().catch(() => undefined);
  }

  private wake(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    void this.pump();
  }

  /** How many deliveries to hold claimed at once: the slots, and as many again waiting. */
  private get window(): number {
    return this.config.concurrency * 2;
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    let nextInMs: number | null = SAFETY_POLL_MS;
    try {
      do {
        this.again = false;
        while (!this.stopped && this.inFlight + this.queue.length < this.window) {
          const batch = await this.claim(this.window - this.inFlight - this.queue.length);
          this.queue.push(...batch);
          this.drain();
          if (batch.length === 0) break;
        }
      } while (this.again && !this.stopped);
      if (this.inFlight + this.queue.length < this.window) nextInMs = await this.msUntilNextDue();
    } catch (err) {
      // The database is away (restarting): try again shortly; nothing is lost, the rows wait.
      this.log.warn({ err: (err as Error).message }, "webhook dispatcher could not read deliveries; retrying");
      nextInMs = 1_000;
    } finally {
      this.pumping = false;
    }
    if (this.again) return this.wake();
    this.arm(nextInMs);
  }

  /** Starts claimed deliveries while slots are free. */
  private drain(): void {
    while (!this.stopped && this.inFlight < this.config.concurrency && this.queue.length > 0) this.launch(this.queue.shift()!);
  }

  private arm(ms: number | null): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = null; this.wake(); }, Math.max(0, Math.min(ms ?? SAFETY_POLL_MS, SAFETY_POLL_MS)));
    this.timer.unref();
  }

  private launch(delivery: Claimed): void {
    this.inFlight++;
    const task = this.attempt(delivery)
      .catch((err: unknown) => this.log.error({ err, deliveryId: delivery.id }, "webhook delivery bookkeeping failed; the lease will expire and it is retried"))
      .finally(() => {
        this.inFlight--;
        this.running.delete(task);
        this.drain();
        if (this.queue.length < this.config.concurrency) this.wake();
      });
    this.running.add(task);
  }

  /**
   * Records the successful attempts gathered so far in one statement, then claims more: under a
   * burst, each round trip covers many deliveries instead of one. Waits for the attempts it
   * records, so `stop` finds nothing unwritten.
   */
  private record(result: { id: string; attempts: number; status: number }): Promise<void> {
    this.delivered.push(result);
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const batch = this.delivered;
      this.delivered = [];
      this.flushing = null;
      await this.pool.query(
        `UPDATE webhook_deliveries d SET status = 'DELIVERED', delivered_at = now(), next_attempt_at = NULL, last_response_status = v.status, last_error = NULL
           FROM unnest($1::bigint[], $2::int[], $3::int[]) AS v(id, attempts, status)
          WHERE d.id = v.id AND d.attempts = v.attempts AND d.status = 'PENDING'`,
        [batch.map((b) => b.id), batch.map((b) => b.attempts), batch.map((b) => b.status)]);
    });
    return this.flushing;
  }

  private async claim(limit: number): Promise<Claimed[]> {
    const leaseMs = this.config.timeoutMs + 2_000;
    const { rows } = await this.pool.query<Claimed>(
      `WITH due AS (
         SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id AND w.enabled
          WHERE d.status = 'PENDING' AND d.next_attempt_at <= now()
          ORDER BY d.next_attempt_at, d.id LIMIT $1 FOR UPDATE OF d SKIP LOCKED
       )
       UPDATE webhook_deliveries d SET attempts = d.attempts + 1, last_attempt_at = now(), next_attempt_at = now() + $2 * interval '1 millisecond'
         FROM due, webhooks w, outbox_events e
        WHERE d.id = due.id AND w.id = d.webhook_id AND e.id = d.event_id
       RETURNING d.id::text AS id, d.message_id, d.attempts, d.requeued_at_attempt, w.url, w.secret, e.body`, [limit, leaseMs]);
    return rows;
  }

  private async msUntilNextDue(): Promise<number | null> {
    const { rows } = await this.pool.query<{ ms: number | null }>(
      `SELECT (extract(epoch FROM min(d.next_attempt_at) - now()) * 1000)::float8 AS ms
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id AND w.enabled WHERE d.status = 'PENDING'`);
    return rows[0]?.ms ?? null;
  }

  private async attempt(d: Claimed): Promise<void> {
    const outcome = await this.send(d);
    const failures = d.attempts - d.requeued_at_attempt;
    if (outcome.ok) return this.record({ id: d.id, attempts: d.attempts, status: outcome.status! });
    const last = failures >= this.config.maxAttempts;
    this.log.warn({ deliveryId: d.id, messageId: d.message_id, attempt: d.attempts, status: outcome.status, error: outcome.error, final: last }, "webhook delivery attempt failed");
    await this.pool.query(
      `UPDATE webhook_deliveries SET status = CASE WHEN $3 THEN 'FAILED' ELSE 'PENDING' END,
              next_attempt_at = CASE WHEN $3 THEN NULL ELSE now() + $4 * interval '1 millisecond' END,
              last_response_status = $5, last_error = $6
        WHERE id = $1 AND attempts = $2 AND status = 'PENDING'`,
      [d.id, d.attempts, last, retryDelayMs(failures, this.config), outcome.status, outcome.error]);
  }

  /** One POST: 2xx is delivered; anything else, a timeout or a refused address is a failed attempt. */
  private send(d: Claimed): Promise<Outcome> {
    const timestamp = Math.floor(Date.now() / 1000);
    const body = Buffer.from(d.body, "utf8");
    return new Promise<Outcome>((resolve) => {
      let settled = false;
      const done = (o: Outcome) => { if (!settled) { settled = true; clearTimeout(timer); resolve(o); } };
      let url: URL;
      try {
        url = new URL(d.url);
      } catch {
        return done({ ok: false, status: null, error: "the webhook URL is not valid" });
      }
      const secure = url.protocol === "https:";
      const req = (secure ? https : http).request(url, {
        method: "POST",
        agent: secure ? this.agents.https : this.agents.http,
        lookup: guardedLookup(this.config.allowPrivateTargets),
        headers: {
          "content-type": "application/json",
          "content-length": body.length,
          "user-agent": "Quorum-Webhooks/1",
          "webhook-id": d.message_id,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": sign(d.secret, d.message_id, timestamp, d.body),
        },
      }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          res.resume();
          return done({ ok: true, status, error: null });
        }
        // A little of the answer helps whoever reads lastError; redirects are not followed.
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => { if (size < 300) { chunks.push(c); size += c.length; } });
        res.on("end", () => done({ ok: false, status, error: `HTTP ${status}${size ? `: ${clip(Buffer.concat(chunks).toString("utf8"))}` : ""}` }));
        res.on("error", () => done({ ok: false, status, error: `HTTP ${status}` }));
      });
      const timer = setTimeout(() => {
        req.destroy();
        done({ ok: false, status: null, error: `no answer within ${this.config.timeoutMs} ms` });
      }, this.config.timeoutMs);
      req.on("error", (err: NodeJS.ErrnoException) => done({ ok: false, status: null, error: clip(err.message || err.code || "request failed") }));
      req.end(body);
    });
  }
}

function clip(text: string, max = 300): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

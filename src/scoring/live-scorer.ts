import type { Logger } from "pino";
import type { Client } from "pg";
import type { Database } from "../platform/db/database";
import { ConflictError } from "../platform/errors/errors";
import type { ScoringRunService } from "./scoring-run.service";

/** The channel ingest's triggers notify (`score_queue_touch`) when they queue accounts. */
export const SCORE_QUEUE_CHANNEL = "quorum_score_queue";

export interface LiveScorerOptions {
  /** How long after the first touch a run starts: touches meanwhile join it (`LIVE_SCORING_DELAY_MS`). */
  readonly delayMs: number;
  /** How long a run waits for a run in progress (a full run) before trying again later. */
  readonly lockWaitMs?: number;
}

/**
 * Scores queued accounts seconds after ingest: an INCREMENTAL run per ACTIVE line with queued
 * accounts (see `ScoringRunService.runIncremental`). Woken by LISTEN on the queue's channel —
 * ingest's triggers notify at commit — never by polling: the first notification starts a
 * `delayMs` wait, the ones during the wait join it, the ones during a run start the next wait
 * when it ends. On start, and after the listening connection comes back (a restarted
 * PostgreSQL), it looks at the queue once, so nothing queued meanwhile waits for the next touch.
 * Several processes may run one each: runs are serialised by the run lock, and a run finds
 * only what the previous one left.
 */
export class LiveScorer {
  private listener: Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private failures = 0;

  constructor(private readonly db: Database, private readonly runner: ScoringRunService, private readonly log: Logger, private readonly opts: LiveScorerOptions) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.listen();
    this.wake();
  }

  /** Stops listening and waits for a run in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.timer = this.reconnectTimer = null;
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await this.running;
  }

  /** Schedules a pass over the queue `delayMs` from now, unless one is waiting or running. */
  wake(delayMs: number = this.opts.delayMs): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.drain().finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.wake(this.failures > 0 ? this.backoffMs() : this.opts.delayMs);
        }
      });
    }, delayMs);
  }

  private async drain(): Promise<void> {
    try {
      for (const line of await this.runner.queuedLines()) {
        if (this.stopped) return;
        await this.runner.runIncremental(line, { triggeredBy: "live", lockWaitMs: this.opts.lockWaitMs ?? 5_000 });
      }
      this.failures = 0;
    } catch (err) {
      // A full run holding the lock, or the database away: try again later (the queue keeps
      // everything until a run commits).
      this.again = true;
      if (!(err instanceof ConflictError)) {
        this.failures++;
        this.log.warn({ err, failures: this.failures }, "live scoring pass failed; retrying");
      }
    }
  }

  private backoffMs(): number {
    return Math.min(30_000, this.opts.delayMs * 2 ** Math.min(this.failures, 5));
  }

  private async listen(): Promise<void> {
    const client = this.db.dedicatedClient("quorum-live-scorer");
    client.on("notification", () => this.wake());
    client.on("error", (err) => this.lost(client, err));
    client.on("end", () => this.lost(client, new Error("connection ended")));
    try {
      await client.connect();
      await client.query(`LISTEN ${SCORE_QUEUE_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    this.listener = client;
  }

  /** The listening connection went away: reconnect with backoff, then look at the queue. */
  private lost(client: Client, err: Error): void {
    if (this.stopped || this.listener !== client) return;
    this.listener = null;
    this.log.warn({ err: err.message }, "live scorer lost its database connection; reconnecting");
    void client.end().catch(() => undefined);
    const retry = (attempt: number) => {
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        if (this.stopped) return;
        this.listen().then(
          () => { this.log.info("live scorer listening again"); this.wake(); },
          () => retry(attempt + 1),
        );
      }, Math.min(10_000, 250 * 2 ** Math.min(attempt, 6)));
    };
    retry(0);
  }
}

import { Client, type Pool, type PoolConfig } from "pg";
import type { Logger } from "pino";

/** The connection settings of a pool, for connections of one's own (LISTEN needs a dedicated one). */
export function poolSettings(pool: Pool): PoolConfig {
  return (pool as unknown as { options: PoolConfig }).options;
}

/**
 * A dedicated connection that LISTENs on one channel and calls `onNotify` for every NOTIFY,
 * after commit. If the connection drops (PostgreSQL restarted, backend terminated) it
 * reconnects with backoff and calls `onReconnect`, since notifications sent meanwhile are lost:
 * the caller catches up from its tables.
 */
export class Listener {
  private client: Client | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly settings: PoolConfig,
    private readonly channel: string,
    private readonly onNotify: (payload: string | undefined) => void,
    private readonly onReconnect: () => void,
    private readonly log: Logger,
  ) {}

  /** Resolves once listening (or throws when the first connection fails). */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new Client({ ...this.settings, application_name: `${String(this.settings.application_name ?? "quorum")}-listen` });
    client.on("notification", (msg) => { if (msg.channel === this.channel) this.onNotify(msg.payload); });
    const lost = () => {
      if (this.client !== client) return;
      this.client = null;
      client.end().catch(() => undefined);
      if (!this.stopped) this.retry(500);
    };
    client.on("error", lost);
    client.on("end", lost);
    await client.connect();
    await client.query(`LISTEN "${this.channel}"`);
    this.client = client;
  }

  private retry(delayMs: number): void {
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect().then(
        () => { this.log.info({ channel: this.channel }, "listening again after a lost database connection"); this.onReconnect(); },
        () => { if (!this.stopped) this.retry(Math.min(delayMs * 2, 5_000)); },
      );
    }, delayMs);
    this.retryTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}

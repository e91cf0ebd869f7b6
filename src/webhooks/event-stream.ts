import type { Logger } from "pino";
import type { Database } from "../platform/db/database";
import { Listener, poolSettings } from "../platform/db/listener";
import type { QuorumEvent, QuorumEventType, TransitionCause } from "./webhook.types";

/** The NOTIFY channel the outbox trigger uses, with the newest event id as payload. */
export const EVENTS_CHANNEL = "quorum_events";
/** A subscriber further behind than this many events is ended rather than buffered without bound. */
const MAX_BACKLOG = 20_000;
const PAGE = 1_000;

export interface EventFilter {
  /** Only these types; all when empty or absent. */
  readonly types?: readonly QuorumEventType[] | null;
  /** Only account events whose band is this band or a higher one of the event's model. */
  readonly minBand?: string | null;
}

interface Row {
  id: string;
  type: QuorumEventType;
  model_id: string | null;
  band: string | null;
  band_rank: number | null;
  cause: TransitionCause | null;
  transition_id: string | null;
  created_at: Date;
  /** Null for account events no webhook wanted: built here, from the same SQL, when read. */
  body: string | null;
  data?: Record<string, unknown>;
}

interface Subscriber {
  readonly filter: EventFilter;
  readonly queue: QuorumEvent[];
  wake: (() => void) | null;
  failed: Error | null;
  done: boolean;
}

/**
 * The outbox as a live stream for GraphQL subscriptions: one LISTEN connection per process
 * (opened with the first subscriber), which reads the events committed after the last one it
 * saw and hands each subscriber those its filter takes. After a lost connection it catches up
 * from the table, so a subscriber misses nothing that was committed while it was subscribed.
 */
export class EventStream {
  private readonly subscribers = new Set<Subscriber>();

  /** Subscriptions open in this process. */
  get subscriberCount(): number {
    return this.subscribers.size;
  }
  private listener: Listener | null = null;
  private starting: Promise<void> | null = null;
  private lastId = "0";
  private reading = false;
  private readAgain = false;
  private readonly bandsByModel = new Map<string, string[]>();

  constructor(private readonly db: Database, private readonly log: Logger) {}

  /** Events from now on that pass `filter`, until the consumer returns or `stop` is called. */
  async subscribe(filter: EventFilter): Promise<AsyncIterableIterator<QuorumEvent>> {
    await this.ensureStarted();
    const sub: Subscriber = { filter, queue: [], wake: null, failed: null, done: false };
    this.subscribers.add(sub);
    const finish = () => {
      sub.done = true;
      this.subscribers.delete(sub);
      sub.wake?.();
    };
    const iterator: AsyncIterableIterator<QuorumEvent> = {
      [Symbol.asyncIterator]() { return iterator; },
      async next(): Promise<IteratorResult<QuorumEvent>> {
        for (;;) {
          if (sub.queue.length > 0) return { value: sub.queue.shift()!, done: false };
          if (sub.failed) { const err = sub.failed; sub.failed = null; finish(); throw err; }
          if (sub.done) return { value: undefined, done: true };
          await new Promise<void>((resolve) => { sub.wake = resolve; });
          sub.wake = null;
        }
      },
      async return(): Promise<IteratorResult<QuorumEvent>> {
        finish();
        return { value: undefined, done: true };
      },
    };
    return iterator;
  }

  async stop(): Promise<void> {
    for (const sub of this.subscribers) { sub.done = true; sub.wake?.(); }
    this.subscribers.clear();
    await this.listener?.stop();
    this.listener = null;
    this.starting = null;
  }

  private ensureStarted(): Promise<void> {
    this.starting ??= (async () => {
      const [row] = await this.db.query<{ id: string }>("SELECT COALESCE(max(id), 0)::text AS id FROM outbox_events");
      this.lastId = row!.id;
      const listener = new Listener(poolSettings(this.db.pool), EVENTS_CHANNEL, () => this.read(), () => this.read(), this.log);
      await listener.start();
      this.listener = listener;
      // Committed between reading the max id and LISTEN taking effect.
      this.read();
    })().catch((err: unknown) => {
      this.starting = null;
      throw err;
    });
    return this.starting;
  }

  private read(): void {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    void (async () => {
      try {
        do {
          this.readAgain = false;
          for (;;) {
            if (this.subscribers.size === 0) {
              const [row] = await this.db.query<{ id: string }>("SELECT COALESCE(max(id), 0)::text AS id FROM outbox_events");
              this.lastId = row!.id;
              break;
            }
            const rows = await this.db.query<Row>(
              `SELECT id::text, type, model_id::text, band, band_rank, cause, transition_id::text, created_at, body
                 FROM outbox_events WHERE id > $1 ORDER BY id LIMIT ${PAGE}`, [this.lastId]);
            if (rows.length === 0) break;
            this.lastId = rows[rows.length - 1]!.id;
            await this.fillBodies(rows);
            await this.dispatch(rows);
            if (rows.length < PAGE) break;
          }
        } while (this.readAgain);
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, "event stream could not read new events; retrying");
        setTimeout(() => this.read(), 1_000).unref();
      } finally {
        this.reading = false;
      }
    })();
  }

  /** Data of the account events stored without a body, built by the function webhook bodies come from. */
  private async fillBodies(rows: Row[]): Promise<void> {
    for (const breached of [false, true]) {
      const bare = rows.filter((r) => r.body === null && r.transition_id !== null && (r.type === "SLA_BREACHED") === breached);
      if (bare.length === 0) continue;
      const built = await this.db.query<{ transition_id: string; band: string | null; band_rank: number | null; data: Record<string, unknown> }>(
        "SELECT transition_id::text, band, band_rank, data FROM outbox_transition_data($1::bigint[], $2)", [bare.map((r) => r.transition_id), breached]);
      const byTransition = new Map(built.map((b) => [b.transition_id, b]));
      for (const row of bare) {
        const b = byTransition.get(row.transition_id!);
        if (!b) continue;
        row.band = b.band;
        row.band_rank = b.band_rank;
        row.data = b.data;
      }
    }
  }

  private async dispatch(rows: Row[]): Promise<void> {
    for (const row of rows) {
      let event: QuorumEvent | null = null;
      for (const sub of this.subscribers) {
        if (!(await this.passes(sub.filter, row))) continue;
        if (!event) {
          const body = row.body !== null ? JSON.parse(row.body) as { timestamp: string; data?: Record<string, unknown> } : null;
          event = { id: row.id, type: row.type, timestamp: body ? new Date(body.timestamp) : row.created_at, band: row.band, cause: row.cause, data: body?.data ?? row.data ?? {} };
        }
        if (sub.queue.length >= MAX_BACKLOG) {
          sub.failed = new Error(`This subscription fell more than ${MAX_BACKLOG} events behind and was ended; subscribe again (narrow it with types or minBand).`);
          sub.queue.length = 0;
        } else {
          sub.queue.push(event);
        }
        sub.wake?.();
      }
    }
  }

  private async passes(filter: EventFilter, row: Row): Promise<boolean> {
    if (filter.types?.length && !filter.types.includes(row.type)) return false;
    if (!filter.minBand || row.band_rank === null || row.model_id === null) return true;
    const bands = await this.bandsOf(row.model_id);
    const min = bands.indexOf(filter.minBand);
    // Account events of a model without that band do not pass: "at least Hot" means nothing there.
    return min >= 0 && row.band_rank >= min + 1;
  }

  private async bandsOf(modelId: string): Promise<string[]> {
    let bands = this.bandsByModel.get(modelId);
    if (!bands) {
      const [row] = await this.db.query<{ bands: string[] }>(
        "SELECT ARRAY(SELECT b->>'name' FROM jsonb_array_elements(definition->'bands') b) AS bands FROM scoring_models WHERE id = $1", [modelId]);
      bands = row?.bands ?? [];
      this.bandsByModel.set(modelId, bands);
    }
    return bands;
  }
}

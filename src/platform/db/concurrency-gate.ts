import { CancelledError } from "../errors/errors";

/**
 * At most `limit` holders at once; the rest wait. A waiter whose signal aborts (its client
 * went away) leaves the queue without ever running. For reports that take whole cores:
 * sixty-four of them at once on two cores all finish late, four at a time finish in turn.
 *
 * Waiters are served in arrival order. Once the oldest has waited longer than `overloadMs`
 * (overload: arrivals outpace the work), the newest goes first: the oldest are the likeliest
 * to be abandoned by their clients mid-way, which would waste the place; serving the newest
 * keeps every place doing work someone still waits for.
 */
export class ConcurrencyGate {
  private active = 0;
  private readonly waiting: { resolve: () => void; since: number; onAbort: () => void }[] = [];

  constructor(readonly limit: number, private readonly opts: { overloadMs: number } = { overloadMs: 5_000 }) {}

  /** Runs `fn` holding a place; throws CancelledError if `signal` aborts while waiting. */
  async run<T>(signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    await this.enter(signal);
    try {
      return await fn();
    } finally {
      this.leave();
    }
  }

  private enter(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(new CancelledError());
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => { signal?.removeEventListener("abort", waiter.onAbort); resolve(); },
        since: Date.now(),
        onAbort: () => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new CancelledError());
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private leave(): void {
    const overloaded = this.waiting.length > 0 && Date.now() - this.waiting[0]!.since > this.opts.overloadMs;
    const next = overloaded ? this.waiting.pop() : this.waiting.shift();
    if (next) next.resolve(); // the place passes straight to the next waiter
    else this.active--;
  }
}

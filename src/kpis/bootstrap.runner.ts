import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import {
  type BootstrapStat, clusterBootstrap, type ClusterComparison, type ClusterSample, compareValues, type CompareValuesOptions, type ValueComparison,
} from "./kpi-stats";

/** One `compareValues` call. */
export interface ValuesTask {
  kind?: "values";
  treated: readonly number[];
  holdout: readonly number[];
  stat: BootstrapStat;
  seed: number;
  options: CompareValuesOptions;
}

/** One `clusterBootstrap` call. */
export interface ClusterTask {
  kind: "clusters";
  treated: ClusterSample;
  holdout: ClusterSample;
  seed: number;
  iterations: number;
  confidence: number;
}

export type BootstrapTask = ValuesTask | ClusterTask;
export type BootstrapResult = ValueComparison | ClusterComparison;

/** A values task as it goes to a worker: the values as Float64Arrays, whose buffers are transferred, not copied. */
export interface ValuesMessageTask { kind: "values"; treated: Float64Array; holdout: Float64Array; stat: BootstrapStat; seed: number; options: CompareValuesOptions }

/** What goes to a worker (cluster tasks are structured-cloned as they are). */
export interface BootstrapMessage {
  id: number;
  tasks: (ValuesMessageTask | ClusterTask)[];
}

export type BootstrapReply = { id: number; results: BootstrapResult[] } | { id: number; error: string };

/** Runs one task; the same function inline and in a worker. */
export function runTask(t: ValuesMessageTask | BootstrapTask): BootstrapResult {
  if (t.kind === "clusters") return clusterBootstrap(t.treated, t.holdout, { seed: t.seed, iterations: t.iterations, confidence: t.confidence });
  return compareValues(Array.from(t.treated), Array.from(t.holdout), t.stat, t.seed, t.options);
}

/** Comparisons remembered: a few dozen reports' worth. */
const REMEMBERED_MAX = 500;

function taskKey(t: BootstrapTask): string {
  const digest = createHash("sha256");
  const add = (values: readonly number[]) => {
    digest.update(Buffer.from(Float64Array.from(values).buffer));
    digest.update("|");
  };
  if (t.kind === "clusters") {
    for (const s of [t.treated, t.holdout]) for (const part of [s.closed, s.won, s.dealDays, s.dealAmount, s.dealCluster]) add(part);
    return `clusters:${t.seed}:${t.iterations}:${t.confidence}:${t.treated.closed.length}/${t.holdout.closed.length}:${digest.digest("base64")}`;
  }
  for (const sample of [t.treated, t.holdout]) add(sample);
  return `${t.stat}:${t.seed}:${JSON.stringify(t.options)}:${t.treated.length}/${t.holdout.length}:${digest.digest("base64")}`;
}

/** The compiled worker script; absent when running from TypeScript sources (tests), where batches run inline. */
const WORKER_SCRIPT = path.join(__dirname, "bootstrap.worker.js");

/**
 * Runs the bootstrap comparisons of a report (cluster bootstraps of the deal KPIs, ratios of
 * medians). A report at 100k accounts resamples tens of thousands of accounts and won deals
 * thousands of times — seconds of CPU that must not block the server's
 * event loop (every other request would wait). So batches go to a few worker threads, spread
 * by size; results are identical to running them inline (`runTask`), because each comparison is
 * seeded and independent. Without a compiled worker script, or with `threads: 0`, they run
 * inline.
 */
export class BootstrapRunner {
  private readonly workers: (Worker | null)[];
  private readonly pending = new Map<number, { resolve: (r: BootstrapResult[]) => void; reject: (e: Error) => void; worker: number }>();
  private nextId = 1;
  private readonly script: string | null;
  /** Results by taskKey, oldest first (a Map keeps insertion order). */
  private readonly remembered = new Map<string, BootstrapResult>();

  constructor(opts: { threads?: number; script?: string } = {}) {
    const threads = opts.threads ?? Math.min(4, Math.max(1, os.availableParallelism() - 1));
    const script = opts.script ?? WORKER_SCRIPT;
    this.script = threads > 0 && fs.existsSync(script) ? script : null;
    this.workers = Array.from({ length: this.script ? threads : 0 }, () => null);
  }

  /** Whether batches run in worker threads. */
  get threaded(): boolean {
    return this.script !== null;
  }

  /**
   * Runs the comparisons. Each is a pure function of its samples, statistic, seed and options,
   * so results are remembered by those (a digest of the samples): a dashboard asking for the
   * same report again, as every viewer and refresh does, skips the resampling. Exact, never
   * stale — different data is a different key.
   */
  run(tasks: readonly ValuesTask[]): Promise<ValueComparison[]>;
  run(tasks: readonly BootstrapTask[]): Promise<BootstrapResult[]>;
  async run(tasks: readonly BootstrapTask[]): Promise<BootstrapResult[]> {
    const keys = tasks.map(taskKey);
    const results = keys.map((k) => this.remembered.get(k));
    const missing = tasks.flatMap((t, i) => (results[i] ? [] : [i]));
    if (missing.length > 0) {
      const fresh = await this.compute(missing.map((i) => tasks[i]!));
      missing.forEach((i, k) => {
        results[i] = fresh[k]!;
        this.remembered.set(keys[i]!, fresh[k]!);
      });
      for (const oldest of this.remembered.keys()) {
        if (this.remembered.size <= REMEMBERED_MAX) break;
        this.remembered.delete(oldest);
      }
    }
    return results as BootstrapResult[];
  }

  private async compute(tasks: readonly BootstrapTask[]): Promise<BootstrapResult[]> {
    if (tasks.length === 0) return [];
    if (!this.script) return tasks.map(runTask);
    // Longest first onto the least loaded worker: the batches finish close together.
    const cost = (t: BootstrapTask) => (t.kind === "clusters"
      ? 2 * (t.treated.closed.length + t.holdout.closed.length) + 1.5 * (t.treated.dealDays.length + t.holdout.dealDays.length)
      : (t.treated.length + t.holdout.length) * (t.stat === "median" ? 1.5 : 1));
    const order = tasks.map((_, i) => i).sort((a, b) => cost(tasks[b]!) - cost(tasks[a]!));
    const batches = this.workers.map(() => ({ indexes: [] as number[], cost: 0 }));
    for (const i of order) {
      const batch = batches.reduce((min, b) => (b.cost < min.cost ? b : min));
      batch.indexes.push(i);
      batch.cost += cost(tasks[i]!);
    }
    const results = new Array<BootstrapResult>(tasks.length);
    await Promise.all(batches.map(async (batch, w) => {
      if (batch.indexes.length === 0) return;
      const out = await this.send(w, batch.indexes.map((i) => tasks[i]!));
      batch.indexes.forEach((i, k) => { results[i] = out[k]!; });
    }));
    return results;
  }

  /** Stops the worker threads (they never keep the process alive, so this is optional). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w?.terminate()));
    this.workers.fill(null);
  }

  private send(w: number, tasks: BootstrapTask[]): Promise<BootstrapResult[]> {
    const worker = this.worker(w);
    const id = this.nextId++;
    const message: BootstrapMessage = {
      id,
      tasks: tasks.map((t) => (t.kind === "clusters" ? t
        : { kind: "values" as const, treated: Float64Array.from(t.treated), holdout: Float64Array.from(t.holdout), stat: t.stat, seed: t.seed, options: t.options })),
    };
    return new Promise<BootstrapResult[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: w });
      worker.ref(); // keep the process alive while a batch is out
      worker.postMessage(message, message.tasks.flatMap((t) => (t.kind === "values" ? [t.treated.buffer as ArrayBuffer, t.holdout.buffer as ArrayBuffer] : [])));
    });
  }

  private worker(w: number): Worker {
    const existing = this.workers[w];
    if (existing) return existing;
    const worker = new Worker(this.script!);
    worker.unref();
    worker.on("message", (reply: BootstrapReply) => {
      const job = this.pending.get(reply.id);
      if (!job) return;
      this.pending.delete(reply.id);
      if (![...this.pending.values()].some((p) => p.worker === w)) worker.unref();
      if ("error" in reply) job.reject(new Error(reply.error));
      else job.resolve(reply.results);
    });
    const fail = (err: Error) => {
      this.workers[w] = null;
      for (const [id, job] of this.pending) {
        if (job.worker !== w) continue;
        this.pending.delete(id);
        job.reject(err);
      }
    };
    worker.on("error", fail);
    worker.on("exit", (code) => { if (this.workers[w] === worker) fail(new Error(`bootstrap worker stopped (exit code ${code})`)); });
    this.workers[w] = worker;
    return worker;
  }
}

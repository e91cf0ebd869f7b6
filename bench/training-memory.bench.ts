/**
 * Memory of the API process over background training runs (issue 12: "flat over 20 runs").
 *
 *   npm run bench:training-memory                 # 20 runs on a 1,500-account demo
 *   node --expose-gc dist/bench/training-memory.bench.js --runs 20 --accounts 1500
 *
 * Starts the API in this process on a fresh database `quorum_bench_training_memory`
 * (DATABASE_URL's server, else an embedded PostgreSQL), loads the demo, then starts the
 * training runs one after another through GraphQL over HTTP (`startTrainingRun`, fitted in a
 * child process as the server does) and waits for each. After each run it forces a garbage
 * collection and prints this process's heap in use and RSS, then the growth from run 5 to the
 * last (the first runs warm caches: compiled SQL, GraphQL documents, pools).
 */
import os from "node:os";
import { loadDemo } from "../src/demo/demo.loader";
import { startApi } from "../src/platform/app";
import { loadConfig } from "../src/platform/config/config";
import { createLogger } from "../src/platform/logging/logger";
import { benchDatabase } from "./support";

const START = "mutation Start($input: TrainingRunInput!) { startTrainingRun(input: $input) { id } }";
const RUN = "query Run($id: ID!) { trainingRun(id: $id) { status error } }";
const ADMIN_KEY = "bench-training-memory-admin-key";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("Run with node --expose-gc (npm run bench:training-memory does).");
  const runs = arg("runs", 20);
  const accounts = arg("accounts", 1_500);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const bench = await benchDatabase("quorum_bench_training_memory", { reuse: false, poolSize: 8 });
  const config = loadConfig({ ...process.env, DATABASE_URL: bench.url, PORT: "0", HOST: "127.0.0.1", ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: "silent", NODE_ENV: "production" });
  const app = await startApi(config, createLogger(config), { db: bench.db, close: async () => undefined });
  try {
    out(`training memory benchmark — ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
    await loadDemo(bench.db, { accounts, seed: 7, now: new Date() });
    const client = { request: (query: string, variables: Record<string, unknown>) => graphql(app.url, query, variables) };
    const mb = (b: number) => (b / 1048576).toFixed(1);
    const heap: number[] = [];
    for (let i = 1; i <= runs; i++) {
      const { startTrainingRun } = await client.request(START, { input: { seed: i } }) as { startTrainingRun: { id: string } };
      for (;;) {
        const { trainingRun } = await client.request(RUN, { id: startTrainingRun.id }) as { trainingRun: { status: string; error: string | null } };
        if (trainingRun.status === "FAILED") throw new Error(`training run ${startTrainingRun.id} failed: ${trainingRun.error}`);
        if (trainingRun.status === "SUCCEEDED") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      gc();
      const m = process.memoryUsage();
      heap.push(m.heapUsed);
      out(`run ${String(i).padStart(2)}  heap used ${mb(m.heapUsed).padStart(6)} MB  rss ${mb(m.rss).padStart(6)} MB`);
    }
    const from = Math.min(5, heap.length) - 1;
    out(`heap growth from run ${from + 1} to run ${heap.length}: ${mb(heap.at(-1)! - heap[from]!)} MB (${((heap.at(-1)! - heap[from]!) / 1024 / Math.max(1, heap.length - 1 - from)).toFixed(0)} KB per run)`);
  } finally {
    await app.stop();
    await bench.close({ drop: true });
  }
}

/** One GraphQL request over HTTP, as a client sends it. */
async function graphql(url: string, query: string, variables: Record<string, unknown>): Promise<unknown> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_KEY}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: unknown; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join("; "));
  return body.data;
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

/**
 * Scoring benchmark (DESIGN §7: a full run over 100k accounts, 1M contacts and 10M events in
 * ≤ 60 s and ≤ 3× a bare `GROUP BY account_id` over the same events).
 *
 *   npm run bench:scoring
 *   node dist/bench/scoring.bench.js --accounts 20000 --runs 3 --keep
 *
 * Loads the demo data set (`loadDemo`, ~10 contacts and ~100 events per account) into a fresh
 * database `quorum_bench_scoring` (DATABASE_URL's server, else an embedded PostgreSQL), vacuums
 * it, then times, in the same session and back to back:
 *   - `SELECT account_id, count(*), max(occurred_at) FROM engagement_events GROUP BY account_id`
 *     (warm-up, then --reps repetitions),
 *   - --runs full scoring runs of the default model (each one transaction writing every
 *     account's and engaged contact's snapshot; from the second on, transitions too), each
 *     right after one more GROUP BY, for a ratio measured under the same load,
 * and prints both, their ratio, the engine's stages, peak RSS of this Node process and the
 * rows written. The database is dropped at the end unless --keep; --reuse keeps a loaded one.
 */
import "reflect-metadata";
import { loadDemo } from "../src/demo/demo.loader";
import { createLogger } from "../src/platform/logging/logger";
import { ensureDefaultModel } from "../src/scoring/default-model";
import { ScoringRunService, type RunSummary } from "../src/scoring/scoring-run.service";
import { benchDatabase } from "./support";

interface Args { accounts: number; seed: number; reps: number; runs: number; keep: boolean; reuse: boolean }

function parseArgs(argv: string[]): Args {
  const args: Args = { accounts: 100_000, seed: 1, reps: 3, runs: 2, keep: false, reuse: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const num = () => Number(argv[++i]);
    if (flag === "--accounts") args.accounts = num();
    else if (flag === "--seed") args.seed = num();
    else if (flag === "--reps") args.reps = num();
    else if (flag === "--runs") args.runs = num();
    else if (flag === "--keep") args.keep = true;
    else if (flag === "--reuse") { args.reuse = true; args.keep = true; }
    else throw new Error(`unknown option ${flag}; use --accounts N --seed S --reps N --runs N --keep --reuse`);
  }
  for (const k of ["accounts", "reps", "runs"] as const) if (!Number.isInteger(args[k]) || args[k] < 1) throw new Error(`--${k} must be a whole number ≥ 1`);
  return args;
}

/** Peak RSS of this process, sampled every 20 ms. */
class RssSampler {
  private peak = process.memoryUsage().rss;
  private readonly timer = setInterval(() => { this.peak = Math.max(this.peak, process.memoryUsage().rss); }, 20);
  stop(): number {
    clearInterval(this.timer);
    return Math.max(this.peak, process.memoryUsage().rss);
  }
}

const out = (line = "") => process.stdout.write(`${line}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = createLogger({ logLevel: "warn" });
  const bench = await benchDatabase("quorum_bench_scoring", { reuse: args.reuse, poolSize: 4 });
  const { db } = bench;
  try {
    const [{ n: existing }] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM accounts") as [{ n: number }];
    const now = new Date();
    if (existing === 0) {
      const started = performance.now();
      let lastLine = "";
      const summary = await loadDemo(db, {
        accounts: args.accounts, seed: args.seed, now,
        onProgress: (done, total, stage) => {
          const line = `loading demo data: ${stage} ${Math.floor((100 * done) / Math.max(total, 1))}%`;
          if (line !== lastLine && process.stderr.isTTY) process.stderr.write(`\r${line.padEnd(60)}`);
          lastLine = line;
        },
      });
      if (process.stderr.isTTY) process.stderr.write("\n");
      out(`loaded ${summary.accounts} accounts, ${summary.contacts} contacts, ${summary.events} events, ${summary.intentSignals} intent signals in ${secs(performance.now() - started)}`);
      const v = performance.now();
      await db.query("VACUUM (ANALYZE) accounts, contacts, engagement_events, intent_signals");
      out(`vacuumed and analysed in ${secs(performance.now() - v)}`);
    } else {
      out(`reusing quorum_bench_scoring with ${existing} accounts`);
    }
    const [counts] = await db.query<{ accounts: number; contacts: number; events: number; window: number }>(
      `SELECT (SELECT count(*) FROM accounts)::int AS accounts, (SELECT count(*) FROM contacts)::int AS contacts,
              (SELECT count(*) FROM engagement_events)::int AS events,
              (SELECT count(*) FROM engagement_events WHERE occurred_at > now() - interval '90 days')::int AS window`);
    out(`data: ${counts!.accounts} accounts, ${counts!.contacts} contacts, ${counts!.events} events (${counts!.window} in the last 90 days)`);
    const [settings] = await db.query<Record<string, string>>(
      "SELECT version() AS version, current_setting('max_parallel_workers_per_gather') AS workers, current_setting('shared_buffers') AS shared_buffers, current_setting('work_mem') AS work_mem");
    out(`server: ${settings!.version.split(" on ")[0]}, shared_buffers ${settings!.shared_buffers}, work_mem ${settings!.work_mem}, ${settings!.workers} parallel workers per gather`);
    await ensureDefaultModel(db);

    const groupBy = "SELECT account_id, count(*), max(occurred_at) FROM engagement_events GROUP BY account_id";
    await db.query(groupBy); // warm-up: the events in cache for both contenders
    const groupMs: number[] = [];
    for (let i = 0; i < args.reps; i++) {
      const t = performance.now();
      const rows = await db.query(groupBy);
      groupMs.push(performance.now() - t);
      if (i === 0) out(`GROUP BY account_id: ${rows.length} groups`);
    }
    out(`GROUP BY account_id over engagement_events: ${groupMs.map(secs).join(", ")} (median ${secs(median(groupMs))})`);

    const runner = new ScoringRunService(db, log);
    const runMs: number[] = [];
    let peakRss = 0;
    let last: RunSummary | null = null;
    // The machine may be shared: a GROUP BY right before each run gives ratios measured under
    // the same load.
    const pairedGroupMs: number[] = [];
    for (let i = 0; i < args.runs; i++) {
      const g = performance.now();
      await db.query(groupBy);
      pairedGroupMs.push(performance.now() - g);
      const stages = new Map<string, number>();
      let stage = "";
      let stageStart = performance.now();
      const sampler = new RssSampler();
      const t = performance.now();
      last = await runner.run({
        asOf: new Date(now.getTime() - (args.runs - 1 - i) * 3_600_000), triggeredBy: "bench",
        onProgress: (_d, _t, next) => {
          const at = performance.now();
          if (stage) stages.set(stage, (stages.get(stage) ?? 0) + at - stageStart);
          stage = next;
          stageStart = at;
        },
      });
      const ms = performance.now() - t;
      peakRss = Math.max(peakRss, sampler.stop());
      runMs.push(ms);
      out(`scoring run ${i + 1}: ${secs(ms)} — ${last.accountsScored} account and ${last.contactsScored} contact snapshots, ${last.transitions} transitions (GROUP BY just before: ${secs(pairedGroupMs[i]!)}, ${(ms / pairedGroupMs[i]!).toFixed(2)}×)`);
      out(`  stages: ${[...stages].map(([k, v]) => `${k} ${secs(v)}`).join(", ")}`);
    }
    const best = Math.min(...runMs);
    const ratio = median(runMs) / median(groupMs);
    out();
    out(`full scoring run: median ${secs(median(runMs))}, best ${secs(best)} (budget 60 s)`);
    out(`bare GROUP BY:    median ${secs(median(groupMs))}`);
    out(`ratio:            ${ratio.toFixed(2)}× (budget 3×; best run / best GROUP BY ${(best / Math.min(...groupMs)).toFixed(2)}×)`);
    out(`paired ratio:     ${median(runMs.map((ms, i) => ms / pairedGroupMs[i]!)).toFixed(2)}× (median of each run / the GROUP BY just before it)`);
    out(`peak RSS of Node: ${(peakRss / 2 ** 20).toFixed(0)} MB`);
    out(`bands of the last run: ${last!.bands.map((b) => `${b.band} ${b.count}`).join(", ")}`);
  } finally {
    await bench.close({ drop: !args.keep });
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});

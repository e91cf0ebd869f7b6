/**
 * KPI report benchmark: `bandKpis` over 100k accounts and a year of deals.
 *
 *   npm run bench:kpis
 *   node dist/bench/kpis.bench.js --accounts 20000 --reps 3
 *
 * Builds a fresh database `quorum_bench_kpis` (DATABASE_URL's server, else the embedded one)
 * with the demo data set (a year of activity and deals), one scoring run of the default model
 * as of the window's start (the engine; a synthetic snapshot if the engine fails), a
 * tier-stratified 10% holdout, then times the report through the service — warm-up, then
 * `--reps` repetitions, min / median / max ms — by band and by band and tier, and the
 * aggregation statement alone. The database is dropped at the end (`--keep` keeps it;
 * `--reuse` runs on a kept one and keeps it).
 */
import "reflect-metadata";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { loadDemo } from "../src/demo/demo.loader";
import { bandKpiStatement } from "../src/kpis/band-kpi.sql";
import { BootstrapRunner } from "../src/kpis/bootstrap.runner";
import { BandKpiService } from "../src/kpis/band-kpi.service";
import { HoldoutService } from "../src/kpis/holdout.service";
import { HoldoutStratifyBy } from "../src/kpis/holdout.type";
import { loadConfig } from "../src/platform/config/config";
import { createLogger } from "../src/platform/logging/logger";
import { ScoringRunService } from "../src/scoring/scoring-run.service";
import type { Database } from "../src/platform/db/database";
import { benchDatabase } from "./support";

interface Args { accounts: number; reps: number; keep: boolean; reuse: boolean }

function parseArgs(argv: string[]): Args {
  const args: Args = { accounts: 100_000, reps: 5, keep: false, reuse: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--accounts") args.accounts = Number(argv[++i]);
    else if (flag === "--reps") args.reps = Number(argv[++i]);
    else if (flag === "--keep") args.keep = true;
    else if (flag === "--reuse") args.reuse = args.keep = true;
    else throw new Error(`unknown option ${flag}; use --accounts N, --reps N, --keep, --reuse`);
  }
  if (!Number.isInteger(args.accounts) || args.accounts < 100) throw new Error("--accounts must be a whole number ≥ 100");
  if (!Number.isInteger(args.reps) || args.reps < 1) throw new Error("--reps must be a whole number ≥ 1");
  return args;
}

const DAY = 86_400_000;
const log = createLogger({ logLevel: "warn" });

async function timeIt(label: string, reps: number, fn: () => Promise<unknown>): Promise<void> {
  await fn(); // warm-up: caches, plans
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const median = ms.length % 2 ? ms[(ms.length - 1) / 2]! : (ms[ms.length / 2 - 1]! + ms[ms.length / 2]!) / 2;
  process.stdout.write(`${label.padEnd(44)} min ${ms[0]!.toFixed(0).padStart(6)} ms   median ${median.toFixed(0).padStart(6)} ms   max ${ms[ms.length - 1]!.toFixed(0).padStart(6)} ms   (${reps} reps)\n`);
}

/** When the engine cannot run: a run of a minimal model whose bands follow a hash of the account. */
async function syntheticSnapshot(db: Database, asOf: Date): Promise<void> {
  await db.query("UPDATE scoring_models SET status = 'RETIRED' WHERE name = 'default' AND status = 'ACTIVE'");
  const [model] = await db.query<{ id: string }>(
    `INSERT INTO scoring_models (name, version, status, definition)
     SELECT 'default', COALESCE(max(version), 0) + 1, 'ACTIVE', $1 FROM scoring_models WHERE name = 'default' RETURNING id::text`,
    [JSON.stringify({ bands: [{ name: "Cold", minScore: 0 }, { name: "Warm", minScore: 40 }, { name: "Hot", minScore: 70 }] })]);
  const [run] = await db.query<{ id: string }>("INSERT INTO scoring_runs (model_id, as_of, status) VALUES ($1, $2, 'SUCCEEDED') RETURNING id::text", [model!.id, asOf]);
  await db.query(
    `INSERT INTO account_scores (run_id, account_id, model_id, as_of, total, fit, engagement, intent, committee, band, grade, status, contributions)
     SELECT $1, a.id, $2, $3, t.total, 0, 0, 0, 0, CASE WHEN t.total >= 70 THEN 'Hot' WHEN t.total >= 40 THEN 'Warm' ELSE 'Cold' END, 'D4', 'NURTURE', '{}'
       FROM accounts a CROSS JOIN LATERAL (SELECT (abs(hashtext(a.id::text)) % 10000) / 100.0 AS total) t`, [run!.id, model!.id, asOf]);
}

async function prepare(db: Database, url: string, accounts: number, from: Date, now: Date): Promise<void> {
  let t = performance.now();
  const demo = await loadDemo(db, { accounts, seed: 1, now });
  process.stdout.write(`demo data: ${demo.accounts} accounts, ${demo.contacts} contacts, ${demo.events} events, ${demo.deals} deals (${demo.wonDeals} won, ${demo.lostDeals} lost) in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  t = performance.now();
  try {
    const run = await new ScoringRunService(db, log).run({ asOf: from, triggeredBy: "bench" });
    process.stdout.write(`scoring run as of the window's start: ${run.accountsScored} accounts in ${run.seconds.toFixed(1)} s\n`);
  } catch (err) {
    process.stdout.write(`scoring engine failed (${(err as Error).message.slice(0, 200)}); using a synthetic snapshot\n`);
    await syntheticSnapshot(db, from);
  }
  const holdout = await new HoldoutService(db, loadConfig({ DATABASE_URL: url })).assign({ share: 0.1, seed: 1, stratifyBy: HoldoutStratifyBy.TIER }, "bench");
  // As if the holdout had been drawn before the window: reports take membership at its start.
  await db.query("UPDATE holdout_memberships SET entered_at = $1", [new Date(from.getTime() - DAY)]);
  await db.query("UPDATE accounts SET holdout_assigned_at = $1 WHERE is_holdout", [new Date(from.getTime() - DAY)]);
  process.stdout.write(`holdout: ${holdout.accountsIn} of ${holdout.strata.reduce((n, s) => n + s.targets, 0)} target accounts (${((performance.now() - t) / 1000).toFixed(1)} s with the run)\n`);
  // As autovacuum would after a bulk load: statistics, and the visibility map for index-only scans.
  await db.query("VACUUM ANALYZE");
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const bench = await benchDatabase("quorum_bench_kpis", { reuse: args.reuse, poolSize: 4 });
  try {
    const db = bench.db;
    const [existing] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM accounts");
    let from: Date;
    let now: Date;
    if (args.reuse && existing!.n > 0) {
      const [run] = await db.query<{ as_of: Date }>("SELECT as_of FROM scoring_runs WHERE status = 'SUCCEEDED' ORDER BY id LIMIT 1");
      if (!run) throw new Error("the kept database has no scoring run; run without --reuse");
      from = run.as_of;
      now = new Date(from.getTime() + 365 * DAY);
      process.stdout.write(`reusing quorum_bench_kpis: ${existing!.n} accounts\n`);
    } else {
      now = new Date();
      from = new Date(now.getTime() - 365 * DAY);
      await prepare(db, bench.url, args.accounts, from, now);
    }
    const service = new BandKpiService(db, log);
    const input = { from, to: now };
    const sample = await service.report(input);
    const dealsInWindow = sample.overall.treated.opportunitiesCreated + sample.overall.holdout.opportunitiesCreated;
    const won = sample.overall.treated.wonDeals + sample.overall.holdout.wonDeals;
    process.stdout.write(`report: ${sample.accounts} target accounts (${sample.holdoutAccounts} holdout), ${dealsInWindow} deals created and ${won} won in the window, `
      + `${sample.groups.length} band groups, ${sample.scoredAsOfFrom} scored as of from, AUC ${sample.scoreQuality.auc?.toFixed(3) ?? "–"}\n`);

    await timeIt("bandKpis (by band, 2000 resamples)", args.reps, () => service.report(input));
    await timeIt("bandKpis (by band and tier)", args.reps, () => service.report({ ...input, byTier: true }));
    await timeIt("bandKpis (by band, 200 resamples)", args.reps, () => service.report({ ...input, bootstrapIterations: 200 }));
    const runId = sample.asOfRun?.id ?? null;
    const statement = bandKpiStatement({ runId, scoredNowRunId: null }, false);
    await timeIt("aggregation statement alone (by band)", args.reps, () => db.tx(async (client) => {
      await client.query("SET LOCAL work_mem = '32MB'");
      await client.query("SET LOCAL jit = off"); // as the report runs it
      await client.query(statement.sql, statement.params(from, now, sample.modelId));
    }));
    // What other requests of the same server would feel: the event loop's longest stall during a report.
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    await service.report(input);
    lag.disable();
    process.stdout.write(`event loop during a report: max stall ${(lag.max / 1e6).toFixed(0)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms `
      + `(bootstrap in ${new BootstrapRunner().threaded ? "worker threads" : "the main thread"})\n`);
  } finally {
    await bench.close({ drop: !args.keep });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

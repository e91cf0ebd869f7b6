import "reflect-metadata";
import { execSync } from "node:child_process";
import { createLogger } from "../src/platform/logging/logger";
import { ScoringRunService } from "../src/scoring/scoring-run.service";
import { prepareBenchData } from "./data";
import { benchDatabase, startServerProcess } from "./support";

/**
 * `npm run bench:live`: live scoring under sustained GraphQL ingest (DESIGN §7).
 *
 * On the demo data set (BENCH_ACCOUNTS, 100000), a full run as of now first (the reference,
 * and it empties the queue the load left), then the real server process with live scoring on
 * receives BENCH_EVENTS_PER_SEC (1000) events a second over GraphQL, in batches of BENCH_BATCH
 * (100), for BENCH_SECONDS (60). Prints:
 * - freshness: per batch, acknowledgement → the first `account.score.asOf` at or after the
 *   acknowledgement for one of its accounts (conservative: the batch committed before it was
 *   acknowledged), p50/p95/p99;
 * - incremental runs: accounts per run, duration, and duration against the full run for runs of
 *   about 1% of the accounts;
 * - server peak RSS, and the machine's load.
 * BENCH_DATABASE names the database (quorum_bench_live; kept for the next run).
 */
async function main(): Promise<void> {
  const accounts = Number(process.env.BENCH_ACCOUNTS ?? 100_000);
  const rate = Number(process.env.BENCH_EVENTS_PER_SEC ?? 1_000);
  const batchSize = Number(process.env.BENCH_BATCH ?? 100);
  const seconds = Number(process.env.BENCH_SECONDS ?? 60);
  const delayMs = process.env.LIVE_SCORING_DELAY_MS ?? "2000";
  const bench = await benchDatabase(process.env.BENCH_DATABASE ?? "quorum_bench_live", { reuse: true });
  const log = createLogger({ logLevel: "warn" }, { toStderr: true });
  try {
    const prep = await prepareBenchData(bench.db, accounts);
    process.stdout.write(`data: ${prep.accounts} accounts, ${prep.contacts} contacts, ${prep.events} events (${prep.note})\n`);
    const full = await new ScoringRunService(bench.db, log).run({ triggeredBy: "bench" });
    process.stdout.write(`full run as of now: ${full.accountsScored} accounts in ${full.seconds.toFixed(2)} s\n`);
    const domains = (await bench.db.query<{ domain: string }>("SELECT domain FROM accounts ORDER BY md5(domain) LIMIT 20000")).map((r) => r.domain);

    const adminKey = "bench-admin-key-0123456789abcdef";
    const server = await startServerProcess(bench.url, adminKey, 4_457, { LIVE_SCORING: "true", LIVE_SCORING_DELAY_MS: delayMs, SCHEDULES: "false" });
    const headers = { "content-type": "application/json", authorization: `Bearer ${adminKey}` };
    const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
      const res = await fetch(server.url, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
      const json = (await res.json()) as { data?: T; errors?: unknown[] };
      if (!res.ok || json.errors) throw new Error(JSON.stringify(json.errors ?? res.status).slice(0, 300));
      return json.data!;
    };
    const startedAt = new Date();
    const pending: { domain: string; ack: number }[] = [];
    const freshness: number[] = [];
    let sent = 0;
    let failed = 0;
    let seq = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    try {
      const batches = Math.round((rate * seconds) / batchSize);
      const interval = (batchSize / rate) * 1000;
      const t0 = performance.now();
      let polling = true;
      // Watches the accounts of acknowledged batches: one request with an alias per account.
      const poller = (async () => {
        while (polling || pending.length > 0) {
          const watch = pending.splice(0, 30);
          if (watch.length === 0) { await new Promise((r) => setTimeout(r, 100)); continue; }
          const query = `{ ${watch.map((w, i) => `a${i}: account(domain: "${w.domain}") { score { asOf } }`).join(" ")} }`;
          const data = await gql<Record<string, { score: { asOf: string } | null } | null>>(query).catch(() => null);
          const now = Date.now();
          watch.forEach((w, i) => {
            const asOf = data?.[`a${i}`]?.score?.asOf;
            if (asOf && Date.parse(asOf) >= w.ack) freshness.push(now - w.ack);
            else if (now - w.ack < 120_000) pending.push(w);
          });
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      const send = async (b: number) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const picked = Array.from({ length: batchSize }, (_, i) => domains[(b * 7919 + i * 104_729) % domains.length]!);
        const input = picked.map((domain, i) => ({ externalId: `live-${startedAt.getTime()}-${b}-${i}`, type: ["pricing_page_view", "demo_request", "webinar_attended"][i % 3], occurredAt: new Date().toISOString(), accountDomain: domain }));
        try {
          await gql("mutation R($input: [EngagementEventInput!]!) { recordEngagement(input: $input) { inserted errors { message } } }", { input });
          sent += batchSize;
          pending.push({ domain: picked[0]!, ack: Date.now() });
        } catch {
          failed++;
        } finally {
          inFlight--;
        }
      };
      const inflight: Promise<void>[] = [];
      for (let b = 0; b < batches; b++) {
        const due = t0 + b * interval;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        inflight.push(send(seq++));
      }
      await Promise.all(inflight);
      const elapsed = (performance.now() - t0) / 1000;
      polling = false;
      await poller;
      process.stdout.write(`ingest: ${sent} events in ${elapsed.toFixed(1)} s (${(sent / elapsed).toFixed(0)}/s), ${failed} failed batches, at most ${maxInFlight} batches in flight\n`);
      const q = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN; };
      process.stdout.write(`freshness (ack → account.score.asOf ≥ ack), ${freshness.length} batches: p50 ${(q(freshness, 0.5) / 1000).toFixed(2)} s, p95 ${(q(freshness, 0.95) / 1000).toFixed(2)} s, p99 ${(q(freshness, 0.99) / 1000).toFixed(2)} s (budget p95 ≤ 5 s; LIVE_SCORING_DELAY_MS ${delayMs})\n`);
      const runs = await bench.db.query<{ accounts: number; seconds: number }>(
        `SELECT accounts_scored AS accounts, extract(epoch FROM finished_at - started_at)::float8 AS seconds FROM scoring_runs
          WHERE kind = 'INCREMENTAL' AND status = 'SUCCEEDED' AND started_at >= $1 ORDER BY id`, [startedAt]);
      if (runs.length > 0) {
        const secs = runs.map((r) => r.seconds);
        process.stdout.write(`incremental runs: ${runs.length}, accounts per run p50 ${q(runs.map((r) => r.accounts), 0.5)}, duration p50 ${q(secs, 0.5).toFixed(3)} s, p95 ${q(secs, 0.95).toFixed(3)} s\n`);
        const near = runs.filter((r) => r.accounts >= 0.005 * prep.accounts && r.accounts <= 0.02 * prep.accounts);
        if (near.length > 0) {
          const d = q(near.map((r) => r.seconds), 0.5);
          process.stdout.write(`runs of 0.5–2% of accounts: ${near.length}, median ${d.toFixed(3)} s = ${((100 * d) / full.seconds).toFixed(1)}% of the full run (budget ≤ 5% for 1%)\n`);
        }
      }
      process.stdout.write(`server peak RSS ${server.peakRssMb().toFixed(0)} MB\n`);
    } finally {
      await server.stop();
    }
    // §7's case exactly: 1% of the accounts touched, one incremental run, against the full run.
    const runner = new ScoringRunService(bench.db, log);
    const sample = Math.max(1, Math.round(prep.accounts / 100));
    const times: number[] = [];
    for (let k = 0; k < 3; k++) {
      await bench.db.query("SELECT score_queue_touch(ARRAY(SELECT id FROM accounts ORDER BY md5(id::text || $2::text) LIMIT $1))", [sample, k]);
      const run = await runner.runIncremental("default", { triggeredBy: "bench" });
      if (run) times.push(run.seconds);
    }
    const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
    process.stdout.write(`incremental run of 1% (${sample} accounts, 3 runs): median ${median.toFixed(3)} s = ${((100 * median) / full.seconds).toFixed(1)}% of the full run's ${full.seconds.toFixed(2)} s (budget ≤ 5%)\n`);
    process.stdout.write(`load: ${execSync("uptime").toString().trim()}\n`);
  } finally {
    await bench.close({ drop: false });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

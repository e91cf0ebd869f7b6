import { benchDatabase, load, printLoad, startServerProcess, type LoadResult } from "./support";
import { DASHBOARD_SCENARIOS } from "./scenarios";
import { prepareBenchData } from "./data";

/**
 * `npm run bench`: the dashboard queries against a 100k-account demo set, served by the real
 * server process, at 16 (and by default 64) concurrent connections.
 *
 * BENCH_ACCOUNTS (100000), BENCH_CONNECTIONS ("16,64"), BENCH_SECONDS (60), BENCH_ONLY (a part of
 * scenario names, e.g. "account"),
 * BENCH_KEEP=true keeps the database for the next run (it is reused when its size matches);
 * BENCH_DATABASE names it (quorum_bench).
 */
async function main(): Promise<void> {
  const accounts = Number(process.env.BENCH_ACCOUNTS ?? 100_000);
  const connections = (process.env.BENCH_CONNECTIONS ?? "16,64").split(",").map(Number);
  const seconds = Number(process.env.BENCH_SECONDS ?? 60);
  const keep = process.env.BENCH_KEEP !== "false";
  const bench = await benchDatabase(process.env.BENCH_DATABASE ?? "quorum_bench", { reuse: true });
  try {
    const prep = await prepareBenchData(bench.db, accounts);
    process.stdout.write(`data: ${prep.accounts} accounts, ${prep.contacts} contacts, ${prep.events} events, ${prep.deals} deals (${prep.note})\n`);
    const adminKey = "bench-admin-key-0123456789abcdef";
    const server = await startServerProcess(bench.url, adminKey, 4_455);
    const results: LoadResult[] = [];
    try {
      const only = process.env.BENCH_ONLY?.toLowerCase();
      for (const scenario of DASHBOARD_SCENARIOS.filter((s) => !only || s.name.toLowerCase().includes(only))) {
        const body = JSON.stringify({ query: scenario.query, variables: scenario.variables(prep), operationName: scenario.operationName });
        // One request first: it must succeed, and it warms caches.
        const check = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${adminKey}` }, body });
        const json = (await check.json()) as { errors?: unknown[] };
        if (!check.ok || json.errors) throw new Error(`${scenario.name} failed: ${JSON.stringify(json).slice(0, 500)}`);
        for (const c of connections) {
          const r = await load(scenario.name, server.url, { authorization: `Bearer ${adminKey}` }, body, c, seconds, () => server.rssMb());
          printLoad(r);
          results.push(r);
        }
      }
      process.stdout.write(`server peak RSS ${server.peakRssMb().toFixed(0)} MB\n`);
    } finally {
      await server.stop();
    }
    if (process.env.BENCH_JSON) process.stdout.write(`${JSON.stringify(results)}\n`);
  } finally {
    await bench.close({ drop: !keep });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

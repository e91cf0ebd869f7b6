import "reflect-metadata";
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { projectRoot } from "../src/platform/config/paths";
import type { Database } from "../src/platform/db/database";
import { COMPARED_SCENARIOS, differences, type ComparedScenario, type Digest } from "./compare-scenarios";
import { prepareBenchData, type BenchData } from "./data";
import type { Scenario } from "./scenarios";
import { benchDatabase, freePort, load, printLoad, startNodeServer, startServerProcess, type LoadResult, type ServerProcess } from "./support";

/**
 * `npm run bench:compare`: the dashboard budget of DESIGN §7, measured. Quorum and PostGraphile
 * (a database-compiled GraphQL server) serve the same 100k-account data set and answer the same
 * dashboard queries, one server at a time, with the same load: requests/s, p50/p95/p99, errors
 * and server RSS per scenario, side by side, and a verdict per scenario at 16 connections
 * (Quorum's requests/s ≥ PostGraphile's and Quorum's p95 ≤ PostGraphile's).
 *
 * PostGraphile lives in bench/postgraphile/ (its own package, installed here on first use) and
 * serves the views of bench/postgraphile/schema.sql, applied to the bench database in a schema
 * of its own. Before any load, each scenario's response from both servers is reduced to a
 * digest and compared: the figures only mean something when the data is the same.
 *
 * BENCH_ACCOUNTS (100000), BENCH_CONNECTIONS ("16"; "16,64" adds 64), BENCH_SECONDS (60),
 * BENCH_WARMUP_SECONDS (5, per scenario and server, not recorded), BENCH_DATABASE
 * ("quorum_bench"), BENCH_FIRST=postgraphile runs PostGraphile first, BENCH_KEEP=false drops the
 * database afterwards, BENCH_JSON prints results.
 */

const POSTGRAPHILE_DIR = path.join(projectRoot, "bench", "postgraphile");
const SCHEMA_FILE = path.join(POSTGRAPHILE_DIR, "schema.sql");
const ADMIN_KEY = "bench-admin-key-0123456789abcdef";
/** The budget's concurrency: the verdict is taken here; other levels are for information. */
const BUDGET_CONNECTIONS = 16;

type ServerName = "quorum" | "postgraphile";
/** A load run, with the host's 1-minute load average at its end: other work on the machine shows there. */
type Measured = LoadResult & { server: ServerName; scenario: string; hostLoad: number };

interface Settings {
  accounts: number;
  connections: number[];
  seconds: number;
  warmup: number;
}

async function main(): Promise<void> {
  const settings: Settings = {
    accounts: Number(process.env.BENCH_ACCOUNTS ?? 100_000),
    connections: (process.env.BENCH_CONNECTIONS ?? String(BUDGET_CONNECTIONS)).split(",").map(Number),
    seconds: Number(process.env.BENCH_SECONDS ?? 60),
    warmup: Number(process.env.BENCH_WARMUP_SECONDS ?? 5),
  };
  const keep = process.env.BENCH_KEEP !== "false";
  ensurePostGraphile();
  const bench = await benchDatabase(process.env.BENCH_DATABASE ?? "quorum_bench", { reuse: true });
  try {
    const data = await prepareBenchData(bench.db, settings.accounts);
    process.stdout.write(`data: ${data.accounts} accounts, ${data.contacts} contacts, ${data.events} events, ${data.deals} deals (${data.note})\n`);
    process.stdout.write(`schema postgraphile_compare: ${await applyCompareSchema(bench.db)}\n`);
    process.stdout.write(`load: ${settings.seconds} s per run after ${settings.warmup} s warm-up, connections ${settings.connections.join(", ")}, one server at a time, Node ${process.version}\n\n`);

    const digests = new Map<string, Partial<Record<ServerName, Digest>>>();
    const results: Measured[] = [];
    const runServer = async (server: ServerName, start: () => Promise<ServerProcess>, pick: (s: ComparedScenario) => Scenario, headers: Record<string, string>) => {
      const proc = await start();
      try {
        for (const compared of COMPARED_SCENARIOS) {
          const scenario = pick(compared);
          const body = JSON.stringify({ query: scenario.query, variables: scenario.variables(data), operationName: scenario.operationName });
          // One request first: it must succeed, and its answer is checked against the other server's.
          const response = await fetch(proc.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
          const json = (await response.json()) as { data?: unknown; errors?: unknown[] };
          if (!response.ok || json.errors || !json.data) throw new Error(`${server}: ${compared.name} failed: ${JSON.stringify(json).slice(0, 800)}`);
          digests.set(compared.name, { ...digests.get(compared.name), [server]: compared.digest(server, json.data) });
          if (settings.warmup > 0) await load(compared.name, proc.url, headers, body, BUDGET_CONNECTIONS, settings.warmup, () => 0);
          for (const connections of settings.connections) {
            const r = await load(compared.name, proc.url, headers, body, connections, settings.seconds, () => proc.rssMb());
            process.stdout.write(`${server.padEnd(13)}`);
            printLoad(r);
            results.push({ ...r, server, scenario: compared.name, hostLoad: os.loadavg()[0]! });
          }
        }
        process.stdout.write(`${server.padEnd(13)}peak RSS ${proc.peakRssMb().toFixed(0)} MB\n`);
      } finally {
        await proc.stop();
      }
    };

    const quorum = () => runServer("quorum", async () => startServerProcess(bench.url, ADMIN_KEY, await freePort()), (s) => s.quorum, { authorization: `Bearer ${ADMIN_KEY}` });
    const postgraphile = () => runServer("postgraphile", async () => startPostGraphile(bench.url), (s) => s.postgraphile, {});
    // The first server warms PostgreSQL's caches for the second; BENCH_FIRST=postgraphile swaps them to see how much that matters.
    if (process.env.BENCH_FIRST === "postgraphile") {
      await postgraphile();
      await quorum();
    } else {
      await quorum();
      await postgraphile();
    }

    const same = report(settings, data, digests, results);
    if (process.env.BENCH_JSON) process.stdout.write(`${JSON.stringify(results)}\n`);
    if (!same) process.exitCode = 1;
  } finally {
    await bench.close({ drop: !keep });
  }
}

/** Installs PostGraphile's own package (bench/postgraphile/package-lock.json) when it is missing. */
function ensurePostGraphile(): void {
  if (fs.existsSync(path.join(POSTGRAPHILE_DIR, "node_modules", "postgraphile", "package.json"))) return;
  process.stderr.write("installing PostGraphile into bench/postgraphile (first use) …\n");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["ci", "--prefix", POSTGRAPHILE_DIR, "--no-audit", "--no-fund", "--loglevel=error"], { stdio: "inherit" });
  if (result.status !== 0) throw new Error(`npm ci --prefix bench/postgraphile failed (${result.status ?? result.error?.message})`);
}

/**
 * Creates (or replaces) the `postgraphile_compare` schemas from schema.sql in one transaction,
 * unless the database already holds this very version: the file's hash is kept as the
 * schema's comment. Quorum's own tables are never touched.
 */
async function applyCompareSchema(db: Database): Promise<string> {
  const sql = fs.readFileSync(SCHEMA_FILE, "utf8");
  const tag = `bench:compare ${crypto.createHash("sha256").update(sql).digest("hex").slice(0, 16)}`;
  const [current] = await db.query<{ tag: string | null }>(
    "SELECT obj_description(n.oid, 'pg_namespace') AS tag FROM pg_namespace n WHERE n.nspname = 'postgraphile_compare'");
  if (current?.tag === tag) return `up to date (${tag})`;
  const client = await db.pool.connect();
  try {
    await client.query("BEGIN");
    await client.query(sql);
    await client.query(`COMMENT ON SCHEMA postgraphile_compare IS '${tag}'`);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  return `applied (${tag})`;
}

async function startPostGraphile(databaseUrl: string): Promise<ServerProcess> {
  const port = await freePort();
  return startNodeServer({
    args: [path.join(POSTGRAPHILE_DIR, "server.mjs")],
    cwd: POSTGRAPHILE_DIR,
    env: { DATABASE_URL: databaseUrl, PORT: String(port), HOST: "127.0.0.1", NODE_ENV: "production", GRAPHILE_ENV: "production", DB_POOL_SIZE: "16" },
    port,
  });
}

/** The check lines, the side-by-side table and the verdicts. False when the answers differed. */
function report(settings: Settings, data: BenchData, digests: Map<string, Partial<Record<ServerName, Digest>>>, results: Measured[]): boolean {
  const out = (line = "") => process.stdout.write(`${line}\n`);
  let allSame = true;
  out();
  out(`Quorum vs PostGraphile on ${data.accounts} accounts (DESIGN §7: Quorum req/s ≥ PostGraphile's and Quorum p95 ≤ PostGraphile's, at ${BUDGET_CONNECTIONS} connections)`);
  out(`host: ${os.cpus().length} CPUs shared by both servers, PostgreSQL and the load generator; "load" is the 1-minute load average at the end of each run`);
  for (const compared of COMPARED_SCENARIOS) {
    const pair = digests.get(compared.name) ?? {};
    const diff = differences(pair.quorum, pair.postgraphile);
    const same = diff.length === 0;
    allSame &&= same;
    out();
    out(`${compared.name}`);
    out(same
      ? `  check: same answer from both servers: ${compared.describe(pair.quorum!)}`
      : `  check: ANSWERS DIFFER, figures not comparable: ${diff.join("; ")}`);
    out(`  ${"server".padEnd(14)}${"conn".padStart(5)}${"req/s".padStart(10)}${"p50 ms".padStart(10)}${"p95 ms".padStart(10)}${"p99 ms".padStart(10)}${"errors".padStart(8)}${"RSS MB".padStart(8)}${"load".padStart(7)}`);
    for (const connections of settings.connections) {
      const row = (server: ServerName) => results.find((r) => r.scenario === compared.name && r.server === server && r.connections === connections);
      const q = row("quorum");
      const p = row("postgraphile");
      for (const r of [q, p]) {
        if (!r) continue;
        out(`  ${r.server.padEnd(14)}${String(connections).padStart(5)}${r.rps.toFixed(1).padStart(10)}${r.p50.toFixed(1).padStart(10)}${r.p95.toFixed(1).padStart(10)}${r.p99.toFixed(1).padStart(10)}${String(r.errors).padStart(8)}${r.serverRssMb.toFixed(0).padStart(8)}${r.hostLoad.toFixed(1).padStart(7)}`);
      }
      if (q && p) out(`  ${verdict(q, p, same, connections === BUDGET_CONNECTIONS)}`);
    }
  }
  if (!settings.connections.includes(BUDGET_CONNECTIONS)) out(`\nno verdict: the budget is measured at ${BUDGET_CONNECTIONS} connections (BENCH_CONNECTIONS)`);
  out();
  out("Not the same work: Quorum checks a bearer key and query limits per request, PostGraphile here has neither; Quorum's KPI");
  out("report bootstraps its lift intervals, the SQL gives point lifts and closed-form intervals; PostGraphile lists only accounts");
  out("the current run scored (all of them here). See bench/postgraphile/README.md.");
  return allSame;
}

function verdict(q: LoadResult, p: LoadResult, same: boolean, budget: boolean): string {
  const rps = q.rps >= p.rps;
  const p95 = q.p95 <= p.p95;
  const errors = q.errors === 0 && p.errors === 0;
  const label = budget ? "verdict" : `at ${q.connections} connections (informative)`;
  const detail = `req/s ${q.rps.toFixed(1)} ${rps ? "≥" : "<"} ${p.rps.toFixed(1)} (×${(q.rps / p.rps).toFixed(2)}), p95 ${q.p95.toFixed(1)} ${p95 ? "≤" : ">"} ${p.p95.toFixed(1)} ms`;
  if (!same) return `${label}: NOT COMPARABLE (different answers); ${detail}`;
  if (!errors) return `${label}: NOT COMPARABLE (errors under load: Quorum ${q.errors}, PostGraphile ${p.errors}); ${detail}`;
  return `${label}: ${rps && p95 ? "MEETS the budget" : "MISSES the budget"}: ${detail}`;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:compare failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

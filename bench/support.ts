import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { Client } from "pg";
import { loadConfig } from "../src/platform/config/config";
import { projectRoot } from "../src/platform/config/paths";
import { Database } from "../src/platform/db/database";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../src/platform/db/embedded";
import { migrate } from "../src/platform/db/migrate";

/** A benchmark database: on DATABASE_URL's server when set, else on an embedded PostgreSQL of its own. */
export interface BenchDatabase {
  readonly url: string;
  readonly db: Database;
  readonly fresh: boolean;
  close(opts?: { drop?: boolean }): Promise<void>;
}

export async function benchDatabase(name: string, opts: { reuse: boolean; poolSize?: number }): Promise<BenchDatabase> {
  let embedded: EmbeddedDatabase | null = null;
  let serverUrl: string;
  if (process.env.DATABASE_URL) {
    serverUrl = withDatabase(process.env.DATABASE_URL, "postgres");
  } else {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(projectRoot, ".data", "bench-pg", "data"), port: Number(process.env.BENCH_PG_PORT ?? 54339) });
    serverUrl = embedded.url;
  }
  const exists = (await adminQuery(serverUrl, "SELECT 1 FROM pg_database WHERE datname = $1", [name])).length > 0;
  const fresh = !(exists && opts.reuse);
  if (exists && !opts.reuse) await adminQuery(serverUrl, `DROP DATABASE "${name}" WITH (FORCE)`);
  if (fresh) await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const url = withDatabase(serverUrl, name);
  const config = loadConfig({ DATABASE_URL: url });
  const db = await Database.connect({ url, poolSize: opts.poolSize ?? 8, statementTimeoutMs: 3_600_000, applicationName: "quorum-bench" });
  await migrate(db.pool);
  void config;
  return {
    url, db, fresh,
    async close({ drop = false } = {}) {
      await db.close();
      if (drop) await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await embedded?.stop();
    },
  };
}

export function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function adminQuery(serverUrl: string, sql: string, params: unknown[] = []): Promise<unknown[]> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** The real server, as production runs it: a separate Node process on the bench database. */
export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  rssMb(): number;
  peakRssMb(): number;
  stop(): Promise<void>;
}

export async function startServerProcess(databaseUrl: string, adminKey: string, port: number, env: Record<string, string> = {}): Promise<ServerProcess> {
  const entry = path.join(projectRoot, "dist", "src", "cli", "main.js");
  if (!fs.existsSync(entry)) throw new Error("Build first: npm run build");
  return startNodeServer({
    // As the Dockerfile runs it: with the production heap cap.
    args: ["--max-old-space-size=320", "--max-semi-space-size=32", entry, "serve"],
    env: { DATABASE_URL: databaseUrl, ADMIN_API_KEY: adminKey, PORT: String(port), HOST: "127.0.0.1", NODE_ENV: "production", LOG_LEVEL: "warn", DEMO_WHEN_EMPTY: "false", ...env },
    port,
    readyPath: "/readyz",
  });
}

/**
 * Any GraphQL server as a separate Node process (this Node binary) serving `/graphql` on
 * 127.0.0.1:`port`. Ready when `readyPath` answers 2xx, or, without one, when anything answers.
 */
export async function startNodeServer(opts: { args: string[]; env: Record<string, string>; port: number; readyPath?: string; cwd?: string }): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, opts.args, {
    cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${opts.port}/graphql`;
  const readyUrl = opts.readyPath ? `http://127.0.0.1:${opts.port}${opts.readyPath}` : url;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited with ${child.exitCode ?? child.signalCode}`);
    try {
      const res = await fetch(readyUrl);
      if (res.ok || !opts.readyPath) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error("server did not become ready in 120 s");
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const status = (field: string) => {
    const text = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
    const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
    return kb / 1024;
  };
  return {
    url,
    pid: child.pid!,
    rssMb: () => status("VmRSS"),
    peakRssMb: () => status("VmHWM"),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** A TCP port nothing listens on now, for a server under test. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface LoadResult {
  readonly name: string;
  readonly connections: number;
  readonly seconds: number;
  readonly requests: number;
  readonly errors: number;
  readonly rps: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly serverRssMb: number;
}

/**
 * Drives `url` with autocannon at `connections` for `seconds`, recording every response time
 * (autocannon's summary has no p95). A response with GraphQL errors counts as an error.
 */
export async function load(name: string, url: string, headers: Record<string, string>, body: string, connections: number, seconds: number, rss: () => number): Promise<LoadResult> {
  const { default: autocannon } = await import("autocannon");
  const times: number[] = [];
  let errors = 0;
  let rssMax = 0;
  const sampler = setInterval(() => { rssMax = Math.max(rssMax, rss()); }, 250);
  const instance = autocannon({
    url, connections, duration: seconds, method: "POST",
    headers: { "content-type": "application/json", ...headers }, body,
  });
  instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    times.push(ms);
    if (status !== 200) errors++;
  });
  const result = await instance;
  clearInterval(sampler);
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? NaN;
  return {
    name, connections, seconds,
    requests: times.length,
    errors: errors + result.errors + result.timeouts,
    rps: times.length / seconds,
    p50: pct(0.5), p95: pct(0.95), p99: pct(0.99), max: times[times.length - 1] ?? NaN,
    serverRssMb: rssMax,
  };
}

export function printLoad(r: LoadResult): void {
  process.stdout.write(`${r.name.padEnd(28)} c=${String(r.connections).padStart(3)}  ${r.rps.toFixed(1).padStart(8)} req/s  p50 ${r.p50.toFixed(1).padStart(7)} ms  p95 ${r.p95.toFixed(1).padStart(7)} ms  p99 ${r.p99.toFixed(1).padStart(7)} ms  errors ${r.errors}  server RSS ${r.serverRssMb.toFixed(0)} MB\n`);
}

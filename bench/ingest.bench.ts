/**
 * Ingest benchmark (DESIGN §7: CSV import ≥ 100k rows/s; GraphQL batch ingest ≥ 10k events/s).
 *
 *   npm run bench:ingest
 *   node dist/bench/ingest.bench.js --events 1000000 --seconds 25 --connections 4
 *
 * On a fresh database `quorum_bench_ingest` (DATABASE_URL's server, else the embedded one),
 * dropped at the end:
 *  1. imports 20k accounts and 100k contacts from generated CSVs (the reference data events stitch to);
 *  2. generates an events CSV of `--events` rows (default 1M) — mostly known contacts, some
 *     account-only page views, a few unknown domains and free-mail senders (held), bots and
 *     prefetches — and imports it with `quorum import` (the built CLI, its own process),
 *     reporting rows/s and that process's peak RSS;
 *  3. starts the real server (`quorum serve`, its own process) and sends `recordEngagement`
 *     batches of `--batch` (1,000) new events over HTTP from `--connections` concurrent
 *     clients for `--seconds`, reporting events/s and batch latency.
 * With `--runs N` both measurements repeat N times (the events table emptied before each
 * import) and the median is reported too: the machine's other work makes single runs noisy.
 */
import "reflect-metadata";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";
import { spawn } from "node:child_process";
import { freePort } from "../src/platform/db/embedded";
import { Role } from "../src/auth/roles";
import type { ImportSummary } from "../src/ingest/import/csv-import";
import { parseMapping } from "../src/ingest/import/import-mapping";
import { loadConfig } from "../src/platform/config/config";
import { projectRoot } from "../src/platform/config/paths";
import { createLogger } from "../src/platform/logging/logger";
import { createServices, type Services } from "../src/platform/services";
import { benchDatabase, startServerProcess } from "./support";

interface Args { events: number; seconds: number; connections: number; batch: number; accounts: number; contacts: number; runs: number }

function parseArgs(argv: string[]): Args {
  const args: Args = { events: 1_000_000, seconds: 25, connections: 4, batch: 1_000, accounts: 20_000, contacts: 100_000, runs: 1 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!.replace(/^--/, "") as keyof Args;
    if (!(flag in args) || argv[i + 1] === undefined) throw new Error(`unknown option ${argv[i]}; use --events, --seconds, --connections, --batch, --accounts, --contacts, --runs with a number`);
    args[flag] = Number(argv[++i]);
  }
  return args;
}

const END = Date.UTC(2025, 5, 1);
const DAY = 86_400_000;
const TYPES = ["page_view", "page_view", "page_view", "email_open", "email_open", "email_click", "pricing_page_view", "content_download", "webinar_attended", "form_fill", "demo_request", "meeting_held", "ad_click"];
const domainOf = (i: number) => `bench-${i}.example.com`;
const emailOf = (i: number, accounts: number) => `person${i}@${domainOf(i % accounts)}`;

/** A small deterministic generator, so every run imports the same file. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One event as CSV fields: id, type, occurred_at, contact_email, account_domain, source, is_bot, delivered_at, user_agent. */
function eventFields(id: string, r: () => number, a: Args): string[] {
  const at = END - Math.floor(r() * 365 * DAY);
  const type = TYPES[Math.floor(r() * TYPES.length)]!;
  const roll = r();
  let email = "", domain = "";
  if (roll < 0.80) email = emailOf(Math.floor(r() * a.contacts), a.accounts);
  else if (roll < 0.95) domain = domainOf(Math.floor(r() * a.accounts));
  else if (roll < 0.98) domain = `unknown-${Math.floor(r() * 5_000)}.example.org`;
  else email = `someone${Math.floor(r() * 50_000)}@gmail.com`;
  const bot = r() < 0.02 ? "true" : "";
  const prefetch = type === "email_open" && r() < 0.2;
  const delivered = prefetch ? new Date(at - 2_000).toISOString() : "";
  const agent = r() < 0.01 ? "Mozilla/5.0 (compatible; Barracuda Sentinel)" : "";
  return [id, type, new Date(at).toISOString(), email, domain, "bench", bot, delivered, agent];
}

async function writeFile(file: string, header: string, rows: number, row: (i: number) => string): Promise<void> {
  const out = fs.createWriteStream(file);
  out.write(`${header}\n`);
  let chunk = "";
  for (let i = 0; i < rows; i++) {
    chunk += `${row(i)}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
}

async function importCsv(services: Services, dir: string, mapping: object): Promise<ImportSummary> {
  const files = parseMapping(mapping, dir).map((m) => ({ path: m.file!, mapping: m }));
  return services.ingest.importFiles({ files, rejectPath: path.join(dir, "rejects.csv") });
}

/**
 * Runs `quorum import` (the built CLI) in its own process, as an operator would, and samples
 * its peak resident memory (VmHWM) while it runs.
 */
async function cliImport(databaseUrl: string, mapping: string, reject: string): Promise<{ summary: ImportSummary; peakRssMb: number }> {
  const entry = path.join(projectRoot, "dist", "src", "cli", "main.js");
  const child = spawn(process.execPath, [entry, "import", "--mapping", mapping, "--reject", reject, "--json"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "warn" }, stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout!.on("data", (d: Buffer) => { stdout += d.toString(); });
  let peakKb = 0;
  const sample = () => {
    try {
      const kb = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0);
      peakKb = Math.max(peakKb, kb);
    } catch {
      // the process has exited (or this is not Linux)
    }
  };
  const timer = setInterval(sample, 50);
  const [code] = (await once(child, "exit")) as [number | null];
  clearInterval(timer);
  if (code !== 0) throw new Error(`quorum import exited with ${code}`);
  return { summary: JSON.parse(stdout) as ImportSummary, peakRssMb: peakKb / 1024 };
}

function median(values: readonly number[]): number {
  const v = [...values].sort((x, y) => x - y);
  return v.length % 2 ? v[v.length >> 1]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
}

const RECORD = "mutation Record($input: [EngagementEventInput!]!) { recordEngagement(input: $input) { inserted updated unchanged errors { index field message } } }";

/** Sends batches of new events from `connections` concurrent clients for `seconds`. */
async function graphqlLoad(url: string, key: string, a: Args, prefix: string): Promise<{ events: number; batches: number; failures: number; seconds: number; latencies: number[] }> {
  const r = rng(7);
  let seq = 0;
  let events = 0, batches = 0, failures = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + a.seconds * 1000;
  const client = async () => {
    while (performance.now() < deadline) {
      const input = Array.from({ length: a.batch }, () => {
        const [externalId, type, occurredAt, contactEmail, accountDomain, source, isBot, deliveredAt, userAgent] = eventFields(`${prefix}${seq++}`, r, a);
        return {
          externalId, type, occurredAt, source,
          ...(contactEmail ? { contactEmail } : {}), ...(accountDomain ? { accountDomain } : {}),
          ...(isBot ? { isBot: true } : {}), ...(deliveredAt ? { deliveredAt } : {}), ...(userAgent ? { userAgent } : {}),
        };
      });
      const t0 = performance.now();
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ query: RECORD, variables: { input } }) });
      const body = (await res.json()) as { data?: { recordEngagement: { inserted: number; errors: unknown[] } }; errors?: unknown[] };
      latencies.push(performance.now() - t0);
      const result = body.data?.recordEngagement;
      if (!res.ok || body.errors || !result || result.errors.length > 0) {
        failures++;
        if (failures === 1) process.stderr.write(`first failed batch: ${JSON.stringify(body).slice(0, 400)}\n`);
      } else {
        events += result.inserted;
        batches++;
      }
    }
  };
  await Promise.all(Array.from({ length: a.connections }, client));
  return { events, batches, failures, seconds: (performance.now() - started) / 1000, latencies };
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quorum-bench-ingest-"));
  const bench = await benchDatabase("quorum_bench_ingest", { reuse: false, poolSize: 8 });
  let server: Awaited<ReturnType<typeof startServerProcess>> | null = null;
  try {
    const [{ version }] = await bench.db.query<{ version: string }>("SELECT split_part(version(), ' on ', 1) AS version");
    out(`ingest benchmark — ${version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
    const config = loadConfig({ ...process.env, DATABASE_URL: bench.url, LOG_LEVEL: "silent" });
    const services = createServices(bench.db, config, createLogger({ logLevel: "silent" }));

    // 1. Reference data.
    await writeFile(path.join(dir, "accounts.csv"), "domain,name,tier", a.accounts, (i) => `${domainOf(i)},Bench ${i},${"ABC"[i % 3]}`);
    await writeFile(path.join(dir, "contacts.csv"), "email,name", a.contacts, (i) => `${emailOf(i, a.accounts)},Person ${i}`);
    const reference = await importCsv(services, dir, { files: [
      { entity: "accounts", file: "accounts.csv", fields: { domain: "domain", name: "name", tier: "tier" } },
      { entity: "contacts", file: "contacts.csv", fields: { email: "email", name: "name" } },
    ] });
    out(`reference data          ${reference.files.map((f) => `${f.rows.toLocaleString("en-US")} ${f.entity}`).join(", ")} in ${reference.seconds.toFixed(1)} s`);

    // 2. The events CSV, imported like `quorum import` does.
    const r = rng(42);
    const t0 = performance.now();
    const eventsFile = path.join(dir, "events.csv");
    await writeFile(eventsFile, "id,type,occurred_at,contact_email,account_domain,source,is_bot,delivered_at,user_agent", a.events,
      (i) => eventFields(`e${i}`, r, a).join(","));
    out(`generated events.csv    ${a.events.toLocaleString("en-US")} rows, ${(fs.statSync(eventsFile).size / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const mappingFile = path.join(dir, "events.mapping.json");
    fs.writeFileSync(mappingFile, JSON.stringify({ entity: "events", file: "events.csv", fields: {
      externalId: "id", type: "type", occurredAt: "occurred_at", contactEmail: "contact_email", accountDomain: "account_domain",
      source: "source", isBot: "is_bot", deliveredAt: "delivered_at", userAgent: "user_agent",
    } }));
    const importRates: number[] = [];
    for (let run = 1; run <= a.runs; run++) {
      if (run > 1) {
        await bench.db.query("TRUNCATE engagement_events; UPDATE accounts SET last_engaged_at = NULL WHERE last_engaged_at IS NOT NULL");
        await bench.db.query("CHECKPOINT").catch(() => undefined); // the same start as run 1 (needs pg_checkpoint)
      }
      const { summary: imported, peakRssMb } = await cliImport(bench.url, mappingFile, path.join(dir, "events.rejects.csv"));
      const [flags] = await bench.db.query<{ bots: number; held: number }>("SELECT count(*) FILTER (WHERE is_bot)::int AS bots, count(*) FILTER (WHERE account_id IS NULL)::int AS held FROM engagement_events");
      importRates.push(imported.rowsPerSecond);
      out(`CSV import              ${imported.rows.toLocaleString("en-US")} rows in ${imported.seconds.toFixed(1)} s = ${Math.round(imported.rowsPerSecond).toLocaleString("en-US")} rows/s (budget ≥ 100,000)${a.runs > 1 ? `, run ${run}, load ${os.loadavg()[0]!.toFixed(1)}` : ""}`);
      out(`                        ${imported.inserted.toLocaleString("en-US")} inserted, ${imported.held.toLocaleString("en-US")} held, ${flags!.bots.toLocaleString("en-US")} flagged as bots, ${imported.rejected} rejected`);
      out(`                        peak RSS of the quorum import process ${peakRssMb.toFixed(0)} MB`);
    }
    if (a.runs > 1) out(`CSV import median        ${Math.round(median(importRates)).toLocaleString("en-US")} rows/s over ${a.runs} runs`);

    // 3. GraphQL batches over HTTP against the real server process.
    const { key } = await services.apiKeys.create("bench-ingest", Role.INGEST);
    server = await startServerProcess(bench.url, "bench-admin-key-0123456789abcdef", await freePort(), { LOG_LEVEL: "warn" });
    const loadRates: number[] = [];
    for (let run = 1; run <= a.runs; run++) {
      const load = await graphqlLoad(server.url, key, a, `gql-${run}-`);
      const lat = load.latencies.sort((x, y) => x - y);
      const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
      loadRates.push(load.events / load.seconds);
      out(`GraphQL recordEngagement ${load.batches.toLocaleString("en-US")} batches of ${a.batch} over ${a.connections} connections in ${load.seconds.toFixed(1)} s = ${Math.round(load.events / load.seconds).toLocaleString("en-US")} events/s (budget ≥ 10,000)${a.runs > 1 ? `, run ${run}, load ${os.loadavg()[0]!.toFixed(1)}` : ""}`);
      out(`                        batch latency p50 ${pct(0.5).toFixed(0)} ms, p95 ${pct(0.95).toFixed(0)} ms; failed batches ${load.failures}; server peak RSS ${server.peakRssMb().toFixed(0)} MB`);
    }
    if (a.runs > 1) out(`GraphQL median          ${Math.round(median(loadRates)).toLocaleString("en-US")} events/s over ${a.runs} runs`);
    out(`load average now ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} (other processes on this machine share its CPUs)`);
  } finally {
    await server?.stop();
    await bench.close({ drop: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`ingest benchmark failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exitCode = 1;
});

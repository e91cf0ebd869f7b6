/**
 * Webhook burst benchmark (DESIGN §7: 10k transitions from one run all delivered to a local
 * receiver within 60 s; p95 enqueue-to-delivery ≤ 2 s when idle).
 *
 *   npm run bench:webhooks
 *   node dist/bench/webhooks.bench.js --accounts 5000 --idle 50 --keep
 *
 * Loads `--accounts` accounts (default 5,000) that the shipped default model scores Hot and SQA
 * — each one run makes two transitions, BAND_ENTERED and STATUS_CHANGED — into a fresh database
 * `quorum_bench_webhooks`, starts the built server as production runs it, points a webhook at a
 * receiver in this process (loopback), starts one scoring run over GraphQL and times:
 *   - the run (request to answer), then from its commit to the last delivery received, and
 *     per delivery from its row's creation (the run's commit) to its arrival (p50 / p95 / max);
 *   - idle: `--idle` single events one after another (an SLA breach written by hand, committed,
 *     then waited for), commit to arrival, p50 / p95 / max.
 * Every 50th request's signature is verified with `standardwebhooks`, as a receiver would.
 */
import "reflect-metadata";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { ensureDefaultModel } from "../src/scoring/default-model";
import { benchDatabase, freePort, startServerProcess } from "./support";

interface Args { accounts: number; idle: number; keep: boolean; concurrency: number | null }

function parseArgs(argv: string[]): Args {
  const args: Args = { accounts: 5_000, idle: 50, keep: false, concurrency: null };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const num = () => Number(argv[++i]);
    if (flag === "--accounts") args.accounts = num();
    else if (flag === "--idle") args.idle = num();
    else if (flag === "--concurrency") args.concurrency = num();
    else if (flag === "--keep") args.keep = true;
    else throw new Error(`unknown option ${flag}; use --accounts N --idle N --concurrency N --keep`);
  }
  if (!Number.isInteger(args.accounts) || args.accounts < 1) throw new Error("--accounts must be a whole number ≥ 1");
  return args;
}

const out = (line = "") => process.stdout.write(`${line}\n`);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};
const ms = (x: number) => `${x.toFixed(0)} ms`;
const ADMIN_KEY = "bench-webhooks-admin-key-0123456789";

const CREATE = "mutation BenchHook($input: WebhookInput!) { createWebhook(input: $input) { secret webhook { id } } }";
const RUN = "mutation BenchRun { runScoring { id rowId transitions } }";

/** One GraphQL request over HTTP; throws on errors. */
function client(url: string) {
  return {
    async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_KEY}` }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
      if (body.errors?.length || !body.data) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
      return body.data;
    },
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const bench = await benchDatabase("quorum_bench_webhooks", { reuse: false });
  const db = bench.db;
  out(`loading ${args.accounts} accounts, ${args.accounts * 3} contacts, ${args.accounts * 6} events`);
  await ensureDefaultModel(db);
  const at = new Date(Date.now() - 86_400_000);
  await db.query(
    `INSERT INTO accounts (domain, name, industry, employees, technologies, region)
     SELECT 'wh' || i || '.example', 'Burst ' || i, 'Software', 800, '{salesforce,snowflake}', 'NA' FROM generate_series(1, $1) i`, [args.accounts]);
  await db.query(
    `INSERT INTO contacts (account_id, email, email_domain, role)
     SELECT a.id, r.prefix || '@' || a.domain, a.domain, r.role FROM accounts a
      CROSS JOIN (VALUES ('dm', 'DECISION_MAKER'), ('champ', 'CHAMPION'), ('tech', 'TECHNICAL_EVALUATOR')) r(prefix, role)`);
  await db.query(
    `INSERT INTO engagement_events (external_id, account_id, contact_id, type, occurred_at)
     SELECT 'wh-' || c.id || '-' || e.type || '-' || e.k, c.account_id, c.id, e.type, $1
       FROM contacts c JOIN (VALUES ('DECISION_MAKER', 'demo_request', 1), ('CHAMPION', 'meeting_held', 1), ('TECHNICAL_EVALUATOR', 'trial_signup', 1),
                                    ('CHAMPION', 'pricing_page_view', 1), ('CHAMPION', 'pricing_page_view', 2), ('TECHNICAL_EVALUATOR', 'webinar_attended', 1)) e(role, type, k)
         ON e.role = c.role`, [at]);
  await db.query("ANALYZE");

  // The receiver: records when each webhook-id first arrived.
  const arrived = new Map<string, number>();
  let requests = 0;
  let secret = "";
  let verifyFailures = 0;
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const now = performance.timeOrigin + performance.now();
      const id = String(req.headers["webhook-id"]);
      if (++requests % 50 === 1) {
        try { new Webhook(secret).verify(Buffer.concat(chunks).toString("utf8"), req.headers as Record<string, string>); } catch { verifyFailures++; }
      }
      if (!arrived.has(id)) arrived.set(id, now);
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", () => resolve()));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const port = await freePort();
  const server = await startServerProcess(bench.url, ADMIN_KEY, port, {
    WEBHOOK_ALLOW_PRIVATE_TARGETS: "true", ...(args.concurrency ? { WEBHOOK_CONCURRENCY: String(args.concurrency) } : {}),
  });
  try {
    const api = client(server.url);
    const burst = await api.request<{ createWebhook: { secret: string; webhook: { id: string } } }>(CREATE, {
      input: { url: `${receiverUrl}/burst`, events: ["BAND_ENTERED", "STATUS_CHANGED"], description: "bench: burst" },
    });
    secret = burst.createWebhook.secret;

    const started = performance.timeOrigin + performance.now();
    const run = (await api.request<{ runScoring: { id: string; rowId: string; transitions: number } }>(RUN)).runScoring;
    const committed = performance.timeOrigin + performance.now();
    const [{ n: expected }] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_deliveries WHERE webhook_id = $1", [burst.createWebhook.webhook.id]) as [{ n: number }];
    out(`run ${run.rowId}: ${run.transitions} transitions, ${expected} deliveries, run took ${ms(committed - started)}`);
    const deadline = Date.now() + 300_000;
    while (arrived.size < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const rows = await db.query<{ message_id: string; created: number }>(
      "SELECT message_id, extract(epoch FROM created_at)::float8 * 1000 AS created FROM webhook_deliveries WHERE webhook_id = $1", [burst.createWebhook.webhook.id]);
    const lags = rows.filter((r) => arrived.has(r.message_id)).map((r) => arrived.get(r.message_id)! - r.created);
    const last = Math.max(...arrived.values());
    out(`burst: ${arrived.size} of ${expected} delivered; last ${ms(last - committed)} after the run's answer (${(arrived.size / ((last - committed) / 1000)).toFixed(0)} deliveries/s)`);
    out(`burst: created → received p50 ${ms(pct(lags, 0.5))}, p95 ${ms(pct(lags, 0.95))}, max ${ms(Math.max(...lags))}; server RSS ${server.rssMb().toFixed(0)} MB (peak ${server.peakRssMb().toFixed(0)} MB)`);
    const [{ n: attempts }] = await db.query<{ n: number }>("SELECT COALESCE(sum(attempts), 0)::int AS n FROM webhook_deliveries") as [{ n: number }];
    out(`burst: ${attempts} attempts for ${expected} deliveries; ${verifyFailures} of ${Math.ceil(requests / 50)} sampled signatures failed to verify`);

    // Idle: one event at a time, commit to arrival.
    const sla = await api.request<{ createWebhook: { secret: string; webhook: { id: string } } }>(CREATE, {
      input: { url: `${receiverUrl}/idle`, events: ["SLA_BREACHED"], description: "bench: idle" },
    });
    secret = sla.createWebhook.secret;
    const ids = await db.query<{ id: string }>("SELECT id::text FROM band_transitions WHERE run_id = $1 AND kind = 'BAND' ORDER BY id LIMIT $2", [run.rowId, args.idle]);
    const idle: number[] = [];
    for (const { id } of ids) {
      await new Promise((r) => setTimeout(r, 100));
      await db.query("UPDATE band_transitions SET sla_breached_at = now() WHERE id = $1", [id]);
      const t0 = performance.timeOrigin + performance.now();
      const [d] = await db.query<{ message_id: string }>(
        "SELECT d.message_id FROM webhook_deliveries d WHERE d.webhook_id = $1 ORDER BY d.id DESC LIMIT 1", [sla.createWebhook.webhook.id]);
      while (!arrived.has(d!.message_id)) await new Promise((r) => setTimeout(r, 2));
      idle.push(arrived.get(d!.message_id)! - t0);
    }
    out(`idle: ${idle.length} single events, commit → received p50 ${ms(pct(idle, 0.5))}, p95 ${ms(pct(idle, 0.95))}, max ${ms(Math.max(...idle))}`);
    out("budget (DESIGN §7): all 10k within 60 s; p95 ≤ 2 s when idle");
  } finally {
    await server.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await bench.close({ drop: !args.keep });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

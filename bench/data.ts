import type { Database } from "../src/platform/db/database";
import { createLogger } from "../src/platform/logging/logger";
import { loadDemo } from "../src/demo/demo.loader";
import { ensureDefaultModel } from "../src/scoring/default-model";
import { ScoringRunService } from "../src/scoring/scoring-run.service";
import { HoldoutService } from "../src/kpis/holdout.service";
import { loadConfig } from "../src/platform/config/config";

export interface BenchData {
  readonly now: Date;
  readonly accounts: number;
  readonly contacts: number;
  readonly events: number;
  readonly deals: number;
  readonly note: string;
}

/** Snapshot runs the bench data gets: a month apart in history, so the 30-day history query has rows. */
const HISTORY_OFFSETS_DAYS = [28, 14, 0];

/**
 * The demo data set at `accounts` accounts (seed 1), scored by the default model a few times.
 * Reused when the database already holds a scored set of that size.
 */
export async function prepareBenchData(db: Database, accounts: number): Promise<BenchData> {
  const counts = async () => (await db.query<{ accounts: number; contacts: number; events: number; deals: number; runs: number; now: Date | null }>(
    `SELECT (SELECT count(*) FROM accounts)::int AS accounts, (SELECT count(*) FROM contacts)::int AS contacts,
            (SELECT count(*) FROM engagement_events)::int AS events, (SELECT count(*) FROM deals)::int AS deals,
            (SELECT count(*) FROM scoring_runs WHERE status = 'SUCCEEDED')::int AS runs,
            (SELECT max(as_of) FROM scoring_runs WHERE status = 'SUCCEEDED') AS now`))[0]!;
  const existing = await counts();
  if (existing.accounts === accounts && existing.runs >= HISTORY_OFFSETS_DAYS.length && existing.now) {
    const held = await ensureHoldout(db, existing.now);
    return { ...existing, now: existing.now, note: held ? "reused, holdout assigned" : "reused" };
  }
  await db.query(`TRUNCATE accounts, contacts, engagement_events, intent_signals, deals, scoring_runs, scoring_models,
    band_transitions, account_scores, contact_scores, holdout_assignments, training_runs, weight_proposals, proposal_reviews CASCADE`);
  const now = new Date();
  const started = performance.now();
  process.stderr.write(`loading ${accounts} demo accounts …\n`);
  await loadDemo(db, { accounts, seed: 1, now });
  const loaded = performance.now();
  await ensureDefaultModel(db);
  const runner = new ScoringRunService(db, createLogger({ logLevel: "warn" }));
  for (const days of HISTORY_OFFSETS_DAYS) {
    process.stderr.write(`scoring as of now − ${days} d …\n`);
    await runner.run({ asOf: new Date(now.getTime() - days * 86_400_000), triggeredBy: "bench" });
  }
  await ensureHoldout(db, now);
  // The load queued every account for live scoring; the last run scored all of them as of the
  // load's instant, so a server started on this data begins idle, as one in production does.
  await db.query("DELETE FROM score_queue");
  const fresh = await counts();
  return { ...fresh, now, note: `generated in ${((loaded - started) / 1000).toFixed(0)} s, scored ${HISTORY_OFFSETS_DAYS.length}× in ${((performance.now() - loaded) / 1000).toFixed(0)} s` };
}

/**
 * A 10% holdout by tier, assigned well before every bench window: a KPI report without holdout
 * accounts would skip the treated-against-holdout comparison dashboards exist for. True when
 * it assigned one.
 */
async function ensureHoldout(db: Database, now: Date): Promise<boolean> {
  const [{ n }] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM accounts WHERE is_holdout") as [{ n: number }];
  if (n > 0) return false;
  await new HoldoutService(db, loadConfig({})).assign({ share: 0.1, seed: 7 }, "bench");
  const assignedAt = new Date(now.getTime() - 60 * 86_400_000);
  await db.query("UPDATE accounts SET holdout_assigned_at = $1 WHERE is_holdout", [assignedAt]);
  await db.query("UPDATE holdout_assignments SET assigned_at = $1", [assignedAt]);
  return true;
}

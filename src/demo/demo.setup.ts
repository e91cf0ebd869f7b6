import type { Logger } from "pino";
import type { Config } from "../platform/config/config";
import type { Database } from "../platform/db/database";
import { BadInputError } from "../platform/errors/errors";
import { progressBar } from "../cli/command";
import { ensureDefaultModel } from "../scoring/default-model";
import { runDailyHistory, ScoringRunService } from "../scoring/scoring-run.service";
import { loadDemo, type DemoSummary } from "./demo.loader";

/** Days of daily scoring runs the demo starts with: history, transitions and SLAs to look at. */
const DEMO_SCORING_DAYS = 30;

/**
 * Loads the demo data set (when the database is empty, if asked) and prepares what a first
 * look needs on top of raw data.
 */
export async function prepareDemo(db: Database, config: Config, log: Logger, opts: { onlyWhenEmpty: boolean; progress?: boolean }): Promise<DemoSummary | null> {
  const [{ n }] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM (SELECT 1 FROM accounts LIMIT 1) x");
  if (n! > 0) {
    if (opts.onlyWhenEmpty) return null;
    throw new BadInputError("The database already has accounts; the demo loads only into an empty database. Use a fresh QUORUM_DATA_DIR or database.");
  }
  const bar = opts.progress === false ? null : progressBar("demo");
  log.info({ accounts: config.demo.accounts, seed: config.demo.seed }, "loading demo data");
  const now = new Date();
  const summary = await loadDemo(db, {
    accounts: config.demo.accounts,
    seed: config.demo.seed,
    now,
    onProgress: (done, total, stage) => bar?.update(done, total, stage),
  });
  bar?.done();
  log.info(summary, "demo data loaded");

  await ensureDefaultModel(db);
  const scoringBar = opts.progress === false ? null : progressBar("score");
  const started = performance.now();
  const runs = await runDailyHistory(new ScoringRunService(db, log), {
    days: DEMO_SCORING_DAYS, until: now, onProgress: (done, total) => scoringBar?.update(done, total, "daily runs"),
  });
  scoringBar?.done();
  log.info({ runs: runs.length, seconds: Math.round(performance.now() - started) / 1000 }, "demo scored with the default model");
  return summary;
}

import path from "node:path";
import type { Logger } from "pino";
import { AccountService } from "../accounts/account.service";
import { ApiKeyService } from "../auth/api-key.service";
import { ConsoleSite } from "../console/console.site";
import { ContactService } from "../contacts/contact.service";
import { CouncilGate } from "../council/council-gate.service";
import { CouncilService } from "../council/council.service";
import { IngestService } from "../ingest/ingest.service";
import { BandKpiService } from "../kpis/band-kpi.service";
import { ConcurrencyGate } from "./db/concurrency-gate";
import { HoldoutService } from "../kpis/holdout.service";
import { BandTransitionService } from "../scoring/band-transition.service";
import { ScoringModelService } from "../scoring/scoring-model.service";
import { JobRunner } from "../jobs/job-runner";
import { ScheduleService } from "../jobs/schedule.service";
import { scheduleDefinitions } from "../jobs/schedules";
import { scheduledTasks } from "../jobs/tasks";
import { LiveScorer } from "../scoring/live-scorer";
import { RetentionService } from "../scoring/retention.service";
import { ScoringRunService } from "../scoring/scoring-run.service";
import { ScoringService } from "../scoring/scoring.service";
import { TrainingService } from "../training/training.service";
import { EventStream, WebhookDispatcher, WebhookService } from "../webhooks";
import type { Config } from "./config/config";
import { projectRoot } from "./config/paths";
import type { Database } from "./db/database";

/** Every service, built once at start and shared by HTTP requests and CLI commands. */
export function createServices(db: Database, config: Config, log: Logger) {
  const features = createFeatureServices(db, config, log);
  const schedules = scheduleDefinitions(config);
  return {
    ...features,
    schedules: new ScheduleService(db, schedules),
    /** The process's graphile-worker runner: the scheduled jobs. */
    jobs: new JobRunner(db, log, schedules, scheduledTasks(features)),
  };
}

/** The features' services (what scheduled jobs call). */
function createFeatureServices(db: Database, config: Config, log: Logger) {
  const runner = new ScoringRunService(db, log);
  const gate = new CouncilGate(config.councilApprovals);
  return {
    apiKeys: new ApiKeyService(db, config.adminApiKey),
    accounts: new AccountService(db, config),
    contacts: new ContactService(db, config),
    ingest: new IngestService(db, config),
    scoringModels: new ScoringModelService(db, config.eventTypes, gate, runner),
    council: new CouncilService(db, gate, config.pageSize),
    scoring: new ScoringService(db, config, runner),
    liveScorer: new LiveScorer(db, runner, log, { delayMs: config.liveScoring.delayMs }),
    bandTransitions: new BandTransitionService(db, config),
    holdout: new HoldoutService(db, config),
    kpis: new BandKpiService(db, log, new ConcurrencyGate(config.reportConcurrency)),
    training: new TrainingService(db, config, new ScoringModelService(db, config.eventTypes, gate, runner), log),
    retention: new RetentionService(db, log, config.retention),
    console: new ConsoleSite({ pages: path.join(projectRoot, "console"), scripts: path.join(projectRoot, "dist", "console") }),
    webhooks: new WebhookService(db, config),
    /** Started by startApi when WEBHOOK_DELIVERY is on (the one place delivery starts). */
    webhookDelivery: new WebhookDispatcher(db, config.webhooks, log),
    events: new EventStream(db, log),
    log,
  };
}

export type FeatureServices = ReturnType<typeof createFeatureServices>;

export type Services = ReturnType<typeof createServices>;

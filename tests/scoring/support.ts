import { gql, type GraphQLClient } from "graphql-request";
import type { Database } from "../../src/platform/db/database";
import { insertRows } from "../support/fixtures";

/** The as-of most engine tests score at: well in the past, so "after T" facts can exist. */
export const T = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;

export const daysBefore = (days: number, at: Date = T) => new Date(at.getTime() - days * DAY);
export const hoursAfter = (hours: number, at: Date = T) => new Date(at.getTime() + hours * 3_600_000);

export async function account(db: Database, domain: string, fields: Record<string, unknown> = {}): Promise<string> {
  const { attributes, ...rest } = fields;
  const [id] = await insertRows(db, "accounts", [{ domain, name: domain, ...rest, ...(attributes ? { attributes: JSON.stringify(attributes) } : {}) }]);
  return id!;
}

export async function contact(db: Database, accountId: string | null, email: string, fields: Record<string, unknown> = {}): Promise<string> {
  const [id] = await insertRows(db, "contacts", [{ account_id: accountId, email, email_domain: email.split("@")[1], ...fields }]);
  return id!;
}

let eventSeq = 0;

export interface EventSpec {
  account: string | null;
  contact?: string | null;
  type: string;
  at: Date;
  asset?: string;
  bot?: boolean;
}

export async function events(db: Database, specs: EventSpec[]): Promise<void> {
  await insertRows(db, "engagement_events", specs.map((e) => ({
    external_id: `t-ev-${++eventSeq}`, account_id: e.account, contact_id: e.contact ?? null, type: e.type, occurred_at: e.at,
    asset: e.asset ?? null, is_bot: e.bot ?? false, bot_reason: e.bot ? "test bot" : null,
  })));
}

export async function intent(db: Database, accountId: string, domain: string, topic: string, strength: number, at: Date): Promise<void> {
  await insertRows(db, "intent_signals", [{ account_id: accountId, account_domain: domain, topic, strength, observed_at: at, source: `s${++eventSeq}` }]);
}

type Input = Record<string, unknown>;

/** A small valid model input; `over` replaces whole top-level parts. */
export function modelInput(name: string, over: Input = {}): Input {
  return {
    name,
    weights: { fit: 0, engagement: 1, intent: 0, committee: 0 },
    fitRules: [],
    engagementRules: [],
    intentRules: [],
    committee: { requiredRoles: [], pointsPerRole: 0, minEngagedContacts: 1, breadthBonus: 0, engagedThreshold: 10 },
    bands: [{ name: "Cold", minScore: 0 }, { name: "Warm", minScore: 30, slaHours: 48, play: "1:few" }, { name: "Hot", minScore: 60, slaHours: 24, play: "1:1" }],
    thresholds: { nurture: 20, mqa: 40, sqa: 60, minFit: 0, minEngagedContacts: 0 },
    ...over,
  };
}

/** An engagement rule without decay (half-life 10,000 days, events at T) unless given. */
export function rule(key: string, eventTypes: string[], points: number, over: Input = {}): Input {
  return { key, label: key, eventTypes, points, halfLifeDays: 10_000, lookbackDays: 365, ...over };
}

export const SCORE_FIELDS = `runId asOf total fit engagement intent committee band play slaHours grade status engagedContacts
  contributions { component criterion label points } model { id name version }`;

export const CREATE_MODEL = gql`mutation Create($input: ScoringModelInput!) { createScoringModel(input: $input) { id rowId name version status } }`;
export const ACTIVATE_MODEL = gql`mutation Activate($id: ID!) { activateScoringModel(id: $id) { id name version status activatedAt retiredAt } }`;
export const RUN_SCORING = gql`mutation Run($asOf: DateTime, $modelId: ID, $model: String) {
  runScoring(asOf: $asOf, modelId: $modelId, model: $model) {
    id rowId asOf status accountsScored contactsScored transitions error startedAt finishedAt seconds
    model { id name version } distribution { band count share }
  }
}`;
export const SCORE_HISTORY = gql`query History($domain: String!, $modelId: ID, $model: String, $from: DateTime, $to: DateTime) {
  account(domain: $domain) { id scoreHistory(modelId: $modelId, model: $model, from: $from, to: $to) { ${SCORE_FIELDS} } }
}`;
export const CURRENT_SCORE = gql`query Current($domain: String!, $model: String) {
  account(domain: $domain) { id score(model: $model) { ${SCORE_FIELDS} } }
}`;

export interface Contribution { component: string; criterion: string; label: string; points: number }
export interface Score {
  runId: string; asOf: string; total: number; fit: number; engagement: number; intent: number; committee: number;
  band: string; play: string | null; slaHours: number | null; grade: string; status: string; engagedContacts: number;
  contributions: Contribution[]; model: { id: string; name: string; version: number };
}
export interface Run {
  id: string; rowId: string; asOf: string; status: string; accountsScored: number; contactsScored: number; transitions: number; error: string | null;
  startedAt: string; finishedAt: string | null; seconds: number | null; model: { id: string; name: string; version: number };
  distribution: { band: string; count: number; share: number }[];
}

/** Creates a model version (DRAFT) and returns its id. */
/** Creates a DRAFT version and returns its database id (every id argument accepts it). */
export async function createModel(client: GraphQLClient, input: Input): Promise<string> {
  const res = await client.request<{ createScoringModel: { rowId: string } }>(CREATE_MODEL, { input });
  return res.createScoringModel.rowId;
}

export async function runScoring(client: GraphQLClient, vars: { asOf?: Date; modelId?: string; model?: string } = {}): Promise<Run> {
  const res = await client.request<{ runScoring: Run }>(RUN_SCORING, { asOf: vars.asOf?.toISOString(), modelId: vars.modelId, model: vars.model });
  return res.runScoring;
}

/** The account's snapshot in run `runId` (read through scoreHistory, which serves any model version). */
export async function scoreIn(client: GraphQLClient, domain: string, modelId: string, runId: string): Promise<Score> {
  const res = await client.request<{ account: { scoreHistory: Score[] } }>(SCORE_HISTORY, { domain, modelId });
  const found = res.account.scoreHistory.find((s) => s.runId === runId);
  if (!found) throw new Error(`no snapshot of ${domain} in run ${runId}`);
  return found;
}

/** Points of one criterion in a score's explanation. */
export function points(score: Pick<Score, "contributions">, criterion: string, component?: string): number {
  const c = score.contributions.find((x) => x.criterion === criterion && (!component || x.component === component));
  if (!c) throw new Error(`no criterion ${criterion}`);
  return c.points;
}

export function sumOf(score: Pick<Score, "contributions">): number {
  return score.contributions.reduce((s, c) => s + c.points, 0);
}

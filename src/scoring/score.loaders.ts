import { latestRunLoader } from "./latest-run";
import { alignToKeys, groupBy, type Loaders } from "../platform/graphql/loaders";
import { fitExpressions, SqlParams } from "./fit-rules.sql";
import { DEFAULT_MODEL_NAME } from "./latest-run";
import { MODEL_COLUMNS, type ModelDefinition, type ModelRow } from "./model.types";
import { fitOnlyLeadScore } from "./scoring-math";
import { toScoringModel, type ScoringModel } from "./scoring-model.type";
import type { AccountScore, AccountScoreStatus, ContactScore, LeadStatus, ScoreContribution } from "./score.type";

export function modelById(loaders: Loaders) {
  return loaders.get<string, ModelRow | null>("scoringModelById", undefined, async (ids) => {
    const rows = await loaders.db.prepared<ModelRow>(`SELECT ${MODEL_COLUMNS} FROM scoring_models m WHERE m.id = ANY($1::bigint[])`, [ids]);
    return alignToKeys(ids, rows, (r) => r.id);
  });
}

interface AccountScoreRow {
  accountId: string;
  runId: string;
  modelId: string;
  asOf: Date;
  total: number;
  fit: number;
  engagement: number;
  intent: number;
  committee: number;
  band: string;
  grade: string;
  status: AccountScoreStatus;
  engagedContacts: number;
  /** The stored `real[]` as text: parsed only when a client asks for the explanation. */
  contributions: string;
}

const ACCOUNT_SCORE_COLUMNS = `s.account_id::text AS "accountId", s.run_id::text AS "runId", s.model_id::text AS "modelId", s.as_of AS "asOf",
  s.total, s.fit, s.engagement, s.intent, s.committee, s.band, s.grade, s.status, s.engaged_contacts AS "engagedContacts", s.contributions::text AS contributions`;

/** Rebuilds the explanation: the stored array lines up with the run's model's `criteria`. */
export function explain(criteria: ModelDefinition["criteria"], values: readonly number[]): ScoreContribution[] {
  return criteria.map((c, i) => ({ component: c.component as ScoreContribution["component"], criterion: c.key, label: c.label, points: values[i] ?? 0 }));
}

/** `{1.5,0,-2.25}` → [1.5, 0, −2.25]: PostgreSQL's text form of a `real[]` without NULLs. */
function parseRealArray(text: string): number[] {
  return text.length <= 2 ? [] : text.slice(1, -1).split(",").map(Number);
}

function toAccountScore(row: AccountScoreRow, model: ModelRow, scoringModel: ScoringModel): AccountScore {
  const def = model.definition;
  const band = def.bands.find((b) => b.name === row.band);
  const score = {
    runId: row.runId, asOf: row.asOf, model: scoringModel,
    total: row.total, fit: row.fit, engagement: row.engagement, intent: row.intent, committee: row.committee,
    band: row.band, play: band?.play ?? null, slaHours: band?.slaHours ?? null, grade: row.grade, status: row.status,
    engagedContacts: row.engagedContacts,
  };
  // History pages rarely select the explanation; building it for every snapshot was most of their cost.
  return Object.defineProperty(score, "contributions", { enumerable: true, get: () => explain(def.criteria, parseRealArray(row.contributions)) }) as AccountScore;
}

/** Loads the models of `rows` (one statement for all of them) and builds the scores. */
async function withModels(loaders: Loaders, rows: readonly AccountScoreRow[]): Promise<Map<AccountScoreRow, AccountScore>> {
  const ids = [...new Set(rows.map((r) => r.modelId))];
  const models = new Map<string, { row: ModelRow; type: ScoringModel }>();
  (await modelById(loaders).loadMany(ids)).forEach((m, i) => {
    if (m && !(m instanceof Error)) models.set(ids[i]!, { row: m, type: toScoringModel(m) });
  });
  const out = new Map<AccountScoreRow, AccountScore>();
  for (const r of rows) {
    const m = models.get(r.modelId);
    if (m) out.set(r, toAccountScore(r, m.row, m.type));
  }
  return out;
}

/**
 * Accounts' current scores under a model line: each account's latest snapshot of its ACTIVE
 * version, whichever run (full or incremental) wrote it, from `current_scores` — three
 * statements for any number of accounts: the version, the rows, the model.
 */
export function currentScoreByAccount(loaders: Loaders, modelName: string = DEFAULT_MODEL_NAME) {
  return loaders.get<string, AccountScore | null>("currentScoreByAccount", modelName, async (ids) => {
    const run = await latestRunLoader(loaders).load(modelName);
    if (!run) return ids.map(() => null);
    const rows = await loaders.db.prepared<AccountScoreRow>(
      `SELECT ${ACCOUNT_SCORE_COLUMNS} FROM current_scores s
        WHERE s.model_id = $1 AND s.account_id = ANY($2::bigint[])`, [run.modelId, ids]);
    const scores = await withModels(loaders, rows);
    return alignToKeys(ids, rows, (r) => r.accountId).map((r) => (r ? scores.get(r) ?? null : null));
  });
}

export interface HistoryArgs {
  readonly from: Date | null;
  readonly to: Date | null;
  readonly modelId: string | null;
  readonly modelName: string;
}

/**
 * Accounts' snapshots with as-of in [from, to], oldest first: of one model version when
 * `modelId` is given, else of every version of the model line. Month partitions outside the
 * window are pruned.
 */
export function scoreHistoryByAccount(loaders: Loaders, args: HistoryArgs) {
  return loaders.get<string, AccountScore[]>("scoreHistoryByAccount", args, async (ids) => {
    const rows = await loaders.db.prepared<AccountScoreRow>(
      `SELECT ${ACCOUNT_SCORE_COLUMNS} FROM account_scores s
        WHERE s.account_id = ANY($1::bigint[])
          AND ($2::timestamptz IS NULL OR s.as_of >= $2) AND ($3::timestamptz IS NULL OR s.as_of <= $3)
          AND s.model_id = ANY(CASE WHEN $4::bigint IS NOT NULL THEN ARRAY[$4::bigint] ELSE ARRAY(SELECT id FROM scoring_models WHERE name = $5) END)
        ORDER BY s.as_of, s.run_id`,
      [ids, args.from, args.to, args.modelId, args.modelName]);
    const scores = await withModels(loaders, rows);
    return groupBy(ids, rows, (r) => r.accountId).map((list) => list.map((r) => scores.get(r)!).filter(Boolean));
  });
}

interface ContactScoreRow {
  contactId: string;
  runId: string;
  asOf: Date;
  total: number;
  fit: number;
  engagement: number;
  status: LeadStatus;
  contributions: number[];
}

/**
 * Contacts' current lead scores under a model line: the snapshot written by the run that wrote
 * the current score of the contact's account (a run scores an account's engaged contacts with
 * it). Runs store contacts with counted engagement only; for the others (not internal, not
 * held) the score is computed here from their fit alone, which is exactly what the run would
 * have stored.
 */
export function currentScoreByContact(loaders: Loaders, modelName: string = DEFAULT_MODEL_NAME) {
  return loaders.get<string, ContactScore | null>("currentScoreByContact", modelName, async (ids) => {
    const run = await latestRunLoader(loaders).load(modelName);
    if (!run) return ids.map(() => null);
    const model = await modelById(loaders).load(run.modelId);
    if (!model) return ids.map(() => null);
    const def = model.definition;
    const base = { runId: run.runId, asOf: run.asOf, model: toScoringModel(model) };
    const stored = await loaders.db.prepared<ContactScoreRow>(
      `SELECT s.contact_id::text AS "contactId", s.run_id::text AS "runId", s.as_of AS "asOf", s.total, s.fit, s.engagement, s.status, s.contributions
         FROM contacts c
         JOIN current_scores cur ON cur.model_id = $1 AND cur.account_id = c.account_id
         CROSS JOIN LATERAL (SELECT * FROM contact_scores s WHERE s.run_id = cur.run_id AND s.contact_id = c.id AND s.as_of = cur.as_of LIMIT 1) s
        WHERE c.id = ANY($2::bigint[])`, [run.modelId, ids]);
    const result = new Map<string, ContactScore | null>();
    for (const r of stored) {
      result.set(r.contactId, {
        ...base, runId: r.runId, asOf: r.asOf, total: r.total, fit: r.fit, engagement: r.engagement, status: r.status, stored: true,
        engaged: r.engagement > 0 && r.engagement >= def.committee.engagedThreshold,
        contributions: explain(def.leadCriteria, r.contributions),
      });
    }
    const missing = ids.filter((id) => !result.has(id));
    if (missing.length > 0) {
      const p = new SqlParams();
      const fit = fitExpressions(def.leadRules.fitRules, "contact", "c", p);
      const rows = await loaders.db.query<{ id: string; skip: boolean; points: number[]; dq: boolean; runId: string | null; asOf: Date | null }>(
        `SELECT c.id::text AS id, (c.is_internal OR c.account_id IS NULL) AS skip, s.run_id::text AS "runId", s.as_of AS "asOf",
                ARRAY[${fit.points.join(", ")}]::float8[] AS points,
                (${fit.disqualified} OR COALESCE(s.status = 'DISQUALIFIED', false)) AS dq
           FROM contacts c
           LEFT JOIN current_scores s ON s.model_id = ${p.add(run.modelId, "bigint")} AND s.account_id = c.account_id
          WHERE c.id = ANY(${p.add(missing, "bigint[]")})`, p.values);
      for (const r of rows) {
        if (r.skip) continue;
        const score = fitOnlyLeadScore(def, r.points, r.dq);
        result.set(r.id, {
          ...base, runId: r.runId ?? base.runId, asOf: r.asOf ?? base.asOf, total: score.total, fit: score.fit, engagement: 0, status: score.status as LeadStatus, stored: false, engaged: false,
          contributions: explain(def.leadCriteria, score.contributions),
        });
      }
    }
    return ids.map((id) => result.get(id) ?? null);
  });
}

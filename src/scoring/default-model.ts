import { recordModelChange } from "../council/council-gate.service";
import { DEFAULT_EVENT_TYPES } from "../platform/config/config";
import type { Database } from "../platform/db/database";
import { DEFAULT_MODEL_NAME } from "./latest-run";
import { normaliseModelInput, type ScoringModelInputData } from "./model-validation";
import { lockLine } from "./scoring-model.service";

const engagement = (key: string, label: string, eventTypes: string[], points: number, capPerContact: number, capPerAccount: number, assetPattern?: string) =>
  ({ key, label, eventTypes, points, halfLifeDays: 30, lookbackDays: 90, capPerContact, capPerAccount, assetPattern: assetPattern ?? null });

/**
 * The model Quorum ships with, in the shape practitioners converge on for B2B account scoring:
 *
 * - **Fit (35%)** — the ideal customer profile: core industries, company size, region and a
 *   modern revenue/data stack (technographics); competitors are disqualified.
 * - **Engagement (25%)** — hand-raisers count most (demo requests, trials, meetings held),
 *   then pricing pages, webinars, events, content, replies and clicks; opens are worth almost
 *   nothing (privacy prefetch makes them noise). A 30-day half-life over a 90-day lookback,
 *   caps per contact and per account so one enthusiast or one event type cannot carry an
 *   account, and a negative rule for careers-page visits (job seekers, not buyers).
 *   Decision makers' and champions' actions weigh more; blockers' less.
 * - **Intent (15%)** — third-party research on the category's topics, decaying fast (21 days).
 * - **Committee (25%)** — an engaged decision maker, champion and technical evaluator (25 each)
 *   and a breadth bonus (25) once three contacts are engaged: deals are won by committees.
 *
 * Bands Cold / Warm / Hot route to 1:many, 1:few and 1:1 plays with 72-hour and 24-hour SLAs.
 */
export const DEFAULT_MODEL_INPUT: ScoringModelInputData = {
  name: DEFAULT_MODEL_NAME,
  description: "Quorum's default account model: ICP fit, decayed engagement, intent and buying-committee coverage.",
  weights: { fit: 0.35, engagement: 0.25, intent: 0.15, committee: 0.25 },
  fitRules: [
    { key: "industry_core", label: "Core industry (software, financial services, healthcare)", field: "industry", operator: "IN", values: ["Software", "Financial Services", "Healthcare"], points: 30 },
    { key: "industry_adjacent", label: "Adjacent industry (telecommunications, media)", field: "industry", operator: "IN", values: ["Telecommunications", "Media"], points: 10 },
    { key: "size_sweet_spot", label: "200–10,000 employees", field: "employees", operator: "BETWEEN", min: 200, max: 10_000, points: 25 },
    { key: "size_small", label: "50–199 employees", field: "employees", operator: "BETWEEN", min: 50, max: 199, points: 10 },
    { key: "size_large", label: "10,001–50,000 employees", field: "employees", operator: "BETWEEN", min: 10_001, max: 50_000, points: 10 },
    { key: "tech_crm", label: "Runs Salesforce", field: "technologies", operator: "CONTAINS_ANY", values: ["salesforce"], points: 10 },
    { key: "tech_warehouse", label: "Runs Snowflake", field: "technologies", operator: "CONTAINS_ANY", values: ["snowflake"], points: 10 },
    { key: "tech_martech", label: "Runs Segment or Marketo", field: "technologies", operator: "CONTAINS_ANY", values: ["segment", "marketo"], points: 8 },
    { key: "region_na", label: "North America", field: "region", operator: "EQ", values: ["NA"], points: 15 },
    { key: "region_emea", label: "EMEA", field: "region", operator: "EQ", values: ["EMEA"], points: 12 },
    { key: "region_apac", label: "APAC", field: "region", operator: "EQ", values: ["APAC"], points: 5 },
    { key: "competitor", label: "Competitor", field: "attributes.account_type", operator: "IN", values: ["competitor"], points: -100, disqualify: true },
  ],
  engagementRules: [
    engagement("demo_request", "Demo requests", ["demo_request"], 30, 30, 45),
    engagement("trial", "Trial sign-ups", ["trial_signup"], 25, 25, 35),
    engagement("meetings", "Meetings held", ["meeting_held"], 20, 20, 40),
    engagement("meetings_booked", "Meetings booked", ["meeting_booked"], 8, 8, 16),
    engagement("pricing", "Pricing page views", ["pricing_page_view"], 6, 18, 30),
    engagement("webinars", "Webinars attended", ["webinar_attended"], 10, 20, 30),
    engagement("events", "Events attended", ["event_attended"], 8, 16, 24),
    engagement("content", "Content downloads and forms", ["content_download", "form_fill"], 5, 15, 25),
    engagement("replies", "Email replies", ["email_reply"], 5, 15, 25),
    engagement("registrations", "Webinar registrations", ["webinar_registered"], 3, 6, 12),
    engagement("clicks", "Email and ad clicks", ["email_click", "ad_click"], 2, 6, 15),
    engagement("page_views", "Web page views", ["page_view"], 1, 5, 15),
    engagement("opens", "Email opens", ["email_open"], 0.25, 1, 4),
    engagement("careers", "Careers page views (job seekers)", ["page_view"], -3, 6, 10, "/careers*"),
  ],
  roleMultipliers: [
    { role: "DECISION_MAKER", multiplier: 1.5 },
    { role: "ECONOMIC_BUYER", multiplier: 1.5 },
    { role: "CHAMPION", multiplier: 1.25 },
    { role: "TECHNICAL_EVALUATOR", multiplier: 1.2 },
    { role: "BLOCKER", multiplier: 0.5 },
  ],
  intentRules: [
    { key: "intent_category", label: "Researching account scoring and ABM", topics: ["account based marketing", "lead scoring", "intent data", "revenue operations", "predictive analytics"], points: 50, halfLifeDays: 21, lookbackDays: 60, capPerAccount: 70 },
    { key: "intent_adjacent", label: "Researching the revenue tech stack", topics: ["sales intelligence", "marketing automation", "b2b attribution", "pipeline management", "sales engagement", "customer data platform", "conversation intelligence", "crm migration", "data warehouse"], points: 30, halfLifeDays: 21, lookbackDays: 60, capPerAccount: 40 },
  ],
  committee: { requiredRoles: ["DECISION_MAKER", "CHAMPION", "TECHNICAL_EVALUATOR"], pointsPerRole: 25, minEngagedContacts: 3, breadthBonus: 25, engagedThreshold: 10 },
  bands: [
    { name: "Cold", minScore: 0, play: "1:many" },
    { name: "Warm", minScore: 50, slaHours: 72, play: "1:few" },
    { name: "Hot", minScore: 68, slaHours: 24, play: "1:1" },
  ],
  thresholds: { nurture: 30, mqa: 50, sqa: 68, minFit: 40, minEngagedContacts: 2 },
  rollup: "SUM",
  leadRules: {
    weights: { fit: 0.4, engagement: 0.6 },
    fitRules: [
      { key: "senior_exec", label: "C-level or VP", field: "seniority", operator: "IN", values: ["C_LEVEL", "VP"], points: 40 },
      { key: "senior_director", label: "Director", field: "seniority", operator: "EQ", values: ["DIRECTOR"], points: 30 },
      { key: "senior_manager", label: "Manager", field: "seniority", operator: "EQ", values: ["MANAGER"], points: 15 },
      { key: "role_buyer", label: "Decision maker, economic buyer or champion", field: "role", operator: "IN", values: ["DECISION_MAKER", "ECONOMIC_BUYER", "CHAMPION"], points: 30 },
      { key: "role_technical", label: "Technical evaluator", field: "role", operator: "EQ", values: ["TECHNICAL_EVALUATOR"], points: 20 },
      { key: "persona", label: "Marketing, sales or revenue operations", field: "department", operator: "IN", values: ["Marketing", "Sales", "Revenue Operations"], points: 25 },
      { key: "not_a_buyer", label: "Intern or student", field: "title", operator: "CONTAINS_ANY", values: ["intern", "student"], points: -50, disqualify: true },
    ],
    thresholds: { nurture: 15, mql: 45, sql: 65, minFit: 30 },
  },
};

/**
 * Makes sure the default model line has an ACTIVE version, so a fresh database scores out of
 * the box. Creates and activates the shipped default when the line has no active version
 * (re-using an identical stored version if there is one); never touches a line that has one.
 * Safe to call concurrently and repeatedly. Returns the active version's id. The activation is
 * logged in `model_changes` as a BREAK_GLASS by Quorum itself (actor "quorum", role SYSTEM).
 */
export async function ensureDefaultModel(db: Database): Promise<string> {
  const existing = await db.query<{ id: string }>("SELECT id::text FROM scoring_models WHERE name = $1 AND status = 'ACTIVE'", [DEFAULT_MODEL_NAME]);
  if (existing[0]) return existing[0].id;
  const model = normaliseModelInput(DEFAULT_MODEL_INPUT, { eventTypes: DEFAULT_EVENT_TYPES });
  return db.tx(async (client) => {
    await lockLine(client, model.name);
    const active = await client.query<{ id: string }>("SELECT id::text FROM scoring_models WHERE name = $1 AND status = 'ACTIVE'", [model.name]);
    if (active.rows[0]) return active.rows[0].id;
    const same = await client.query<{ id: string }>(
      "SELECT id::text FROM scoring_models WHERE name = $1 AND definition = $2::jsonb ORDER BY version DESC LIMIT 1", [model.name, JSON.stringify(model.definition)]);
    let id = same.rows[0]?.id;
    if (!id) {
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO scoring_models (name, version, status, description, definition, created_by)
         SELECT $1, COALESCE(max(version), 0) + 1, 'DRAFT', $2, $3, 'quorum' FROM scoring_models WHERE name = $1
         RETURNING id::text`, [model.name, model.description, JSON.stringify(model.definition)]);
      id = inserted.rows[0]!.id;
    }
    // Quorum's own bootstrap, not a council decision: recorded as such in the audit log.
    await recordModelChange(client, {
      line: model.name, kind: "BREAK_GLASS", modelId: id, actor: null,
      reason: "bootstrap: the line had no ACTIVE version, so Quorum activated its shipped default model",
    });
    await client.query("UPDATE scoring_models SET status = 'ACTIVE', activated_at = now(), retired_at = NULL WHERE id = $1", [id]);
    return id;
  });
}

import type { Database } from "../platform/db/database";
import { fieldKind, normaliseModelInput, type ScoringModelInputData } from "../scoring/model-validation";
import type { ModelDefinition } from "../scoring/model.types";

/**
 * A criterion the base model does not use yet, to be tested on the training deals:
 * an account field's value (`EQ`), a numeric field at or above its median (`GTE`), or an
 * event type no engagement rule counts.
 */
export interface Candidate {
  /** Unique feature name in the fit. */
  readonly name: string;
  readonly kind: "FIELD" | "EVENT_TYPE";
  readonly label: string;
  /** FIELD: the field and test, as a fit rule would write them. */
  readonly field: string | null;
  readonly operator: "EQ" | "GTE" | null;
  readonly value: string | null;
  readonly min: number | null;
  /** EVENT_TYPE: the type. */
  readonly eventType: string | null;
  /**
   * The candidate's value at full strength in the probe: 1 for a field test (1 point when it
   * matches), `CANDIDATE_EVENT_CAP` for an event type (1 point per event, decayed, capped).
   */
  readonly fullStrength: number;
}

/** Decay and window of the probe's event-type rules: the shipped model's engagement defaults. */
export const CANDIDATE_EVENT_RULE = { halfLifeDays: 30, lookbackDays: 90 } as const;
/** Cap per contact and per account of a probe event rule: ten fresh events are full strength. */
export const CANDIDATE_EVENT_CAP = 10;
/** At most this many field candidates are tested (the most balanced splits first). */
export const MAX_FIELD_CANDIDATES = 40;

const CORE_TEXT_FIELDS: Record<string, string> = { industry: "a.industry", region: "a.region", country: "a.country", tier: "a.tier", isTarget: "a.is_target::text" };
const CORE_NUMBER_FIELDS: Record<string, string> = { employees: "a.employees::float8", annualRevenue: "a.annual_revenue::float8" };

/**
 * Finds candidates on the training deals' accounts and events, and the probe model that
 * measures them with the scoring engine itself (so a candidate's values obey the engine's
 * rules: case-insensitive matching, bots and internal contacts excluded, decay, caps, roll-up).
 *
 * A candidate needs support: at least `max(10, 5 %)` of the deals with it and as many without.
 * Values a fit rule of the base model already lists, numeric fields a rule already tests, and
 * event types an engagement rule already counts are not candidates.
 */
export async function discoverCandidates(db: Database, base: ModelDefinition, dealIds: readonly string[], eventTypes: readonly string[]):
  Promise<{ candidates: Candidate[]; probe: ModelDefinition } | null> {
  const n = dealIds.length;
  const minSupport = Math.max(10, Math.ceil(0.05 * n));
  const supported = (count: number) => count >= minSupport && count <= n - minSupport;
  const covered = new Map<string, Set<string>>();
  for (const r of base.fitRules) {
    const set = covered.get(r.field) ?? new Set<string>();
    for (const v of r.values) set.add(v.toLowerCase());
    if (r.operator === "BETWEEN" || r.operator === "GTE" || r.operator === "LTE") set.add("*numeric*");
    covered.set(r.field, set);
  }
  const ids = [dealIds];

  const textRows = await db.query<{ field: string; value: string; deals: number }>(
    `WITH t AS (SELECT d.id, d.account_id FROM deals d WHERE d.id = ANY($1::bigint[])),
          v AS (
            ${Object.entries(CORE_TEXT_FIELDS).map(([f, col]) => `SELECT t.id, '${f}' AS field, ${col} AS value FROM t JOIN accounts a ON a.id = t.account_id`).join("\n            UNION ALL ")}
            UNION ALL SELECT t.id, 'technologies', x FROM t JOIN accounts a ON a.id = t.account_id CROSS JOIN LATERAL unnest(a.technologies) x
            UNION ALL SELECT t.id, 'attributes.' || j.key, j.value #>> '{}' FROM t JOIN accounts a ON a.id = t.account_id
                      CROSS JOIN LATERAL jsonb_each(a.attributes) j WHERE jsonb_typeof(j.value) IN ('string', 'boolean'))
     SELECT field, min(value) AS value, count(DISTINCT id)::int AS deals FROM v
      WHERE value IS NOT NULL AND btrim(value) <> ''
      GROUP BY field, lower(value)`, ids);
  const numberRows = await db.query<{ field: string; median: number | null; deals: number }>(
    `WITH t AS (SELECT d.id, d.account_id FROM deals d WHERE d.id = ANY($1::bigint[])),
          v AS (
            ${Object.entries(CORE_NUMBER_FIELDS).map(([f, col]) => `SELECT t.id, '${f}' AS field, ${col} AS value FROM t JOIN accounts a ON a.id = t.account_id`).join("\n            UNION ALL ")}
            UNION ALL SELECT t.id, 'attributes.' || j.key, (j.value #>> '{}')::float8 FROM t JOIN accounts a ON a.id = t.account_id
                      CROSS JOIN LATERAL jsonb_each(a.attributes) j WHERE jsonb_typeof(j.value) = 'number')
     SELECT field, percentile_disc(0.5) WITHIN GROUP (ORDER BY value) AS median,
            count(DISTINCT id)::int AS deals
       FROM v WHERE value IS NOT NULL GROUP BY field`, ids);
  const medianSupport = numberRows.length === 0 ? [] : await db.query<{ field: string; deals: number }>(
    `WITH t AS (SELECT d.id, d.account_id FROM deals d WHERE d.id = ANY($1::bigint[])),
          m AS (SELECT * FROM unnest($2::text[], $3::float8[]) AS m(field, median)),
          v AS (
            ${Object.entries(CORE_NUMBER_FIELDS).map(([f, col]) => `SELECT t.id, '${f}' AS field, ${col} AS value FROM t JOIN accounts a ON a.id = t.account_id`).join("\n            UNION ALL ")}
            UNION ALL SELECT t.id, 'attributes.' || j.key, (j.value #>> '{}')::float8 FROM t JOIN accounts a ON a.id = t.account_id
                      CROSS JOIN LATERAL jsonb_each(a.attributes) j WHERE jsonb_typeof(j.value) = 'number')
     SELECT v.field, count(DISTINCT v.id)::int AS deals FROM v JOIN m ON m.field = v.field WHERE v.value >= m.median GROUP BY v.field`,
    [dealIds, numberRows.map((r) => r.field), numberRows.map((r) => r.median)]);
  const eventRows = await db.query<{ type: string; deals: number }>(
    `SELECT e.type, count(DISTINCT d.id)::int AS deals
       FROM deals d
       JOIN engagement_events e ON e.account_id = d.account_id AND e.occurred_at <= d.created_at
                               AND e.occurred_at >= d.created_at - make_interval(days => $2)
      WHERE d.id = ANY($1::bigint[]) AND NOT e.is_bot
      GROUP BY e.type`, [dealIds, CANDIDATE_EVENT_RULE.lookbackDays]);

  const balance = (count: number) => Math.min(count, n - count);
  const fields: (Candidate & { support: number })[] = [];
  for (const r of textRows) {
    if (!fieldKind(r.field, "account") || !supported(r.deals) || covered.get(r.field)?.has(r.value.toLowerCase())) continue;
    fields.push({
      name: `candidate:${r.field}=${r.value}`, kind: "FIELD", label: `${r.field.replace(/^attributes\./, "")} = ${r.value}`,
      field: r.field, operator: "EQ", value: r.value, min: null, eventType: null, fullStrength: 1, support: r.deals,
    });
  }
  const atOrAbove = new Map(medianSupport.map((r) => [r.field, r.deals]));
  for (const r of numberRows) {
    const count = atOrAbove.get(r.field) ?? 0;
    if (r.median === null || !fieldKind(r.field, "account") || covered.get(r.field)?.has("*numeric*") || !supported(count)) continue;
    fields.push({
      name: `candidate:${r.field}>=${r.median}`, kind: "FIELD", label: `${r.field.replace(/^attributes\./, "")} ≥ ${formatNumber(r.median)} (the median)`,
      field: r.field, operator: "GTE", value: null, min: r.median, eventType: null, fullStrength: 1, support: count,
    });
  }
  fields.sort((a, b) => balance(b.support) - balance(a.support) || a.name.localeCompare(b.name));
  const counted = new Set(base.engagementRules.flatMap((r) => r.eventTypes));
  const known = new Set(eventTypes);
  const events: Candidate[] = eventRows
    .filter((r) => known.has(r.type) && !counted.has(r.type) && supported(r.deals))
    .sort((a, b) => a.type.localeCompare(b.type))
    .map((r) => ({
      name: `candidate:event:${r.type}`, kind: "EVENT_TYPE", label: `${r.type} events (last ${CANDIDATE_EVENT_RULE.lookbackDays} days)`,
      field: null, operator: null, value: null, min: null, eventType: r.type, fullStrength: CANDIDATE_EVENT_CAP,
    }));
  const chosen = fields.slice(0, MAX_FIELD_CANDIDATES).map(({ support: _support, ...c }) => c);
  if (chosen.length + events.length === 0) return null;

  // The probe: one 1-point fit rule per field candidate and one 1-point-per-event rule per event
  // type, with the base model's role multipliers and roll-up. Its parts are the candidates' values.
  const input: ScoringModelInputData = {
    name: "training-probe",
    weights: { fit: 1, engagement: 0, intent: 0, committee: 0 },
    fitRules: chosen.map((c, i) => ({
      key: `candidate_f${i}`, label: c.label, field: c.field!, operator: c.operator!,
      values: c.value !== null ? [c.value] : null, min: c.min, points: 1,
    })),
    engagementRules: events.map((c, i) => ({
      key: `candidate_e${i}`, label: c.label, eventTypes: [c.eventType!], points: 1, ...CANDIDATE_EVENT_RULE,
      capPerContact: CANDIDATE_EVENT_CAP, capPerAccount: CANDIDATE_EVENT_CAP,
    })),
    roleMultipliers: base.roleMultipliers.map((m) => ({ ...m })),
    committee: { requiredRoles: [], pointsPerRole: 0, minEngagedContacts: 1, breadthBonus: 0, engagedThreshold: base.committee.engagedThreshold },
    bands: [{ name: "All", minScore: 0 }],
    thresholds: { nurture: 0, mqa: 0, sqa: 0, minFit: 0, minEngagedContacts: 0 },
    rollup: base.rollup,
  };
  const probe = normaliseModelInput(input, { eventTypes }).definition;
  return { candidates: [...chosen, ...events], probe };
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString("en-US") : String(Math.round(v * 1000) / 1000);
}

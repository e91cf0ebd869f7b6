import type { Contact, BuyingRole } from "../contacts/contact.type";
import { CONTACT_COLUMNS } from "../contacts/contact.row";
import { groupBy, type Loaders } from "../platform/graphql/loaders";
import { DEFAULT_MODEL_NAME, latestRunLoader } from "../scoring/latest-run";
import type { BuyingCommittee } from "./buying-committee.type";

/** Used when the model line was never run: the committee most B2B deals need. */
const FALLBACK_COMMITTEE = { requiredRoles: ["DECISION_MAKER", "CHAMPION", "TECHNICAL_EVALUATOR"], engagedThreshold: 10 };


type MemberRow = Contact & { engagement: number; lastEngagedAt: Date | null; requiredRoles: string[] | null; engagedThreshold: number | null };

/**
 * Buying committees of many accounts in one statement, as of each account's current score:
 * each contact's engagement is its decayed engagement in the contact snapshot written with it
 * (the run that wrote the account's current row), and the required roles and engaged
 * threshold come from the line's ACTIVE version. Internal contacts are
 * never members.
 */
export function committeeByAccount(loaders: Loaders, modelName: string = DEFAULT_MODEL_NAME) {
  return loaders.get<string, BuyingCommittee>("committeeByAccount", modelName, async (ids) => {
    const run = await latestRunLoader(loaders).load(modelName);
    const rows = await loaders.db.prepared<MemberRow>(
      `SELECT ${CONTACT_COLUMNS},
              COALESCE(cs.engagement, 0)::float8 AS engagement,
              (SELECT max(e.occurred_at) FROM engagement_events e
                WHERE e.contact_id = c.id AND NOT e.is_bot AND (cur.as_of IS NULL OR e.occurred_at <= cur.as_of)) AS "lastEngagedAt",
              ARRAY(SELECT jsonb_array_elements_text(m.definition->'committee'->'requiredRoles')) AS "requiredRoles",
              (m.definition->'committee'->>'engagedThreshold')::float8 AS "engagedThreshold"
         FROM contacts c
         LEFT JOIN current_scores cur ON cur.model_id = $2::bigint AND cur.account_id = c.account_id
         -- One key look-up per contact (run, contact, as-of): the run is known only per account.
         LEFT JOIN LATERAL (SELECT cs.engagement FROM contact_scores cs
                             WHERE cs.run_id = cur.run_id AND cs.contact_id = c.id AND cs.as_of = cur.as_of LIMIT 1) cs ON true
         LEFT JOIN scoring_models m ON m.id = $2::bigint
        WHERE c.account_id = ANY($1::bigint[]) AND NOT c.is_internal
          AND (c.role IS NOT NULL OR COALESCE(cs.engagement, 0) > 0)
        ORDER BY COALESCE(cs.engagement, 0) DESC, c.id`,
      [ids, run?.modelId ?? null],
    );
    return groupBy(ids, rows, (r) => r.accountId!).map((members) => toCommittee(members));
  });
}

function toCommittee(rows: MemberRow[]): BuyingCommittee {
  const required = (rows[0]?.requiredRoles?.length ? rows[0].requiredRoles : FALLBACK_COMMITTEE.requiredRoles) as BuyingRole[];
  const threshold = rows[0]?.engagedThreshold ?? FALLBACK_COMMITTEE.engagedThreshold;
  const members = rows.map(({ engagement, lastEngagedAt, requiredRoles: _r, engagedThreshold: _t, ...contact }) => ({
    contact, role: contact.role, engagement, lastEngagedAt, engaged: engagement >= threshold && engagement > 0,
  }));
  const engagedRoles = new Set(members.filter((m) => m.engaged && m.role).map((m) => m.role));
  const missing = required.filter((r) => !engagedRoles.has(r));
  return {
    members,
    missingRequiredRoles: missing,
    coverage: required.length === 0 ? 1 : (required.length - missing.length) / required.length,
    engagedContacts: members.filter((m) => m.engaged).length,
  };
}

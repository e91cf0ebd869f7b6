import type { Account, Tier } from "./account.type";

/** Columns every account read selects, aliased to the GraphQL field names. */
export const ACCOUNT_COLUMNS = `a.id::text AS id, a.domain, a.name, a.industry, a.employees,
  a.annual_revenue::float8 AS "annualRevenue", a.country, a.region, a.technologies, a.attributes,
  a.tier, a.is_target AS "isTarget", a.is_holdout AS "isHoldout", a.holdout_assigned_at AS "holdoutAssignedAt",
  a.last_engaged_at AS "lastEngagedAt", a.created_at AS "createdAt", a.updated_at AS "updatedAt",
  a.parent_id::text AS "parentId"`;

export type AccountRow = Account & { tier: Tier | null };

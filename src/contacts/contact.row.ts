export const CONTACT_COLUMNS = `c.id::text AS id, c.email, c.name, c.title, c.seniority, c.department, c.role,
  c.is_internal AS "isInternal", c.created_at AS "createdAt", c.account_id::text AS "accountId"`;

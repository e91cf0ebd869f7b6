import type { Database } from "../../src/platform/db/database";
import { insertRows } from "./fixtures";

const INDUSTRIES = ["Software", "Retail", "Healthcare", "Manufacturing"];
const REGIONS: [string, string][] = [["US", "NA"], ["DE", "EMEA"], ["JP", "APAC"], ["BR", "LATAM"]];

/**
 * `n` accounts with predictable values: account i is in INDUSTRIES[i % 4], REGIONS[i % 4],
 * tier A/B/C by i % 3, employees 100·(i+1) (null for every 10th), target when i is even;
 * each has 3 contacts (one internal), 2 deals and 4 events. Accounts 1..n-1 with i % 5 == 1
 * are subsidiaries of account 0.
 */
export async function loadSampleAccounts(db: Database, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const [region0, region1] = REGIONS[i % 4]!;
    const [id] = await insertRows(db, "accounts", [{
      domain: `acct${String(i).padStart(3, "0")}.example.com`,
      name: `Account ${String(i).padStart(3, "0")}${i % 7 === 0 ? " Holdings" : ""}`,
      industry: INDUSTRIES[i % 4],
      employees: i % 10 === 9 ? null : 100 * (i + 1),
      annual_revenue: 1_000_000 * (i + 1),
      country: region0,
      region: region1,
      tier: ["A", "B", "C"][i % 3],
      is_target: i % 2 === 0,
      technologies: i % 2 === 0 ? ["salesforce", "snowflake"] : ["hubspot"],
      parent_id: i % 5 === 1 && ids[0] ? ids[0] : null,
    }]);
    ids.push(id!);
  }
  await db.query(`
    INSERT INTO contacts (account_id, email, email_domain, name, title, role, is_internal)
    SELECT a.id, r.local || '@' || a.domain, a.domain, r.local, r.title, r.role, false
      FROM accounts a CROSS JOIN (VALUES ('ceo', 'CEO', 'DECISION_MAKER'), ('dev', 'Engineer', 'TECHNICAL_EVALUATOR')) r(local, title, role)
     WHERE a.id = ANY($1::bigint[])`, [ids]);
  await db.query(`
    INSERT INTO contacts (account_id, email, email_domain, name, is_internal)
    SELECT a.id, 'ae.' || a.id || '@quorum.example', 'quorum.example', 'Our AE', true FROM accounts a WHERE a.id = ANY($1::bigint[])`, [ids]);
  await db.query(`
    INSERT INTO deals (external_id, account_id, account_domain, name, amount, outcome, created_at, closed_at)
    SELECT 'd-' || a.id || '-' || k, a.id, a.domain, 'Deal ' || k, 1000 * k, CASE k WHEN 1 THEN 'WON' ELSE 'OPEN' END,
           now() - interval '60 days', CASE k WHEN 1 THEN now() - interval '10 days' END
      FROM accounts a CROSS JOIN generate_series(1, 2) k WHERE a.id = ANY($1::bigint[])`, [ids]);
  await db.query(`
    INSERT INTO engagement_events (external_id, account_id, contact_id, type, occurred_at, contact_email)
    SELECT 'e-' || c.id || '-' || k, c.account_id, c.id, 'page_view', now() - make_interval(days => k), c.email
      FROM contacts c CROSS JOIN generate_series(1, 2) k WHERE c.account_id = ANY($1::bigint[]) AND NOT c.is_internal`, [ids]);
  await db.query(`
    UPDATE accounts a SET last_engaged_at = x.t FROM (
      SELECT account_id, max(occurred_at) t FROM engagement_events GROUP BY account_id) x WHERE x.account_id = a.id`);
  return ids;
}

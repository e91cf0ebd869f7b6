import type { BenchData } from "./data";
import { DASHBOARD_SCENARIOS, type Scenario } from "./scenarios";

/**
 * The dashboard scenarios of `npm run bench`, each beside the PostGraphile document that asks
 * the `postgraphile_compare` schema (bench/postgraphile/schema.sql) for the same data, and a
 * digest of each server's response: the two digests must be equal for the figures to compare.
 */
export interface ComparedScenario {
  readonly name: string;
  readonly quorum: Scenario;
  readonly postgraphile: Scenario;
  /** Both responses reduced to the same plain shape (ids, numbers, ISO dates), for the check. */
  digest(server: "quorum" | "postgraphile", data: unknown): Digest;
  /** One line saying what was compared, from the Quorum digest. */
  describe(digest: Digest): string;
}

export type Digest = Record<string, unknown>;

type Json = Record<string, any>;

const quorumScenario = (operationName: string): Scenario => {
  const scenario = DASHBOARD_SCENARIOS.find((s) => s.operationName === operationName);
  if (!scenario) throw new Error(`bench/scenarios.ts has no ${operationName} scenario`);
  return scenario;
};

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());
const num = (v: unknown) => (v == null ? null : Number(v));

const ESTIMATE = "{ value low high }";
const SIDE = `{ accounts meetingRate ${ESTIMATE} winRate ${ESTIMATE} averageAcv ${ESTIMATE} medianVelocityDays ${ESTIMATE} }`;

export const COMPARED_SCENARIOS: ComparedScenario[] = [
  {
    name: "account page (50 accounts)",
    quorum: quorumScenario("AccountPage"),
    postgraphile: {
      name: "account page (50 accounts)",
      operationName: "AccountPage",
      query: `query AccountPage($first: Int!, $from: Datetime!) {
        allAccounts(first: $first, orderBy: [SCORE_TOTAL_DESC, ROW_ID_DESC]) {
          totalCount
          edges { cursor node {
            rowId name domain industry employees tier isHoldout
            score { total fit engagement intent committee band grade status engagedContacts contributions(orderBy: POSITION_ASC) { nodes { component criterion label points } } }
            scoreHistoryList(from: $from) { asOf total band }
            buyingCommittee { coverage engagedContacts missingRequiredRoles members(orderBy: [ENGAGEMENT_DESC, CONTACT_ID_ASC]) { nodes { role engagement lastEngagedAt contact { rowId name title email } } } }
            contacts(orderBy: ROW_ID_ASC) { nodes { rowId name title role seniority } }
          } }
        }
      }`,
      variables: (data: BenchData) => quorumScenario("AccountPage").variables(data),
    },
    digest(server, data) {
      const pg = server === "postgraphile";
      const connection = (data as Json).accounts ?? (data as Json).allAccounts;
      const list = (v: Json | null | undefined) => (pg ? v?.nodes : v) ?? [];
      const accounts = (connection.edges as Json[]).map(({ node: a }) => ({
        id: String(a.rowId), name: a.name, domain: a.domain, industry: a.industry, employees: a.employees, tier: a.tier, isHoldout: a.isHoldout,
        score: a.score && {
          total: a.score.total, fit: a.score.fit, engagement: a.score.engagement, intent: a.score.intent, committee: a.score.committee,
          band: a.score.band, grade: a.score.grade, status: a.score.status, engagedContacts: a.score.engagedContacts,
          contributions: list(a.score.contributions).map((c: Json) => [c.component, c.criterion, c.label, c.points]),
        },
        history: (pg ? a.scoreHistoryList : a.scoreHistory).map((h: Json) => [iso(h.asOf), h.total, h.band]),
        committee: {
          coverage: a.buyingCommittee.coverage, engagedContacts: a.buyingCommittee.engagedContacts,
          missing: a.buyingCommittee.missingRequiredRoles,
          members: list(a.buyingCommittee.members).map((m: Json) => [m.role, m.engagement, iso(m.lastEngagedAt),
            String(m.contact.rowId), m.contact.name, m.contact.title, m.contact.email]),
        },
        contacts: list(a.contacts).map((c: Json) => [String(c.rowId), c.name, c.title, c.role, c.seniority]),
      }));
      return { totalCount: connection.totalCount, accounts };
    },
    describe(d) {
      const accounts = d.accounts as Json[];
      const rows = (f: (a: Json) => number) => accounts.reduce((n, a) => n + f(a), 0);
      const totals = accounts.reduce((s, a) => s + (a.score?.total ?? 0), 0);
      return `${accounts.length} account ids in the same order, score totals (sum ${totals.toFixed(3)}), totalCount ${d.totalCount}; `
        + `per account score, ${rows((a) => a.score?.contributions.length ?? 0)} contributions, ${rows((a) => a.history.length)} history rows, `
        + `committee with ${rows((a) => a.committee.members.length)} members, ${rows((a) => a.contacts.length)} contacts`;
    },
  },
  {
    name: "band distribution",
    quorum: quorumScenario("BandDistribution"),
    postgraphile: {
      name: "band distribution",
      operationName: "BandDistribution",
      query: `query BandDistribution { allBandDistributions(orderBy: POSITION_DESC) { nodes { band count share } } }`,
      variables: () => ({}),
    },
    digest(server, data) {
      const rows = server === "quorum" ? (data as Json).scoreDistribution : (data as Json).allBandDistributions.nodes;
      return { bands: (rows as Json[]).map((b) => [b.band, b.count, b.share]) };
    },
    describe(d) {
      const bands = d.bands as [string, number, number][];
      return `${bands.length} bands, highest first, counts ${bands.map(([b, n]) => `${b} ${n}`).join(", ")}, shares`;
    },
  },
  {
    name: "KPI report (28 days)",
    quorum: quorumScenario("KpiReport"),
    postgraphile: {
      name: "KPI report (28 days)",
      operationName: "KpiReport",
      query: `query KpiReport($from: Datetime!, $to: Datetime!) {
        bandKpis(from: $from, to: $to) {
          accounts holdoutAccounts
          groups { band treated ${SIDE} holdout ${SIDE} lift { meetingRate winRate averageAcv } }
          auc
        }
      }`,
      variables: (data: BenchData) => quorumScenario("KpiReport").variables(data),
    },
    // Point estimates only: the intervals differ by design (Quorum bootstraps, the SQL does not).
    digest(server, data) {
      const report = (data as Json).bandKpis;
      // PostGraphile returns a composite whose fields are all NULL as null (it IS NULL in SQL).
      const side = (s: Json | null) => [s?.accounts ?? 0, s?.meetingRate?.value, s?.winRate?.value, s?.averageAcv?.value, s?.medianVelocityDays?.value].map(num);
      const lift = (l: Json | null) => (server === "quorum"
        ? [l?.meetingRate?.estimate, l?.winRate?.estimate, l?.averageAcv?.estimate]
        : [l?.meetingRate, l?.winRate, l?.averageAcv]).map(num);
      return {
        accounts: report.accounts, holdoutAccounts: report.holdoutAccounts,
        auc: num(server === "quorum" ? report.scoreQuality.auc : report.auc),
        groups: (report.groups as Json[]).map((g) => ({ band: g.band, treated: side(g.treated), holdout: side(g.holdout), lift: lift(g.lift) })),
      };
    },
    describe(d) {
      const groups = d.groups as Json[];
      return `${d.accounts} target accounts (${d.holdoutAccounts} held out), ${groups.length} bands (${groups.map((g) => g.band).join(", ")}) × treated/holdout: `
        + "accounts, meeting rate, win rate, average ACV, median velocity, lifts (point estimates); AUC";
    },
  },
];

/**
 * Paths where two digests differ (numbers equal to 1e-9 relative: the SQL and Node sum floats
 * in different orders), at most `max` of them.
 */
export function differences(a: unknown, b: unknown, max = 5, at = "$"): string[] {
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, path: string) => {
    if (out.length >= max) return;
    if (typeof x === "number" && typeof y === "number") {
      if (Math.abs(x - y) > 1e-9 * Math.max(1, Math.abs(x), Math.abs(y))) out.push(`${path}: ${x} ≠ ${y}`);
      return;
    }
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) out.push(`${path}: ${x.length} items ≠ ${y.length}`);
      else x.forEach((v, i) => walk(v, y[i], `${path}[${i}]`));
      return;
    }
    if (x && y && typeof x === "object" && typeof y === "object") {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) walk((x as Json)[k], (y as Json)[k], `${path}.${k}`);
      return;
    }
    if (x !== y) out.push(`${path}: ${JSON.stringify(x)} ≠ ${JSON.stringify(y)}`);
  };
  walk(a, b, at);
  return out;
}

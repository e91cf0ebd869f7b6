import { expect } from "vitest";
import { gql, type GraphQLClient } from "graphql-request";
import type { Database } from "../../src/platform/db/database";
import type { Rng } from "../../src/demo/random";
import type { ingestApi } from "../ingest/helpers";
import { runScoring, SCORE_FIELDS, type Score } from "./support";

const DAY = 86_400_000;

const CURRENT = gql`query Current($model: String) {
  accounts(first: 500) { edges { node { domain score(model: $model) { ${SCORE_FIELDS} } } } }
}`;
const HISTORY_AT = gql`query At($domain: String!, $modelId: ID, $at: DateTime) {
  account(domain: $domain) { scoreHistory(modelId: $modelId, from: $at, to: $at) { ${SCORE_FIELDS} } }
}`;

/** What must be identical between a live score and a full run's score as of the same instant. */
export const essence = (s: Score) => ({
  asOf: s.asOf, total: s.total, fit: s.fit, engagement: s.engagement, intent: s.intent, committee: s.committee,
  band: s.band, grade: s.grade, status: s.status, engagedContacts: s.engagedContacts, model: s.model.id,
  contributions: s.contributions.map((c) => [c.criterion, c.points]),
});

/** Nothing queued and no run in progress: the live scorer has caught up. */
export async function scorerIdle(db: Database): Promise<boolean> {
  const [row] = await db.query<{ queued: number; running: number }>(
    "SELECT (SELECT count(*) FROM score_queue)::int AS queued, (SELECT count(*) FROM scoring_runs WHERE status = 'RUNNING')::int AS running");
  return row!.queued === 0 && row!.running === 0;
}

/**
 * The equivalence contract: every account's current score under `line` equals, field for
 * field, its snapshot in a FULL run as of the same instant. Returns how many instants the
 * current scores were spread over.
 */
export async function expectLiveEqualsFull(admin: GraphQLClient, line: string, accounts: number): Promise<number> {
  const current = (await admin.request<{ accounts: { edges: { node: { domain: string; score: Score | null } }[] } }>(CURRENT, { model: line })).accounts.edges.map((e) => e.node);
  expect(current.length).toBe(accounts);
  expect(current.filter((a) => a.score === null).map((a) => a.domain)).toEqual([]);
  const byInstant = new Map<string, { domain: string; score: Score }[]>();
  for (const a of current) byInstant.set(a.score!.asOf, [...(byInstant.get(a.score!.asOf) ?? []), { domain: a.domain, score: a.score! }]);
  const modelId = current[0]!.score!.model.id;
  for (const [asOf, scored] of byInstant) {
    const full = await runScoring(admin, { modelId, asOf: new Date(asOf) });
    expect(full.asOf).toBe(asOf);
    for (const { domain, score } of scored) {
      const at = (await admin.request<{ account: { scoreHistory: Score[] } }>(HISTORY_AT, { domain, modelId, at: asOf })).account.scoreHistory;
      const fromFull = at.find((s) => s.runId === full.id);
      expect(fromFull, `${domain} in the full run as of ${asOf}`).toBeDefined();
      expect(essence(fromFull!), `${line}: ${domain} as of ${asOf}`).toEqual(essence(score));
    }
  }
  return byInstant.size;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)]!;

/** Random facts, sent as GraphQL batches of a few rows each (seeded: the same facts every run). */
export async function ingestRandomFacts(ingest: ReturnType<typeof ingestApi>, rng: Rng, batches: number, between: (batch: number) => Promise<void> = async () => undefined): Promise<void> {
  const domains: string[] = [];
  const emails: string[] = [];
  const now = Date.now();
  const roles = ["DECISION_MAKER", "CHAMPION", "TECHNICAL_EVALUATOR", "USER", null];
  const types = ["demo_request", "pricing_page_view", "meeting_held", "webinar_attended", "content_download", "email_reply", "page_view", "email_click"];
  const topics = ["lead scoring", "intent data", "sales engagement", "crm migration", "unrelated topic"];
  const industries = ["Software", "Healthcare", "Media", "Retail"];
  let n = 0;
  const newAccount = () => {
    const domain = `live${n++}.test`;
    const parentDomain = domains.length > 2 && rng.next() < 0.3 ? pick(rng, domains) : undefined;
    domains.push(domain);
    return { domain, name: `Live ${n}`, industry: pick(rng, industries), employees: rng.int(10, 20_000), region: pick(rng, ["NA", "EMEA", "APAC"]), parentDomain };
  };
  await ingest.accounts(Array.from({ length: 25 }, newAccount));
  for (let b = 0; b < batches; b++) {
    await between(b);
    const kind = pick(rng, ["accounts", "contacts", "events", "events", "events", "intent", "deals"] as const);
    const at = () => new Date(now - rng.next() * 40 * DAY - 60_000).toISOString();
    let result;
    if (kind === "accounts") {
      const rows = rng.next() < 0.6 ? [newAccount()] : [{ domain: pick(rng, domains), name: "Renamed", industry: pick(rng, industries), employees: rng.int(10, 20_000) }];
      result = await ingest.accounts(rows);
    } else if (kind === "contacts") {
      const rows = Array.from({ length: rng.int(1, 3) }, () => {
        const email = rng.next() < 0.3 && emails.length ? pick(rng, emails) : `p${emails.length}-${b}@${pick(rng, domains)}`;
        if (!emails.includes(email)) emails.push(email);
        return { email, name: "Person", role: pick(rng, roles), seniority: pick(rng, ["VP", "MANAGER", "DIRECTOR"]) };
      });
      result = await ingest.contacts([...new Map(rows.map((r) => [r.email, r])).values()]);
    } else if (kind === "events") {
      result = await ingest.events(Array.from({ length: rng.int(1, 8) }, (_, i) => ({
        externalId: `ev-${b}-${i}`, type: pick(rng, types), occurredAt: at(),
        ...(emails.length && rng.next() < 0.7 ? { contactEmail: pick(rng, emails) } : { accountDomain: pick(rng, domains) }),
      })));
    } else if (kind === "intent") {
      result = await ingest.intent(Array.from({ length: rng.int(1, 3) }, (_, i) => ({
        accountDomain: pick(rng, domains), topic: pick(rng, topics), strength: rng.int(1, 100), observedAt: at(), source: `src-${b}-${i}`,
      })));
    } else {
      result = await ingest.deals([{ externalId: `deal-${b}`, accountDomain: pick(rng, domains), name: "Deal", amount: rng.int(1_000, 90_000), outcome: "OPEN", createdAt: at() }]);
    }
    expect(result.errors).toEqual([]);
  }
}


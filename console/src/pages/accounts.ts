import { gql } from "../api.js";
import { bars, line } from "../charts.js";
import { fill, h } from "../dom.js";
import { count, day, percent, plural, points, signed, when, words } from "../format.js";
import { go, link, type Route } from "../router.js";
import { badge, empty, section, table } from "../ui.js";

const STATUSES = ["SQA", "MQA", "NURTURE", "UNQUALIFIED", "DISQUALIFIED"];
const TIERS = ["A", "B", "C"];
const PAGE = 25;

interface Row {
  id: string; name: string; domain: string; tier: string | null; isTarget: boolean; isHoldout: boolean; industry: string | null;
  score: { total: number; band: string; status: string; grade: string } | null;
}

const ACCOUNTS = `query Accounts($filter: AccountFilter, $after: String, $first: Int) {
  activeScoringModel { bands { name } }
  accounts(filter: $filter, orderBy: { field: SCORE, direction: DESC }, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id name domain tier isTarget isHoldout industry score { total band status grade } } }
  }
}`;

export async function accountsPage(main: HTMLElement, route: Route): Promise<void> {
  const q = route.query;
  const filter: Record<string, unknown> = {};
  if (q.get("search")) filter.search = q.get("search");
  if (q.get("band")) filter.band = [q.get("band")];
  if (q.get("status")) filter.status = [q.get("status")];
  if (q.get("tier")) filter.tier = [q.get("tier")];
  if (q.get("target") === "yes") filter.isTarget = true;
  const after = q.get("after") ?? undefined;
  const data = await gql<{ activeScoringModel: { bands: { name: string }[] } | null; accounts: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Row }[] } }>(
    ACCOUNTS, { filter, after, first: PAGE });
  const bandNames = data.activeScoringModel?.bands.map((b) => b.name).reverse() ?? [];

  const select = (name: string, title: string, options: string[]) =>
    h("label", {}, title, h("select", { name, "data-testid": `filter-${name}` },
      h("option", { value: "" }, "any"), options.map((o) => h("option", { value: o, selected: q.get(name) === o }, o))));
  const form = h("form", { class: "filters", "data-testid": "account-filters" },
    h("label", {}, "Name or domain", h("input", { type: "search", name: "search", value: q.get("search") ?? "", "data-testid": "filter-search" })),
    select("band", "Band", bandNames), select("status", "Status", STATUSES), select("tier", "Tier", TIERS),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "target", checked: q.get("target") === "yes" }), "Target accounts only"),
    h("button", { type: "submit" }, "Filter"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const fd = new FormData(form);
    go(["accounts"], { search: String(fd.get("search") ?? "").trim(), band: String(fd.get("band") ?? ""), status: String(fd.get("status") ?? ""),
      tier: String(fd.get("tier") ?? ""), target: fd.get("target") ? "yes" : undefined });
  });

  const { totalCount, edges, pageInfo } = data.accounts;
  const keep = { search: q.get("search") ?? undefined, band: q.get("band") ?? undefined, status: q.get("status") ?? undefined, tier: q.get("tier") ?? undefined, target: q.get("target") ?? undefined };
  fill(main,
    h("h1", {}, "Accounts"),
    section("Find accounts", form,
      h("p", { "data-testid": "account-count" }, `${plural(totalCount, "account")} match, highest score first.`),
      edges.length === 0
        ? empty(Object.keys(filter).length ? "No account matches these filters; clear one to widen the list." : "No accounts yet: load some with upsertAccounts or `quorum import`.")
        : table(["Account", "Domain", "Tier", "Score", "Band", "Status", "Grade", ""], edges.map(({ node: a }) => [
          h("a", { href: link(["accounts", a.id]) }, a.name), a.domain, a.tier ?? "—",
          a.score ? points(a.score.total) : "—", a.score?.band ?? "not scored", a.score ? badge(a.score.status) : "—", a.score?.grade ?? "—",
          [a.isTarget ? badge("target") : null, a.isHoldout ? badge("holdout") : null],
        ]), { num: [3], testid: "accounts-table" }),
      h("p", { class: "pager" },
        after ? h("a", { href: link(["accounts"], keep) }, "« First page") : null,
        pageInfo.hasNextPage && pageInfo.endCursor ? h("a", { href: link(["accounts"], { ...keep, after: pageInfo.endCursor }), "data-testid": "next-page" }, "Next page »") : null)));
}

interface Contribution { component: string; criterion: string; label: string; points: number }
interface Account {
  id: string; name: string; domain: string; industry: string | null; employees: number | null; country: string | null; region: string | null;
  tier: string | null; isTarget: boolean; isHoldout: boolean; lastEngagedAt: string | null;
  score: {
    asOf: string; total: number; fit: number; engagement: number; intent: number; committee: number; band: string; grade: string; status: string;
    engagedContacts: number; slaHours: number | null; play: string | null; model: { name: string; version: number; bands: { name: string; minScore: number }[] };
    contributions: Contribution[];
  } | null;
  buyingCommittee: {
    coverage: number; engagedContacts: number; missingRequiredRoles: string[];
    members: { role: string | null; engaged: boolean; engagement: number; lastEngagedAt: string | null; contact: { name: string | null; title: string | null; email: string } }[];
  };
  scoreHistory: { asOf: string; total: number; band: string; model: { version: number } }[];
}

const ACCOUNT = `query Account($id: ID!, $from: DateTime!) {
  account(id: $id) {
    id name domain industry employees country region tier isTarget isHoldout lastEngagedAt
    score {
      asOf total fit engagement intent committee band grade status engagedContacts slaHours play
      model { name version bands { name minScore } }
      contributions { component criterion label points }
    }
    buyingCommittee { coverage engagedContacts missingRequiredRoles members { role engaged engagement lastEngagedAt contact { name title email } } }
    scoreHistory(from: $from) { asOf total band model { version } }
  }
}`;

const HISTORY_DAYS = 90;

export async function accountPage(main: HTMLElement, id: string): Promise<void> {
  const from = new Date(Date.now() - HISTORY_DAYS * 86_400_000).toISOString();
  const { account: a } = await gql<{ account: Account | null }>(ACCOUNT, { id, from });
  if (!a) {
    fill(main, section("Account not found", h("p", {}, `No account has the id “${id}”. `, h("a", { href: "#/accounts" }, "Back to the accounts"))));
    return;
  }
  const score = a.score;
  const facts = [a.domain, a.industry, a.employees !== null ? `${count(a.employees)} employees` : null, [a.region, a.country].filter(Boolean).join(" / ") || null,
    a.tier ? `tier ${a.tier}` : null].filter(Boolean).join(" · ");
  const contributions = (score?.contributions ?? []).filter((c) => Math.abs(c.points) >= 0.05).sort((x, y) => Math.abs(y.points) - Math.abs(x.points));
  const committee = a.buyingCommittee;

  fill(main,
    h("p", {}, h("a", { href: "#/accounts" }, "« Accounts")),
    h("h1", {}, a.name, " ", a.isTarget ? badge("target") : null, " ", a.isHoldout ? badge("holdout") : null),
    h("p", { class: "lead" }, facts),
    section("Score",
      score
        ? h("div", { class: "score", "data-testid": "score" },
          h("div", { class: "total" }, h("span", { class: "big" }, points(score.total)), h("span", { class: "muted" }, " of 100 points")),
          h("dl", {},
            h("dt", {}, "Band"), h("dd", {}, score.band, score.slaHours !== null ? ` (SLA ${score.slaHours} h)` : "", score.play ? `, play ${score.play}` : ""),
            h("dt", {}, "Status"), h("dd", {}, badge(score.status)),
            h("dt", {}, "Grade"), h("dd", {}, score.grade),
            h("dt", {}, "Components"), h("dd", {}, `fit ${points(score.fit)} · engagement ${points(score.engagement)} · intent ${points(score.intent)} · committee ${points(score.committee)} (each 0–100, before weights)`),
            h("dt", {}, "As of"), h("dd", {}, `${when(score.asOf)} under ${score.model.name} v${score.model.version}`)))
        : empty("Not scored yet: no run of the active model has scored this account.")),
    section("Why this score",
      !score ? empty("There is no score to explain yet.")
        : contributions.length === 0 ? empty("Every criterion contributes 0 points: the account matches no rule and shows no engagement.")
          : [bars({
            title: `Contributions to the total of ${points(score.total)}`, unit: "points of the total",
            rows: contributions.map((c) => ({ label: `${c.label}`, value: c.points, text: `${signed(c.points)} pts`, className: `bar-${c.component.toLowerCase()}` })),
            testid: "contributions-chart",
            legend: ["fit", "engagement", "intent", "committee"].map((c) => ({ name: c, className: `bar-${c}` })),
          }), h("p", { class: "muted small" }, `Criteria under 0.05 points are left out; all ${plural(score.contributions.length, "contribution")} add up to the total.`)]),
    section("Buying committee",
      h("p", { "data-testid": "committee-summary" }, `${plural(committee.engagedContacts, "engaged contact")}, ${percent(committee.coverage, 0)} of the required roles covered. `,
        committee.missingRequiredRoles.length
          ? ["Missing: ", committee.missingRequiredRoles.map((r) => badge(words(r), "missing"))]
          : "Every required role has an engaged contact."),
      committee.members.length === 0 ? empty("No contacts at this account yet.")
        : table(["Contact", "Title", "Role", "Engagement", "Engaged", "Last engaged"], committee.members.map((m) => [
          m.contact.name ?? m.contact.email, m.contact.title ?? "—", m.role ? words(m.role) : "—", points(m.engagement), m.engaged ? "yes" : "no", when(m.lastEngagedAt),
        ]), { num: [3], testid: "committee-table" })),
    section(`Score history, last ${HISTORY_DAYS} days`,
      a.scoreHistory.length === 0 ? empty(`No snapshot in the last ${HISTORY_DAYS} days: the account was not scored in that time.`)
        : [a.scoreHistory.length === 1 ? h("p", { class: "muted" }, "One snapshot so far; the line grows with every scoring run.") : null,
          line({
            title: `Total score per snapshot (${plural(a.scoreHistory.length, "snapshot")}, ${day(a.scoreHistory[0]!.asOf)} to ${day(a.scoreHistory[a.scoreHistory.length - 1]!.asOf)})`,
            unit: "points, 0–100", max: 100,
            points: a.scoreHistory.map((p) => ({ at: new Date(p.asOf).getTime(), value: p.total, text: `${when(p.asOf)}: ${points(p.total)} (${p.band}, v${p.model.version})` })),
            references: score?.model.bands.map((b) => ({ value: b.minScore, label: `${b.name} ≥ ${b.minScore}` })),
            testid: "history-chart",
          })]));
}

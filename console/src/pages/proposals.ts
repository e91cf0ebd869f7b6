import { gql } from "../api.js";
import { bars, intervals } from "../charts.js";
import { fill, h } from "../dom.js";
import { count, decimal, percent, plural, points, signed, when, words } from "../format.js";
import { currentRoute, go, link, type Route } from "../router.js";
import { caller, canReview } from "../session.js";
import { action, badge, empty, section, table } from "../ui.js";
import { activate } from "./models.js";

interface Listed {
  id: string; kind: "TRAINED" | "SUBMITTED"; status: string; recommendation: string; outcome: string; verdict: string; createdAt: string;
  approvals: number; approvalsNeeded: number; author: string | null;
  proposedModel: { name: string; version: number; status: string; basedOn: { version: number } | null };
}

const PROPOSALS = `query Proposals($after: String) {
  weightProposals(first: 50, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id kind status recommendation outcome verdict createdAt approvals approvalsNeeded author
      proposedModel { name version status basedOn { version } } } }
  }
}`;

export async function proposalsPage(main: HTMLElement, route: Route): Promise<void> {
  const after = route.query.get("after") ?? undefined;
  const { weightProposals: list } = await gql<{ weightProposals: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Listed }[] } }>(PROPOSALS, { after });
  const rows = list.edges.map((e) => e.node);
  fill(main,
    h("h1", {}, "Proposals"),
    h("p", { class: "lead" }, "A proposal is a DRAFT version of a model line up for the council: a training run's re-weighting, or a hand-written draft submitted for review. ",
      "It goes live only once enough council members approve it and nobody rejects it."),
    section(`Weight proposals (${count(list.totalCount)})`,
      rows.length === 0
        ? empty("Nothing to review: no training run has proposed a re-weighting and no draft was submitted. An ANALYST starts one with startTrainingRun or `quorum train`, or submits a draft with submitModelForReview.")
        : table(["Proposal", "Kind", "Status", "Recommendation", "Approvals", "Created", "By"], rows.map((p) => [
          h("a", { href: link(["proposals", p.id]), "data-testid": "proposal-link" },
            `${p.proposedModel.name} ${p.proposedModel.basedOn ? `v${p.proposedModel.basedOn.version} → ` : ""}v${p.proposedModel.version}`),
          words(p.kind), badge(p.status), [badge(words(p.recommendation), p.recommendation), " ", h("span", { class: "small" }, p.verdict)],
          `${p.approvals} of ${p.approvalsNeeded}`, when(p.createdAt), p.author ?? "—",
        ]), { testid: "proposals-table" }),
      list.pageInfo.hasNextPage && list.pageInfo.endCursor ? h("p", {}, h("a", { href: link(["proposals"], { after: list.pageInfo.endCursor }) }, "Older proposals »")) : null));
}

interface Change {
  criterion: string; label: string; component: string; pointsBefore: number; pointsAfter: number; p95: number | null; effect: number | null; effectLow: number | null; effectHigh: number | null;
  oddsRatio: number | null; pValue: number | null; spansZero: boolean; flags: string[]; note: string;
}
interface WinRate {
  band: string; minScore: number; proposedMinScore: number; current: number | null; proposed: number | null; currentDeals: number; currentWon: number; proposedDeals: number; proposedWon: number;
  currentLow: number | null; currentHigh: number | null; proposedLow: number | null; proposedHigh: number | null;
}
interface BandMove { from: string | null; to: string | null; accounts: number }
interface TargetMove { accountId: string; domain: string; name: string; from: string | null; to: string | null; cursor: string }
export interface Impact {
  asOf: string; accounts: number; activeModelId: string | null; bandMatrix: BandMove[]; newlySqa: number; noLongerSqa: number; newlyMqa: number; noLongerMqa: number;
  slaClocksStarted: number; targetMovesCount: number; targetMoves: TargetMove[];
}
interface Change2 { at: string; kind: string; actor: { keyName: string | null; role: string | null }; model: { version: number }; proposal: { id: string } | null; reason: string | null; comment: string | null }
interface Proposal {
  id: string; kind: "TRAINED" | "SUBMITTED"; status: "PENDING" | "APPROVED" | "REJECTED"; recommendation: string; outcome: string; verdict: string; summary: string;
  comment: string | null; author: string | null; createdAt: string; decidedAt: string | null; headlines: string[];
  approvals: number; approvalsNeeded: number; approvalsMissing: number;
  impact: Impact | null;
  pointsPerLogOdds: number;
  engagedThreshold: { before: number; after: number };
  cutoffs: { name: string; before: number; after: number; dealsBefore: number; dealsAfter: number }[];
  componentWeights: { component: string; before: number; after: number }[];
  changes: Change[];
  winRateByBand: WinRate[];
  reviews: { id: string; decision: string; comment: string; reviewer: string; reviewerKeyId: string | null; reviewerRole: string | null; acknowledgedNotRecommended: boolean; createdAt: string }[];
  proposedModel: { id: string; name: string; version: number; status: string; basedOn: { id: string; version: number } | null; bands: { name: string; minScore: number }[] };
  trainingRun: null | {
    id: string; startedBy: string | null; createdAt: string; baseModel: { id: string; name: string; version: number; status: string };
    dataset: { deals: number; won: number; lost: number } | null;
    metrics: { currentModelAuc: number | null; currentModelHoldoutAuc: number | null; proposedModelAuc: number | null; holdout: { auc: number | null; testRows: number } | null; crossValidation: { folds: number; mean: { auc: number | null } } | null } | null;
  };
}

export const IMPACT_FIELDS = `asOf accounts activeModelId bandMatrix { from to accounts } newlySqa noLongerSqa newlyMqa noLongerMqa slaClocksStarted
  targetMovesCount targetMoves(first: $movesFirst, after: $movesAfter) { accountId domain name from to cursor }`;
const MOVES_PAGE = 20;

const PROPOSAL = `query Proposal($id: ID!, $movesFirst: Int, $movesAfter: String) {
  weightProposal(id: $id) {
    id kind status recommendation outcome verdict summary comment author createdAt decidedAt approvals approvalsNeeded approvalsMissing pointsPerLogOdds
    impact { ${IMPACT_FIELDS} }
    engagedThreshold { before after }
    cutoffs { name before after dealsBefore dealsAfter }
    componentWeights { component before after }
    changes { criterion label component pointsBefore pointsAfter p95 effect effectLow effectHigh oddsRatio pValue spansZero flags note }
    winRateByBand { band minScore proposedMinScore current proposed currentDeals currentWon proposedDeals proposedWon currentLow currentHigh proposedLow proposedHigh }
    headlines
    reviews { id decision comment reviewer reviewerKeyId reviewerRole acknowledgedNotRecommended createdAt }
    proposedModel { id name version status basedOn { id version } bands { name minScore } }
    trainingRun { id startedBy createdAt baseModel { id name version status } dataset { deals won lost }
      metrics { currentModelAuc currentModelHoldoutAuc proposedModelAuc holdout { auc testRows } crossValidation { folds mean { auc } } } }
  }
}`;
const REVIEW = `mutation Review($id: ID!, $decision: ReviewDecision!, $comment: String!, $acknowledge: Boolean) {
  reviewWeightProposal(id: $id, decision: $decision, comment: $comment, acknowledgeNotRecommended: $acknowledge) { id status }
}`;
const TRAIL = `query Trail($line: String!) {
  modelChanges(line: $line, first: 100) { edges { node { at kind actor { keyName role } model { version } proposal { id } reason comment } } }
}`;
const IMPACT_NOW = `query ImpactNow($id: ID!, $movesFirst: Int, $movesAfter: String) { proposalImpact(id: $id) { ${IMPACT_FIELDS} } }`;

export async function proposalPage(main: HTMLElement, id: string, route?: Route): Promise<void> {
  const movesAfter = route?.query.get("movesAfter") ?? undefined;
  const { weightProposal: p } = await gql<{ weightProposal: Proposal | null }>(PROPOSAL, { id, movesFirst: MOVES_PAGE, movesAfter });
  if (!p) {
    fill(main, section("Proposal not found", h("p", {}, `No proposal has the id “${id}”. `, h("a", { href: "#/proposals" }, "Back to the proposals"))));
    return;
  }
  const run = p.trainingRun;
  const { activeScoringModel: live, modelChanges } = await gql<{ activeScoringModel: { id: string; version: number } | null; modelChanges: { edges: { node: Change2 }[] } }>(
    `query Live($name: String!) { activeScoringModel(name: $name) { id version } ${TRAIL.slice(TRAIL.indexOf("modelChanges"), TRAIL.lastIndexOf("}"))} }`.replace("query Live($name: String!)", "query Live($name: String!, $line: String!)"),
    { name: p.proposedModel.name, line: p.proposedModel.name });
  const trail = modelChanges.edges.map((e) => e.node).filter((c) => c.proposal?.id === p.id || (c.model.version === p.proposedModel.version && ["ACTIVATED", "BREAK_GLASS", "ROLLBACK"].includes(c.kind)));
  const base = p.proposedModel.basedOn;
  fill(main,
    h("p", {}, h("a", { href: "#/proposals" }, "« Proposals")),
    h("h1", {}, `${p.proposedModel.name}: ${base ? `v${base.version} → ` : ""}v${p.proposedModel.version} `, badge(p.status), " ",
      badge(words(p.recommendation), p.recommendation)),
    // The headlines usually restate the verdict first; it is shown once.
    p.headlines.some((line) => line.includes(p.verdict)) ? null : h("p", { class: "lead", "data-testid": "verdict" }, p.verdict),
    p.headlines.length ? h("ul", { class: "headlines", "data-testid": "headlines" }, p.headlines.map((line) => h("li", {}, line))) : null,
    h("p", { class: "muted" }, run
      ? `Trained ${when(run.createdAt)}${run.startedBy ? ` by ${run.startedBy}` : ""} on ${run.dataset ? `${count(run.dataset.deals)} closed deals (${count(run.dataset.won)} won, ${count(run.dataset.lost)} lost)` : "closed deals"}. `
      : `A hand-written draft submitted ${when(p.createdAt)}${p.author ? ` by ${p.author}` : ""}. `,
      `The proposed v${p.proposedModel.version} is ${p.proposedModel.status}; `, live ? `v${live.version} is live. ` : "no version of the line is live. ",
      live && live.id !== p.proposedModel.id ? h("a", { href: link(["models"], { a: live.id, b: p.proposedModel.id }), "data-testid": "compare-live" }, `Compare v${p.proposedModel.version} with the live v${live.version}`) : null),
    reviewCard(main, p),
    section("The council report",
      p.comment ? h("p", {}, h("strong", {}, "Submitted because: "), p.comment) : null,
      h("pre", { class: "summary", "data-testid": "summary" }, p.summary), metricsTable(p)),
    impactCard(p),
    p.changes.length ? pointsCard(p) : null,
    p.winRateByBand.length ? winRateCard(p.winRateByBand) : null,
    settingsCard(p),
    trailCard(p, trail));
}

/** What approving does to today's scores: the stored preview, or one computed now on request. */
function impactCard(p: Proposal): HTMLElement {
  const body = h("div", {});
  const show = (impact: Impact | null, fresh: boolean) => fill(body, impact ? impactView(p, impact, fresh) : empty("No impact preview is stored for this proposal; compute one as of now."));
  show(p.impact, false);
  const out = h("div", { class: "action-result" });
  const recompute = h("button", { type: "button", "data-testid": "impact-now" }, "Recompute as of now");
  action(recompute, out, async () => {
    const { proposalImpact } = await gql<{ proposalImpact: Impact | null }>(IMPACT_NOW, { id: p.id, movesFirst: MOVES_PAGE });
    show(proposalImpact, true);
    out.replaceChildren();
    recompute.disabled = false;
  }, "computing the impact as of now");
  return section("Impact preview: what approving changes today", body, h("div", {}, recompute, out));
}

function impactView(p: Proposal, impact: Impact, fresh: boolean): (HTMLElement | null)[] {
  const from = [...new Set(impact.bandMatrix.map((m) => m.from))];
  const to = [...new Set(impact.bandMatrix.map((m) => m.to))];
  // Highest band first, by the proposed version's minimums; bands it lacks, then "not scored", last.
  const min = new Map(p.proposedModel.bands.map((b) => [b.name, b.minScore]));
  const rank = (band: string | null) => (band === null ? -Infinity : min.get(band) ?? -1e9);
  from.sort((a, b) => rank(b) - rank(a));
  to.sort((a, b) => rank(b) - rank(a));
  const cell = (f: string | null, t: string | null) => impact.bandMatrix.find((m) => m.from === f && m.to === t)?.accounts ?? 0;
  const moved = impact.bandMatrix.filter((m) => m.from !== m.to).reduce((n, m) => n + m.accounts, 0);
  const stat = (label: string, value: number, testid: string) => h("div", { class: "stat", "data-testid": testid }, h("span", { class: "big" }, count(value)), h("span", {}, label));
  return [
    h("p", { "data-testid": "impact-summary" }, `${fresh ? "Computed now" : "Computed when the proposal was made"}, as of ${when(impact.asOf)}: of ${plural(impact.accounts, "account")}, `,
      h("strong", {}, plural(moved, "account")), ` would change band, ${plural(impact.targetMovesCount, "target account")} among them.`),
    h("div", { class: "stats" },
      stat("become SQA", impact.newlySqa, "newly-sqa"), stat("stop being SQA", impact.noLongerSqa, "no-longer-sqa"),
      stat("become MQA", impact.newlyMqa, "newly-mqa"), stat("stop being MQA", impact.noLongerMqa, "no-longer-mqa"),
      stat("SLA clocks would start", impact.slaClocksStarted, "sla-clocks")),
    impact.bandMatrix.length === 0 ? empty("No account has a score under the live version yet, so there is nothing to compare.")
      : h("div", {}, h("h3", {}, "Accounts by band now (rows) and under the proposal (columns)"),
        table(["Now \\ proposed", ...to.map((t) => t ?? "not scored"), "Total now"], from.map((f) => [
          h("strong", {}, f ?? "not scored"),
          ...to.map((t) => { const n = cell(f, t); return n === 0 ? h("span", { class: "muted" }, "0") : h("span", { class: f === t ? "" : "changed" }, count(n)); }),
          count(to.reduce((sum, t) => sum + cell(f, t), 0)),
        ]), { num: to.map((_, i) => i + 1).concat(to.length + 1), testid: "band-matrix" })),
    h("h3", {}, `Target accounts that would move (${count(impact.targetMovesCount)})`),
    impact.targetMovesCount === 0 ? empty("No target account changes band.")
      : table(["Account", "Domain", "Now", "Proposed"], impact.targetMoves.map((m) => [
        h("a", { href: link(["accounts", m.accountId]) }, m.name), m.domain, m.from ?? "not scored", m.to ?? "not scored",
      ]), { testid: "target-moves" }),
    impact.targetMovesCount > impact.targetMoves.length && !fresh && impact.targetMoves.length
      ? h("p", {}, `Showing ${impact.targetMoves.length} of ${count(impact.targetMovesCount)}. `,
        h("a", { href: link(["proposals", p.id], { movesAfter: impact.targetMoves[impact.targetMoves.length - 1]!.cursor }) }, "Next target accounts »"))
      : null,
  ];
}

function metricsTable(p: Proposal): HTMLElement | null {
  const m = p.trainingRun?.metrics;
  if (!m) return null;
  return table(["Measure", "Current model", "Proposed"], [
    ["AUC on all training deals (0.5 is chance)", decimal(m.currentModelAuc), decimal(m.proposedModelAuc)],
    [`AUC on the holdout deals${m.holdout ? ` (${count(m.holdout.testRows)})` : ""}`, decimal(m.currentModelHoldoutAuc), decimal(m.holdout?.auc)],
    [`Cross-validated AUC${m.crossValidation ? ` (${m.crossValidation.folds} folds)` : ""}`, "—", decimal(m.crossValidation?.mean.auc)],
  ], { num: [1, 2], testid: "metrics" });
}

function pointsCard(p: Proposal): HTMLElement {
  const moved = p.changes.filter((c) => Math.abs(c.pointsAfter - c.pointsBefore) >= 0.05).sort((a, b) => Math.abs(b.pointsAfter - b.pointsBefore) - Math.abs(a.pointsAfter - a.pointsBefore));
  return section("Points per criterion",
    moved.length === 0 ? empty("No criterion's points change.")
      : bars({ title: `Change in points, ${plural(moved.length, "criterion", "criteria")} that move`, unit: "points, proposed − current",
        rows: moved.slice(0, 20).map((c) => ({ label: c.label, value: c.pointsAfter - c.pointsBefore, text: `${points(c.pointsBefore)} → ${points(c.pointsAfter)}` })), testid: "points-chart" }),
    moved.length > 20 ? h("p", { class: "muted small" }, `The chart shows the 20 largest changes; the table lists all ${p.changes.length}.`) : null,
    table(["Criterion", "Component", "Points now", "Proposed", "95th pct. value", "Effect there (log-odds, 95% interval)", "p", "Flags", "Why"], p.changes.map((c) => [
      c.label, words(c.component), points(c.pointsBefore), points(c.pointsAfter), c.p95 === null ? "—" : decimal(c.p95),
      c.effect === null ? "—" : `${signed(c.effect, 2)} [${c.effectLow === null ? "—" : signed(c.effectLow, 2)}, ${c.effectHigh === null ? "—" : signed(c.effectHigh, 2)}]`,
      c.pValue === null ? "—" : c.pValue < 0.001 ? "< 0.001" : c.pValue.toFixed(3),
      c.flags.map((f) => badge(words(f), "flag")), c.note,
    ]), { num: [2, 3, 4, 5, 6], testid: "changes" }));
}

function winRateCard(rows: WinRate[]): HTMLElement {
  const any = rows.some((r) => r.currentDeals > 0 || r.proposedDeals > 0);
  const estimate = (name: string, value: number | null, low: number | null, high: number | null, won: number, deals: number, className: string) =>
    ({ name, value, low, high, text: deals === 0 ? "no closed deals" : `${percent(value)} (${won}/${deals} deals)`, className });
  return section("Win rate by band",
    !any ? empty("No closed deal falls in any band under either weighting, so there is no win rate to compare.")
      : intervals({
        title: "Win rate of the training deals by band, current against proposed weights", unit: "% of closed deals won", max: 1,
        categories: rows.map((r) => ({ label: `${r.band} (from ${points(r.minScore)} → ${points(r.proposedMinScore)})`, series: [
          estimate("current weights", r.current, r.currentLow, r.currentHigh, r.currentWon, r.currentDeals, "series-current"),
          estimate("proposed weights", r.proposed, r.proposedLow, r.proposedHigh, r.proposedWon, r.proposedDeals, "series-proposed"),
        ] })),
        testid: "winrate-chart",
      }));
}

function settingsCard(p: Proposal): HTMLElement {
  const rows: [string, string, string][] = [
    ...p.componentWeights.map((w): [string, string, string] => [`Weight of ${words(w.component).toLowerCase()}`, percent(w.before, 0), percent(w.after, 0)]),
    ...p.cutoffs.map((c): [string, string, string] => [`Cut-off: ${c.name}`, `${points(c.before)} (${plural(c.dealsBefore, "deal")})`, `${points(c.after)} (${plural(c.dealsAfter, "deal")})`]),
    ["Engaged-contact threshold", points(p.engagedThreshold.before), points(p.engagedThreshold.after)],
  ];
  return section("Weights and thresholds", table(["Setting", "Now", "Proposed"], rows.map((r) => [r[0], r[1], r[2] !== r[1] ? h("strong", {}, r[2]) : r[2]]), { num: [1, 2] }));
}

/** Every step on the record for this proposal, oldest first: submitted, reviews, activation, later rollbacks. */
function trailCard(p: Proposal, trail: Change2[]): HTMLElement {
  const steps = [...trail].sort((a, b) => a.at.localeCompare(b.at));
  return section("Decision trail",
    steps.length === 0 ? empty("No council member has reviewed this proposal yet.")
      : table(["When", "Who", "What", "Comment or reason"], steps.map((c) => [
        when(c.at), `${c.actor.keyName ?? "Quorum"}${c.actor.role ? ` (${c.actor.role})` : ""}`, [badge(words(c.kind), c.kind), ` v${c.model.version}`], c.comment ?? c.reason ?? "—",
      ]), { testid: "reviews" }),
    p.reviews.some((r) => r.acknowledgedNotRecommended) ? h("p", { class: "muted small" }, `Approvals by ${p.reviews.filter((r) => r.acknowledgedNotRecommended).map((r) => r.reviewer).join(", ")} acknowledged that the proposal is not recommended.`) : null,
    p.decidedAt ? h("p", { class: "muted" }, `Decided ${when(p.decidedAt)}.`) : null);
}

function reviewCard(main: HTMLElement, p: Proposal): HTMLElement | null {
  const needed = plural(p.approvalsNeeded, "council approval");
  const state = h("p", { "data-testid": "approvals" }, p.status === "REJECTED" ? "Rejected: a REJECT vetoes the proposal, whatever the approvals."
    : p.status === "APPROVED" ? `Approved: ${plural(p.approvals, "approval")} (${needed} needed) and no rejection.`
      : `${plural(p.approvals, "approval")} so far; ${p.approvalsMissing} more needed, from COUNCIL keys other than ${p.author ?? "the author"}. Any rejection vetoes.`);
  if (!canReview()) return section("Council decision", state, h("p", { class: "muted" }, "Your key can read proposals but not review or activate them (that needs COUNCIL)."));
  if (p.proposedModel.status !== "DRAFT") {
    return section("Council decision", state, h("p", {}, `v${p.proposedModel.version} has gone live (it is ${p.proposedModel.status.toLowerCase()} now), so reviews are closed. `,
      h("a", { href: "#/models" }, "See the models"), " to roll back or compare versions."));
  }

  const notRecommended = p.recommendation === "NOT_RECOMMENDED";
  const acknowledge = h("input", { type: "checkbox", name: "acknowledge", "data-testid": "acknowledge" });
  const comment = h("textarea", { rows: 3, name: "comment", placeholder: "Why you approve or reject (the council reads this)", "data-testid": "review-comment" });
  const out = h("div", { class: "action-result" });
  const approve = h("button", { type: "button", class: "primary", "data-testid": "approve" }, "Approve");
  const reject = h("button", { type: "button", class: "danger", "data-testid": "reject" }, "Reject");
  const decide = (decision: "APPROVE" | "REJECT") => async () => {
    await gql(REVIEW, { id: p.id, decision, comment: comment.value, acknowledge: notRecommended && decision === "APPROVE" ? acknowledge.checked : undefined });
    await proposalPage(main, p.id, currentRoute());
  };
  action(approve, out, decide("APPROVE"), "approving");
  action(reject, out, decide("REJECT"), "rejecting");

  const activateOut = h("div", { class: "action-result" });
  const activateButton = h("button", { type: "button", class: "primary", "data-testid": "activate", disabled: p.status !== "APPROVED" },
    `Activate v${p.proposedModel.version}`);
  action(activateButton, activateOut, async () => {
    const done = await activate(p.proposedModel.id);
    go(["models"], { done: `${done.name} v${done.version} is now ${done.status}; its first scoring run has committed.` });
  }, `activating v${p.proposedModel.version}`);

  // Each key decides once: after your review the form gives way to what you decided.
  const mine = p.reviews.find((r) => r.reviewerKeyId !== null && r.reviewerKeyId === caller()?.keyId);
  return section("Council decision", state,
    mine ? h("p", { "data-testid": "my-review" }, `You reviewed this proposal: ${words(mine.decision)} at ${when(mine.createdAt)}. Each council key decides once.`)
    : p.status === "REJECTED" ? null : h("div", { class: "review-form" },
      h("label", {}, "Your comment", comment),
      notRecommended ? h("label", { class: "check" }, acknowledge,
        "I have read that this proposal is NOT recommended (the fit was not better than the current model on the same deals), and approve it anyway for the reason in my comment.") : null,
      caller()?.name === p.author ? h("p", { class: "notice" }, `You (${p.author}) proposed this, so your review does not count: another council member must review it.`) : null,
      h("div", { class: "buttons" }, approve, reject), out),
    h("div", { class: "activate" }, activateButton,
      p.status !== "APPROVED" ? h("span", { class: "muted" }, " Activation opens once the proposal is APPROVED.") : null, activateOut));
}


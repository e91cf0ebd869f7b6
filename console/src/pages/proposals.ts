import { gql } from "../api.js";
import { bars, intervals } from "../charts.js";
import { fill, h } from "../dom.js";
import { count, decimal, percent, plural, points, signed, when, words } from "../format.js";
import { go, link } from "../router.js";
import { canReview } from "../session.js";
import { action, badge, empty, section, table } from "../ui.js";
import { activate } from "./models.js";

interface ListedRun {
  id: string; status: string; createdAt: string; startedBy: string | null; baseModel: { name: string; version: number };
  proposal: { id: string; status: string; outcome: string; verdict: string; createdAt: string; approvalsNeeded: number; reviews: { decision: string }[]; proposedModel: { version: number; status: string } } | null;
}

const PROPOSALS = `query Proposals($after: String) {
  trainingRuns(first: 50, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id status createdAt startedBy baseModel { name version }
      proposal { id status outcome verdict createdAt approvalsNeeded reviews { decision } proposedModel { version status } } } }
  }
}`;

export async function proposalsPage(main: HTMLElement): Promise<void> {
  const { trainingRuns } = await gql<{ trainingRuns: { totalCount: number; edges: { node: ListedRun }[] } }>(PROPOSALS);
  const runs = trainingRuns.edges.map((e) => e.node);
  const withProposal = runs.filter((r) => r.proposal);
  fill(main,
    h("h1", {}, "Proposals"),
    h("p", { class: "lead" }, "Each training run that found a re-weighting leaves a proposal: a DRAFT version of the model for the council to approve or reject."),
    section("Weight proposals",
      withProposal.length === 0
        ? empty(runs.length === 0 ? "No training run yet, so nothing to review: an ANALYST starts one with startTrainingRun or `quorum train`."
          : `None of the ${plural(runs.length, "training run")} left a proposal (still running, failed, or no criterion had a clear effect).`)
        : table(["Proposal", "Line", "Status", "Verdict", "Approvals", "Created", "Started by"], withProposal.map((r) => {
          const p = r.proposal!;
          const approvals = p.reviews.filter((x) => x.decision === "APPROVE").length;
          return [
            h("a", { href: link(["proposals", p.id]), "data-testid": "proposal-link" }, `v${r.baseModel.version} → v${p.proposedModel.version}`),
            r.baseModel.name, badge(p.status), [badge(words(p.outcome), p.outcome), " ", p.verdict], `${approvals} of ${p.approvalsNeeded}`, when(p.createdAt), r.startedBy ?? "—",
          ];
        }), { testid: "proposals-table" }),
      runs.length > withProposal.length ? h("p", { class: "muted small" }, `${plural(runs.length - withProposal.length, "other training run")} left no proposal.`) : null));
}

interface Change {
  criterion: string; label: string; component: string; pointsBefore: number; pointsAfter: number; effect: number | null; effectLow: number | null; effectHigh: number | null;
  oddsRatio: number | null; pValue: number | null; spansZero: boolean; flags: string[]; note: string;
}
interface WinRate { band: string; minScore: number; proposedMinScore: number; current: number | null; proposed: number | null; currentDeals: number; currentWon: number; proposedDeals: number; proposedWon: number }
interface Proposal {
  id: string; status: "PENDING" | "APPROVED" | "REJECTED"; outcome: string; verdict: string; summary: string; createdAt: string; decidedAt: string | null; approvalsNeeded: number;
  pointsPerLogOdds: number;
  engagedThreshold: { before: number; after: number };
  cutoffs: { name: string; before: number; after: number; dealsBefore: number; dealsAfter: number }[];
  componentWeights: { component: string; before: number; after: number }[];
  changes: Change[];
  winRateByBand: WinRate[];
  reviews: { id: string; decision: string; comment: string; reviewer: string; createdAt: string }[];
  proposedModel: { id: string; name: string; version: number; status: string };
  trainingRun: {
    id: string; startedBy: string | null; createdAt: string; baseModel: { id: string; name: string; version: number; status: string };
    dataset: { deals: number; won: number; lost: number } | null;
    metrics: { currentModelAuc: number | null; currentModelHoldoutAuc: number | null; proposedModelAuc: number | null; holdout: { auc: number | null; testRows: number } | null; crossValidation: { folds: number; mean: { auc: number | null } } | null } | null;
  };
}

const PROPOSAL = `query Proposal($id: ID!) {
  weightProposal(id: $id) {
    id status outcome verdict summary createdAt decidedAt approvalsNeeded pointsPerLogOdds
    engagedThreshold { before after }
    cutoffs { name before after dealsBefore dealsAfter }
    componentWeights { component before after }
    changes { criterion label component pointsBefore pointsAfter effect effectLow effectHigh oddsRatio pValue spansZero flags note }
    winRateByBand { band minScore proposedMinScore current proposed currentDeals currentWon proposedDeals proposedWon }
    reviews { id decision comment reviewer createdAt }
    proposedModel { id name version status }
    trainingRun { id startedBy createdAt baseModel { id name version status } dataset { deals won lost }
      metrics { currentModelAuc currentModelHoldoutAuc proposedModelAuc holdout { auc testRows } crossValidation { folds mean { auc } } } }
  }
}`;
const REVIEW = `mutation Review($id: ID!, $decision: ReviewDecision!, $comment: String!) {
  reviewWeightProposal(id: $id, decision: $decision, comment: $comment) { id status }
}`;

export async function proposalPage(main: HTMLElement, id: string): Promise<void> {
  const { weightProposal: p } = await gql<{ weightProposal: Proposal | null }>(PROPOSAL, { id });
  if (!p) {
    fill(main, section("Proposal not found", h("p", {}, `No proposal has the id “${id}”. `, h("a", { href: "#/proposals" }, "Back to the proposals"))));
    return;
  }
  const run = p.trainingRun;
  const { activeScoringModel: live } = await gql<{ activeScoringModel: { version: number } | null }>(
    `query Live($name: String!) { activeScoringModel(name: $name) { version } }`, { name: p.proposedModel.name });
  fill(main,
    h("p", {}, h("a", { href: "#/proposals" }, "« Proposals")),
    h("h1", {}, `${p.proposedModel.name}: v${run.baseModel.version} → v${p.proposedModel.version} `, badge(p.status)),
    h("p", { class: "lead", "data-testid": "verdict" }, badge(words(p.outcome), p.outcome), " ", p.verdict),
    h("p", { class: "muted" }, `Trained ${when(run.createdAt)}${run.startedBy ? ` by ${run.startedBy}` : ""} on ${run.dataset ? `${count(run.dataset.deals)} closed deals (${count(run.dataset.won)} won, ${count(run.dataset.lost)} lost)` : "closed deals"}. `,
      `The proposed v${p.proposedModel.version} is ${p.proposedModel.status}; `, live ? `v${live.version} is live.` : "no version of the line is live."),
    reviewCard(main, p),
    section("The council report", h("pre", { class: "summary", "data-testid": "summary" }, p.summary), metricsTable(p)),
    pointsCard(p),
    winRateCard(p.winRateByBand),
    settingsCard(p),
    trailCard(p));
}

function metricsTable(p: Proposal): HTMLElement | null {
  const m = p.trainingRun.metrics;
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
    table(["Criterion", "Component", "Points now", "Proposed", "Effect (log-odds, 95% interval)", "p", "Flags", "Why"], p.changes.map((c) => [
      c.label, words(c.component), points(c.pointsBefore), points(c.pointsAfter),
      c.effect === null ? "—" : `${signed(c.effect, 2)} [${c.effectLow === null ? "—" : signed(c.effectLow, 2)}, ${c.effectHigh === null ? "—" : signed(c.effectHigh, 2)}]`,
      c.pValue === null ? "—" : c.pValue < 0.001 ? "< 0.001" : c.pValue.toFixed(3),
      c.flags.map((f) => badge(words(f), "flag")), c.note,
    ]), { num: [2, 3, 4, 5], testid: "changes" }));
}

function winRateCard(rows: WinRate[]): HTMLElement {
  const any = rows.some((r) => r.currentDeals > 0 || r.proposedDeals > 0);
  const estimate = (name: string, value: number | null, won: number, deals: number, className: string) =>
    ({ name, value, low: null, high: null, text: deals === 0 ? "no closed deals" : `${percent(value)} (${won}/${deals} deals)`, className });
  return section("Win rate by band",
    !any ? empty("No closed deal falls in any band under either weighting, so there is no win rate to compare.")
      : intervals({
        title: "Win rate of the training deals by band, current against proposed weights", unit: "% of closed deals won", max: 1,
        categories: rows.map((r) => ({ label: `${r.band} (from ${points(r.minScore)} → ${points(r.proposedMinScore)})`, series: [
          estimate("current weights", r.current, r.currentWon, r.currentDeals, "series-current"),
          estimate("proposed weights", r.proposed, r.proposedWon, r.proposedDeals, "series-proposed"),
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

function trailCard(p: Proposal): HTMLElement {
  return section("Decision trail",
    p.reviews.length === 0 ? empty("No council member has reviewed this proposal yet.")
      : table(["When", "Reviewer", "Decision", "Comment"], p.reviews.map((r) => [when(r.createdAt), r.reviewer, badge(r.decision), r.comment]), { testid: "reviews" }),
    p.decidedAt ? h("p", { class: "muted" }, `Decided ${when(p.decidedAt)}.`) : null);
}

function reviewCard(main: HTMLElement, p: Proposal): HTMLElement | null {
  const approvals = p.reviews.filter((r) => r.decision === "APPROVE").length;
  const needed = plural(p.approvalsNeeded, "council approval");
  const state = h("p", { "data-testid": "approvals" }, p.status === "REJECTED" ? "Rejected: a REJECT vetoes the proposal, whatever the approvals."
    : p.status === "APPROVED" ? `Approved: ${plural(approvals, "approval")} (${needed} needed) and no rejection.`
      : `${plural(approvals, "approval")} so far; ${needed} needed, and no rejection.`);
  if (!canReview()) return section("Council decision", state, h("p", { class: "muted" }, "Your key can read proposals but not review or activate them (that needs COUNCIL)."));
  if (p.proposedModel.status !== "DRAFT") return section("Council decision", state, h("p", {}, `v${p.proposedModel.version} is ${p.proposedModel.status.toLowerCase()}: `, h("a", { href: "#/models" }, "see the models")));

  const comment = h("textarea", { rows: 3, name: "comment", placeholder: "Why you approve or reject (the council reads this)", "data-testid": "review-comment" });
  const out = h("div", { class: "action-result" });
  const approve = h("button", { type: "button", class: "primary", "data-testid": "approve" }, "Approve");
  const reject = h("button", { type: "button", class: "danger", "data-testid": "reject" }, "Reject");
  const decide = (decision: "APPROVE" | "REJECT") => async () => {
    await gql(REVIEW, { id: p.id, decision, comment: comment.value });
    await proposalPage(main, p.id);
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

  return section("Council decision", state,
    p.status === "REJECTED" ? null : h("div", { class: "review-form" },
      h("label", {}, "Your comment", comment), h("div", { class: "buttons" }, approve, reject), out),
    h("div", { class: "activate" }, activateButton,
      p.status !== "APPROVED" ? h("span", { class: "muted" }, " Activation opens once the proposal is APPROVED.") : null, activateOut));
}


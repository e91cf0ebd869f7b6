import { gql } from "../api.js";
import { diffDefinitions, type DiffLine } from "../diff.js";
import { fill, h } from "../dom.js";
import { count, signed, when, words } from "../format.js";
import { go, link, type Route } from "../router.js";
import { canAnalyze, canReview, isAdmin } from "../session.js";
import { action, badge, empty, section, table } from "../ui.js";

export interface Model {
  id: string; name: string; version: number; status: "DRAFT" | "ACTIVE" | "RETIRED"; createdAt: string; createdBy: string | null;
  activatedAt: string | null; retiredAt: string | null; description: string | null; basedOn: { id: string; version: number } | null;
  definition: Record<string, never>;
}

const MODELS = `query Models {
  scoringModels { id name version status createdAt createdBy activatedAt retiredAt description basedOn { id version } definition }
  weightProposals(first: 200) { edges { node { id status proposedModel { id } } } }
  modelChanges(first: 30) { totalCount edges { node { at kind line actor { keyName role } model { version } previousModel { version } proposal { id } reason comment } } }
}`;
const SUBMIT = `mutation Submit($id: ID!, $comment: String!) { submitModelForReview(id: $id, comment: $comment) { id } }`;

interface AuditEntry {
  at: string; kind: string; line: string; actor: { keyName: string | null; role: string | null }; model: { version: number }; previousModel: { version: number } | null;
  proposal: { id: string } | null; reason: string | null; comment: string | null;
}
const ACTIVATE = `mutation Activate($id: ID!) { activateScoringModel(id: $id) { id name version status } }`;
const BREAK_GLASS = `mutation BreakGlass($id: ID!, $override: String!) { activateScoringModel(id: $id, override: $override) { id name version status } }`;

/** Activates a version through the API, which enforces the council's gate; its refusal is shown as it words it. */
export async function activate(id: string, override?: string): Promise<{ name: string; version: number; status: string }> {
  const result = override !== undefined
    ? await gql<{ activateScoringModel: { name: string; version: number; status: string } }>(BREAK_GLASS, { id, override })
    : await gql<{ activateScoringModel: { name: string; version: number; status: string } }>(ACTIVATE, { id });
  return result.activateScoringModel;
}

export async function modelsPage(main: HTMLElement, route: Route): Promise<void> {
  const { scoringModels, weightProposals, modelChanges } = await gql<{
    scoringModels: Model[]; weightProposals: { edges: { node: { id: string; status: string; proposedModel: { id: string } } }[] };
    modelChanges: { totalCount: number; edges: { node: AuditEntry }[] };
  }>(MODELS);
  proposalOf = new Map(weightProposals.edges.map((e) => [e.node.proposedModel.id, e.node]));
  const lines = new Map<string, Model[]>();
  for (const m of scoringModels) lines.set(m.name, [...(lines.get(m.name) ?? []), m]);
  const done = route.query.get("done");

  fill(main,
    h("h1", {}, "Models"),
    done ? h("p", { class: "notice", "data-testid": "notice" }, done) : null,
    scoringModels.length === 0 ? section("Versions", empty("No model versions yet: create one with createScoringModel.")) : null,
    [...lines].map(([name, versions]) => versionsCard(name, versions)),
    scoringModels.length > 1 ? diffCard(scoringModels, route) : null,
    auditCard(modelChanges.totalCount, modelChanges.edges.map((e) => e.node)));
}

/** Each DRAFT's proposal, when it has one (set per render). */
let proposalOf = new Map<string, { id: string; status: string }>();

function auditCard(total: number, entries: AuditEntry[]): HTMLElement {
  return section("Audit log",
    h("p", { class: "muted" }, "Every activation, review, submission, rollback and break-glass, newest first", total > entries.length ? ` (the latest ${entries.length} of ${count(total)})` : "", "."),
    entries.length === 0 ? empty("Nothing on the record yet.")
      : table(["When", "Line", "What", "Version", "Who", "Comment or reason", "Proposal"], entries.map((c) => [
        when(c.at), c.line, badge(words(c.kind), c.kind), `v${c.model.version}${c.previousModel && c.previousModel.version !== c.model.version ? ` (was v${c.previousModel.version})` : ""}`,
        `${c.actor.keyName ?? "Quorum"}${c.actor.role ? ` (${c.actor.role})` : ""}`, c.comment ?? c.reason ?? "—",
        c.proposal ? h("a", { href: link(["proposals", c.proposal.id]) }, "open") : "—",
      ]), { testid: "audit-log" }));
}

function versionsCard(name: string, versions: Model[]): HTMLElement {
  const active = versions.find((v) => v.status === "ACTIVE");
  return section(`Line “${name}”`,
    h("p", {}, active ? ["Live: ", h("strong", { "data-testid": `live-${name}` }, `v${active.version}`), `, active since ${when(active.activatedAt)}.`] : "No version of this line is active."),
    table(["Version", "Status", "Created", "Live", "Proposal", "Description", canAnalyze() ? "Action" : null].filter((x): x is string => x !== null),
      versions.map((m) => {
        const proposal = proposalOf.get(m.id);
        return [
          [`v${m.version}`, m.basedOn ? h("div", { class: "muted small" }, `from v${m.basedOn.version}`) : null],
          badge(m.status),
          [when(m.createdAt), m.createdBy ? h("div", { class: "muted small" }, `by ${m.createdBy}`) : null],
          m.activatedAt ? [when(m.activatedAt), h("div", { class: "muted small" }, m.retiredAt ? `until ${when(m.retiredAt)}` : "until now")] : "never",
          proposal ? h("a", { href: link(["proposals", proposal.id]) }, badge(proposal.status)) : "—",
          h("span", { class: "description" }, m.description ?? "—"),
          canAnalyze() ? actionsFor(m, active, !!proposal) : null,
        ].filter((cell, i) => i < 6 || canAnalyze());
      }), { testid: `versions-${name}` }));
}

function actionsFor(m: Model, active: Model | undefined, hasProposal: boolean): HTMLElement | string {
  if (m.status === "ACTIVE") return "live";
  const cell = h("div", {});
  if (m.status === "DRAFT" && !hasProposal) cell.append(submitForm(m));
  if (!canReview()) return cell.childNodes.length ? cell : "—";
  const out = h("div", { class: "action-result" });
  const rollback = m.status === "RETIRED";
  const button = h("button", { type: "button", class: rollback ? "" : "primary", "data-testid": `${rollback ? "rollback" : "activate"}-${m.name}-v${m.version}` },
    rollback ? `Roll back to v${m.version}` : `Activate v${m.version}`);
  action(button, out, async () => {
    const done = await activate(m.id);
    go(["models"], { done: `${done.name} v${done.version} is now ${done.status}${active ? ` (v${active.version} retired)` : ""}; its first scoring run has committed.` });
  }, rollback ? `rolling back to v${m.version}` : `activating v${m.version}`);
  cell.append(button, out);
  if (isAdmin() && m.status === "DRAFT") {
    const reason = h("input", { type: "text", placeholder: "reason for break-glass", "data-testid": `override-${m.name}-v${m.version}` });
    const glass = h("button", { type: "button", class: "danger" }, "Break glass");
    const glassOut = h("div", { class: "action-result" });
    action(glass, glassOut, async () => {
      // Sent as typed: the API says what a reason must be (and refuses non-ADMIN keys).
      const done = await activate(m.id, reason.value);
      go(["models"], { done: `${done.name} v${done.version} is now ${done.status} by break-glass; the reason is in the audit log.` });
    }, "activating by break-glass");
    cell.append(h("details", { class: "glass" }, h("summary", {}, "ADMIN: activate without approval"), reason, glass, glassOut));
  }
  return cell;
}

/** A hand-written DRAFT goes to the council with a reason; the API computes its impact preview. */
function submitForm(m: Model): HTMLElement {
  const comment = h("input", { type: "text", placeholder: "what it changes and why", "data-testid": `submit-comment-${m.name}-v${m.version}` });
  const button = h("button", { type: "button", "data-testid": `submit-${m.name}-v${m.version}` }, "Submit for review");
  const out = h("div", { class: "action-result" });
  action(button, out, async () => {
    const { submitModelForReview } = await gql<{ submitModelForReview: { id: string } }>(SUBMIT, { id: m.id, comment: comment.value });
    go(["proposals", submitModelForReview.id]);
  }, "submitting for review");
  return h("details", { class: "glass" }, h("summary", {}, "Submit to the council"), comment, button, out);
}

function diffCard(models: Model[], route: Route): HTMLElement {
  const byId = new Map(models.map((m) => [m.id, m]));
  // By default: the live version against the newest other version of its line, older one first.
  const active = models.find((m) => m.status === "ACTIVE") ?? models[0]!;
  const other = models.find((m) => m.name === active.name && m.id !== active.id) ?? models.find((m) => m.id !== active.id)!;
  const [older, newer] = other.name === active.name && other.version < active.version ? [other, active] : [active, other];
  const a = byId.get(route.query.get("a") ?? "") ?? older;
  const b = byId.get(route.query.get("b") ?? "") ?? newer;
  const choose = (name: string, selected: Model) => h("select", { name, "data-testid": `diff-${name}` },
    models.map((m) => h("option", { value: m.id, selected: m.id === selected.id }, `${m.name} v${m.version} (${m.status.toLowerCase()})`)));
  const form = h("form", { class: "filters" }, h("label", {}, "From", choose("a", a)), h("label", {}, "To", choose("b", b)), h("button", { type: "submit" }, "Compare"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const fd = new FormData(form);
    go(["models"], { a: String(fd.get("a")), b: String(fd.get("b")) });
  });
  const lines = diffDefinitions(a.definition, b.definition);
  return section("Compare two versions", form,
    a.id === b.id ? empty("Both sides are the same version; choose two different ones.")
      : lines.length === 0 ? empty(`v${a.version} and v${b.version} score the same way: their definitions are identical.`)
        : [h("p", {}, `${lines.length} ${lines.length === 1 ? "setting differs" : "settings differ"} from ${a.name} v${a.version} to ${b.name} v${b.version}.`), diffTable(lines)],
    h("p", { class: "muted small" }, "Links: ", h("a", { href: link(["models"], { a: b.id, b: a.id }) }, "swap sides")));
}

/** The diff as a table: a section and item are named once for their run of lines; numbers get their change. */
export function diffTable(lines: DiffLine[]): HTMLElement {
  return table(["Section", "Item", "Setting", "Before", "After", "Change"], lines.map((l, i) => {
    const prev = lines[i - 1];
    const sameSection = prev?.section === l.section;
    const sameItem = sameSection && prev?.item === l.item;
    const delta = l.before !== null && l.after !== null && isNumeric(l.before) && isNumeric(l.after) ? Number(l.after) - Number(l.before) : null;
    return [
      sameSection ? "" : l.section, sameItem ? "" : l.item || "—", l.kind === "changed" ? l.setting : l.kind === "added" ? "added" : "removed",
      l.before === null ? h("span", { class: "muted" }, "—") : h("span", { class: l.kind === "removed" ? "removed" : "" }, l.before),
      l.after === null ? h("span", { class: "muted" }, "—") : h("span", { class: l.kind === "added" ? "added" : "changed" }, l.after),
      delta === null ? "" : signed(delta, Math.abs(delta) < 1 ? 3 : 1),
    ];
  }), { testid: "model-diff", num: [3, 4, 5] });
}

const isNumeric = (text: string): boolean => text.trim() !== "" && Number.isFinite(Number(text));

import type { PoolClient } from "pg";
import type { Principal } from "../auth/api-key.service";
import { Role } from "../auth/roles";
import type { Database } from "../platform/db/database";
import { BadInputError, ConflictError, ForbiddenError, NotFoundError } from "../platform/errors/errors";
import { decodeCursor, encodeCursor, pageSize, toPage, withLazyCount } from "../platform/graphql/connection";
import { decodeId } from "../platform/graphql/global-id";
import { isRowId } from "../platform/graphql/ids";
import type { ModelDefinition, ModelRow } from "../scoring/model.types";
import { lockLine } from "../scoring/scoring-model.service";
import {
  PROPOSAL_COLUMNS, type ProposalDetails, type ProposalRow, type ProposalStatus, REVIEW_COLUMNS, type ReviewDecision, type ReviewRow,
} from "../training/training.service";
import { type CouncilGate, type ModelChangeKind, recordModelChange, tallyReviews } from "./council-gate.service";
import { computeImpact, type ImpactData, impactSentence } from "./impact.sql";

/** One row of the audit log (`model_changes`). */
export interface ModelChangeRow {
  readonly id: string;
  readonly at: Date;
  readonly line: string;
  readonly kind: ModelChangeKind;
  readonly modelId: string;
  readonly previousModelId: string | null;
  readonly proposalId: string | null;
  readonly actorKeyId: string | null;
  readonly actorName: string | null;
  readonly actorRole: string | null;
  readonly reason: string | null;
  readonly comment: string | null;
}

const CHANGE_COLUMNS = `c.id::text AS id, c.at, c.line, c.kind, c.model_id::text AS "modelId", c.previous_model_id::text AS "previousModelId",
  c.proposal_id::text AS "proposalId", c.actor_key_id::text AS "actorKeyId", c.actor_name AS "actorName", c.actor_role AS "actorRole", c.reason, c.comment`;

const MAX_COMMENT = 4_000;

/**
 * The council's workspace (DESIGN §9): hand-written drafts submitted for review, reviews, the
 * proposals list, impact previews as of now and the audit log. The gate itself, which runs in
 * the activating transaction, is `CouncilGate`.
 */
export class CouncilService {
  constructor(private readonly db: Database, readonly gate: CouncilGate, private readonly pageLimits: { default: number; max: number }) {}

  get approvalsNeeded(): number {
    return this.gate.approvalsNeeded;
  }

  /**
   * Puts a hand-written DRAFT up for review: a SUBMITTED proposal (UNASSESSED: nobody measured
   * it on deals) with its impact preview, and a SUBMITTED audit entry, in one transaction. The
   * submitting key may not review it.
   */
  async submit(modelIdArg: string, comment: string, principal: Principal | null): Promise<ProposalRow> {
    if (!principal) throw new ForbiddenError("Submitting a model for review needs an API key with role ANALYST, COUNCIL or ADMIN.");
    const text = checkedComment(comment, "Say what the draft changes and why, so the council knows what it reviews.");
    const modelId = decodeId(modelIdArg, "ScoringModel");
    if (modelId === null) throw new NotFoundError("Scoring model", modelIdArg);
    return this.db.tx(async (client) => {
      const model = await modelFor(client, modelId);
      await lockLine(client, model.name);
      const current = await modelFor(client, modelId);
      if (current.status !== "DRAFT") {
        throw new ConflictError(`${current.name} v${current.version} is ${current.status}, not a DRAFT: only a DRAFT is submitted for review${current.status === "RETIRED" ? "; re-activating a version that was ACTIVE before is a rollback and needs no proposal" : ""}.`);
      }
      const existing = await client.query<{ id: string; status: string }>("SELECT id::text, status FROM weight_proposals WHERE proposed_model_id = $1", [modelId]);
      if (existing.rows[0]) {
        throw new ConflictError(`${current.name} v${current.version} already has proposal ${existing.rows[0].id} (${existing.rows[0].status}); review that one, or create a new version.`);
      }
      const active = await client.query<{ definition: ModelDefinition; version: number }>("SELECT definition, version FROM scoring_models WHERE name = $1 AND status = 'ACTIVE'", [current.name]);
      const base = active.rows[0] ?? null;
      const impact = await computeImpact(client, current.name, current.definition, new Date());
      const details = submittedDetails(base?.definition ?? null, current.definition);
      const summary = [
        `${current.name} v${current.version}, hand-written, submitted by ${principal.name}${base ? ` to replace v${base.version}` : " as the line's first version"}: ${text}`,
        "UNASSESSED: it was not measured on closed deals; read the impact preview and the diff before approving.",
        impactSentence(impact),
      ].join("\n");
      const { rows } = await client.query<ProposalRow>(
        `INSERT INTO weight_proposals AS p (kind, training_run_id, proposed_model_id, summary, details, recommendation, author_key_id, author_name, comment, impact)
         VALUES ('SUBMITTED', NULL, $1, $2, $3, 'UNASSESSED', $4, $5, $6, $7) RETURNING ${PROPOSAL_COLUMNS}`,
        [modelId, summary, JSON.stringify(details), principal.keyId, principal.name, text, JSON.stringify(impact)]);
      const proposal = rows[0]!;
      await recordModelChange(client, {
        line: current.name, kind: "SUBMITTED", modelId, proposalId: proposal.id, actor: { keyId: principal.keyId, name: principal.name, role: principal.role }, comment: text,
      });
      return proposal;
    });
  }

  /**
   * Records a COUNCIL key's decision (one per key, with a comment), writes the APPROVED or
   * REJECTED audit entry and re-derives the proposal's status (any REJECT vetoes; enough
   * approvals approve). Reviews stay open until the version is activated.
   */
  async review(proposalIdArg: string, decision: ReviewDecision, comment: string, acknowledgeNotRecommended: boolean, principal: Principal | null): Promise<ProposalRow> {
    if (!principal) throw new ForbiddenError("A review needs a COUNCIL key.");
    if (principal.role !== Role.COUNCIL) {
      throw new ForbiddenError(`Only COUNCIL keys review proposals; "${principal.name}" has role ${principal.role}. (An ADMIN who must bypass the council activates with override: "<reason>", which is recorded as BREAK_GLASS.)`);
    }
    const text = checkedComment(comment, "Say why you approve or reject, so the record explains the decision.");
    const proposalId = decodeId(proposalIdArg, "WeightProposal");
    if (proposalId === null) throw new NotFoundError("Weight proposal", proposalIdArg);
    return this.db.tx(async (client) => {
      // The line lock first, as activation takes it: reviews and activations of a line queue
      // in one order (no deadlock), and a review never interleaves with the gate's count.
      const line = await client.query<{ name: string }>(
        "SELECT m.name FROM weight_proposals p JOIN scoring_models m ON m.id = p.proposed_model_id WHERE p.id = $1", [proposalId]);
      if (!line.rows[0]) throw new NotFoundError("Weight proposal", proposalId);
      await lockLine(client, line.rows[0].name);
      const found = await client.query<{ id: string; kind: string; author_key_id: string | null; recommendation: string; model_id: string }>(
        `SELECT id::text, kind, author_key_id::text, recommendation, proposed_model_id::text AS model_id FROM weight_proposals WHERE id = $1 FOR UPDATE`, [proposalId]);
      const p = found.rows[0];
      if (!p) throw new NotFoundError("Weight proposal", proposalId);
      // Read after the locks: an activation that held them has committed by now.
      const model = await modelFor(client, p.model_id);
      if (model.status !== "DRAFT") {
        throw new ConflictError(`${model.name} v${model.version} of proposal ${proposalId} has already been activated; reviews are closed. Roll back by activating the previous version.`);
      }
      if (p.author_key_id !== null && p.author_key_id === principal.keyId) {
        throw new ForbiddenError(`"${principal.name}" ${p.kind === "TRAINED" ? "started the training run" : "submitted the draft"} of proposal ${proposalId}; another COUNCIL member must review it.`);
      }
      if (decision === "APPROVE" && p.recommendation === "NOT_RECOMMENDED" && !acknowledgeNotRecommended) {
        throw new BadInputError(
          `Proposal ${proposalId} is NOT_RECOMMENDED: the fit was not better than the current model on the same deals. Approving it needs acknowledgeNotRecommended: true and a comment that says why it should go live anyway.`,
          { field: "acknowledgeNotRecommended" });
      }
      const earlier = await client.query<{ decision: string; created_at: Date }>(
        "SELECT decision, created_at FROM proposal_reviews WHERE proposal_id = $1 AND api_key_id = $2", [proposalId, principal.keyId]);
      if (earlier.rows[0]) {
        const e = earlier.rows[0];
        throw new ConflictError(`${principal.name} already reviewed proposal ${proposalId} (${e.decision} at ${e.created_at.toISOString()}); each COUNCIL key decides once.`);
      }
      await client.query(
        `INSERT INTO proposal_reviews (proposal_id, reviewer, api_key_id, reviewer_role, decision, comment, acknowledged_not_recommended)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [proposalId, principal.name, principal.keyId, principal.role, decision, text, decision === "APPROVE" && acknowledgeNotRecommended]);
      await recordModelChange(client, {
        line: model.name, kind: decision === "APPROVE" ? "APPROVED" : "REJECTED", modelId: model.id, proposalId,
        actor: { keyId: principal.keyId, name: principal.name, role: principal.role }, comment: text,
      });
      const status = this.gate.statusOf(await tallyReviews(client, proposalId));
      const { rows } = await client.query<ProposalRow>(
        `UPDATE weight_proposals p SET status = $2, decided_at = CASE WHEN $2 = 'PENDING' THEN NULL WHEN p.status = $2 THEN p.decided_at ELSE now() END
          WHERE p.id = $1 RETURNING ${PROPOSAL_COLUMNS}`, [proposalId, status]);
      return rows[0]!;
    });
  }

  /** Proposals, newest first, optionally of one status and one model line. */
  async proposals(filter: { status?: ProposalStatus | null; line?: string | null }, first: number | undefined, after: string | undefined) {
    const limit = pageSize(first, this.pageLimits);
    const before = after ? String(decodeCursor(after, 1)[0]) : null;
    if (before !== null && !isRowId(before)) throw new BadInputError("The cursor is not valid for this list; pass an endCursor from the same query.", { field: "after" });
    const where = `($1::text IS NULL OR p.status = $1) AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM scoring_models m WHERE m.id = p.proposed_model_id AND m.name = $2))`;
    const rows = await this.db.query<ProposalRow>(
      `SELECT ${PROPOSAL_COLUMNS} FROM weight_proposals p WHERE ${where} AND ($3::bigint IS NULL OR p.id < $3) ORDER BY p.id DESC LIMIT $4`,
      [filter.status ?? null, filter.line ?? null, before, limit + 1]);
    const page = toPage(rows, limit, after, (r) => encodeCursor([r.id]), (r) => r);
    return withLazyCount(page, () => this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM weight_proposals p WHERE ${where}`, [filter.status ?? null, filter.line ?? null]).then((r) => r[0]!.n));
  }

  async proposalsByIds(ids: readonly string[]): Promise<ProposalRow[]> {
    return this.db.query<ProposalRow>(`SELECT ${PROPOSAL_COLUMNS} FROM weight_proposals p WHERE p.id = ANY($1::bigint[])`, [ids]);
  }

  async reviewsByProposalIds(ids: readonly string[]): Promise<ReviewRow[]> {
    return this.db.query<ReviewRow>(`SELECT ${REVIEW_COLUMNS} FROM proposal_reviews v WHERE v.proposal_id = ANY($1::bigint[]) ORDER BY v.created_at, v.id`, [ids]);
  }

  /** The audit log, newest first, optionally of one line. */
  async changes(line: string | null | undefined, first: number | undefined, after: string | undefined) {
    const limit = pageSize(first, this.pageLimits);
    const before = after ? String(decodeCursor(after, 1)[0]) : null;
    if (before !== null && !isRowId(before)) throw new BadInputError("The cursor is not valid for this list; pass an endCursor from the same query.", { field: "after" });
    const rows = await this.db.query<ModelChangeRow>(
      `SELECT ${CHANGE_COLUMNS} FROM model_changes c WHERE ($1::text IS NULL OR c.line = $1) AND ($2::bigint IS NULL OR c.id < $2) ORDER BY c.id DESC LIMIT $3`,
      [line ?? null, before, limit + 1]);
    const page = toPage(rows, limit, after, (r) => encodeCursor([r.id]), (r) => r);
    return withLazyCount(page, () => this.db.query<{ n: number }>("SELECT count(*)::int AS n FROM model_changes c WHERE ($1::text IS NULL OR c.line = $1)", [line ?? null]).then((r) => r[0]!.n));
  }

  /** The proposal's impact as of now (computed, never stored: the stored one stays the proposal's record). */
  async impactNow(proposalIdArg: string): Promise<ImpactData | null> {
    const proposalId = decodeId(proposalIdArg, "WeightProposal");
    if (proposalId === null) return null;
    const rows = await this.db.query<{ name: string; definition: ModelDefinition }>(
      "SELECT m.name, m.definition FROM weight_proposals p JOIN scoring_models m ON m.id = p.proposed_model_id WHERE p.id = $1", [proposalId]);
    const model = rows[0];
    if (!model) return null;
    return this.db.tx((client) => computeImpact(client, model.name, model.definition, new Date()));
  }
}

async function modelFor(client: PoolClient, id: string): Promise<Pick<ModelRow, "id" | "name" | "version" | "status" | "definition">> {
  const { rows } = await client.query<Pick<ModelRow, "id" | "name" | "version" | "status" | "definition">>(
    "SELECT id::text, name, version, status, definition FROM scoring_models WHERE id = $1", [id]);
  if (!rows[0]) throw new NotFoundError("Scoring model", id);
  return rows[0];
}

function checkedComment(comment: string, hint: string): string {
  const text = comment.trim();
  if (text === "") throw new BadInputError(`The comment is blank. ${hint}`, { field: "comment" });
  if (text.length > MAX_COMMENT) throw new BadInputError(`A comment may be at most ${MAX_COMMENT.toLocaleString("en-US")} characters (got ${text.length}).`, { field: "comment" });
  return text;
}

/** A hand-written draft's details: its weights against the ACTIVE version's; nothing measured. */
function submittedDetails(active: ModelDefinition | null, draft: ModelDefinition): ProposalDetails {
  const w = (d: ModelDefinition | null, k: "fit" | "engagement" | "intent" | "committee") => (d ?? draft).weights[k];
  return {
    changes: [],
    componentWeights: (["fit", "engagement", "intent", "committee"] as const).map((k) => ({ component: k.toUpperCase() as "FIT", before: w(active, k), after: draft.weights[k] })),
    engagedThreshold: { before: (active ?? draft).committee.engagedThreshold, after: draft.committee.engagedThreshold },
    pointsPerLogOdds: 0,
    cutoffs: [],
    winRateByBand: [],
    suggestedCriteria: [],
    outcome: "UNKNOWN",
    verdict: "Hand-written: not measured on closed deals, so whether it is better is unknown.",
  };
}

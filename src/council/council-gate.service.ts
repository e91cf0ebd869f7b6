import type { PoolClient } from "pg";
import type { Principal } from "../auth/api-key.service";
import { Role } from "../auth/roles";
import { BadInputError, ConflictError, ForbiddenError } from "../platform/errors/errors";

/** Who asks for an activation, and an ADMIN's break-glass reason. */
export interface ActivationRequest {
  readonly principal: Principal | null;
  /** ADMIN only: activate without an approved proposal, for this reason (recorded as BREAK_GLASS). */
  readonly override?: string | null;
}

/** The kinds of `model_changes` rows (the table's CHECK). */
export type ModelChangeKind = "ACTIVATED" | "APPROVED" | "REJECTED" | "SUBMITTED" | "ROLLBACK" | "BREAK_GLASS";

/** One audit row; `previous_model_id` is filled in with the line's ACTIVE version at the time. */
export interface ModelChangeRecord {
  readonly line: string;
  readonly kind: ModelChangeKind;
  readonly modelId: string;
  readonly proposalId?: string | null;
  /** Null for Quorum itself (the shipped default model, seeds). */
  readonly actor: { readonly keyId: string | null; readonly name: string; readonly role: string } | null;
  readonly reason?: string | null;
  readonly comment?: string | null;
}

/** A proposal's decisions as the gate counts them. */
export interface ProposalTally {
  /** Distinct COUNCIL keys that approved, other than the author (and, for a NOT_RECOMMENDED proposal, that acknowledged it). */
  readonly approvals: number;
  /** COUNCIL approvals that do not count because they did not acknowledge a NOT_RECOMMENDED proposal. */
  readonly unacknowledged: number;
  /** COUNCIL rejections, oldest first: any one vetoes. */
  readonly rejections: readonly { readonly reviewer: string; readonly comment: string; readonly at: Date }[];
}

const MAX_REASON = 2_000;

/**
 * The council's gate (DESIGN §9), run inside the transaction that switches a line's ACTIVE
 * version, after the line lock (`lockLine`) and before the switch. A version goes live only
 * when one of these holds, and the `model_changes` row saying which is written in the same
 * transaction:
 *
 * - `ROLLBACK`: it was ACTIVE before (a COUNCIL or ADMIN key; no new proposal);
 * - `ACTIVATED`: its proposal has `approvalsNeeded` distinct COUNCIL approvals, none from its
 *   author, each acknowledging a NOT_RECOMMENDED proposal, and no COUNCIL REJECT;
 * - `BREAK_GLASS`: an ADMIN key with a non-blank `override` reason.
 *
 * Otherwise it throws a CONFLICT that says what is missing (or FORBIDDEN for an override
 * without ADMIN). The proposal row is locked (FOR UPDATE), so a review racing the activation
 * either lands before the count or finds the reviews closed.
 */
export class CouncilGate {
  constructor(readonly approvalsNeeded: number) {}

  async authorise(
    client: PoolClient,
    model: { readonly id: string; readonly name: string; readonly version: number; readonly activatedAt: Date | null },
    request: ActivationRequest,
  ): Promise<ModelChangeKind> {
    const { principal } = request;
    if (!principal) throw new ForbiddenError("Activating a model needs an API key with role COUNCIL or ADMIN.");
    const actor = { keyId: principal.keyId, name: principal.name, role: principal.role };
    const label = `${model.name} v${model.version}`;
    if (request.override !== undefined && request.override !== null) {
      const reason = request.override.trim();
      if (reason === "") throw new BadInputError("override must say why the council is bypassed (e.g. \"v7 scores every account 0; restoring service\"), or omit it.", { field: "override" });
      if (reason.length > MAX_REASON) throw new BadInputError(`override may be at most ${MAX_REASON} characters (got ${reason.length}).`, { field: "override" });
      if (principal.role !== Role.ADMIN) {
        throw new ForbiddenError(`override (break-glass activation) needs an ADMIN key; "${principal.name}" has role ${principal.role}. Without it, ${label} needs an approved proposal.`);
      }
      const proposal = await proposalOf(client, model.id);
      await recordModelChange(client, { line: model.name, kind: "BREAK_GLASS", modelId: model.id, proposalId: proposal?.id ?? null, actor, reason });
      return "BREAK_GLASS";
    }

    const wasActive = model.activatedAt !== null || (await client.query(
      "SELECT 1 FROM model_changes WHERE model_id = $1 AND kind IN ('ACTIVATED', 'ROLLBACK', 'BREAK_GLASS') LIMIT 1", [model.id])).rowCount! > 0;
    if (wasActive) {
      if (principal.role !== Role.COUNCIL && principal.role !== Role.ADMIN) {
        throw new ForbiddenError(`Rolling back to ${label} needs a COUNCIL key; "${principal.name}" has role ${principal.role}.`);
      }
      const proposal = await proposalOf(client, model.id);
      await recordModelChange(client, { line: model.name, kind: "ROLLBACK", modelId: model.id, proposalId: proposal?.id ?? null, actor, reason: `rollback to ${label}, which was ACTIVE before` });
      return "ROLLBACK";
    }

    const proposal = await proposalOf(client, model.id, true);
    if (!proposal) {
      throw new ConflictError(
        `${label} has no proposal, so the council has not approved it: submit it with submitModelForReview(id: "${model.id}", comment: "…") and get ${this.approvalsNeeded} COUNCIL approval${this.approvalsNeeded === 1 ? "" : "s"}, or (ADMIN, in an emergency) activate it with override: "<reason>".`,
        { missing: "proposal" });
    }
    const tally = await tallyReviews(client, proposal.id);
    const veto = tally.rejections[0];
    if (veto) {
      throw new ConflictError(
        `Proposal ${proposal.id} for ${label} was REJECTED by ${veto.reviewer} (${veto.at.toISOString()}: "${veto.comment}"); a REJECT vetoes activation. Propose a new version instead.`,
        { missing: "no REJECT", rejectedBy: veto.reviewer });
    }
    const missing = this.approvalsNeeded - tally.approvals;
    if (missing > 0) {
      const unack = tally.unacknowledged > 0
        ? ` (${tally.unacknowledged} approval${tally.unacknowledged === 1 ? " does" : "s do"} not count: the proposal is NOT_RECOMMENDED and ${tally.unacknowledged === 1 ? "it" : "they"} did not set acknowledgeNotRecommended)` : "";
      throw new ConflictError(
        `Proposal ${proposal.id} for ${label} needs ${missing} more COUNCIL approval${missing === 1 ? "" : "s"}: it has ${tally.approvals} of ${this.approvalsNeeded}${unack}. Approvals count from distinct COUNCIL keys other than the one that ${proposal.kind === "TRAINED" ? "started the training run" : "submitted the draft"}.`,
        { missing: "approvals", approvals: tally.approvals, needed: this.approvalsNeeded });
    }
    await recordModelChange(client, { line: model.name, kind: "ACTIVATED", modelId: model.id, proposalId: proposal.id, actor });
    return "ACTIVATED";
  }

  /** The stored status a proposal's reviews give it: any REJECT vetoes; enough approvals approve. */
  statusOf(tally: ProposalTally): "PENDING" | "APPROVED" | "REJECTED" {
    return tally.rejections.length > 0 ? "REJECTED" : tally.approvals >= this.approvalsNeeded ? "APPROVED" : "PENDING";
  }
}

async function proposalOf(client: PoolClient, modelId: string, lock = false): Promise<{ id: string; kind: "TRAINED" | "SUBMITTED" } | null> {
  const { rows } = await client.query<{ id: string; kind: "TRAINED" | "SUBMITTED" }>(
    `SELECT id::text, kind FROM weight_proposals WHERE proposed_model_id = $1${lock ? " FOR UPDATE" : ""}`, [modelId]);
  return rows[0] ?? null;
}

/** Counts a proposal's reviews the way the gate does (see `ProposalTally`). */
export async function tallyReviews(client: PoolClient, proposalId: string): Promise<ProposalTally> {
  const { rows } = await client.query<{ approvals: number; unacknowledged: number; rejections: { reviewer: string; comment: string; at: string }[] | null }>(
    `SELECT count(DISTINCT v.api_key_id) FILTER (WHERE v.decision = 'APPROVE' AND (p.recommendation <> 'NOT_RECOMMENDED' OR v.acknowledged_not_recommended))::int AS approvals,
            count(DISTINCT v.api_key_id) FILTER (WHERE v.decision = 'APPROVE' AND p.recommendation = 'NOT_RECOMMENDED' AND NOT v.acknowledged_not_recommended)::int AS unacknowledged,
            json_agg(json_build_object('reviewer', v.reviewer, 'comment', v.comment, 'at', v.created_at) ORDER BY v.created_at, v.id)
              FILTER (WHERE v.decision = 'REJECT') AS rejections
       FROM weight_proposals p
       LEFT JOIN proposal_reviews v ON v.proposal_id = p.id AND v.reviewer_role = 'COUNCIL' AND v.api_key_id IS NOT NULL
                                   AND v.api_key_id IS DISTINCT FROM p.author_key_id
      WHERE p.id = $1
      GROUP BY p.id`, [proposalId]);
  const r = rows[0] ?? { approvals: 0, unacknowledged: 0, rejections: null };
  return { approvals: r.approvals, unacknowledged: r.unacknowledged, rejections: (r.rejections ?? []).map((x) => ({ ...x, at: new Date(x.at) })) };
}

/** Writes one `model_changes` row in the caller's transaction. */
export async function recordModelChange(client: PoolClient, change: ModelChangeRecord): Promise<void> {
  await client.query(
    `INSERT INTO model_changes (line, kind, model_id, previous_model_id, proposal_id, actor_key_id, actor_name, actor_role, reason, comment)
     SELECT $1, $2, $3, (SELECT id FROM scoring_models WHERE name = $1 AND status = 'ACTIVE' LIMIT 1), $4, $5, $6, $7, $8, $9`,
    [change.line, change.kind, change.modelId, change.proposalId ?? null, change.actor?.keyId ?? null, change.actor?.name ?? "quorum",
      change.actor?.role ?? "SYSTEM", change.reason ?? null, change.comment ?? null]);
}

import { gql, type GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import type { TestServer } from "./server";

export const SUBMIT = gql`mutation Submit($id: ID!, $comment: String!) {
  submitModelForReview(id: $id, comment: $comment) { id kind status recommendation author comment approvalsNeeded approvals approvalsMissing }
}`;
export const COUNCIL_REVIEW = gql`mutation CouncilReview($id: ID!, $decision: ReviewDecision!, $comment: String!, $ack: Boolean) {
  reviewWeightProposal(id: $id, decision: $decision, comment: $comment, acknowledgeNotRecommended: $ack) {
    id status recommendation approvals approvalsMissing reviews { reviewer reviewerKeyId reviewerRole decision comment acknowledgedNotRecommended createdAt }
  }
}`;
export const ACTIVATE_WITH = gql`mutation ActivateWith($id: ID!, $override: String) { activateScoringModel(id: $id, override: $override) { id name version status } }`;
export const MODEL_CHANGES = gql`query Changes($line: String, $first: Int, $after: String) {
  modelChanges(line: $line, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { at kind line actor { keyId keyName role } model { id version } previousModel { id version } proposal { id } reason comment } }
  }
}`;

export interface ChangeNode {
  at: string; kind: string; line: string; actor: { keyId: string | null; keyName: string | null; role: string | null };
  model: { id: string; version: number }; previousModel: { id: string; version: number } | null; proposal: { id: string } | null; reason: string | null; comment: string | null;
}

/** A client authenticated as a new API key of its own (tests need several COUNCIL keys). */
export async function keyClient(server: TestServer, name: string, role: Role): Promise<{ client: GraphQLClient; keyId: string }> {
  const { apiKey, key } = await server.app.services.apiKeys.create(name, role);
  return { client: server.rawClient(`Bearer ${key}`), keyId: String(apiKey.id) };
}

/**
 * The council's way to put a DRAFT live: submitted by an ANALYST key, approved by as many
 * distinct COUNCIL keys as the server needs, activated by one of them. Returns the proposal id.
 */
export async function activateThroughCouncil(server: TestServer, modelId: string, opts: { reason?: string } = {}): Promise<string> {
  const { proposalId, approver } = await approveThroughCouncil(server, modelId, opts);
  await approver.request(ACTIVATE_WITH, { id: modelId });
  return proposalId;
}

/**
 * Submits a draft and has `councilApprovals` COUNCIL keys approve it, without activating it:
 * for tests that activate themselves (e.g. while reading concurrently). Returns the proposal
 * and the last approver, a COUNCIL key that may activate it.
 */
export async function approveThroughCouncil(server: TestServer, modelId: string, opts: { reason?: string } = {}): Promise<{ proposalId: string; approver: GraphQLClient }> {
  const analyst = await server.client(Role.ANALYST);
  const submitted = await analyst.request<{ submitModelForReview: { id: string } }>(SUBMIT, { id: modelId, comment: opts.reason ?? "test set-up: put this version live" });
  const proposalId = submitted.submitModelForReview.id;
  let last: GraphQLClient | null = null;
  for (let i = 0; i < server.config.councilApprovals; i++) {
    const { client } = await keyClient(server, `council-approver-${modelId}-${i}`, Role.COUNCIL);
    await client.request(COUNCIL_REVIEW, { id: proposalId, decision: "APPROVE", comment: "approved for the test set-up" });
    last = client;
  }
  return { proposalId, approver: last! };
}

/** The audit log of a line, oldest first. */
export async function changesOf(client: GraphQLClient, line: string): Promise<ChangeNode[]> {
  const res = await client.request<{ modelChanges: { edges: { node: ChangeNode }[] } }>(MODEL_CHANGES, { line, first: 500 });
  return res.modelChanges.edges.map((e) => e.node).reverse();
}

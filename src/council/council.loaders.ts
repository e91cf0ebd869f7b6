import { alignToKeys, groupBy, type Loaders } from "../platform/graphql/loaders";
import type { Services } from "../platform/services";
import type { ProposalRow, ReviewRow } from "../training/training.service";

/** Proposals by id, per request (the audit log's `proposal`). */
export function proposalById(loaders: Loaders, services: Services) {
  return loaders.get<string, ProposalRow | null>("proposalById", undefined, async (ids) =>
    alignToKeys(ids, await services.council.proposalsByIds(ids), (p) => p.id));
}

/** A proposal's reviews, oldest first (the same loader the training resolvers use). */
export function reviewsByProposalId(loaders: Loaders, services: Services) {
  return loaders.get<string, ReviewRow[]>("reviewsByProposalId", undefined, async (ids) =>
    groupBy(ids, await services.council.reviewsByProposalIds(ids), (r) => r.proposalId));
}

import { alignToKeys, groupBy, type Loaders } from "../platform/graphql/loaders";
import type { Services } from "../platform/services";
import type { ProposalRow, ReviewRow, TrainingRunRow } from "./training.service";

/** A run's proposal (at most one), per request. */
export function proposalByRunId(loaders: Loaders, services: Services) {
  return loaders.get<string, ProposalRow | null>("proposalByRunId", undefined, async (ids) =>
    alignToKeys(ids, await services.training.proposalsByRunIds(ids), (p) => p.trainingRunId));
}

/** A proposal's reviews, oldest first. */
export function reviewsByProposalId(loaders: Loaders, services: Services) {
  return loaders.get<string, ReviewRow[]>("reviewsByProposalId", undefined, async (ids) =>
    groupBy(ids, await services.training.reviewsByProposalIds(ids), (r) => r.proposalId));
}

export function trainingRunById(loaders: Loaders, services: Services) {
  return loaders.get<string, TrainingRunRow | null>("trainingRunById", undefined, async (ids) =>
    alignToKeys(ids, await services.training.byIds(ids), (r) => r.id));
}

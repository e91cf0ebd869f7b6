import { Arg, Authorized, Ctx, ID, Query, Resolver } from "type-graphql";
import { Permission } from "../auth/roles";
import { BadInputError } from "../platform/errors/errors";
import type { RequestContext } from "../platform/graphql/context";
import { parseGlobalId } from "../platform/graphql/global-id";
import { Node } from "../platform/graphql/node.type";
import { toScoringModel } from "../scoring/scoring-model.type";
import { toTrainingRun, toWeightProposal } from "../training/training.type";

type Loaded = { id: string } & object;
/** Loads rows of one Node type by database id; rows come back in any order, missing ones left out. */
type NodeLoader = (ctx: RequestContext, rowIds: readonly string[]) => Promise<Loaded[]>;

const one = (load: (ctx: RequestContext, rowId: string) => Promise<Loaded | null>): NodeLoader =>
  async (ctx, rowIds) => (await Promise.all(rowIds.map((id) => load(ctx, id)))).filter((r): r is Loaded => r !== null);

/**
 * How each `Node` type is fetched, through its feature's service (the same reads as its own root
 * field). A new Node type adds a line here.
 */
const LOADERS: Record<string, NodeLoader> = {
  Account: (ctx, ids) => ctx.services.accounts.byIds(ids),
  Contact: (ctx, ids) => ctx.services.contacts.byIds(ids),
  Deal: (ctx, ids) => ctx.services.accounts.dealsByIds(ids),
  ScoringModel: one(async (ctx, id) => { const row = await ctx.services.scoringModels.byId(id); return row && toScoringModel(row); }),
  ScoringRun: one((ctx, id) => ctx.services.scoring.runById(id)),
  TrainingRun: async (ctx, ids) => (await ctx.services.training.byIds(ids)).map(toTrainingRun),
  WeightProposal: one(async (ctx, id) => { const row = await ctx.services.training.proposalById(id); return row && toWeightProposal(row, ctx.services.council.approvalsNeeded); }),
};

/** Relay's refetch entry points: any object with an identity, by its global id. */
@Resolver()
export class NodeResolver {
  @Authorized(Permission.READ)
  @Query(() => Node, { nullable: true, description: "Any object by its global id (null when it does not exist, or the id is not a global id)." })
  async node(@Arg("id", () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Loaded | null> {
    return (await loadNodes(ctx, [id]))[0] ?? null;
  }

  @Authorized(Permission.READ)
  @Query(() => [Node], { nullable: "items", description: "Objects by global id, in the order asked (null where one does not exist)." })
  nodes(@Arg("ids", () => [ID]) ids: string[], @Ctx() ctx: RequestContext): Promise<(Loaded | null)[]> {
    if (ids.length > ctx.config.pageSize.max) throw new BadInputError(`nodes takes at most ${ctx.config.pageSize.max} ids (got ${ids.length}); ask in pages.`, { field: "ids" });
    return loadNodes(ctx, ids);
  }
}

/** One statement (or a few) per type asked for, results aligned to the ids, each tagged with its type. */
async function loadNodes(ctx: RequestContext, ids: readonly string[]): Promise<(Loaded | null)[]> {
  const parsed = ids.map(parseGlobalId);
  const byType = new Map<string, Set<string>>();
  for (const p of parsed) if (p && LOADERS[p.type]) (byType.get(p.type) ?? byType.set(p.type, new Set()).get(p.type)!).add(p.rowId);
  const found = new Map<string, Loaded>();
  await Promise.all([...byType].map(async ([type, rowIds]) => {
    for (const row of await LOADERS[type]!(ctx, [...rowIds])) found.set(`${type}:${row.id}`, Object.assign(row, { __typename: type }));
  }));
  return parsed.map((p) => (p ? found.get(`${p.type}:${p.rowId}`) ?? null : null));
}

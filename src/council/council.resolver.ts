import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { Permission } from "../auth/roles";
import { BadInputError } from "../platform/errors/errors";
import type { RequestContext } from "../platform/graphql/context";
import { decodeCursor, encodeCursor, pageSize } from "../platform/graphql/connection";
import { modelById } from "../scoring/score.loaders";
import { ScoringModel, toScoringModel } from "../scoring/scoring-model.type";
import { ProposalStatus, ReviewDecision, toWeightProposal, WeightProposal } from "../training/training.type";
import { proposalById, reviewsByProposalId } from "./council.loaders";
import type { ModelChangeRow } from "./council.service";
import { ModelChange, ModelChangeConnection, ModelChangeKind, ProposalImpact, TargetMove, WeightProposalConnection } from "./council.type";
import type { ImpactData } from "./impact.sql";

@ArgsType()
class ModelChangesArgs {
  @Field(() => String, { nullable: true, description: "One model line; every line when omitted." }) line?: string;
  @Field(() => Int, { nullable: true }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
}

@ArgsType()
class WeightProposalsArgs {
  @Field(() => ProposalStatus, { nullable: true }) status?: ProposalStatus;
  @Field(() => String, { nullable: true, description: "Proposals of one model line." }) line?: string;
  @Field(() => Int, { nullable: true }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
}

@Resolver()
export class CouncilResolver {
  @Authorized(Permission.READ)
  @Query(() => ModelChangeConnection, { description: "The council's audit log, newest first: who activated, approved, rejected, submitted, rolled back or broke glass, when and why." })
  async modelChanges(@Args(() => ModelChangesArgs) args: ModelChangesArgs, @Ctx() ctx: RequestContext): Promise<ModelChangeConnection> {
    const page = await ctx.services.council.changes(args.line, args.first, args.after);
    return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: toModelChange(e.node) })), totalCount: page.totalCount };
  }

  @Authorized(Permission.READ)
  @Query(() => WeightProposalConnection, { description: "Proposals (trained and submitted), newest first." })
  async weightProposals(@Args(() => WeightProposalsArgs) args: WeightProposalsArgs, @Ctx() ctx: RequestContext): Promise<WeightProposalConnection> {
    const page = await ctx.services.council.proposals({ status: args.status, line: args.line }, args.first, args.after);
    const needed = ctx.services.council.approvalsNeeded;
    return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: toWeightProposal(e.node, needed) })), totalCount: page.totalCount };
  }

  @Authorized(Permission.READ)
  @Query(() => ProposalImpact, { nullable: true, description: "A proposal's impact computed now (the stored WeightProposal.impact is as of when it was made). Scores every account once: seconds on a large database." })
  async proposalImpact(@Arg("id", () => ID) id: string, @Ctx() ctx: RequestContext): Promise<ProposalImpact | null> {
    const impact = await ctx.services.council.impactNow(id);
    return impact ? toProposalImpact(impact) : null;
  }

  @Authorized(Permission.ANALYZE)
  @Mutation(() => WeightProposal, {
    description: "Puts a hand-written DRAFT up for the council's review, with a comment saying what it changes and why. Its impact preview is computed now. The submitting key cannot review it.",
  })
  async submitModelForReview(@Arg("id", () => ID, { description: "The DRAFT model version." }) id: string, @Arg("comment", () => String) comment: string, @Ctx() ctx: RequestContext): Promise<WeightProposal> {
    return toWeightProposal(await ctx.services.council.submit(id, comment, ctx.auth.principal), ctx.services.council.approvalsNeeded);
  }

  @Authorized(Permission.REVIEW)
  @Mutation(() => WeightProposal, {
    description: "A COUNCIL key's decision on a proposal, with a comment (one per key; not the key that started the run or submitted the draft). APPROVED needs COUNCIL_APPROVALS approvals and no REJECT; a REJECT vetoes until the version is activated. Approving a NOT_RECOMMENDED proposal needs acknowledgeNotRecommended: true.",
  })
  async reviewWeightProposal(
    @Arg("id", () => ID) id: string,
    @Arg("decision", () => ReviewDecision) decision: ReviewDecision,
    @Arg("comment", () => String) comment: string,
    @Arg("acknowledgeNotRecommended", () => Boolean, { nullable: true, defaultValue: false, description: "Required (true) to approve a NOT_RECOMMENDED proposal." }) acknowledgeNotRecommended: boolean,
    @Ctx() ctx: RequestContext,
  ): Promise<WeightProposal> {
    const row = await ctx.services.council.review(id, decision, comment, acknowledgeNotRecommended ?? false, ctx.auth.principal);
    return toWeightProposal(row, ctx.services.council.approvalsNeeded);
  }
}

@Resolver(() => WeightProposal)
export class ProposalCouncilResolver {
  @FieldResolver(() => ProposalImpact, { nullable: true, description: "The impact preview stored when the proposal was made (proposalImpact(id) computes it as of now)." })
  impact(@Root() p: WeightProposal): ProposalImpact | null {
    return p.storedImpact ? toProposalImpact(p.storedImpact as ImpactData) : null;
  }

  @FieldResolver(() => Int, { description: "Approvals that count toward approvalsNeeded: distinct COUNCIL keys, not the author, acknowledging a NOT_RECOMMENDED proposal." })
  async approvals(@Root() p: WeightProposal, @Ctx() ctx: RequestContext): Promise<number> {
    return counted(p, await reviewsByProposalId(ctx.loaders, ctx.services).load(p.id)).approvals;
  }

  @FieldResolver(() => Int, { description: "Approvals still needed before the version can be activated (0 when approved; a REJECT vetoes regardless)." })
  async approvalsMissing(@Root() p: WeightProposal, @Ctx() ctx: RequestContext): Promise<number> {
    return Math.max(0, p.approvalsNeeded - counted(p, await reviewsByProposalId(ctx.loaders, ctx.services).load(p.id)).approvals);
  }
}

@Resolver(() => ModelChange)
export class ModelChangeResolver {
  @FieldResolver(() => ScoringModel, { description: "The version the change is about." })
  async model(@Root() c: ModelChange, @Ctx() ctx: RequestContext): Promise<ScoringModel> {
    return toScoringModel((await modelById(ctx.loaders).load(c.modelId))!);
  }

  @FieldResolver(() => ScoringModel, { nullable: true, description: "The line's ACTIVE version when the change was made." })
  async previousModel(@Root() c: ModelChange, @Ctx() ctx: RequestContext): Promise<ScoringModel | null> {
    const row = c.previousModelId ? await modelById(ctx.loaders).load(c.previousModelId) : null;
    return row ? toScoringModel(row) : null;
  }

  @FieldResolver(() => WeightProposal, { nullable: true })
  async proposal(@Root() c: ModelChange, @Ctx() ctx: RequestContext): Promise<WeightProposal | null> {
    const row = c.proposalId ? await proposalById(ctx.loaders, ctx.services).load(c.proposalId) : null;
    return row ? toWeightProposal(row, ctx.services.council.approvalsNeeded) : null;
  }
}

@Resolver(() => ProposalImpact)
export class ProposalImpactResolver {
  @FieldResolver(() => [TargetMove], { description: "Target accounts that change band, by domain." })
  targetMoves(
    @Root() impact: ProposalImpact,
    @Ctx() ctx: RequestContext,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ): TargetMove[] {
    const limit = pageSize(first, ctx.config.pageSize);
    let start = 0;
    if (after) {
      const [domain] = decodeCursor(after, 1);
      if (typeof domain !== "string") throw new BadInputError("The cursor is not valid for targetMoves; pass a cursor of a TargetMove.", { field: "after" });
      start = impact.moves.findIndex((m) => m.domain > domain);
      if (start < 0) start = impact.moves.length;
    }
    return impact.moves.slice(start, start + limit).map((m) => ({ ...m, cursor: encodeCursor([m.domain]) }));
  }
}

function toModelChange(r: ModelChangeRow): ModelChange {
  return {
    id: r.id, at: r.at, kind: r.kind as ModelChangeKind, line: r.line, reason: r.reason, comment: r.comment,
    actor: { keyId: r.actorKeyId, keyName: r.actorName, role: r.actorRole },
    modelId: r.modelId, previousModelId: r.previousModelId, proposalId: r.proposalId,
  };
}

function toProposalImpact(i: ImpactData): ProposalImpact {
  return {
    asOf: new Date(i.asOf), activeModelId: i.activeModelId, accounts: i.accounts, bandMatrix: [...i.bandMatrix],
    targetMovesCount: i.targetMoves.length, newlySqa: i.newlySqa, noLongerSqa: i.noLongerSqa, newlyMqa: i.newlyMqa, noLongerMqa: i.noLongerMqa,
    slaClocksStarted: i.slaClocksStarted, moves: i.targetMoves,
  };
}

/** The gate's count (`tallyReviews`) over loaded reviews, for display. */
function counted(p: WeightProposal, reviews: readonly { reviewerKeyId: string | null; reviewerRole: string | null; decision: string; acknowledgedNotRecommended: boolean }[]) {
  const keys = new Set<string>();
  for (const r of reviews) {
    if (r.decision !== "APPROVE" || r.reviewerRole !== "COUNCIL" || r.reviewerKeyId === null || r.reviewerKeyId === p.authorKeyId) continue;
    if (p.recommendation === "NOT_RECOMMENDED" && !r.acknowledgedNotRecommended) continue;
    keys.add(r.reviewerKeyId);
  }
  return { approvals: keys.size };
}

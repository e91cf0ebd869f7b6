import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { Permission } from "../auth/roles";
import type { RequestContext } from "../platform/graphql/context";
import { JSONObject } from "../platform/graphql/scalars";
import { modelById } from "../scoring/score.loaders";
import { ScoringModel, toScoringModel } from "../scoring/scoring-model.type";
import { proposalByRunId, reviewsByProposalId, trainingRunById } from "./training.loaders";
import {
  ProposalReview, ReviewDecision, toTrainingRun, toWeightProposal, TrainingRun, TrainingRunConnection, TrainingRunInput, WeightProposal,
} from "./training.type";
import { trainingRunView, type TrainingRunView } from "./training-report";

@ArgsType()
class TrainingRunsArgs {
  @Field(() => Int, { nullable: true }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
}

@Resolver()
export class TrainingResolver {
  @Authorized(Permission.ANALYZE)
  @Mutation(() => TrainingRun, { description: "Starts a training run in the background and returns it QUEUED; poll trainingRun(id) for status, progress and results." })
  async startTrainingRun(@Arg("input", () => TrainingRunInput) input: TrainingRunInput, @Ctx() ctx: RequestContext): Promise<TrainingRun> {
    return toTrainingRun(await ctx.services.training.start(input, ctx.auth.principal?.name ?? null, ctx.auth.principal?.keyId ?? null));
  }

  @Authorized(Permission.READ)
  @Query(() => TrainingRunConnection, { description: "Training runs, newest first." })
  async trainingRuns(@Args(() => TrainingRunsArgs) args: TrainingRunsArgs, @Ctx() ctx: RequestContext): Promise<TrainingRunConnection> {
    const page = await ctx.services.training.list(args.first, args.after);
    return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: toTrainingRun(e.node) })), totalCount: page.totalCount };
  }

  @Authorized(Permission.READ)
  @Query(() => TrainingRun, { nullable: true })
  async trainingRun(@Arg("id", () => ID) id: string, @Ctx() ctx: RequestContext): Promise<TrainingRun | null> {
    const row = await ctx.services.training.byId(id);
    return row ? toTrainingRun(row) : null;
  }

  @Authorized(Permission.READ)
  @Query(() => WeightProposal, { nullable: true })
  async weightProposal(@Arg("id", () => ID) id: string, @Ctx() ctx: RequestContext): Promise<WeightProposal | null> {
    const row = await ctx.services.training.proposalById(id);
    return row ? toWeightProposal(row, ctx.services.council.approvalsNeeded) : null;
  }
}

@Resolver(() => TrainingRun)
export class TrainingRunResolver {
  @FieldResolver(() => ScoringModel, { description: "The model version the run re-weights." })
  async baseModel(@Root() run: TrainingRun, @Ctx() ctx: RequestContext): Promise<ScoringModel> {
    return toScoringModel((await modelById(ctx.loaders).load(run.baseModelId))!);
  }

  @FieldResolver(() => WeightProposal, { nullable: true, description: "The proposed re-weighting (null until SUCCEEDED, or when no criterion had a clearly positive effect)." })
  async proposal(@Root() run: TrainingRun, @Ctx() ctx: RequestContext): Promise<WeightProposal | null> {
    const row = await proposalByRunId(ctx.loaders, ctx.services).load(run.id);
    return row ? toWeightProposal(row, ctx.services.council.approvalsNeeded) : null;
  }

  @FieldResolver(() => JSONObject, { description: "Everything on the record of this run as one JSON document, for tools (what `quorum train --json` prints)." })
  async report(@Root() run: TrainingRun, @Ctx() ctx: RequestContext): Promise<TrainingRunView> {
    const proposal = await proposalByRunId(ctx.loaders, ctx.services).load(run.id);
    const [base, proposed, reviews] = await Promise.all([
      modelById(ctx.loaders).load(run.baseModelId),
      proposal ? modelById(ctx.loaders).load(proposal.proposedModelId) : null,
      proposal ? reviewsByProposalId(ctx.loaders, ctx.services).load(proposal.id) : [],
    ]);
    return trainingRunView(run.row, base, proposal, proposed, reviews);
  }
}

@Resolver(() => WeightProposal)
export class WeightProposalResolver {
  @FieldResolver(() => ScoringModel, { description: "The proposed DRAFT version (a new version of the base model's line)." })
  async proposedModel(@Root() p: WeightProposal, @Ctx() ctx: RequestContext): Promise<ScoringModel> {
    return toScoringModel((await modelById(ctx.loaders).load(p.proposedModelId))!);
  }

  @FieldResolver(() => TrainingRun, { nullable: true, description: "The run that proposed it (null for a SUBMITTED draft)." })
  async trainingRun(@Root() p: WeightProposal, @Ctx() ctx: RequestContext): Promise<TrainingRun | null> {
    if (p.trainingRunId === null) return null;
    return toTrainingRun((await trainingRunById(ctx.loaders, ctx.services).load(p.trainingRunId))!);
  }

  @FieldResolver(() => [ProposalReview], { description: "The council's decisions, oldest first." })
  async reviews(@Root() p: WeightProposal, @Ctx() ctx: RequestContext): Promise<ProposalReview[]> {
    return (await reviewsByProposalId(ctx.loaders, ctx.services).load(p.id)).map((r) => ({ ...r, decision: r.decision as ReviewDecision }));
  }
}

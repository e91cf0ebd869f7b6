import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { accountById } from "../accounts/account.loaders";
import type { AccountRow } from "../accounts/account.row";
import { Account } from "../accounts/account.type";
import { Permission } from "../auth/roles";
import type { RequestContext } from "../platform/graphql/context";
import { BandTransition, BandTransitionConnection, SlaStatus, TransitionKind } from "./band-transition.type";
import { DEFAULT_MODEL_NAME } from "./latest-run";
import { modelById } from "./score.loaders";
import { BandCount, RunKind, RunStatus, ScoringRun, ScoringRunConnection } from "./score.type";
import { ModelStatus, ScoringModel, toScoringModel } from "./scoring-model.type";
import { ScoringModelInput } from "./scoring-model.input";
import { bandCounts } from "./scoring.service";
import type { StoredBandCount } from "./scoring-run.service";

@ArgsType()
class ScoringRunsArgs {
  @Field(() => Int, { nullable: true }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
  @Field(() => ID, { nullable: true, description: "Only runs of this model version." }) modelId?: string;
  @Field(() => RunStatus, { nullable: true }) status?: RunStatus;
  @Field(() => RunKind, { nullable: true, description: "Only FULL or only INCREMENTAL runs." }) kind?: RunKind;
}

@ArgsType()
class BandTransitionsArgs {
  @Field(() => Date) since!: Date;
  @Field(() => Date, { nullable: true }) until?: Date;
  @Field(() => Int, { nullable: true }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
  @Field(() => [String], { nullable: true, description: "Only BAND transitions into these bands." }) band?: string[];
  @Field(() => TransitionKind, { nullable: true }) kind?: TransitionKind;
  @Field(() => [SlaStatus], { nullable: true }) slaStatus?: SlaStatus[];
  @Field(() => Boolean, { nullable: true, defaultValue: true, description: "false leaves holdout accounts out." }) includeHoldout?: boolean;
  @Field(() => String, { nullable: true, description: "The model line; \"default\" when omitted." }) model?: string;
  @Field(() => ID, { nullable: true }) accountId?: string;
}

@ArgsType()
class SlaBreachesArgs {
  @Field(() => Date, { nullable: true, description: "30 days ago when omitted." }) since?: Date;
  @Field(() => Int, { nullable: true }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
  @Field(() => String, { nullable: true }) model?: string;
  @Field(() => Boolean, { nullable: true, defaultValue: false, description: "Holdout accounts are left alone on purpose, so by default their missed touches are not breaches." })
  includeHoldout?: boolean;
}

type RunRow = ScoringRun & { bandCounts?: StoredBandCount[] | null };

@Resolver()
export class ScoringResolver {
  @Authorized(Permission.READ)
  @Query(() => [ScoringModel], { description: "Model versions, by line then newest version first." })
  async scoringModels(
    @Arg("status", () => ModelStatus, { nullable: true }) status: ModelStatus | undefined,
    @Arg("name", () => String, { nullable: true }) name: string | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<ScoringModel[]> {
    return (await ctx.services.scoringModels.list(status, name)).map(toScoringModel);
  }

  @Authorized(Permission.READ)
  @Query(() => ScoringModel, { nullable: true })
  async scoringModel(@Arg("id", () => ID) id: string, @Ctx() ctx: RequestContext): Promise<ScoringModel | null> {
    const row = await ctx.services.scoringModels.byId(id);
    return row ? toScoringModel(row) : null;
  }

  @Authorized(Permission.READ)
  @Query(() => ScoringModel, { nullable: true, description: "The ACTIVE version of a model line (\"default\" when omitted)." })
  async activeScoringModel(@Arg("name", () => String, { nullable: true }) name: string | undefined, @Ctx() ctx: RequestContext): Promise<ScoringModel | null> {
    const row = await ctx.services.scoringModels.active(name ?? DEFAULT_MODEL_NAME);
    return row ? toScoringModel(row) : null;
  }

  @Authorized(Permission.READ)
  @Query(() => ScoringRunConnection, { description: "Scoring runs, newest first." })
  scoringRuns(@Args(() => ScoringRunsArgs) args: ScoringRunsArgs, @Ctx() ctx: RequestContext): Promise<ScoringRunConnection> {
    return ctx.services.scoring.runs(args.first, args.after, { modelId: args.modelId, status: args.status, kind: args.kind });
  }

  @Authorized(Permission.READ)
  @Query(() => ScoringRun, { nullable: true })
  scoringRun(@Arg("id", () => ID) id: string, @Ctx() ctx: RequestContext): Promise<ScoringRun | null> {
    return ctx.services.scoring.runById(id);
  }

  @Authorized(Permission.READ)
  @Query(() => [BandCount], {
    description: "Accounts per band, highest band first: the latest run of model version modelId, or of the ACTIVE version of the line model (\"default\"), at or before asOf when given.",
  })
  scoreDistribution(
    @Arg("modelId", () => ID, { nullable: true }) modelId: string | undefined,
    @Arg("asOf", () => Date, { nullable: true }) asOf: Date | undefined,
    @Arg("model", () => String, { nullable: true }) model: string | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<BandCount[]> {
    return ctx.services.scoring.distribution(modelId ?? null, asOf ?? null, model ?? DEFAULT_MODEL_NAME);
  }

  @Authorized(Permission.READ)
  @Query(() => BandTransitionConnection, { description: "Accounts entering a band or status since a time, newest first, with their SLA state." })
  bandTransitions(@Args(() => BandTransitionsArgs) args: BandTransitionsArgs, @Ctx() ctx: RequestContext): Promise<BandTransitionConnection> {
    const { first, after, ...filter } = args;
    return ctx.services.bandTransitions.list(filter, first, after);
  }

  @Authorized(Permission.READ)
  @Query(() => BandTransitionConnection, { description: "Transitions whose SLA was breached: no sales touch by the due time." })
  slaBreaches(@Args(() => SlaBreachesArgs) args: SlaBreachesArgs, @Ctx() ctx: RequestContext): Promise<BandTransitionConnection> {
    const since = args.since ?? new Date(Date.now() - 30 * 86_400_000);
    return ctx.services.bandTransitions.list({ since, model: args.model, includeHoldout: args.includeHoldout, slaStatus: [SlaStatus.BREACHED] }, args.first, args.after);
  }

  @Authorized(Permission.ANALYZE)
  @Mutation(() => ScoringModel, { description: "Stores a new version of a model line as a DRAFT." })
  async createScoringModel(@Arg("input", () => ScoringModelInput) input: ScoringModelInput, @Ctx() ctx: RequestContext): Promise<ScoringModel> {
    return toScoringModel(await ctx.services.scoringModels.create(input, ctx.auth.principal?.name ?? null));
  }

  @Authorized(Permission.REVIEW)
  @Mutation(() => ScoringModel, {
    description: "Makes a version its line's ACTIVE one and retires the previous. A DRAFT needs an APPROVED proposal (the council's gate); re-activating a version that was ACTIVE before is a rollback (COUNCIL); an ADMIN may bypass the gate with override: \"<reason>\" (recorded as BREAK_GLASS). Every activation is in modelChanges. Scores every account with the version first and switches when that run commits (reads serve the previous version until then); returns after the commit.",
  })
  async activateScoringModel(
    @Arg("id", () => ID) id: string,
    @Arg("override", () => String, { nullable: true, description: "ADMIN break-glass: why the council is bypassed (non-blank)." }) override: string | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<ScoringModel> {
    return toScoringModel(await ctx.services.scoringModels.activate(id, { principal: ctx.auth.principal, override: override ?? null }));
  }

  @Authorized(Permission.ANALYZE)
  @Mutation(() => ScoringRun, { description: "Scores every account and contact as of asOf (now) with model version modelId (the ACTIVE default model)." })
  runScoring(
    @Arg("asOf", () => Date, { nullable: true }) asOf: Date | undefined,
    @Arg("modelId", () => ID, { nullable: true }) modelId: string | undefined,
    @Arg("model", () => String, { nullable: true, description: "A model line whose ACTIVE version to run, when modelId is omitted." }) model: string | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<ScoringRun> {
    return ctx.services.scoring.run({ asOf, modelId, modelName: model, triggeredBy: ctx.auth.principal?.name ?? null });
  }
}

@Resolver(() => ScoringRun)
export class ScoringRunResolver {
  @FieldResolver(() => ScoringModel)
  async model(@Root() run: RunRow, @Ctx() ctx: RequestContext): Promise<ScoringModel> {
    return toScoringModel((await modelById(ctx.loaders).load(run.modelId))!);
  }

  @FieldResolver(() => [BandCount], { description: "Accounts per band in this run, highest band first (empty until it succeeds)." })
  async distribution(@Root() run: RunRow, @Ctx() ctx: RequestContext): Promise<BandCount[]> {
    const model = await modelById(ctx.loaders).load(run.modelId);
    return model && run.status === RunStatus.SUCCEEDED ? bandCounts(model.definition, run.bandCounts ?? []) : [];
  }
}

@Resolver(() => ScoringModel)
export class ScoringModelResolver {
  @FieldResolver(() => ScoringModel, { nullable: true, description: "The version this one was derived from." })
  async basedOn(@Root() model: ScoringModel, @Ctx() ctx: RequestContext): Promise<ScoringModel | null> {
    if (!model.basedOnId) return null;
    const row = await modelById(ctx.loaders).load(model.basedOnId);
    return row ? toScoringModel(row) : null;
  }
}

@Resolver(() => BandTransition)
export class BandTransitionResolver {
  @FieldResolver(() => Account)
  async account(@Root() t: BandTransition, @Ctx() ctx: RequestContext): Promise<AccountRow> {
    return (await accountById(ctx.loaders).load(t.accountId))!;
  }

  @FieldResolver(() => ScoringModel)
  async model(@Root() t: BandTransition, @Ctx() ctx: RequestContext): Promise<ScoringModel> {
    return toScoringModel((await modelById(ctx.loaders).load(t.modelId))!);
  }
}

import type { NonEmptyArray } from "type-graphql";
import { AccountResolver } from "../../accounts/account.resolver";
import { ApiKeyResolver } from "../../auth/api-key.resolver";
import { ContactResolver } from "../../contacts/contact.resolver";
import { CouncilResolver, ModelChangeResolver, ProposalCouncilResolver, ProposalImpactResolver } from "../../council/council.resolver";
import { IngestResolver } from "../../ingest/ingest.resolver";
import { ScheduleResolver } from "../../jobs/schedule.resolver";
import { BandKpiResolver } from "../../kpis/band-kpi.resolver";
import { HoldoutResolver } from "../../kpis/holdout.resolver";
import { NodeResolver } from "../../relay/node.resolver";
import { AccountScoreResolver, ContactScoreResolver } from "../../scoring/score.resolver";
import { BandTransitionResolver, ScoringModelResolver, ScoringResolver, ScoringRunResolver } from "../../scoring/scoring.resolver";
import { TrainingResolver, TrainingRunResolver, WeightProposalResolver } from "../../training/training.resolver";
import { WebhookResolver } from "../../webhooks/webhook.resolver";

/** Every resolver class of the API. Features add theirs here. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [
  AccountResolver,
  ContactResolver,
  ApiKeyResolver,
  IngestResolver,
  ScoringResolver,
  ScoringModelResolver,
  ScoringRunResolver,
  BandTransitionResolver,
  AccountScoreResolver,
  ContactScoreResolver,
  HoldoutResolver,
  BandKpiResolver,
  TrainingResolver, TrainingRunResolver, WeightProposalResolver,
  CouncilResolver, ProposalCouncilResolver, ModelChangeResolver, ProposalImpactResolver,
  NodeResolver,
  WebhookResolver,
  ScheduleResolver,
];

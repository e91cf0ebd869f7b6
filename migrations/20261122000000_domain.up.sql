-- Quorum domain schema (DESIGN §2). Every per-account table carries account_id so the
-- scale-out path (Citus, distributed by account_id) needs no redesign.
-- Facts whose account does not exist yet are held with account_id NULL and the natural key
-- they carry (domain, email), then stitched when the account arrives.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Accounts -----------------------------------------------------------------------------
CREATE TABLE accounts (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  domain              text NOT NULL,
  name                text NOT NULL,
  parent_id           bigint REFERENCES accounts (id) ON DELETE SET NULL,
  parent_domain       text,
  industry            text,
  employees           integer CHECK (employees >= 0),
  annual_revenue      numeric(18, 2) CHECK (annual_revenue >= 0),
  country             text,
  region              text,
  technologies        text[] NOT NULL DEFAULT '{}',
  attributes          jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(attributes) = 'object'),
  tier                text CHECK (tier IN ('A', 'B', 'C')),
  is_target           boolean NOT NULL DEFAULT false,
  is_holdout          boolean NOT NULL DEFAULT false,
  holdout_assigned_at timestamptz,
  holdout_assignment_id bigint,
  last_engaged_at     timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT accounts_domain_key UNIQUE (domain),
  CONSTRAINT accounts_domain_normalised CHECK (domain = lower(domain) AND domain <> '' AND domain !~ '\s'),
  CONSTRAINT accounts_name_present CHECK (btrim(name) <> ''),
  CONSTRAINT accounts_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id),
  CONSTRAINT accounts_holdout_dated CHECK (NOT is_holdout OR holdout_assigned_at IS NOT NULL)
);
CREATE INDEX accounts_parent_idx ON accounts (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX accounts_parent_domain_held_idx ON accounts (parent_domain) WHERE parent_domain IS NOT NULL AND parent_id IS NULL;
CREATE INDEX accounts_name_idx ON accounts (lower(name), id);
CREATE INDEX accounts_search_trgm_idx ON accounts USING gin ((lower(name) || ' ' || domain) gin_trgm_ops);
CREATE INDEX accounts_employees_idx ON accounts (employees, id);
CREATE INDEX accounts_revenue_idx ON accounts (annual_revenue, id);
CREATE INDEX accounts_last_engaged_idx ON accounts (last_engaged_at, id);
CREATE INDEX accounts_industry_idx ON accounts (industry);
CREATE INDEX accounts_country_idx ON accounts (country);

-- Contacts -----------------------------------------------------------------------------
CREATE TABLE contacts (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id     bigint REFERENCES accounts (id) ON DELETE CASCADE,
  email          text NOT NULL,
  email_domain   text NOT NULL,
  account_domain text,
  name           text,
  title          text,
  seniority      text CHECK (seniority IN ('C_LEVEL', 'VP', 'DIRECTOR', 'MANAGER', 'INDIVIDUAL_CONTRIBUTOR', 'OTHER')),
  department     text,
  role           text CHECK (role IN ('DECISION_MAKER', 'ECONOMIC_BUYER', 'CHAMPION', 'TECHNICAL_EVALUATOR', 'INFLUENCER', 'USER', 'BLOCKER', 'OTHER')),
  is_internal    boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT contacts_email_key UNIQUE (email),
  CONSTRAINT contacts_email_normalised CHECK (email = lower(email) AND position('@' IN email) > 1)
);
CREATE INDEX contacts_account_idx ON contacts (account_id, role);
CREATE INDEX contacts_held_idx ON contacts (email_domain) WHERE account_id IS NULL;

-- Engagement ---------------------------------------------------------------------------
CREATE TABLE engagement_events (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  external_id    text NOT NULL,
  account_id     bigint REFERENCES accounts (id) ON DELETE CASCADE,
  contact_id     bigint REFERENCES contacts (id) ON DELETE SET NULL,
  type           text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_]*$'),
  channel        text,
  asset          text,
  occurred_at    timestamptz NOT NULL,
  source         text,
  contact_email  text,
  account_domain text,
  is_bot         boolean NOT NULL DEFAULT false,
  bot_reason     text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT engagement_events_external_id_key UNIQUE (external_id),
  CONSTRAINT engagement_events_bot_reason CHECK (is_bot OR bot_reason IS NULL)
);
CREATE INDEX engagement_events_account_time_idx ON engagement_events (account_id, occurred_at DESC);
CREATE INDEX engagement_events_contact_time_idx ON engagement_events (contact_id, occurred_at DESC) WHERE contact_id IS NOT NULL;
CREATE INDEX engagement_events_held_idx ON engagement_events (account_domain) WHERE account_id IS NULL;
CREATE INDEX engagement_events_held_email_idx ON engagement_events (contact_email) WHERE contact_id IS NULL AND contact_email IS NOT NULL;

-- Intent -------------------------------------------------------------------------------
CREATE TABLE intent_signals (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id     bigint REFERENCES accounts (id) ON DELETE CASCADE,
  account_domain text NOT NULL,
  topic          text NOT NULL CHECK (btrim(topic) <> ''),
  strength       smallint NOT NULL CHECK (strength BETWEEN 0 AND 100),
  observed_at    timestamptz NOT NULL,
  source         text NOT NULL DEFAULT '',
  created_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT intent_signals_natural_key UNIQUE (account_domain, topic, observed_at, source)
);
CREATE INDEX intent_signals_account_time_idx ON intent_signals (account_id, observed_at DESC);
CREATE INDEX intent_signals_held_idx ON intent_signals (account_domain) WHERE account_id IS NULL;

-- Deals --------------------------------------------------------------------------------
CREATE TABLE deals (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  external_id    text NOT NULL,
  account_id     bigint REFERENCES accounts (id) ON DELETE CASCADE,
  account_domain text NOT NULL,
  name           text,
  amount         numeric(18, 2) NOT NULL CHECK (amount >= 0),
  stage          text,
  outcome        text NOT NULL CHECK (outcome IN ('OPEN', 'WON', 'LOST')),
  created_at     timestamptz NOT NULL,
  closed_at      timestamptz,
  ingested_at    timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT deals_external_id_key UNIQUE (external_id),
  CONSTRAINT deals_closed_after_created CHECK (closed_at IS NULL OR closed_at >= created_at),
  CONSTRAINT deals_closed_has_date CHECK (outcome = 'OPEN' OR closed_at IS NOT NULL)
);
CREATE INDEX deals_account_idx ON deals (account_id, outcome);
CREATE INDEX deals_created_idx ON deals (created_at);
CREATE INDEX deals_closed_idx ON deals (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX deals_held_idx ON deals (account_domain) WHERE account_id IS NULL;

-- Scoring models: named lines of immutable versions -------------------------------------
CREATE TABLE scoring_models (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  version      integer NOT NULL CHECK (version >= 1),
  status       text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'ACTIVE', 'RETIRED')),
  description  text,
  based_on_id  bigint REFERENCES scoring_models (id) ON DELETE SET NULL,
  definition   jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
  created_by   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  activated_at timestamptz,
  retired_at   timestamptz,
  CONSTRAINT scoring_models_name_version_key UNIQUE (name, version)
);
CREATE UNIQUE INDEX scoring_models_one_active_idx ON scoring_models (name) WHERE status = 'ACTIVE';

-- Scoring runs and score history ---------------------------------------------------------
CREATE TABLE scoring_runs (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  model_id         bigint NOT NULL REFERENCES scoring_models (id) ON DELETE RESTRICT,
  as_of            timestamptz NOT NULL,
  status           text NOT NULL DEFAULT 'RUNNING' CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED')),
  accounts_scored  integer NOT NULL DEFAULT 0,
  contacts_scored  integer NOT NULL DEFAULT 0,
  transitions      integer NOT NULL DEFAULT 0,
  triggered_by     text,
  error            text,
  started_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);
CREATE INDEX scoring_runs_model_latest_idx ON scoring_runs (model_id, as_of DESC, id DESC) WHERE status = 'SUCCEEDED';

-- One row per account per run. Range-partitioned by month of as_of so a year of daily runs
-- over 100k accounts (36.5M rows) stays a set of prunable, droppable monthly partitions.
-- Contributions are stored compactly as real[] aligned with the model's criterion order
-- (scoring_models.definition -> 'criteria'), not as repeated JSON labels.
CREATE TABLE account_scores (
  run_id           bigint NOT NULL,
  account_id       bigint NOT NULL,
  model_id         bigint NOT NULL,
  as_of            timestamptz NOT NULL,
  total            real NOT NULL CHECK (total BETWEEN 0 AND 100),
  fit              real NOT NULL,
  engagement       real NOT NULL,
  intent           real NOT NULL,
  committee        real NOT NULL,
  band             text NOT NULL,
  grade            text NOT NULL,
  status           text NOT NULL CHECK (status IN ('SQA', 'MQA', 'NURTURE', 'UNQUALIFIED', 'DISQUALIFIED')),
  engaged_contacts integer NOT NULL DEFAULT 0,
  contributions    real[] NOT NULL,
  PRIMARY KEY (run_id, account_id, as_of)
) PARTITION BY RANGE (as_of);
CREATE TABLE account_scores_default PARTITION OF account_scores DEFAULT;
CREATE INDEX account_scores_account_idx ON account_scores (account_id, model_id, as_of DESC);
CREATE INDEX account_scores_run_band_idx ON account_scores (run_id, band);
CREATE INDEX account_scores_run_total_idx ON account_scores (run_id, total);

CREATE TABLE contact_scores (
  run_id        bigint NOT NULL,
  contact_id    bigint NOT NULL,
  account_id    bigint,
  model_id      bigint NOT NULL,
  as_of         timestamptz NOT NULL,
  total         real NOT NULL CHECK (total BETWEEN 0 AND 100),
  fit           real NOT NULL,
  engagement    real NOT NULL,
  status        text NOT NULL CHECK (status IN ('SQL', 'MQL', 'NURTURE', 'UNQUALIFIED', 'DISQUALIFIED')),
  contributions real[] NOT NULL,
  PRIMARY KEY (run_id, contact_id, as_of)
) PARTITION BY RANGE (as_of);
CREATE TABLE contact_scores_default PARTITION OF contact_scores DEFAULT;
CREATE INDEX contact_scores_contact_idx ON contact_scores (contact_id, model_id, as_of DESC);
CREATE INDEX contact_scores_account_idx ON contact_scores (account_id, run_id);

-- Band and status transitions with SLAs ----------------------------------------------------
CREATE TABLE band_transitions (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id        bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  model_id          bigint NOT NULL REFERENCES scoring_models (id) ON DELETE CASCADE,
  run_id            bigint NOT NULL REFERENCES scoring_runs (id) ON DELETE CASCADE,
  kind              text NOT NULL CHECK (kind IN ('BAND', 'STATUS')),
  from_value        text,
  to_value          text NOT NULL,
  entered_at        timestamptz NOT NULL,
  sla_hours         integer CHECK (sla_hours > 0),
  sla_due_at        timestamptz,
  first_touch_at    timestamptz,
  is_holdout        boolean NOT NULL DEFAULT false,
  CONSTRAINT band_transitions_sla CHECK ((sla_hours IS NULL) = (sla_due_at IS NULL))
);
CREATE INDEX band_transitions_entered_idx ON band_transitions (entered_at, id);
CREATE INDEX band_transitions_account_idx ON band_transitions (account_id, entered_at DESC);
CREATE INDEX band_transitions_open_sla_idx ON band_transitions (sla_due_at) WHERE sla_due_at IS NOT NULL AND first_touch_at IS NULL;

-- Holdout ------------------------------------------------------------------------------
CREATE TABLE holdout_assignments (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  seed          integer NOT NULL,
  share         real NOT NULL CHECK (share > 0 AND share < 1),
  stratify_by   text NOT NULL CHECK (stratify_by IN ('NONE', 'TIER', 'BAND')),
  replaced      boolean NOT NULL DEFAULT false,
  accounts_in   integer NOT NULL DEFAULT 0,
  accounts_added integer NOT NULL DEFAULT 0,
  strata        jsonb NOT NULL DEFAULT '[]'::jsonb,
  assigned_by   text,
  assigned_at   timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE accounts ADD CONSTRAINT accounts_holdout_assignment_fk
  FOREIGN KEY (holdout_assignment_id) REFERENCES holdout_assignments (id) ON DELETE SET NULL;

-- Training, proposals and council reviews -------------------------------------------------
CREATE TABLE training_runs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  base_model_id bigint NOT NULL REFERENCES scoring_models (id) ON DELETE RESTRICT,
  status        text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
  progress      real NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
  stage         text,
  params        jsonb NOT NULL DEFAULT '{}'::jsonb,
  dataset       jsonb,
  report        jsonb,
  backend       text,
  error         text,
  started_by    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz
);
CREATE INDEX training_runs_created_idx ON training_runs (created_at DESC, id DESC);

CREATE TABLE weight_proposals (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  training_run_id   bigint NOT NULL REFERENCES training_runs (id) ON DELETE CASCADE,
  proposed_model_id bigint NOT NULL REFERENCES scoring_models (id) ON DELETE CASCADE,
  status            text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
  summary           text NOT NULL,
  details           jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at        timestamptz NOT NULL DEFAULT now(),
  decided_at        timestamptz,
  CONSTRAINT weight_proposals_run_key UNIQUE (training_run_id),
  CONSTRAINT weight_proposals_model_key UNIQUE (proposed_model_id)
);

CREATE TABLE api_keys (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text NOT NULL CHECK (btrim(name) <> ''),
  role         text NOT NULL CHECK (role IN ('VIEWER', 'INGEST', 'ANALYST', 'COUNCIL', 'ADMIN')),
  key_prefix   text NOT NULL,
  key_hash     text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz,
  CONSTRAINT api_keys_hash_key UNIQUE (key_hash)
);

CREATE TABLE proposal_reviews (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  proposal_id bigint NOT NULL REFERENCES weight_proposals (id) ON DELETE CASCADE,
  reviewer    text NOT NULL,
  api_key_id  bigint REFERENCES api_keys (id) ON DELETE SET NULL,
  decision    text NOT NULL CHECK (decision IN ('APPROVE', 'REJECT')),
  comment     text NOT NULL CHECK (btrim(comment) <> ''),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT proposal_reviews_one_per_reviewer UNIQUE (proposal_id, reviewer)
);

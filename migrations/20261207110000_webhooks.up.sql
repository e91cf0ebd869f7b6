-- Webhooks and the event outbox (DESIGN §8 "Push").
--
-- Every fact a Sales tool or a frontend may act on becomes one row of outbox_events, written
-- by a trigger in the transaction that made the fact: no producer calls anything, so no code
-- path can make a fact without its event, and a rolled-back run leaves neither. The body is
-- built here, once, as text, so every delivery attempt sends the same bytes. An INSERT into
-- outbox_events fans out to one webhook_deliveries row per matching enabled webhook and
-- NOTIFYs listeners; the dispatcher and subscriptions read from these tables after commit.
--
-- Triggers are statement-level with transition tables: a run's 10k transitions are one
-- INSERT … SELECT here, not 10k trigger calls.

-- The API's Relay global id of a row (src/platform/graphql/global-id.ts: base64url of
-- "<Type>:<row id>", unpadded), so ids in webhook bodies are the ids the API serves.
CREATE FUNCTION quorum_global_id(type text, id bigint) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT rtrim(translate(encode(convert_to(type || ':' || id::text, 'UTF8'), 'base64'), E'+/\n', '-_'), '=') $$;

CREATE TABLE webhooks (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  url         text NOT NULL CHECK (url ~ '^https?://'),
  -- The signing key, `whsec_` + base64 (Standard Webhooks). Needed in clear to sign; never returned after creation.
  secret      text NOT NULL CHECK (secret ~ '^whsec_[A-Za-z0-9+/=]+$'),
  events      text[] NOT NULL CHECK (cardinality(events) > 0),
  bands       text[] NOT NULL DEFAULT '{}',
  causes      text[] NOT NULL DEFAULT '{}',
  description text,
  enabled     boolean NOT NULL DEFAULT true,
  created_by  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row, written by the server at start from its configuration (WEBHOOK_MAX_BODY_BYTES):
-- triggers cannot read the process's config.
CREATE TABLE outbox_settings (
  only_row       boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  max_body_bytes integer NOT NULL DEFAULT 65536 CHECK (max_body_bytes >= 1024)
);
INSERT INTO outbox_settings DEFAULT VALUES;

CREATE TABLE outbox_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type        text NOT NULL CHECK (type IN ('BAND_ENTERED', 'STATUS_CHANGED', 'SLA_BREACHED', 'SCORING_RUN_FINISHED', 'PROPOSAL_CREATED', 'PROPOSAL_DECIDED', 'MODEL_ACTIVATED')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  account_id  bigint,
  model_id    bigint,
  -- What filters look at: the account's band (and its position among the model's bands, lowest = 1) and the transition's cause.
  band        text,
  band_rank   integer,
  cause       text,
  transition_id bigint,
  -- The exact bytes every delivery sends: {"type", "timestamp", "data"}. Account events no
  -- enabled webhook wanted when they were made have none (subscriptions build theirs on read):
  -- a run's transitions then cost one narrow row each, not a body.
  body        text
);
CREATE INDEX outbox_events_created_idx ON outbox_events (created_at);

CREATE TABLE webhook_deliveries (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  webhook_id           bigint NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  event_id             bigint NOT NULL REFERENCES outbox_events (id) ON DELETE CASCADE,
  -- The `webhook-id` header: the same on every attempt and redelivery, so receivers can deduplicate.
  message_id           text NOT NULL,
  status               text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
  attempts             integer NOT NULL DEFAULT 0,
  -- Attempts made before the last redelivery: the retry budget counts from here.
  requeued_at_attempt  integer NOT NULL DEFAULT 0,
  -- When PENDING: due time, or the lease end of an attempt in flight (a process killed mid-attempt is retried after it).
  next_attempt_at      timestamptz,
  last_attempt_at      timestamptz,
  last_response_status integer,
  last_error           text,
  delivered_at         timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT webhook_deliveries_message_key UNIQUE (message_id),
  CONSTRAINT webhook_deliveries_pending_due CHECK (status <> 'PENDING' OR next_attempt_at IS NOT NULL)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at, id) WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id DESC);
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);

-- ISO 8601 in UTC with milliseconds, whatever the session's TimeZone: bodies are bytes receivers compare.
CREATE FUNCTION outbox_iso(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

-- The body as stored: the whole event, or — when it is larger than the cap — the event with
-- only the fields that identify it, marked "truncated" (receivers fetch the rest over GraphQL).
CREATE FUNCTION outbox_body(event_type text, at timestamptz, data jsonb, max_bytes integer) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
  SELECT CASE WHEN octet_length(full_body) <= max_bytes THEN full_body
              ELSE jsonb_build_object('type', event_type, 'timestamp', outbox_iso(at), 'truncated', true,
                     'data', jsonb_strip_nulls(jsonb_build_object('account', data->'account', 'band', data->'band', 'status', data->'status', 'cause', data->'cause',
                                                'runId', data->'runId', 'transitionId', data->'transitionId', 'proposalId', data->'proposalId', 'model', data->'model')))::text END
    FROM (SELECT jsonb_build_object('type', event_type, 'timestamp', outbox_iso(at), 'data', data)::text AS full_body) b
$$;

-- What an account event says (BAND_ENTERED and STATUS_CHANGED, or SLA_BREACHED when
-- `breached`) for the band_transitions rows `ids`, every field present (null when unknown) so
-- receivers see one shape. Set-based; each transition looks up its own snapshot and committee
-- by index (nested loops over the transitions): joining CTEs of unknown size instead once
-- planned a scan of the run's contacts per account.
CREATE FUNCTION outbox_transition_data(ids bigint[], breached boolean)
  RETURNS TABLE (transition_id bigint, type text, account_id bigint, model_id bigint, band text, band_rank integer, cause text, data jsonb)
  LANGUAGE sql STABLE AS
$$
  WITH mdl AS MATERIALIZED (
    SELECT m.id, m.name, m.version, m.definition->'bands' AS bands, m.definition->'criteria' AS criteria,
           ARRAY(SELECT jsonb_array_elements_text(m.definition->'committee'->'requiredRoles')) AS required_roles,
           COALESCE((m.definition->'committee'->>'engagedThreshold')::float8, 0) AS engaged_threshold
      FROM scoring_models m WHERE m.id IN (SELECT DISTINCT t.model_id FROM band_transitions t WHERE t.id = ANY (ids))
  )
    SELECT t.id, CASE WHEN breached THEN 'SLA_BREACHED' WHEN t.kind = 'BAND' THEN 'BAND_ENTERED' ELSE 'STATUS_CHANGED' END AS type,
           t.account_id, t.model_id, band.name AS band, band.rank AS band_rank, t.cause,
           jsonb_build_object(
             'transitionId', t.id::text,
             'kind', t.kind,
             'from', t.from_value,
             'to', t.to_value,
             'account', jsonb_build_object('id', quorum_global_id('Account', a.id), 'domain', a.domain, 'name', left(a.name, 256), 'isTarget', a.is_target, 'isHoldout', t.is_holdout),
             'band', band.name,
             'play', band.play,
             'status', COALESCE(sn.status, CASE WHEN t.kind = 'STATUS' THEN t.to_value END),
             'score', sn.total,
             'cause', t.cause,
             'enteredAt', outbox_iso(t.entered_at),
             'slaHours', t.sla_hours,
             'slaDueAt', outbox_iso(t.sla_due_at),
             'slaBreachedAt', outbox_iso(t.sla_breached_at),
             'firstTouchAt', outbox_iso(t.first_touch_at),
             'topContributions', COALESCE((
               SELECT jsonb_agg(jsonb_build_object('component', cr->>'component', 'criterion', cr->>'key', 'label', cr->>'label', 'points', round(v::numeric, 2)) ORDER BY v DESC, i)
                 FROM (SELECT v, i, mdl.criteria->(i::int - 1) AS cr FROM unnest(sn.contributions) WITH ORDINALITY AS x(v, i) WHERE v > 0 ORDER BY v DESC, i LIMIT 5) top
             ), '[]'::jsonb),
             'committee', jsonb_build_object(
               'engagedRoles', to_jsonb(COALESCE(en.roles, '{}')),
               'missingRoles', to_jsonb(ARRAY(SELECT r FROM unnest(mdl.required_roles) r WHERE r <> ALL (COALESCE(en.roles, '{}'))))),
             'model', jsonb_build_object('id', quorum_global_id('ScoringModel', mdl.id), 'name', mdl.name, 'version', mdl.version),
             'runId', quorum_global_id('ScoringRun', t.run_id)
           ) AS data
      FROM unnest(ids) AS u(id)
      JOIN band_transitions t ON t.id = u.id
      JOIN mdl ON mdl.id = t.model_id
      JOIN accounts a ON a.id = t.account_id
      LEFT JOIN LATERAL (
        SELECT s.total, s.band, s.status, s.contributions FROM account_scores s
         WHERE s.run_id = t.run_id AND s.account_id = t.account_id AND s.as_of = t.entered_at LIMIT 1
      ) sn ON true
      LEFT JOIN LATERAL (
        SELECT array_agg(DISTINCT c.role ORDER BY c.role) AS roles
          FROM contacts c
          -- Per contact, by the snapshot's key: a plain join let the planner scan the run's contacts per account.
          JOIN LATERAL (SELECT cs.engagement FROM contact_scores cs WHERE cs.run_id = t.run_id AND cs.contact_id = c.id AND cs.as_of = t.entered_at LIMIT 1) cs ON true
         WHERE c.account_id = t.account_id AND c.role IS NOT NULL AND NOT c.is_internal
           AND cs.engagement > 0 AND cs.engagement >= mdl.engaged_threshold
      ) en ON true
      LEFT JOIN LATERAL (
        SELECT b->>'name' AS name, b->>'play' AS play, k::int AS rank
          FROM jsonb_array_elements(mdl.bands) WITH ORDINALITY AS y(b, k)
         WHERE b->>'name' = COALESCE(sn.band, CASE WHEN t.kind = 'BAND' THEN t.to_value END)
      ) band ON true
$$;

-- The account events of the transitions `ids`, with their bodies when an enabled webhook wants
-- any of these event types (deliveries need the bytes fixed now), else as narrow rows.
CREATE FUNCTION outbox_transition_events(ids bigint[], breached boolean) RETURNS void LANGUAGE plpgsql AS
$$
DECLARE
  cap integer := (SELECT max_body_bytes FROM outbox_settings);
  types text[] := CASE WHEN breached THEN '{SLA_BREACHED}'::text[] ELSE '{BAND_ENTERED,STATUS_CHANGED}'::text[] END;
BEGIN
  IF EXISTS (SELECT 1 FROM webhooks w WHERE w.enabled AND w.events && types) THEN
    INSERT INTO outbox_events (type, account_id, model_id, band, band_rank, cause, transition_id, body)
    SELECT d.type, d.account_id, d.model_id, d.band, d.band_rank, d.cause, d.transition_id, outbox_body(d.type, now(), d.data, cap)
      FROM outbox_transition_data(ids, breached) d ORDER BY d.account_id, d.type;
  ELSE
    INSERT INTO outbox_events (type, account_id, model_id, band, cause, transition_id)
    SELECT CASE WHEN breached THEN 'SLA_BREACHED' WHEN t.kind = 'BAND' THEN 'BAND_ENTERED' ELSE 'STATUS_CHANGED' END,
           t.account_id, t.model_id, CASE WHEN t.kind = 'BAND' THEN t.to_value END, t.cause, t.id
      FROM unnest(ids) AS u(id) JOIN band_transitions t ON t.id = u.id ORDER BY t.account_id, t.kind;
  END IF;
END
$$;

-- Run-level events of the runs `ids` that just succeeded, then the account events of their transitions.
CREATE FUNCTION outbox_runs_succeeded(ids bigint[]) RETURNS void LANGUAGE plpgsql AS
$$
DECLARE
  cap integer := (SELECT max_body_bytes FROM outbox_settings);
  transition_ids bigint[];
BEGIN
  INSERT INTO outbox_events (type, model_id, body)
  SELECT 'SCORING_RUN_FINISHED', r.model_id, outbox_body('SCORING_RUN_FINISHED', now(), jsonb_strip_nulls(jsonb_build_object(
           'runId', quorum_global_id('ScoringRun', r.id), 'kind', r.kind, 'asOf', outbox_iso(r.as_of),
           'model', jsonb_build_object('id', quorum_global_id('ScoringModel', m.id), 'name', m.name, 'version', m.version, 'status', r.model_status),
           'accountsScored', r.accounts_scored, 'contactsScored', r.contacts_scored, 'transitions', r.transitions,
           'bands', r.band_counts, 'triggeredBy', r.triggered_by,
           'startedAt', outbox_iso(r.started_at), 'finishedAt', outbox_iso(r.finished_at))), cap)
    FROM scoring_runs r JOIN scoring_models m ON m.id = r.model_id
   WHERE r.id = ANY (ids) ORDER BY r.id;

  -- A run's transitions all have the run's model and as-of: the (model_id, entered_at) index finds them.
  SELECT array_agg(t.id ORDER BY t.id) INTO transition_ids
    FROM scoring_runs r JOIN band_transitions t ON t.model_id = r.model_id AND t.entered_at = r.as_of AND t.run_id = r.id
   WHERE r.id = ANY (ids);
  IF transition_ids IS NOT NULL THEN PERFORM outbox_transition_events(transition_ids, false); END IF;
END
$$;

CREATE FUNCTION outbox_on_run_update() RETURNS trigger LANGUAGE plpgsql AS
$$
DECLARE
  ids bigint[] := ARRAY(SELECT n.id FROM new_runs n JOIN old_runs o ON o.id = n.id WHERE n.status = 'SUCCEEDED' AND o.status IS DISTINCT FROM 'SUCCEEDED');
BEGIN
  IF cardinality(ids) > 0 THEN PERFORM outbox_runs_succeeded(ids); END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER scoring_runs_outbox AFTER UPDATE ON scoring_runs
  REFERENCING OLD TABLE AS old_runs NEW TABLE AS new_runs FOR EACH STATEMENT EXECUTE FUNCTION outbox_on_run_update();

CREATE FUNCTION outbox_on_run_insert() RETURNS trigger LANGUAGE plpgsql AS
$$
DECLARE
  ids bigint[] := ARRAY(SELECT n.id FROM new_runs n WHERE n.status = 'SUCCEEDED');
BEGIN
  IF cardinality(ids) > 0 THEN PERFORM outbox_runs_succeeded(ids); END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER scoring_runs_outbox_insert AFTER INSERT ON scoring_runs
  REFERENCING NEW TABLE AS new_runs FOR EACH STATEMENT EXECUTE FUNCTION outbox_on_run_insert();

-- Transitions are normally written by a RUNNING run and announced when it succeeds (its
-- snapshot is complete and attached then). One written into a run that already succeeded is
-- announced at once.
CREATE FUNCTION outbox_on_transition_insert() RETURNS trigger LANGUAGE plpgsql AS
$$
DECLARE
  ids bigint[] := ARRAY(SELECT n.id FROM new_transitions n WHERE n.run_id IN (
    SELECT r.id FROM scoring_runs r WHERE r.id IN (SELECT DISTINCT run_id FROM new_transitions) AND r.status = 'SUCCEEDED'));
BEGIN
  IF cardinality(ids) > 0 THEN PERFORM outbox_transition_events(ids, false); END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER band_transitions_outbox_insert AFTER INSERT ON band_transitions
  REFERENCING NEW TABLE AS new_transitions FOR EACH STATEMENT EXECUTE FUNCTION outbox_on_transition_insert();

-- SLA_BREACHED: sla_breached_at set where it was null (the SLA sweep).
CREATE FUNCTION outbox_on_transition_update() RETURNS trigger LANGUAGE plpgsql AS
$$
DECLARE
  ids bigint[] := ARRAY(SELECT n.id FROM new_transitions n JOIN old_transitions o ON o.id = n.id
                         WHERE n.sla_breached_at IS NOT NULL AND o.sla_breached_at IS NULL ORDER BY n.id);
BEGIN
  IF cardinality(ids) > 0 THEN PERFORM outbox_transition_events(ids, true); END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER band_transitions_outbox_update AFTER UPDATE ON band_transitions
  REFERENCING OLD TABLE AS old_transitions NEW TABLE AS new_transitions FOR EACH STATEMENT EXECUTE FUNCTION outbox_on_transition_update();

-- PROPOSAL_CREATED and PROPOSAL_DECIDED.
CREATE FUNCTION outbox_proposal_events(ids bigint[], event_type text) RETURNS void LANGUAGE plpgsql AS
$$
DECLARE
  cap integer := (SELECT max_body_bytes FROM outbox_settings);
BEGIN
  INSERT INTO outbox_events (type, model_id, body)
  SELECT event_type, p.proposed_model_id, outbox_body(event_type, now(), jsonb_strip_nulls(jsonb_build_object(
           'proposalId', quorum_global_id('WeightProposal', p.id), 'trainingRunId', quorum_global_id('TrainingRun', p.training_run_id), 'status', p.status,
           'summary', left(p.summary, 2000), 'createdAt', outbox_iso(p.created_at), 'decidedAt', outbox_iso(p.decided_at),
           'model', jsonb_build_object('id', quorum_global_id('ScoringModel', m.id), 'name', m.name, 'version', m.version, 'status', m.status),
           'baseModel', (SELECT jsonb_build_object('id', quorum_global_id('ScoringModel', b.id), 'name', b.name, 'version', b.version)
                           FROM training_runs tr JOIN scoring_models b ON b.id = tr.base_model_id WHERE tr.id = p.training_run_id))), cap)
    FROM unnest(ids) AS u(id) JOIN weight_proposals p ON p.id = u.id JOIN scoring_models m ON m.id = p.proposed_model_id
   ORDER BY p.id;
END
$$;

CREATE FUNCTION outbox_on_proposal_insert() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
  PERFORM outbox_proposal_events(ARRAY(SELECT id FROM new_proposals), 'PROPOSAL_CREATED');
  RETURN NULL;
END
$$;
CREATE TRIGGER weight_proposals_outbox_insert AFTER INSERT ON weight_proposals
  REFERENCING NEW TABLE AS new_proposals FOR EACH STATEMENT EXECUTE FUNCTION outbox_on_proposal_insert();

CREATE FUNCTION outbox_on_proposal_update() RETURNS trigger LANGUAGE plpgsql AS
$$
DECLARE
  ids bigint[] := ARRAY(SELECT n.id FROM new_proposals n JOIN old_proposals o ON o.id = n.id WHERE n.status IS DISTINCT FROM o.status);
BEGIN
  IF cardinality(ids) > 0 THEN PERFORM outbox_proposal_events(ids, 'PROPOSAL_DECIDED'); END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER weight_proposals_outbox_update AFTER UPDATE ON weight_proposals
  REFERENCING OLD TABLE AS old_proposals NEW TABLE AS new_proposals FOR EACH STATEMENT EXECUTE FUNCTION outbox_on_proposal_update();

-- MODEL_ACTIVATED: a version became ACTIVE (activation, rollback, or the shipped default created active).
CREATE FUNCTION outbox_model_events(ids bigint[]) RETURNS void LANGUAGE plpgsql AS
$$
DECLARE
  cap integer := (SELECT max_body_bytes FROM outbox_settings);
BEGIN
  INSERT INTO outbox_events (type, model_id, body)
  SELECT 'MODEL_ACTIVATED', m.id, outbox_body('MODEL_ACTIVATED', now(), jsonb_strip_nulls(jsonb_build_object(
           'model', jsonb_build_object('id', quorum_global_id('ScoringModel', m.id), 'name', m.name, 'version', m.version, 'status', m.status, 'basedOnId', quorum_global_id('ScoringModel', m.based_on_id)),
           'activatedAt', outbox_iso(m.activated_at),
           'bands', (SELECT jsonb_agg(jsonb_build_object('name', b->>'name', 'minScore', b->'minScore', 'slaHours', b->'slaHours', 'play', b->'play') ORDER BY k)
                       FROM jsonb_array_elements(m.definition->'bands') WITH ORDINALITY AS y(b, k)))), cap)
    FROM unnest(ids) AS u(id) JOIN scoring_models m ON m.id = u.id
   ORDER BY m.id;
END
$$;

CREATE FUNCTION outbox_on_model_update() RETURNS trigger LANGUAGE plpgsql AS
$$
DECLARE
  ids bigint[] := ARRAY(SELECT n.id FROM new_models n JOIN old_models o ON o.id = n.id WHERE n.status = 'ACTIVE' AND o.status IS DISTINCT FROM 'ACTIVE');
BEGIN
  IF cardinality(ids) > 0 THEN PERFORM outbox_model_events(ids); END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER scoring_models_outbox_update AFTER UPDATE ON scoring_models
  REFERENCING OLD TABLE AS old_models NEW TABLE AS new_models FOR EACH STATEMENT EXECUTE FUNCTION outbox_on_model_update();

CREATE FUNCTION outbox_on_model_insert() RETURNS trigger LANGUAGE plpgsql AS
$$
DECLARE
  ids bigint[] := ARRAY(SELECT n.id FROM new_models n WHERE n.status = 'ACTIVE');
BEGIN
  IF cardinality(ids) > 0 THEN PERFORM outbox_model_events(ids); END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER scoring_models_outbox_insert AFTER INSERT ON scoring_models
  REFERENCING NEW TABLE AS new_models FOR EACH STATEMENT EXECUTE FUNCTION outbox_on_model_insert();

-- Fan-out: one delivery per (event, enabled webhook that wants it). A webhook's band and cause
-- filters apply to events that carry a band or cause; an empty filter takes everything.
-- Listeners are told after commit: subscriptions read events after the id they last saw.
CREATE FUNCTION outbox_fan_out() RETURNS trigger LANGUAGE plpgsql AS
$$
DECLARE
  last_id bigint;
BEGIN
  SELECT max(id) INTO last_id FROM new_events;
  IF last_id IS NULL THEN RETURN NULL; END IF;
  INSERT INTO webhook_deliveries (webhook_id, event_id, message_id, next_attempt_at)
  SELECT w.id, e.id, 'msg_' || replace(gen_random_uuid()::text, '-', ''), now()
    FROM new_events e
    JOIN webhooks w ON e.body IS NOT NULL AND w.enabled AND e.type = ANY (w.events)
                   AND (cardinality(w.bands) = 0 OR e.band IS NULL OR e.band = ANY (w.bands))
                   AND (cardinality(w.causes) = 0 OR e.cause IS NULL OR e.cause = ANY (w.causes))
   ORDER BY e.id, w.id;
  IF FOUND THEN PERFORM pg_notify('quorum_webhook_deliveries', ''); END IF;
  PERFORM pg_notify('quorum_events', last_id::text);
  RETURN NULL;
END
$$;
CREATE TRIGGER outbox_events_fan_out AFTER INSERT ON outbox_events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION outbox_fan_out();

-- Holdout membership as a history (DESIGN §5): one row per stay of an account in the holdout,
-- with who put it in and took it out, when and why. A KPI report reads membership at its
-- window's start from here; accounts.is_holdout / holdout_assigned_at / holdout_assignment_id
-- stay as the current state that plays, routing and account lists read, written in the same
-- transaction as the history.
CREATE TABLE holdout_memberships (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id         bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  entered_at         timestamptz NOT NULL,
  entered_by         text,
  entry_reason       text NOT NULL,
  -- The draw that put the account in (null for a membership migrated without one).
  assignment_id      bigint REFERENCES holdout_assignments (id) ON DELETE SET NULL,
  exited_at          timestamptz,
  exited_by          text,
  exit_reason        text,
  -- The replacing draw that took it out (null for a release).
  exit_assignment_id bigint REFERENCES holdout_assignments (id) ON DELETE SET NULL,
  CONSTRAINT holdout_memberships_exit CHECK ((exited_at IS NULL) = (exit_reason IS NULL)),
  CONSTRAINT holdout_memberships_order CHECK (exited_at IS NULL OR exited_at >= entered_at)
);
-- At most one open stay per account.
CREATE UNIQUE INDEX holdout_memberships_open_idx ON holdout_memberships (account_id) WHERE exited_at IS NULL;
CREATE INDEX holdout_memberships_account_idx ON holdout_memberships (account_id, entered_at);
CREATE INDEX holdout_memberships_entered_idx ON holdout_memberships (entered_at DESC, id DESC);

-- Existing holdout flags become open stays that began when the account was assigned.
INSERT INTO holdout_memberships (account_id, entered_at, entered_by, entry_reason, assignment_id)
SELECT a.id, a.holdout_assigned_at, h.assigned_by,
       CASE WHEN h.id IS NULL THEN 'held out before the history was kept' ELSE 'draw ' || h.id || ' (migrated from the holdout flag)' END,
       h.id
  FROM accounts a
  LEFT JOIN holdout_assignments h ON h.id = a.holdout_assignment_id
 WHERE a.is_holdout
 ORDER BY a.holdout_assigned_at, a.id;

ALTER TABLE holdout_assignments ADD COLUMN reason text;

ANALYZE holdout_memberships;

-- The KPI report's SQL rate: when each contact first reached SQL, without reading every
-- lead-score snapshot.
CREATE INDEX contact_scores_sql_idx ON contact_scores (contact_id, model_id, as_of) WHERE status = 'SQL';
-- ... and its denominator, contacts per account, from the index alone.
CREATE INDEX contacts_account_external_idx ON contacts (account_id) WHERE NOT is_internal AND account_id IS NOT NULL;

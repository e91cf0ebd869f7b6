-- Ingest budgets (DESIGN §7): engagement_events' references checked per statement, not per row.
--
-- The two foreign keys of engagement_events (account_id → accounts, contact_id → contacts) ran
-- one trigger per inserted row: two SPI look-ups and row locks per event, about 40% of the
-- database time of a 1M-event import. The same guarantees are kept here by statement-level triggers that work on the
-- whole set of rows a statement wrote (transition tables):
--
--  * INSERT / UPDATE of engagement_events: every distinct account_id and contact_id the
--    statement wrote must exist; the referenced rows are locked FOR KEY SHARE, as the foreign
--    key's check does, so a concurrent DELETE waits for this transaction (and then removes the
--    events with the account, see below). A missing row raises foreign_key_violation (23503).
--  * DELETE of accounts removes their events (was ON DELETE CASCADE); of contacts clears
--    events' contact_id (was ON DELETE SET NULL). TRUNCATE acts as deleting every row (held
--    events, which have no account, stay; TRUNCATE … CASCADE used to empty the table).
--  * Changing accounts.id or contacts.id (only possible as SET id = DEFAULT) is refused, as
--    the foreign keys' NO ACTION on update did.
--
-- Trade-off: the catalog no longer lists these two references as constraints (tools that draw
-- schemas from pg_constraint miss them), and pg_restore of a data-only dump must load accounts
-- and contacts before engagement_events (their name order) or use --disable-triggers.
ALTER TABLE engagement_events
  DROP CONSTRAINT engagement_events_account_id_fkey,
  DROP CONSTRAINT engagement_events_contact_id_fkey;

CREATE FUNCTION engagement_events_check_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  wanted bigint;
  found bigint;
  missing bigint;
BEGIN
  -- The distinct ids the statement wrote, and how many of them exist (locked by primary-key
  -- look-ups, as few or as many as there are). Counting keeps it linear; only a violation
  -- looks for the culprit.
  WITH ids AS MATERIALIZED (SELECT DISTINCT account_id AS id FROM written WHERE account_id IS NOT NULL),
       locked AS MATERIALIZED (SELECT a.id FROM accounts a WHERE a.id = ANY (ARRAY(SELECT id FROM ids)) FOR KEY SHARE)
  SELECT (SELECT count(*) FROM ids), (SELECT count(*) FROM locked) INTO wanted, found;
  IF found < wanted THEN
    SELECT w.account_id INTO missing FROM written w
     WHERE w.account_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = w.account_id) LIMIT 1;
    RAISE EXCEPTION 'engagement_events.account_id % refers to no account', missing
      USING ERRCODE = 'foreign_key_violation', TABLE = 'engagement_events', COLUMN = 'account_id';
  END IF;
  WITH ids AS MATERIALIZED (SELECT DISTINCT contact_id AS id FROM written WHERE contact_id IS NOT NULL),
       locked AS MATERIALIZED (SELECT c.id FROM contacts c WHERE c.id = ANY (ARRAY(SELECT id FROM ids)) FOR KEY SHARE)
  SELECT (SELECT count(*) FROM ids), (SELECT count(*) FROM locked) INTO wanted, found;
  IF found < wanted THEN
    SELECT w.contact_id INTO missing FROM written w
     WHERE w.contact_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = w.contact_id) LIMIT 1;
    RAISE EXCEPTION 'engagement_events.contact_id % refers to no contact', missing
      USING ERRCODE = 'foreign_key_violation', TABLE = 'engagement_events', COLUMN = 'contact_id';
  END IF;
  RETURN NULL;
END $$;

-- Transition tables allow one event per trigger: one for INSERT (also COPY), one for UPDATE.
CREATE TRIGGER engagement_events_refs_on_insert AFTER INSERT ON engagement_events
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION engagement_events_check_refs();
CREATE TRIGGER engagement_events_refs_on_update AFTER UPDATE ON engagement_events
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION engagement_events_check_refs();

CREATE FUNCTION accounts_delete_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM engagement_events WHERE account_id IS NOT NULL;
  ELSE
    DELETE FROM engagement_events e USING removed r WHERE e.account_id = r.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER accounts_delete_events AFTER DELETE ON accounts
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION accounts_delete_events();
CREATE TRIGGER accounts_truncate_events AFTER TRUNCATE ON accounts
  FOR EACH STATEMENT EXECUTE FUNCTION accounts_delete_events();

CREATE FUNCTION contacts_detach_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    UPDATE engagement_events SET contact_id = NULL WHERE contact_id IS NOT NULL;
  ELSE
    UPDATE engagement_events e SET contact_id = NULL FROM removed r WHERE e.contact_id = r.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER contacts_detach_events AFTER DELETE ON contacts
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION contacts_detach_events();
CREATE TRIGGER contacts_truncate_events AFTER TRUNCATE ON contacts
  FOR EACH STATEMENT EXECUTE FUNCTION contacts_detach_events();

CREATE FUNCTION refuse_id_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%.id cannot change: engagement events refer to it', TG_TABLE_NAME
    USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME, COLUMN = 'id';
END $$;
CREATE TRIGGER accounts_keep_id BEFORE UPDATE OF id ON accounts
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_id_change();
CREATE TRIGGER contacts_keep_id BEFORE UPDATE OF id ON contacts
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_id_change();

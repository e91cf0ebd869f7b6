DROP TRIGGER IF EXISTS contacts_keep_id ON contacts;
DROP TRIGGER IF EXISTS accounts_keep_id ON accounts;
DROP FUNCTION IF EXISTS refuse_id_change();
DROP TRIGGER IF EXISTS contacts_truncate_events ON contacts;
DROP TRIGGER IF EXISTS contacts_detach_events ON contacts;
DROP FUNCTION IF EXISTS contacts_detach_events();
DROP TRIGGER IF EXISTS accounts_truncate_events ON accounts;
DROP TRIGGER IF EXISTS accounts_delete_events ON accounts;
DROP FUNCTION IF EXISTS accounts_delete_events();
DROP TRIGGER IF EXISTS engagement_events_refs_on_update ON engagement_events;
DROP TRIGGER IF EXISTS engagement_events_refs_on_insert ON engagement_events;
DROP FUNCTION IF EXISTS engagement_events_check_refs();
ALTER TABLE engagement_events
  ADD CONSTRAINT engagement_events_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE,
  ADD CONSTRAINT engagement_events_contact_id_fkey FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE SET NULL;

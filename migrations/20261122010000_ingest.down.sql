COMMENT ON COLUMN engagement_events.bot_reason IS NULL;
COMMENT ON COLUMN engagement_events.account_domain IS NULL;
COMMENT ON COLUMN contacts.account_domain IS NULL;
DROP INDEX IF EXISTS deals_held_rdomain_idx;
DROP INDEX IF EXISTS intent_signals_held_rdomain_idx;
DROP INDEX IF EXISTS engagement_events_held_rdomain_idx;
DROP INDEX IF EXISTS contacts_held_rdomain_idx;

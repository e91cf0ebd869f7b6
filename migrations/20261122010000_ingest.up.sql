-- Ingest (issue 3): lookups identity stitching needs beyond the domain schema.
--
-- A held fact waits for the account whose domain is its own or a parent of it, so when
-- `acme.com` arrives, `acme.com`, `eu.acme.com` and `mail.eu.acme.com` must all be found.
-- Reversed, those are one key range (`moc.emca` … `moc.emca/`), which a btree in "C" order
-- answers with a range scan. Partial: only held rows are indexed, so stitched rows cost nothing.
CREATE INDEX contacts_held_rdomain_idx ON contacts ((reverse(account_domain) COLLATE "C"))
  WHERE account_id IS NULL AND account_domain IS NOT NULL;
CREATE INDEX engagement_events_held_rdomain_idx ON engagement_events ((reverse(account_domain) COLLATE "C"))
  WHERE account_id IS NULL AND account_domain IS NOT NULL;
CREATE INDEX intent_signals_held_rdomain_idx ON intent_signals ((reverse(account_domain) COLLATE "C"))
  WHERE account_id IS NULL;
CREATE INDEX deals_held_rdomain_idx ON deals ((reverse(account_domain) COLLATE "C"))
  WHERE account_id IS NULL;

COMMENT ON COLUMN contacts.account_domain IS
  'The domain the contact stitches by: accountDomain when sent, else its email domain; NULL for free-mail and internal addresses sent without accountDomain (they never stitch by email).';
COMMENT ON COLUMN engagement_events.account_domain IS
  'The domain the event stitches by when its contact is unknown or held: accountDomain when sent, else the domain of contactEmail unless free-mail or internal.';
COMMENT ON COLUMN engagement_events.bot_reason IS
  'Why the event is noise (isBot from the source, mail-privacy prefetch, scanner user agent); NULL for human events.';

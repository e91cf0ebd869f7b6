DROP TABLE IF EXISTS proposal_reviews, api_keys, weight_proposals, training_runs,
  band_transitions, contact_scores, account_scores, scoring_runs, scoring_models,
  deals, intent_signals, engagement_events, contacts, accounts, holdout_assignments CASCADE;

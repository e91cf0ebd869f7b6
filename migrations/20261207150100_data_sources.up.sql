-- Where the data came from, one row per source (the demo, each import mapping), so an import can
-- warn before it mixes a second source into a populated database and training can warn when its
-- deals come from more than one.
CREATE TABLE data_sources (
  source          text PRIMARY KEY CHECK (source <> ''),
  entities        text[] NOT NULL DEFAULT '{}',
  loads           integer NOT NULL DEFAULT 1,
  first_loaded_at timestamptz NOT NULL DEFAULT now(),
  last_loaded_at  timestamptz NOT NULL DEFAULT now()
);

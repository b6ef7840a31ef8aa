/**
 * Migration 1: the advisory tables. Kept as TypeScript (not .sql files) so the build copies
 * nothing extra; the statements are plain SQL that PostgreSQL also accepts except for
 * `WITHOUT ROWID`, which a PostgreSQL migration set would leave out.
 */
export const version = 1;
export const name = 'initial';
export const sql = `
CREATE TABLE advisories (
  id        TEXT PRIMARY KEY,
  source    TEXT NOT NULL,
  modified  TEXT NOT NULL,
  withdrawn TEXT,
  json      TEXT NOT NULL
);
CREATE INDEX advisories_by_source ON advisories (source);

-- One row per (ecosystem, normalised package name, advisory). The primary key doubles as the
-- (ecosystem, name) index that lookup() searches.
CREATE TABLE affected (
  ecosystem   TEXT NOT NULL,
  name        TEXT NOT NULL,
  advisory_id TEXT NOT NULL,
  PRIMARY KEY (ecosystem, name, advisory_id)
) WITHOUT ROWID;
CREATE INDEX affected_by_advisory ON affected (advisory_id);

-- alias -> advisory; kind is 'alias' or 'upstream'.
CREATE TABLE aliases (
  alias       TEXT NOT NULL,
  advisory_id TEXT NOT NULL,
  kind        TEXT NOT NULL,
  PRIMARY KEY (alias, advisory_id)
) WITHOUT ROWID;
CREATE INDEX aliases_by_advisory ON aliases (advisory_id);

CREATE TABLE kev (
  cve        TEXT PRIMARY KEY,
  date_added TEXT NOT NULL,
  due_date   TEXT,
  ransomware INTEGER,
  json       TEXT NOT NULL
);

CREATE TABLE epss (
  cve           TEXT PRIMARY KEY,
  score         REAL NOT NULL,
  percentile    REAL NOT NULL,
  score_date    TEXT,
  model_version TEXT
);

CREATE TABLE sources (
  name          TEXT PRIMARY KEY,
  kind          TEXT NOT NULL,
  url           TEXT,
  imported_at   TEXT NOT NULL,
  count         INTEGER NOT NULL,
  last_modified TEXT
);
`;

/**
 * PostgreSQL migration 1: the advisory tables, the same shape as SQLite's after its migration 2
 * (no reverse indexes: a record's index rows are deleted through its stored keys). Scores are
 * `double precision` (PostgreSQL's `real` is 4 bytes and would change an EPSS score's digits);
 * `data_version` moves with every committed import, so readers know when remembered answers
 * are stale (SQLite has `PRAGMA data_version` for that).
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

CREATE TABLE affected (
  ecosystem   TEXT NOT NULL,
  name        TEXT NOT NULL,
  advisory_id TEXT NOT NULL,
  PRIMARY KEY (ecosystem, name, advisory_id)
);

CREATE TABLE aliases (
  alias       TEXT NOT NULL,
  advisory_id TEXT NOT NULL,
  kind        TEXT NOT NULL,
  PRIMARY KEY (alias, advisory_id)
);

CREATE TABLE kev (
  cve        TEXT PRIMARY KEY,
  date_added TEXT NOT NULL,
  due_date   TEXT,
  ransomware INTEGER,
  json       TEXT NOT NULL
);

CREATE TABLE epss (
  cve           TEXT PRIMARY KEY,
  score         DOUBLE PRECISION NOT NULL,
  percentile    DOUBLE PRECISION NOT NULL,
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

CREATE TABLE data_version (
  one     BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
  version BIGINT NOT NULL
);
INSERT INTO data_version (one, version) VALUES (TRUE, 0);
`;

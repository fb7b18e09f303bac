import type { Migration } from './index.js';

// Detection: anomalies with their evidence, user snoozes, and the detectors' state so a
// restart resumes where it stopped (no second anomaly for an incident already open).
//  - anomalies: one row per incident; `fingerprints` lists every fingerprint coalesced into
//    it (JSON array), so repeats of any of them attach to it while it is unresolved.
//  - anomaly_events: the records an anomaly covers (role 'evidence', is_duplicate = a repeat
//    of an already open anomaly) and the lines around its first evidence (role 'context').
//  - detector_state: per source, the small state of the statistical detectors (JSON).
//  - detector_templates: per source and template, first/last seen, count, highest level
//    and the template's own rate baseline (for new-template and template-surge).
// Times are the records' own (stream time), epoch ms, except user actions (wall clock).
export const m003: Migration = {
  version: 3,
  name: 'anomalies',
  up: `
    CREATE TABLE anomalies (
      id INTEGER PRIMARY KEY,
      fingerprint TEXT NOT NULL,
      fingerprints TEXT NOT NULL,
      detector TEXT NOT NULL,
      source_id INTEGER,
      source TEXT NOT NULL,
      severity TEXT NOT NULL,
      category TEXT NOT NULL,
      title TEXT NOT NULL,
      message TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT 'open',
      count INTEGER NOT NULL DEFAULT 0,
      first_ts INTEGER NOT NULL,
      last_ts INTEGER NOT NULL,
      opened_at INTEGER NOT NULL,
      acknowledged_at INTEGER,
      resolved_at INTEGER,
      resolved_by TEXT,
      template_id INTEGER,
      rule TEXT,
      numbers TEXT,
      details TEXT,
      gap_ms REAL,
      group_entries INTEGER NOT NULL DEFAULT 1,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX anomalies_state ON anomalies(state, id);
    CREATE INDEX anomalies_fingerprint ON anomalies(fingerprint);
    CREATE INDEX anomalies_source ON anomalies(source, id);
    CREATE TABLE anomaly_events (
      anomaly_id INTEGER NOT NULL,
      role TEXT NOT NULL,
      record_id INTEGER NOT NULL,
      ts INTEGER NOT NULL,
      detector TEXT,
      is_duplicate INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (anomaly_id, role, record_id)
    ) WITHOUT ROWID;
    CREATE INDEX anomaly_events_record ON anomaly_events(record_id);
    CREATE TABLE anomaly_snoozes (
      id INTEGER PRIMARY KEY,
      scope TEXT NOT NULL,
      value TEXT NOT NULL,
      until INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      note TEXT
    );
    CREATE INDEX anomaly_snoozes_until ON anomaly_snoozes(until);
    CREATE TABLE detector_state (
      source_id INTEGER PRIMARY KEY,
      state TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE TABLE detector_templates (
      source_id INTEGER NOT NULL,
      template_key TEXT NOT NULL,
      first_ts INTEGER NOT NULL,
      last_ts INTEGER NOT NULL,
      count INTEGER NOT NULL,
      max_level INTEGER NOT NULL,
      baseline TEXT,
      PRIMARY KEY (source_id, template_key)
    ) WITHOUT ROWID;
    CREATE VIEW anomaly_evidence AS
      SELECT e.anomaly_id, e.role, e.is_duplicate, e.detector AS found_by, ev.*
      FROM anomaly_events e JOIN events ev ON ev.id = e.record_id;
  `,
};

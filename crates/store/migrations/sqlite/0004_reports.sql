-- Reports (pengaduan, aspirasi, permintaan informasi) as SP4N-LAPOR! handles them: categories
-- with their completion tier, the reports, their history and replies, files, full-text search.

CREATE TABLE report_categories (
    slug       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    tier       TEXT NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    position   INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);

-- `code` is the tracking code (random, with a check character). `handler` is who holds the report
-- after disposition: `opd:{slug}` or `desa:{region code}`. `due_on` is the deadline that runs now
-- (NULL while the reporter is asked for clarification and once closed). `listed` is whether the
-- public list shows it: verified and not `rahasia`. The tracking code is the reporter's key, so public
-- pages and Open311 name a report by `public_id` instead.
CREATE TABLE reports (
    code              TEXT PRIMARY KEY,
    public_id         TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL,
    category          TEXT NOT NULL REFERENCES report_categories(slug),
    region_code       TEXT NOT NULL REFERENCES regions(code),
    title             TEXT NOT NULL,
    public_title      TEXT NOT NULL,
    description       TEXT NOT NULL,
    address           TEXT NOT NULL DEFAULT '',
    latitude          REAL,
    longitude         REAL,
    reporter_name     TEXT NOT NULL DEFAULT '',
    reporter_email    TEXT NOT NULL DEFAULT '',
    reporter_phone    TEXT NOT NULL DEFAULT '',
    resident_id       INTEGER REFERENCES residents(id),
    anonymous         BOOLEAN NOT NULL,
    confidential      BOOLEAN NOT NULL,
    channel           TEXT NOT NULL,
    state             TEXT NOT NULL,
    handler           TEXT,
    tier              TEXT NOT NULL,
    received_at       TEXT NOT NULL,
    verify_due        TEXT NOT NULL,
    verified_at       TEXT,
    verified_on_time  BOOLEAN,
    disposed_at       TEXT,
    respond_due       TEXT,
    complete_due      TEXT,
    first_response_at TEXT,
    answered_on_time  BOOLEAN,
    closed_at         TEXT,
    done_working_days INTEGER,
    due_on            TEXT,
    sla_state         TEXT NOT NULL,
    reminded_for      TEXT,
    escalated_for     TEXT,
    rating            INTEGER,
    rating_note       TEXT NOT NULL DEFAULT '',
    reopened          INTEGER NOT NULL DEFAULT 0,
    listed            BOOLEAN NOT NULL DEFAULT FALSE,
    idempotency_key   TEXT UNIQUE,
    updated_at        TEXT NOT NULL
);
CREATE INDEX reports_region ON reports(region_code, received_at);
CREATE INDEX reports_handler ON reports(handler, state, due_on);
CREATE INDEX reports_state_due ON reports(state, due_on);
CREATE INDEX reports_received ON reports(received_at);
CREATE INDEX reports_listed_region ON reports(region_code, received_at) WHERE listed;
CREATE INDEX reports_listed_handler ON reports(handler, received_at) WHERE listed;
CREATE INDEX reports_resident ON reports(resident_id) WHERE resident_id IS NOT NULL;

-- The history: state changes, replies and notes. `visibility` is `publik` (whoever can see the
-- report), `pelapor` (the reporter and staff) or `internal` (staff only).
CREATE TABLE report_events (
    id          INTEGER PRIMARY KEY,
    report_code TEXT NOT NULL REFERENCES reports(code),
    at          TEXT NOT NULL,
    party       TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    body        TEXT NOT NULL,
    visibility  TEXT NOT NULL
);
CREATE INDEX report_events_report ON report_events(report_code, id);

CREATE TABLE report_attachments (
    id           TEXT PRIMARY KEY,
    report_code  TEXT NOT NULL REFERENCES reports(code),
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX report_attachments_report ON report_attachments(report_code);

-- Full-text search over what the public may read, kept in step by triggers.
CREATE VIRTUAL TABLE reports_fts USING fts5(
    public_title, description, content='reports', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER reports_fts_insert AFTER INSERT ON reports BEGIN
    INSERT INTO reports_fts(rowid, public_title, description) VALUES (new.rowid, new.public_title, new.description);
END;
CREATE TRIGGER reports_fts_update AFTER UPDATE OF public_title, description ON reports BEGIN
    INSERT INTO reports_fts(reports_fts, rowid, public_title, description)
        VALUES ('delete', old.rowid, old.public_title, old.description);
    INSERT INTO reports_fts(rowid, public_title, description) VALUES (new.rowid, new.public_title, new.description);
END;
CREATE TRIGGER reports_fts_delete AFTER DELETE ON reports BEGIN
    INSERT INTO reports_fts(reports_fts, rowid, public_title, description)
        VALUES ('delete', old.rowid, old.public_title, old.description);
END;

-- The chain head follows each appended audit record inside the same statement (one round trip
-- fewer for every audited change; reports arrive by the thousand).
CREATE TRIGGER audit_log_moves_head AFTER INSERT ON audit_log BEGIN
    UPDATE audit_head SET last_hash = new.hash WHERE id = 1;
END;

-- Residents (warga) with their own accounts, request attachments, the message outbox, staff API
-- tokens.

-- A resident's account. `penduduk_id` is set when the village confirms the NIK against its
-- register; until then the resident can sign in but not request letters.
CREATE TABLE residents (
    id            INTEGER PRIMARY KEY,
    nik           TEXT NOT NULL UNIQUE,
    village_code  TEXT NOT NULL REFERENCES regions(code),
    full_name     TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    status        TEXT NOT NULL,
    penduduk_id   INTEGER REFERENCES penduduk(id),
    status_note   TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    confirmed_at  TEXT
);
CREATE INDEX residents_village ON residents(village_code, status);

CREATE TABLE resident_sessions (
    token_hash   TEXT PRIMARY KEY,
    resident_id  INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX resident_sessions_resident ON resident_sessions(resident_id);

-- Who asked for a request online (NULL for a walk-in entered by staff).
ALTER TABLE letter_requests ADD COLUMN resident_id INTEGER REFERENCES residents(id);
CREATE INDEX letter_requests_resident ON letter_requests(resident_id, received_at);

-- Files attached to a request, kept in the database (one backup holds everything) under a random
-- id; served only to the request's resident and the village's staff.
CREATE TABLE attachments (
    id            TEXT PRIMARY KEY,
    request_id    TEXT NOT NULL REFERENCES letter_requests(id),
    requirement   TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    data          BLOB NOT NULL,
    replaced      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TEXT NOT NULL
);
CREATE INDEX attachments_request ON attachments(request_id);

-- Messages to send, written in the same transaction as the change they tell about; a worker
-- claims due ones, sends them and records the outcome.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    channel         TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    topic           TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    locked_until    TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_topic ON outbox(topic);

-- Bearer tokens for the REST API, one per staff member and purpose; only the hash is kept.
CREATE TABLE api_tokens (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

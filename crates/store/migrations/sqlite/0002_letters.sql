-- Letters (layanan surat): catalogue, population register, requests, numbering, issued letters.

-- A village's letter settings: numbering, paper, its own template.
CREATE TABLE letter_settings (
    village_code  TEXT PRIMARY KEY REFERENCES regions(code),
    number_format TEXT NOT NULL,
    counter_scope TEXT NOT NULL,
    paper         TEXT NOT NULL,
    template      TEXT,
    updated_at    TEXT NOT NULL
);

-- The letter types a village offers; the spec (fields, attachments, standar pelayanan) is JSON.
CREATE TABLE letter_types (
    village_code  TEXT NOT NULL REFERENCES regions(code),
    slug          TEXT NOT NULL,
    name          TEXT NOT NULL,
    spec          TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    number_format TEXT,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (village_code, slug)
);

-- The population register (penduduk), per village.
CREATE TABLE penduduk (
    id              INTEGER PRIMARY KEY,
    village_code    TEXT NOT NULL REFERENCES regions(code),
    nik             TEXT NOT NULL UNIQUE,
    no_kk           TEXT NOT NULL,
    nama            TEXT NOT NULL,
    tempat_lahir    TEXT NOT NULL DEFAULT '',
    tanggal_lahir   TEXT,
    jenis_kelamin   TEXT NOT NULL DEFAULT '',
    agama           TEXT NOT NULL DEFAULT '',
    status_kawin    TEXT NOT NULL DEFAULT '',
    pekerjaan       TEXT NOT NULL DEFAULT '',
    kewarganegaraan TEXT NOT NULL DEFAULT 'WNI',
    alamat          TEXT NOT NULL DEFAULT '',
    rt              TEXT NOT NULL DEFAULT '',
    rw              TEXT NOT NULL DEFAULT '',
    hubungan        TEXT NOT NULL DEFAULT '',
    updated_at      TEXT NOT NULL
);
CREATE INDEX penduduk_village ON penduduk(village_code, nama);
CREATE INDEX penduduk_kk ON penduduk(no_kk);

-- Per (village, year, scope) counters: gapless, one number at a time.
CREATE TABLE letter_counters (
    village_code TEXT NOT NULL,
    year         INTEGER NOT NULL,
    scope_key    TEXT NOT NULL,
    last_number  INTEGER NOT NULL,
    PRIMARY KEY (village_code, year, scope_key)
);

CREATE TABLE letter_requests (
    id            TEXT PRIMARY KEY,
    village_code  TEXT NOT NULL REFERENCES regions(code),
    letter_type   TEXT NOT NULL,
    penduduk_id   INTEGER NOT NULL REFERENCES penduduk(id),
    state         TEXT NOT NULL,
    fields        TEXT NOT NULL,
    channel       TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    due_on        TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL
);
CREATE INDEX letter_requests_queue ON letter_requests(village_code, state, due_on);

CREATE TABLE letter_request_events (
    id          INTEGER PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES letter_requests(id),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX letter_request_events_request ON letter_request_events(request_id, id);

-- Issued letters. One per request (a double click on "sign" cannot issue two).
CREATE TABLE letters (
    id                  TEXT PRIMARY KEY,
    request_id          TEXT UNIQUE REFERENCES letter_requests(id),
    village_code        TEXT NOT NULL REFERENCES regions(code),
    letter_type         TEXT NOT NULL,
    letter_type_name    TEXT NOT NULL,
    number              TEXT NOT NULL,
    year                INTEGER NOT NULL,
    scope_key           TEXT NOT NULL,
    sequence            INTEGER NOT NULL,
    issued_on           TEXT NOT NULL,
    subject_masked_name TEXT NOT NULL,
    signer_name         TEXT NOT NULL,
    signer_title        TEXT NOT NULL,
    signer_nip          TEXT NOT NULL DEFAULT '',
    pdf                 BLOB,
    pdf_sha256          TEXT NOT NULL,
    token               TEXT NOT NULL UNIQUE,
    signature           TEXT NOT NULL,
    external_note       TEXT NOT NULL DEFAULT '',
    revoked_at          TEXT,
    revoke_reason       TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    UNIQUE (village_code, year, scope_key, sequence)
);

-- Each village's Ed25519 public key (the secret is derived from the installation's secret key).
CREATE TABLE village_keys (
    village_code TEXT PRIMARY KEY REFERENCES regions(code),
    public_key   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

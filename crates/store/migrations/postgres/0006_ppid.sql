-- Public information (PPID, UU 14/2008, Perki 1/2018): the Daftar Informasi Publik with its
-- documents, the information request register with its clocks and decisions, objections
-- (keberatan), and the per-village, per-year serials of both registers.

CREATE TABLE dip_items (
    id               TEXT PRIMARY KEY,
    village_code     TEXT NOT NULL REFERENCES regions(code),
    class            TEXT NOT NULL,
    title            TEXT NOT NULL,
    summary          TEXT NOT NULL,
    holder           TEXT NOT NULL,
    responsible      TEXT NOT NULL,
    made_when_where  TEXT NOT NULL,
    form             TEXT NOT NULL,
    retention        TEXT NOT NULL,
    consequence_test TEXT NOT NULL DEFAULT '',
    exemption        TEXT,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    -- When the content was last brought up to date (periodic items: at least every 6 months).
    refreshed_on     DATE NOT NULL
);
CREATE INDEX dip_items_village ON dip_items(village_code, class, title);

CREATE TABLE dip_files (
    id           TEXT PRIMARY KEY,
    item_id      TEXT NOT NULL REFERENCES dip_items(id),
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    data         BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX dip_files_item ON dip_files(item_id, created_at);

-- `code` is the requester's tracking code (the key to the request page); `number` the register
-- number. `due_on` is the answer deadline in force (`first_due`, or 7 working days later once
-- extended). Identity and contact are personal data: only the village's PPID staff see them.
CREATE TABLE info_requests (
    code                TEXT PRIMARY KEY,
    number              TEXT NOT NULL UNIQUE,
    village_code        TEXT NOT NULL REFERENCES regions(code),
    received_at         TIMESTAMPTZ NOT NULL,
    requester_name      TEXT NOT NULL,
    requester_id_number TEXT NOT NULL,
    requester_address   TEXT NOT NULL,
    requester_email     TEXT NOT NULL DEFAULT '',
    requester_phone     TEXT NOT NULL DEFAULT '',
    information         TEXT NOT NULL,
    purpose             TEXT NOT NULL,
    obtain_method       TEXT NOT NULL,
    delivery_method     TEXT NOT NULL,
    dip_item_id         TEXT REFERENCES dip_items(id),
    channel             TEXT NOT NULL,
    resident_id         BIGINT REFERENCES residents(id),
    state               TEXT NOT NULL,
    first_due           DATE NOT NULL,
    due_on              DATE NOT NULL,
    extension_reason    TEXT NOT NULL DEFAULT '',
    extended_at         TIMESTAMPTZ,
    decision            TEXT,
    info_class          TEXT,
    exemption           TEXT,
    decision_reason     TEXT NOT NULL DEFAULT '',
    answer              TEXT NOT NULL DEFAULT '',
    fee_rupiah          BIGINT NOT NULL DEFAULT 0,
    notice_at           TIMESTAMPTZ,
    days_to_notice      INTEGER,
    on_time             BOOLEAN,
    delivered_at        TIMESTAMPTZ,
    delivery_note       TEXT NOT NULL DEFAULT '',
    published           BOOLEAN NOT NULL DEFAULT FALSE,
    idempotency_key     TEXT UNIQUE,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX info_requests_village ON info_requests(village_code, received_at);
CREATE INDEX info_requests_published ON info_requests(village_code, notice_at) WHERE published;

-- History of a request and its objection; `internal` entries are for staff only.
CREATE TABLE info_request_events (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_code TEXT NOT NULL REFERENCES info_requests(code),
    at           TIMESTAMPTZ NOT NULL,
    actor_name   TEXT NOT NULL,
    action       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    internal     BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX info_request_events_request ON info_request_events(request_code, id);

-- One objection per request. `grounds` are the letters of UU 14/2008 Ps 35(1), comma-separated.
CREATE TABLE keberatan (
    number       TEXT PRIMARY KEY,
    request_code TEXT NOT NULL UNIQUE REFERENCES info_requests(code),
    village_code TEXT NOT NULL REFERENCES regions(code),
    filed_at     TIMESTAMPTZ NOT NULL,
    grounds      TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    answer_due   DATE NOT NULL,
    answered_at  TIMESTAMPTZ,
    outcome      TEXT,
    answer       TEXT NOT NULL DEFAULT '',
    answered_by  TEXT NOT NULL DEFAULT '',
    on_time      BOOLEAN,
    komisi_due   DATE,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX keberatan_village ON keberatan(village_code, filed_at);

CREATE TABLE ppid_counters (
    village_code TEXT NOT NULL,
    year         INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    last         BIGINT NOT NULL,
    PRIMARY KEY (village_code, year, kind)
);

-- Answers to the satisfaction survey (SKM, PermenPANRB 14/2017). One row per response; no
-- personal data. A response to a completed service's link names it in `service_ref`, unique with
-- its kind, so a link is used once. A walk-in response (the counter's QR) has no service but a
-- `visit_key` from the form it was given, also unique; `visitor_hash` (a keyed hash of the
-- visitor's address and the day) only counts responses per visitor to throttle them.
CREATE TABLE survey_responses (
    id            INTEGER PRIMARY KEY,
    village_code  TEXT NOT NULL REFERENCES regions(code),
    -- `desa`, or `opd:SLUG` for a report handled by a regency office.
    unit          TEXT NOT NULL,
    -- `surat`, `lapor`, `informasi` (from a link) or `loket` (walk-in).
    source        TEXT NOT NULL,
    -- `surat:SKTM`, `lapor`, `informasi`, `lainnya`; with the label shown when it was answered.
    service_type  TEXT NOT NULL,
    service_label TEXT NOT NULL,
    service_ref   TEXT,
    visit_key     TEXT UNIQUE,
    visitor_hash  TEXT,
    answered_at   TEXT NOT NULL,
    u1 INTEGER CHECK (u1 BETWEEN 1 AND 4),
    u2 INTEGER CHECK (u2 BETWEEN 1 AND 4),
    u3 INTEGER CHECK (u3 BETWEEN 1 AND 4),
    u4 INTEGER CHECK (u4 BETWEEN 1 AND 4),
    u5 INTEGER CHECK (u5 BETWEEN 1 AND 4),
    u6 INTEGER CHECK (u6 BETWEEN 1 AND 4),
    u7 INTEGER CHECK (u7 BETWEEN 1 AND 4),
    u8 INTEGER CHECK (u8 BETWEEN 1 AND 4),
    u9 INTEGER CHECK (u9 BETWEEN 1 AND 4),
    UNIQUE (source, service_ref)
);
CREATE INDEX survey_responses_village ON survey_responses(village_code, answered_at);
CREATE INDEX survey_responses_visitor ON survey_responses(visitor_hash, answered_at);

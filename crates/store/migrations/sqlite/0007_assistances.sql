-- Assisted filings (pendampingan): a pendamping (kader digital) files for a resident of their own
-- village with the resident's recorded consent. One row per assisted letter request, report or
-- information request, written with the filing. Contact details are personal data.
CREATE TABLE assistances (
    object          TEXT PRIMARY KEY,
    village_code    TEXT NOT NULL REFERENCES regions(code),
    pendamping      TEXT NOT NULL,
    penduduk_id     INTEGER NOT NULL REFERENCES penduduk(id),
    resident_name   TEXT NOT NULL,
    consent_method  TEXT NOT NULL,
    consent_witness TEXT NOT NULL DEFAULT '',
    contact_email   TEXT NOT NULL DEFAULT '',
    contact_phone   TEXT NOT NULL DEFAULT '',
    at              TEXT NOT NULL
);
CREATE INDEX assistances_village ON assistances(village_code, at);

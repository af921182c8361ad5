-- STOPE e-readiness assessments and the capability programme (domain.md §9, seed 004).

-- An assessment is never changed: a new one is made, so the history over time stays.
CREATE TABLE readiness_assessments (
    id           INTEGER PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES regions(code),
    assessed_at  TEXT NOT NULL,
    -- The assessor's audit name and display name.
    assessor     TEXT NOT NULL,
    assessor_name TEXT NOT NULL,
    with_budget  BOOLEAN NOT NULL
);
CREATE INDEX readiness_assessments_village ON readiness_assessments(village_code, assessed_at);

-- Each factor's score with the assessor's written evidence, and what the platform proposed.
CREATE TABLE readiness_scores (
    assessment_id BIGINT NOT NULL REFERENCES readiness_assessments(id),
    factor        TEXT NOT NULL,
    score         INTEGER NOT NULL CHECK (score BETWEEN 1 AND 4),
    evidence      TEXT NOT NULL CHECK (length(evidence) > 0),
    proposed      INTEGER CHECK (proposed BETWEEN 1 AND 4),
    PRIMARY KEY (assessment_id, factor)
);

-- The aparatur of a village the capability programme trains (names and positions only).
CREATE TABLE aparatur (
    id           INTEGER PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES regions(code),
    name         TEXT NOT NULL,
    position     TEXT NOT NULL,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (village_code, name)
);

CREATE TABLE training_sessions (
    id          INTEGER PRIMARY KEY,
    -- The regency (or kecamatan) that runs it.
    region_code TEXT NOT NULL REFERENCES regions(code),
    module      TEXT NOT NULL,
    title       TEXT NOT NULL,
    held_on     TEXT NOT NULL,
    place       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX training_sessions_region ON training_sessions(region_code, held_on);

CREATE TABLE training_attendance (
    session_id  BIGINT NOT NULL REFERENCES training_sessions(id),
    aparatur_id BIGINT NOT NULL REFERENCES aparatur(id),
    PRIMARY KEY (session_id, aparatur_id)
);
CREATE INDEX training_attendance_aparatur ON training_attendance(aparatur_id);

-- The programme's outputs a village has in place.
CREATE TABLE village_outputs (
    village_code TEXT NOT NULL REFERENCES regions(code),
    output       TEXT NOT NULL,
    done_on      TEXT NOT NULL,
    note         TEXT NOT NULL,
    PRIMARY KEY (village_code, output)
);

-- "When did this person last act": an operator's activity, read for STOPE's proposals.
CREATE INDEX audit_log_actor ON audit_log(actor, seq);

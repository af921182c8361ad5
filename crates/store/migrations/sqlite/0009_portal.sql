-- Residents' subscriptions to a village's announcements (langganan pengumuman). `token` is the
-- subscription's secret: its confirmation and opt-out links carry it, so whoever received a
-- message can stop the next one in one click. Broadcasts go only to `active` subscriptions.
CREATE TABLE news_subscriptions (
    id           INTEGER PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES regions(code),
    channel      TEXT NOT NULL,
    address      TEXT NOT NULL,
    token        TEXT NOT NULL UNIQUE,
    status       TEXT NOT NULL,
    asked_at     TEXT NOT NULL,
    confirmed_at TEXT,
    stopped_at   TEXT,
    UNIQUE (village_code, channel, address)
);
CREATE INDEX news_subscriptions_active ON news_subscriptions(village_code, status);

-- How many subscribers a post was sent to (0: not broadcast).
ALTER TABLE news_posts ADD COLUMN broadcast_count INTEGER NOT NULL DEFAULT 0;

-- The village's maklumat pelayanan (service pledge), shown with its service catalogue.
ALTER TABLE village_profiles ADD COLUMN maklumat TEXT NOT NULL DEFAULT '';

-- The village's standar pelayanan of its services outside the letter catalogue (the complaint
-- channel, information requests), as JSON (balai_domain::surat::catalogue::StandarPelayanan);
-- none stored: the defaults of balai_domain::layanan.
CREATE TABLE service_standards (
    village_code TEXT NOT NULL REFERENCES regions(code),
    service      TEXT NOT NULL,
    spec         TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (village_code, service)
);

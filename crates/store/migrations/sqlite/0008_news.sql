-- A village portal's news and announcements (berita, pengumuman). A post's photo is stored as
-- the server made it: re-encoded as JPEG, resized, without the camera's metadata (EXIF).
CREATE TABLE news_photos (
    id           TEXT PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES regions(code),
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    size_bytes   INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    created_at   TEXT NOT NULL
);

-- `withdrawn_at` set: taken off the portal (kept for the audit trail).
CREATE TABLE news_posts (
    id            TEXT PRIMARY KEY,
    village_code  TEXT NOT NULL REFERENCES regions(code),
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    photo_id      TEXT REFERENCES news_photos(id),
    photo_caption TEXT NOT NULL DEFAULT '',
    author        TEXT NOT NULL,
    published_at  TEXT NOT NULL,
    withdrawn_at  TEXT
);
CREATE INDEX news_posts_village ON news_posts(village_code, published_at);

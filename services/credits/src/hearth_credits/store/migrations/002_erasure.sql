-- Erasure tombstones: an erased address, kept only as a SHA-256 digest (hex, of the trimmed,
-- lowercased email) with when erasure was asked, so attendance dated before the request that
-- names a person id credits had not met yet makes that person erased too (people.erased_at).
CREATE TABLE erased_addresses (
    email_digest text PRIMARY KEY,
    requested_at timestamptz NOT NULL,
    erased_at timestamptz NOT NULL DEFAULT now()
);

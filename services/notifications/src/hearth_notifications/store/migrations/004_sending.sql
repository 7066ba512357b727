-- Each mail sender leases deliveries under its own token: it renews its leases while it sends,
-- and settles only what it still holds, so a second sender never sends an email the first holds
-- and a sender whose lease was taken over cannot overwrite the new holder's outcome.
ALTER TABLE deliveries ADD COLUMN lease_owner uuid;
CREATE INDEX deliveries_leased ON deliveries (lease_owner) WHERE status = 'sending';

-- A non-critical email's RFC 8058 one-click unsubscribe link (a signed link to the public site),
-- sent as List-Unsubscribe with List-Unsubscribe-Post.
ALTER TABLE deliveries ADD COLUMN unsubscribe_url text;

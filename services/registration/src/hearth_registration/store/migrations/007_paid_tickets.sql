-- Paid tickets (issue 13): a ticket with a price is held `awaiting_payment` until
-- `hold_expires_at`, then becomes `active` when paid (by the payment system's PaymentReceived or
-- by staff) or `expired` when the hold runs out (its seat passes to the waiting list).
ALTER TABLE tickets DROP CONSTRAINT tickets_status_check;
ALTER TABLE tickets ADD CONSTRAINT tickets_status_check
    CHECK (status IN ('active', 'awaiting_payment', 'cancelled', 'expired'));
ALTER TABLE tickets ADD COLUMN hold_expires_at timestamptz;
ALTER TABLE tickets ADD COLUMN paid_at timestamptz;
ALTER TABLE tickets ADD COLUMN paid_cents int CHECK (paid_cents >= 0);
ALTER TABLE tickets ADD COLUMN payment_method text;  -- payment_system, e_transfer, invoice, at_door, card
ALTER TABLE tickets ADD COLUMN payment_reference text;
ALTER TABLE tickets ADD COLUMN paid_recorded_by uuid;  -- the staff member who marked it paid
ALTER TABLE tickets ADD CONSTRAINT tickets_hold_has_an_end
    CHECK (status <> 'awaiting_payment' OR hold_expires_at IS NOT NULL);

-- A held ticket is the person's place as much as a paid one: still one per person and gathering.
DROP INDEX tickets_one_active_per_person;
CREATE UNIQUE INDEX tickets_one_active_per_person ON tickets (gathering_id, person_id)
    WHERE status IN ('active', 'awaiting_payment');
CREATE INDEX tickets_holds_due ON tickets (hold_expires_at) WHERE status = 'awaiting_payment';

-- Erasure reaches self-reports: their free text (evidence, the decision's reason) is blanked and
-- the row says when, so staff see "erased on <date>" rather than an empty box.
ALTER TABLE self_reports ADD COLUMN erased_at timestamptz;

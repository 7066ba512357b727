-- Feedback is one submission per attendee, editable while feedback is open (issue 13).
ALTER TABLE feedback ADD COLUMN updated_at timestamptz;

-- Who asked for a resend: the staff member the gateway's service token named (issue 12). Null for
-- every email Hearth sent on its own, and for resends made before tokens.
ALTER TABLE deliveries ADD COLUMN resent_by uuid;

-- The W3C trace context (`traceparent`) of the event that caused each delivery, so the mail
-- sender's SMTP send is a span of that event's trace (hearth_shared.tracing). Null when tracing
-- is off or the cause carried none.
ALTER TABLE deliveries ADD COLUMN traceparent text;

-- Issue 11: delivery through SMTP and an SMS gateway.
-- html_body: the HTML alternative of an e-mail (body stays the plain text).
-- delivered_body: what body becomes once a real transport has delivered the message (an SMS
--   with its signing code masked), so the outbox keeps no usable code after it left.
-- last_attempt_at: when the worker last tried, for the admins reading the outbox.
ALTER TABLE outbox ADD COLUMN html_body TEXT;
ALTER TABLE outbox ADD COLUMN delivered_body TEXT;
ALTER TABLE outbox ADD COLUMN last_attempt_at TEXT;
CREATE INDEX outbox_status_channel ON outbox (status, channel, id);

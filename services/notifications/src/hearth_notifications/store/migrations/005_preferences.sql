-- Preferences as the public email-preferences page sets them: opt-outs of the four optional
-- categories (reminders, feedback, groups, news), a digest of group activity (none, daily,
-- weekly) and the language emails are written in (NULL: the one events give).
ALTER TABLE preferences
    ADD COLUMN digest text NOT NULL DEFAULT 'none' CHECK (digest IN ('none', 'daily', 'weekly')),
    ADD COLUMN language text CHECK (language IN ('en', 'fr'));
UPDATE preferences SET digest = 'daily' WHERE group_digest;
ALTER TABLE preferences DROP COLUMN group_digest;
-- Credits' news became `news`; ticket, waitlist and gathering-change emails are critical now
-- (about the person's own place), so opting out of them means nothing.
UPDATE preferences SET opted_out = ARRAY(
    SELECT DISTINCT CASE c WHEN 'credits' THEN 'news' ELSE c END FROM unnest(opted_out) AS c
    WHERE c IN ('reminders', 'feedback', 'groups', 'news', 'credits') ORDER BY 1
);

-- People by name for ids shown on a page (audit rows' users); row-level security limits `users` to the
-- session organization's members, so an id from elsewhere stays unnamed.
SELECT CAST(u.id AS text) AS id, nullif(concat_ws(' ', u."firstName", u."lastName"), '') AS name, u.email
FROM users u
WHERE u.id = ANY(CAST(:user_ids AS uuid[]))

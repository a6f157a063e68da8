-- One sign-in attempt at a given clock (tests, replays): the schema owner's only.
SELECT outcome, user_id, locked_until, failed_attempts
FROM prometric_login_attempt_at(:email, :candidate, :rehash, :now)

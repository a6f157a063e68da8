-- One sign-in attempt, on the server's clock: lock-out, comparison, rehash (SECURITY DEFINER).
SELECT outcome, user_id, locked_until, failed_attempts
FROM prometric_login_attempt(:email, :candidate, :rehash)

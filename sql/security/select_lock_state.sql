SELECT "failedAttempts", "lastFailedAt", "lockedUntil"
FROM security_account_locks
WHERE email = :email
FOR UPDATE;

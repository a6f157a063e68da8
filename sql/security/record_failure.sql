UPDATE security_account_locks
SET "failedAttempts" = :failed_attempts, "lastFailedAt" = :now, "lockedUntil" = :locked_until, "updatedAt" = :now
WHERE email = :email;

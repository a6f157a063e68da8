UPDATE security_account_locks
SET "failedAttempts" = 0, "lockedUntil" = NULL, "updatedAt" = :now
WHERE email = :email;

UPDATE refresh_tokens
SET "revokedAt" = :now, "revokedReason" = :reason
WHERE token = :token_hash AND "revokedAt" IS NULL;

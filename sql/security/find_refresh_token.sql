SELECT "userId"
FROM refresh_tokens
WHERE token = :token_hash AND "revokedAt" IS NULL AND "expiresAt" > :now;

-- Marks the verification used and returns its user; nothing when unknown, used or expired.
UPDATE email_verifications
SET "verifiedAt" = :now
WHERE token = :token_hash AND "verifiedAt" IS NULL AND "expiresAt" > :now
RETURNING "userId", email;

-- The link token is stored as its SHA-256; the 6-digit code as the seed's column allows (VARCHAR(6)).
INSERT INTO email_verifications ("userId", email, code, token, type, "expiresAt")
VALUES (:user_id, :email, :code, :token_hash, :type, :expires_at)
RETURNING id;

-- Only the SHA-256 of the token is stored; the caller hands the token itself to the client.
INSERT INTO refresh_tokens ("userId", token, "expiresAt", "deviceInfo", "ipAddress", "userAgent")
VALUES (:user_id, :token_hash, :expires_at, CAST(:device_info AS jsonb), :ip_address, :user_agent)
RETURNING id;

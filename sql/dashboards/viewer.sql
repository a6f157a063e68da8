-- The signed-in user (prometric_account: SECURITY DEFINER, the reader may not read users outside a tenant).
SELECT id, email, "firstName", "lastName", "isActive"
FROM prometric_account(:user_id)

-- bcrypt's setting (cost and salt, never the hash) of the account an e-mail logs into; a stable
-- made-up one at the login cost for an unknown e-mail (SECURITY DEFINER, migration 20261206200400).
SELECT prometric_login_salt(:email) AS setting

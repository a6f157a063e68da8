-- The throttling row of one e-mail, made on first sight (then locked FOR UPDATE by select_lock_state,
-- so concurrent attempts on one account are counted one after the other).
INSERT INTO security_account_locks (email) VALUES (:email) ON CONFLICT (email) DO NOTHING;

-- After a restore (a backup holds no tenant key): a new key from the server's strong random source
-- (244 random bits, as the migration makes the first one), unless an active key is there already.
INSERT INTO security_tenant_keys (key)
SELECT replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')
WHERE NOT EXISTS (SELECT 1 FROM security_tenant_keys k WHERE k."retiredAt" IS NULL);

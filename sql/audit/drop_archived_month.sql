-- Step 4 for a month archived whole (same transaction as its manifests): detach and drop the month's
-- partition when, per organization, its rows equal the manifests :run_key wrote for the month.
-- NULL: not provable (rows the run did not archive, or no partition of that month); nothing changed.
SELECT prometric_audit_drop_archived_month(:month, :run_key);

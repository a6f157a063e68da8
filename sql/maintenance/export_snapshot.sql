-- Run first in a REPEATABLE READ, READ ONLY transaction: pg_dump --snapshot reads this very state,
-- so the row counts the manifest records are those of the dump.
SELECT pg_export_snapshot()

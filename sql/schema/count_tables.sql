-- Tables of the operational schema present in the current database (Alembic's bookkeeping excluded;
-- a partitioned table counts once, its partitions are parts of it).
SELECT count(*)
FROM pg_class AS c
WHERE c.relnamespace = current_schema()::regnamespace
  AND c.relkind IN ('r', 'p')
  AND NOT c.relispartition
  AND c.relname <> 'alembic_version';

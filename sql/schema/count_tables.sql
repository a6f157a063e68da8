-- Tables of the operational schema present in the current database (Alembic's bookkeeping excluded).
SELECT count(*)
FROM information_schema.tables
WHERE table_schema = current_schema()
  AND table_type = 'BASE TABLE'
  AND table_name <> 'alembic_version';

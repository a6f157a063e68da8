-- Every table of the operational schema (what a backup's row counts cover), quoted for SQL.
SELECT format('%I.%I', schemaname, tablename) AS qualified_name, tablename AS table_name
FROM pg_tables
WHERE schemaname = current_schema()
ORDER BY tablename

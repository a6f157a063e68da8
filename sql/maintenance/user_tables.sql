-- Every table of the operational schema (what a backup's row counts cover), quoted for SQL by
-- PostgreSQL itself: as an identifier and as a literal.
SELECT tablename AS table_name,
       format('%I.%I', schemaname, tablename) AS qualified_name,
       quote_literal(tablename) AS name_literal
FROM pg_tables
WHERE schemaname = current_schema()
ORDER BY tablename

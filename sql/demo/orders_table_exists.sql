-- Whether the ERP schema is there yet: a fresh database has no orders table before its first migration.
SELECT to_regclass('public.orders') IS NOT NULL

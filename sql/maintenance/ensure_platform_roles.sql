-- The roles the operational schema grants to (created by its migrations; cluster-wide, so a new
-- server that receives a restore may not have them yet). NOLOGIN, as the migrations make them.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'prometric_reader') THEN
        CREATE ROLE prometric_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'prometric_jobs') THEN
        CREATE ROLE prometric_jobs NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'prometric_maintenance') THEN
        CREATE ROLE prometric_maintenance NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$

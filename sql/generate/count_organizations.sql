-- Organizations already in the database: generated data must not silently mix with them.
SELECT count(*) FROM organizations

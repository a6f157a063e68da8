-- Snapshots older than the retention go (their tables, indexes and queries with them, ON DELETE CASCADE).
DELETE FROM maintenance_health_snapshots WHERE "takenAt" < CAST(:keep_after AS timestamp)

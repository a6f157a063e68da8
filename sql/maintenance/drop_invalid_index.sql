-- Drops one invalid copy a failed REINDEX CONCURRENTLY left (as reindex_leftovers.sql names it) through
-- the owner's definer function: the maintenance login may not DROP INDEX itself. False when it is gone.
SELECT prometric_drop_invalid_index(CAST(:qualified_name AS text))

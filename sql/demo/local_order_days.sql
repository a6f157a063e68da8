-- The first and last local days (as the partitions count them, in :zone) of every organization's orders:
-- the demo's own database, all of it. NULLs when there are no orders.
SELECT min(local)::date AS first_day, max(local)::date AS last_day
FROM (SELECT ("orderDate" AT TIME ZONE 'UTC') AT TIME ZONE :zone AS local FROM orders) AS o

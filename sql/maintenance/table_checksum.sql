-- Rows and an order-free checksum of one table's rows (the sum of 60 bits of each row's md5), the
-- same before a backup and after its restore when no row differs. {table} is a catalog-quoted name.
SELECT count(*) AS row_count,
       coalesce(sum(('x' || left(md5(t::text), 15))::bit(60)::bigint), 0)::text AS checksum
FROM {table} AS t

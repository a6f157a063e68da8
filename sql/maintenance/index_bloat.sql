-- Estimated bloat of the operational schema's valid B-tree indexes: the pages an index has against
-- the pages its rows would fill at its fillfactor, from the planner's statistics (pg_stats,
-- reltuples). This is the widely used estimate of the PostgreSQL community (ioguix/pgsql-bloat-estimation,
-- btree), reduced to what the reindex job needs; it is an estimate: ANALYZE keeps it honest.
WITH index_columns AS (
    SELECT i.indexrelid AS index_oid,
           i.indrelid AS table_oid,
           ci.relname AS index_name,
           ci.reltuples,
           ci.relpages,
           coalesce(substring(array_to_string(ci.reloptions, ' ') FROM 'fillfactor=([0-9]+)')::int, 90) AS fillfactor,
           k.attpos,
           i.indkey[k.attpos - 1] AS table_attnum
    FROM pg_index i
    JOIN pg_class ci ON ci.oid = i.indexrelid
    JOIN pg_am am ON am.oid = ci.relam AND am.amname = 'btree'
    CROSS JOIN LATERAL generate_series(1, i.indnatts) AS k(attpos)
    WHERE ci.relnamespace = current_schema()::regnamespace
      AND ci.relkind = 'i'
      AND ci.relpages > 0
      AND i.indisvalid AND i.indisready AND i.indislive
),
column_widths AS (
    -- a table column's statistics, or for an expression the index's own (pg_stats lists it under the index)
    SELECT c.index_oid, c.table_oid, c.index_name, c.reltuples, c.relpages, c.fillfactor,
           coalesce(ts.null_frac, xs.null_frac, 0) AS null_frac,
           coalesce(ts.avg_width, xs.avg_width, 1024) AS avg_width
    FROM index_columns c
    JOIN pg_class ct ON ct.oid = c.table_oid
    LEFT JOIN pg_attribute ta ON c.table_attnum <> 0 AND ta.attrelid = c.table_oid AND ta.attnum = c.table_attnum
    LEFT JOIN pg_attribute xa ON c.table_attnum = 0 AND xa.attrelid = c.index_oid AND xa.attnum = c.attpos
    LEFT JOIN pg_stats ts ON ts.schemaname = current_schema() AND ts.tablename = ct.relname AND ts.attname = ta.attname
    LEFT JOIN pg_stats xs ON xs.schemaname = current_schema() AND xs.tablename = c.index_name AND xs.attname = xa.attname
),
tuple_widths AS (
    SELECT index_oid, table_oid, index_name, reltuples, relpages, fillfactor,
           -- IndexTupleData (8 bytes), plus the null bitmap when a column can be null
           CASE WHEN max(null_frac) = 0 THEN 8 ELSE 8 + ((32 + 8 - 1) / 8) END AS header_bytes,
           sum((1 - null_frac) * avg_width) AS data_bytes
    FROM column_widths
    GROUP BY index_oid, table_oid, index_name, reltuples, relpages, fillfactor
),
aligned AS (
    -- MAXALIGN 8 (64-bit servers); page header 24 bytes, B-tree special space 16 bytes
    SELECT *, (header_bytes + 8 - CASE WHEN header_bytes % 8 = 0 THEN 8 ELSE header_bytes % 8 END
               + data_bytes + 8 - CASE WHEN data_bytes = 0 THEN 0
                                       WHEN data_bytes::int % 8 = 0 THEN 8
                                       ELSE data_bytes::int % 8 END)::numeric AS tuple_bytes,
           current_setting('block_size')::numeric AS block_size
    FROM tuple_widths
),
estimated AS (
    SELECT *,
           coalesce(1 + ceil(reltuples / floor((block_size - 24 - 16) * fillfactor / (100 * (4 + tuple_bytes)))), 0)
               AS expected_pages
    FROM aligned
)
SELECT e.index_oid::bigint AS index_oid,
       format('%I.%I', current_schema(), e.index_name) AS qualified_name,
       e.index_name,
       ct.relname AS table_name,
       (e.block_size * e.relpages)::bigint AS index_bytes,
       (e.block_size * greatest(e.relpages - e.expected_pages, 0))::bigint AS bloat_bytes,
       greatest(e.relpages - e.expected_pages, 0)::float8 / e.relpages AS bloat_ratio
FROM estimated e
JOIN pg_class ct ON ct.oid = e.table_oid
ORDER BY bloat_bytes DESC, e.index_name

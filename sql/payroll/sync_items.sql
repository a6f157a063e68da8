-- Brings the breakdown of the DRAFT rows the run recomputed (staged) to the computed one, writing only
-- the differences. The computed lines are unfolded from the stage (nine per row, ids derived from the
-- row's id: its last byte XOR the line's position, so a re-run computes the same ids). The lines of the
-- rows created by this run (staged NEW) are inserted as they are; those of the existing DRAFT rows are
-- matched with the stored ones on their natural key (payrollId, code): one not computed any more is
-- deleted, one whose values differ is updated, one not stored yet is inserted, an unchanged one is not
-- touched (no new row version). `computed` is inlined (NOT MATERIALIZED), so each use unfolds only its
-- own rows; the diff, referenced three times, is materialised and holds the differences only. The
-- writes touch disjoint keys. Returns the counts.
WITH computed AS NOT MATERIALIZED (
    SELECT CAST(encode(set_byte(uuid_send(s.id), 15, get_byte(uuid_send(s.id), 15) # v.position), 'hex') AS uuid)
               AS id,
           s.status AS stage_status, s.id AS "payrollId", s."organizationId", v.code, v.kind, v.base, v.rate, v.amount,
           CAST(v.details AS jsonb) AS details
    FROM payroll_stage s
    CROSS JOIN LATERAL (
        VALUES (1, 'BASIC', 'earning', s.basic_base, CAST(NULL AS numeric), s.basic_amount, s.basic_details),
               (2, 'OVERTIME', 'earning', s.overtime_base, CAST(1.5 AS numeric), s.overtime_amount, s.overtime_details),
               (3, 'OPV', 'withholding', s.opv_base, CAST(:opv_rate AS numeric), s.opv_amount, s.opv_details),
               (4, 'VOSMS', 'withholding', s.vosms_base, CAST(:vosms_rate AS numeric), s.vosms_amount, NULL),
               (5, 'IPN', 'tax', s.ipn_base, s.ipn_rate, s.ipn_amount, s.ipn_details),
               (6, 'OPVR', 'employer', s.opvr_base, CAST(:opvr_rate AS numeric), s.opvr_amount, s.opvr_details),
               (7, 'SO', 'employer', s.so_base, CAST(:so_rate AS numeric), s.so_amount, NULL),
               (8, 'OOSMS', 'employer', s.oosms_base, CAST(:oosms_rate AS numeric), s.oosms_amount, NULL),
               (9, 'SN', 'employer', s.sn_base, CAST(:sn_rate AS numeric), s.sn_amount, NULL)
    ) AS v (position, code, kind, base, rate, amount, details)
    WHERE s."organizationId" = :organization_id
),
stored AS (
    SELECT i.id, i."payrollId", i."organizationId", i.code, i.kind, i.base, i.rate, i.amount, i.details
    FROM payroll_items i
    JOIN payroll p ON p.id = i."payrollId" AND p."organizationId" = i."organizationId"
    JOIN payroll_stage s ON s.id = p.id AND s.status = 'DRAFT'  -- the recomputed rows' lines only
    WHERE p."organizationId" = :organization_id
      AND p.year = :year
      AND p.month = :month
      AND p.status = 'DRAFT'
),
diff AS (
    SELECT t.id AS stored_id, c.id, c."payrollId", c."organizationId", c.code, c.kind, c.base, c.rate, c.amount,
           c.details
    FROM (SELECT * FROM computed WHERE stage_status = 'DRAFT') c
    FULL JOIN stored t ON t."payrollId" = c."payrollId" AND t.code = c.code AND t."organizationId" = c."organizationId"
    WHERE t.id IS NULL
       OR c.id IS NULL
       OR (t.kind, t.base, t.rate, t.amount, t.details) IS DISTINCT FROM (c.kind, c.base, c.rate, c.amount, c.details)
),
removed AS (
    DELETE FROM payroll_items i
    USING diff d
    WHERE i.id = d.stored_id
      AND d.id IS NULL
      AND i."organizationId" = :organization_id
    RETURNING 1
),
changed AS (
    UPDATE payroll_items i
    SET kind = d.kind, base = d.base, rate = d.rate, amount = d.amount, details = d.details
    FROM diff d
    WHERE i.id = d.stored_id
      AND d.id IS NOT NULL
      AND i."organizationId" = d."organizationId"
      AND i."organizationId" = :organization_id
    RETURNING 1
),
added AS (
    INSERT INTO payroll_items (id, "payrollId", "organizationId", code, kind, base, rate, amount, details)
    SELECT d.id, d."payrollId", d."organizationId", d.code, d.kind, d.base, d.rate, d.amount, d.details
    FROM diff d
    WHERE d.stored_id IS NULL
    UNION ALL
    SELECT c.id, c."payrollId", c."organizationId", c.code, c.kind, c.base, c.rate, c.amount, c.details
    FROM computed c
    WHERE c.stage_status = 'NEW'
    RETURNING 1
)
SELECT (SELECT count(*) FROM added) AS added,
       (SELECT count(*) FROM changed) AS changed,
       (SELECT count(*) FROM removed) AS removed

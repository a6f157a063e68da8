-- payments_received / payments_made (COMPLETED INCOMING / OUTGOING by paymentDate) and their difference
-- net_cash_flow, for :start..:end. Foreign currency converts at the payment date's rate, or is left out
-- and counted (a NULL amount is counted as such). Status and type compare upper-cased after trimming.
WITH day_payments AS (
    SELECT p."organizationId", p."workspaceId", p."paymentDate" AS day, upper(btrim(p.type)) AS type, p.currency,
           p.amount AS raw_amount,
           p.amount * CASE WHEN coalesce(p.currency, 'KZT') = 'KZT' THEN 1 ELSE r."rateToKzt" END AS amount
    FROM payments p
    JOIN metric_run_organizations ro ON ro."organizationId" = p."organizationId"
    LEFT JOIN fx_rates r ON r.currency = p.currency AND r.date = p."paymentDate"
    WHERE upper(btrim(p.status)) = 'COMPLETED' AND upper(btrim(p.type)) IN ('INCOMING', 'OUTGOING')
      AND p."paymentDate" BETWEEN :start AND :end
),
skipped AS (
    INSERT INTO metric_skips ("organizationId", date, source, reason, detail, rows)
    SELECT "organizationId", day, 'payments',
           CASE WHEN raw_amount IS NULL THEN 'amount is NULL' ELSE 'no exchange rate' END,
           CASE WHEN raw_amount IS NOT NULL THEN currency END, count(*)
    FROM day_payments WHERE amount IS NULL
    GROUP BY 1, 2, 3, 4, 5
),
per_day AS (
    SELECT "organizationId", "workspaceId", day,
           coalesce(sum(amount) FILTER (WHERE type = 'INCOMING'), 0) AS received,
           coalesce(sum(amount) FILTER (WHERE type = 'OUTGOING'), 0) AS made
    FROM day_payments WHERE amount IS NOT NULL
    GROUP BY 1, 2, 3
)
INSERT INTO metric_values ("organizationId", "workspaceId", name, date, value)
SELECT d."organizationId", d."workspaceId", m.name, d.day, m.value
FROM per_day d
CROSS JOIN LATERAL (VALUES
    ('payments_received', d.received),
    ('payments_made', d.made),
    ('net_cash_flow', d.received - d.made)
) AS m (name, value)

-- expenses_amount: APPROVED or PAID expenses by expenseDate, :start..:end; foreign currency converts at
-- the expense date's rate, or is left out and counted (a NULL amount too, as such). Status compares
-- upper-cased after trimming.
WITH day_expenses AS (
    SELECT e."organizationId", e."workspaceId", e."expenseDate" AS day, e.currency, e.amount AS raw_amount,
           e.amount * CASE WHEN coalesce(e.currency, 'KZT') = 'KZT' THEN 1 ELSE r."rateToKzt" END AS amount
    FROM expenses e
    JOIN metric_run_organizations ro ON ro."organizationId" = e."organizationId"
    LEFT JOIN fx_rates r ON r.currency = e.currency AND r.date = e."expenseDate"
    WHERE upper(btrim(e.status)) IN ('APPROVED', 'PAID')
      AND e."expenseDate" BETWEEN :start AND :end
),
skipped AS (
    INSERT INTO metric_skips ("organizationId", date, source, reason, detail, rows)
    SELECT "organizationId", day, 'expenses',
           CASE WHEN raw_amount IS NULL THEN 'amount is NULL' ELSE 'no exchange rate' END,
           CASE WHEN raw_amount IS NOT NULL THEN currency END, count(*)
    FROM day_expenses WHERE amount IS NULL
    GROUP BY 1, 2, 3, 4, 5
)
INSERT INTO metric_values ("organizationId", "workspaceId", name, date, value)
SELECT "organizationId", "workspaceId", 'expenses_amount', day, sum(amount)
FROM day_expenses WHERE amount IS NOT NULL
GROUP BY 1, 2, 4

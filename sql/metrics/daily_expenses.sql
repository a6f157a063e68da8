-- expenses_amount: APPROVED or PAID expenses by expenseDate, :start..:end; foreign currency converts at
-- the expense date's rate, or is left out and counted.
WITH day_expenses AS (
    SELECT e."organizationId", e."workspaceId", e."expenseDate" AS day, e.currency,
           e.amount * CASE WHEN coalesce(e.currency, 'KZT') = 'KZT' THEN 1 ELSE r."rateToKzt" END AS amount
    FROM expenses e
    JOIN metric_run_organizations ro ON ro."organizationId" = e."organizationId"
    LEFT JOIN fx_rates r ON r.currency = e.currency AND r.date = e."expenseDate"
    WHERE e.status IN ('APPROVED', 'PAID')
      AND e."expenseDate" BETWEEN :start AND :end
),
skipped AS (
    INSERT INTO metric_skips ("organizationId", source, currency, rows)
    SELECT "organizationId", 'expenses', currency, count(*) FROM day_expenses WHERE amount IS NULL
    GROUP BY "organizationId", currency
)
INSERT INTO metric_values ("organizationId", "workspaceId", name, date, value)
SELECT "organizationId", "workspaceId", 'expenses_amount', day, sum(amount)
FROM day_expenses WHERE amount IS NOT NULL
GROUP BY 1, 2, 4

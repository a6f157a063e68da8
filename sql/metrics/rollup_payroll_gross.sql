-- payroll_gross per month-or-longer period (:grain, written as :period; periods starting :first..:last):
-- Σ basicSalary + allowances of APPROVED or PAID payroll rows of the period's months; zero for the
-- workspaces that have rows of the period. Status compares upper-cased after trimming. A
-- foreign-currency row converts at the rate of its month's first day, or is left out and counted in
-- metric_skips. A sum too large for metrics.value is caught by skip_out_of_range.sql.
WITH period_payroll AS (
    SELECT p."organizationId", p."workspaceId",
           CAST(date_trunc(:grain, make_date(p.year, p.month, 1)) AS date) AS period_start,
           p.currency,
           (p."basicSalary" + coalesce(p.allowances, 0))
             * CASE WHEN coalesce(p.currency, 'KZT') = 'KZT' THEN 1 ELSE r."rateToKzt" END AS gross
    FROM payroll p
    JOIN metric_run_organizations ro ON ro."organizationId" = p."organizationId"
    LEFT JOIN fx_rates r ON r.currency = p.currency AND r.date = make_date(p.year, p.month, 1)
    WHERE upper(btrim(p.status)) IN ('APPROVED', 'PAID') AND p.month BETWEEN 1 AND 12
      AND make_date(p.year, p.month, 1) >= :first
      AND make_date(p.year, p.month, 1) < CAST(CAST(:last AS date) + CAST(:step AS interval) AS date)
),
skipped AS (
    INSERT INTO metric_skips ("organizationId", step, date, source, reason, detail, rows)
    SELECT "organizationId", :period, period_start, 'payroll', 'no exchange rate', currency, count(*)
    FROM period_payroll WHERE gross IS NULL
    GROUP BY 1, 2, 3, 4, 5, 6
),
sums AS (
    SELECT "organizationId", "workspaceId", period_start, sum(gross) AS gross
    FROM period_payroll WHERE gross IS NOT NULL GROUP BY 1, 2, 3
),
spine AS (SELECT DISTINCT "organizationId", "workspaceId", date AS period_start FROM metric_rows WHERE period = :period)
INSERT INTO metric_rows ("organizationId", "workspaceId", name, type, period, date, value)
SELECT coalesce(s."organizationId", m."organizationId"), coalesce(s."workspaceId", m."workspaceId"),
       'payroll_gross', 'hr', :period, coalesce(s.period_start, m.period_start), coalesce(m.gross, 0)
FROM spine s
FULL JOIN sums m
    ON m."organizationId" = s."organizationId" AND m."workspaceId" = s."workspaceId"
   AND m.period_start = s.period_start

-- Finance metrics from sales invoices (SALES, not CANCELLED) and their incoming completed payments.
-- invoiced_amount is a flow by issueDate. Receivables are snapshots written as changes: an invoice's
-- outstanding amount max(0, total − payments up to the day) changes on its issue day and its payment
-- days; the change of each such day is dated no earlier than :start (so the first window day carries
-- the balance as of then) and, for overdue_receivables, no earlier than dueDate + 1. Read: invoices
-- issued in the window, invoices open now (idx_invoices_open) and invoices with payments on or after
-- :start; any other invoice was fully paid before the window and contributes 0 to it.
-- Amounts convert at the rate of the invoice's issue date (its payments too), or the invoice is
-- left out and counted.
WITH candidates AS (
    SELECT i.id FROM invoices i
    JOIN metric_run_organizations ro ON ro."organizationId" = i."organizationId"
    WHERE i."issueDate" BETWEEN :start AND :end
    UNION
    SELECT i.id FROM invoices i
    JOIN metric_run_organizations ro ON ro."organizationId" = i."organizationId"
    WHERE i."paidAmount" < i."totalAmount" AND i."issueDate" <= :end
    UNION
    SELECT p."invoiceId" FROM payments p
    JOIN metric_run_organizations ro ON ro."organizationId" = p."organizationId"
    WHERE p."paymentDate" >= :start AND p."invoiceId" IS NOT NULL
),
window_invoices AS (
    SELECT i.id, i."organizationId", i."workspaceId", i.currency, i."issueDate", i."dueDate",
           CASE WHEN coalesce(i.currency, 'KZT') = 'KZT' THEN 1 ELSE r."rateToKzt" END AS rate,
           i."totalAmount"
    FROM candidates c
    JOIN invoices i ON i.id = c.id
    JOIN metric_run_organizations ro ON ro."organizationId" = i."organizationId"
    LEFT JOIN fx_rates r ON r.currency = i.currency AND r.date = i."issueDate"
    WHERE upper(btrim(i.type)) = 'SALES' AND upper(btrim(i.status)) <> 'CANCELLED' AND i."deletedAt" IS NULL AND i."issueDate" <= :end
),
skipped AS (
    INSERT INTO metric_skips ("organizationId", date, source, reason, detail, rows)
    SELECT "organizationId", "issueDate", 'invoices', 'no exchange rate', currency, count(*)
    FROM window_invoices WHERE rate IS NULL
    GROUP BY 1, 2, 3, 4, 5
),
counted AS (SELECT * FROM window_invoices WHERE rate IS NOT NULL),
-- per invoice and day: payments of the day (a payment dated before the issue date counts on it)
moves AS (
    SELECT c.id, c."issueDate" AS day, 0::numeric AS paid FROM counted c
    UNION ALL
    SELECT c.id, greatest(p."paymentDate", c."issueDate"), p.amount
    FROM counted c
    JOIN payments p ON p."invoiceId" = c.id AND p."organizationId" = c."organizationId"
    WHERE p.type = 'INCOMING' AND p.status = 'COMPLETED' AND p."paymentDate" <= :end
),
outstanding AS (
    SELECT c."organizationId", c."workspaceId", c."dueDate", m.day,
           greatest(0, c."totalAmount" - sum(sum(m.paid)) OVER (PARTITION BY c.id ORDER BY m.day)) * c.rate AS balance,
           c.id
    FROM counted c JOIN moves m ON m.id = c.id
    GROUP BY c.id, c."organizationId", c."workspaceId", c."dueDate", c."totalAmount", c.rate, m.day
),
changes AS (
    SELECT "organizationId", "workspaceId", "dueDate", day,
           balance - coalesce(lag(balance) OVER (PARTITION BY id ORDER BY day), 0) AS change
    FROM outstanding
)
INSERT INTO metric_values ("organizationId", "workspaceId", name, date, value)
SELECT "organizationId", "workspaceId", 'invoiced_amount', "issueDate", sum("totalAmount" * rate)
FROM counted WHERE "issueDate" BETWEEN :start AND :end GROUP BY 1, 2, 4
UNION ALL
SELECT "organizationId", "workspaceId", 'accounts_receivable', greatest(day, CAST(:start AS date)), sum(change)
FROM changes GROUP BY 1, 2, 4
UNION ALL
SELECT "organizationId", "workspaceId", 'overdue_receivables', d, sum(change)
FROM changes CROSS JOIN LATERAL (SELECT greatest(day, "dueDate" + 1, CAST(:start AS date)) AS d) AS shifted
WHERE d <= :end
GROUP BY 1, 2, 4

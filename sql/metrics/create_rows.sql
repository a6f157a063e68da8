-- The rows a run writes to `metrics` (one transaction: delete the stale ones, upsert these).
CREATE TEMP TABLE metric_rows (
    "organizationId" uuid NOT NULL,
    "workspaceId" uuid NOT NULL,
    name text NOT NULL,
    type text NOT NULL,
    period text NOT NULL,
    date date NOT NULL,
    value numeric NOT NULL,
    numerator numeric,
    denominator numeric
) ON COMMIT DROP

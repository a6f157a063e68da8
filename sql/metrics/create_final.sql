-- The rows of one window as they will be stored (comparison columns and target computed): compared
-- with the stored ones, only new or changed rows are written (docs/metrics.md, "Write").
CREATE TEMP TABLE metric_final (
    "organizationId" uuid NOT NULL,
    "workspaceId" uuid NOT NULL,
    name text NOT NULL,
    type text NOT NULL,
    period text NOT NULL,
    date date NOT NULL,
    value numeric NOT NULL,
    "previousValue" numeric,
    change numeric,
    target numeric,
    numerator numeric,
    denominator numeric,
    stored boolean NOT NULL DEFAULT false  -- an identical row is stored already (mark_stored_rows)
) ON COMMIT DROP

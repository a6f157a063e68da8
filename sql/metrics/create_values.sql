-- Per-day values the fact-table queries produce: flows and direct snapshots as values, accumulated
-- snapshots as day-to-day changes (summed over the time spine later), ratios as numerator/denominator.
CREATE TEMP TABLE metric_values (
    "organizationId" uuid NOT NULL,
    "workspaceId" uuid NOT NULL,
    name text NOT NULL,
    date date NOT NULL,
    value numeric,
    numerator numeric,
    denominator numeric
) ON COMMIT DROP

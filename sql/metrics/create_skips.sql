-- Rows left out because their currency has no rate on their date (reported by an asset check).
CREATE TEMP TABLE metric_skips (
    "organizationId" uuid NOT NULL,
    source text NOT NULL,
    currency text NOT NULL,
    rows bigint NOT NULL
) ON COMMIT DROP

-- Key, id and createdAt of the window's rows a run deletes before inserting their new versions: a key
-- computed again keeps its id and createdAt, as an upsert would.
CREATE TEMP TABLE metric_replaced (
    id uuid NOT NULL,
    "createdAt" timestamp,
    "organizationId" uuid NOT NULL,
    "workspaceId" uuid NOT NULL,
    name text NOT NULL,
    date date NOT NULL
) ON COMMIT DROP

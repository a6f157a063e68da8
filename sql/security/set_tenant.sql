-- The tenant (and viewer) of the current transaction only (is_local = true: gone at COMMIT/ROLLBACK).
SELECT set_config('app.organization_id', :organization_id, true),
       set_config('app.workspace_ids', :workspace_ids, true),
       set_config('app.viewer', :viewer, true),
       set_config('app.tenant_proof', :proof, true);

-- Every (organization, workspace) the user belongs to, with how: a workspace membership (its role),
-- an employee record ('employee') or having created the organization ('creator': all its workspaces).
-- Read through a SECURITY DEFINER function: sign-in runs before any tenant is chosen.
SELECT organization_id, organization, workspace_id, workspace, membership
FROM prometric_account_memberships(:user_id)
ORDER BY organization, workspace

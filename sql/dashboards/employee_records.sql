-- The user's employee record and role (employees."organizationRole") in each organization, through a
-- SECURITY DEFINER function: the organizations are the user's own ones, never a list from outside.
SELECT organization_id, employee_id, organization_role
FROM prometric_account_employments(:user_id)

-- The roles whose privileges the current login may use or grant for (itself, the roles it is a member
-- of, or every role for a superuser): what a restore may set default privileges for.
SELECT r.rolname
FROM pg_roles r
WHERE pg_has_role(current_user, r.oid, 'MEMBER')
   OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)

-- Which of the given organization ids do not exist (in the order given).
SELECT given.id
FROM unnest(CAST(:ids AS uuid[])) WITH ORDINALITY AS given(id, position)
WHERE NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = given.id)
ORDER BY given.position;

-- Records that the alerts :alert_ids (of the organizations :organization_ids) are e-mailed to :user_id, in
-- the transaction that sends the message: the alerts this returns are the ones to put in it (a pair
-- recorded already is not sent again). The send failing rolls the records back.
INSERT INTO alert_deliveries ("organizationId", "alertId", "userId", channel)
SELECT a."organizationId", a.id, CAST(:user_id AS uuid), 'email'
FROM alerts AS a
WHERE a.id = ANY (CAST(:alert_ids AS uuid[]))
  AND a."organizationId" = ANY (CAST(:organization_ids AS uuid[]))
ON CONFLICT ("alertId", "userId", channel) DO NOTHING
RETURNING "alertId"

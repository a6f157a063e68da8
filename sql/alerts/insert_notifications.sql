-- In-app notifications (:notifications, JSON rows: user_id, organization_id, title, message, alert_ids)
-- and, in the same statement, the delivery record of every alert each one names. A pair recorded
-- already is left alone (never a second delivery).
WITH notified AS (
    INSERT INTO notifications ("userId", type, category, title, message, data)
    SELECT r.user_id, 'warning', 'alerts', r.title, r.message,
           jsonb_build_object('organizationId', r.organization_id, 'alertIds', r.alert_ids)
    FROM jsonb_to_recordset(CAST(:notifications AS jsonb))
         AS r(user_id uuid, organization_id uuid, title text, message text, alert_ids jsonb)
    RETURNING id, "userId", data
)
INSERT INTO alert_deliveries ("organizationId", "alertId", "userId", channel, "notificationId")
SELECT CAST(n.data ->> 'organizationId' AS uuid), CAST(jsonb_array_elements_text(n.data -> 'alertIds') AS uuid),
       n."userId", 'in_app', n.id
FROM notified AS n
ON CONFLICT ("alertId", "userId", channel) DO NOTHING
RETURNING "alertId"

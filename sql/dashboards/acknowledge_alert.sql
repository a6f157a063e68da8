-- Acknowledge one alert as the signed-in user: the reader may not UPDATE `alerts`; the SECURITY DEFINER
-- function checks the tenant session's organization and the user's role there. True when acknowledged.
SELECT prometric_acknowledge_alert(CAST(:alert_id AS uuid), CAST(:user_id AS uuid)) AS acknowledged

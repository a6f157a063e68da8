-- Only the organizations that read their sealed balances unseal pairs (the others make a full pass).
DELETE FROM stock_unsealed_keys AS u WHERE u.organization_id <> ALL(:organization_ids)

-- How many (warehouse, product) pairs each organization has to unseal.
SELECT u.organization_id, count(*) FROM stock_unsealed_keys AS u GROUP BY 1

-- API keys get an id (for the operator's list and revocation) and an origin: "config" for the key
-- given as MINIVOICE_API_KEY (a changed value replaces it), "generated" for the first start's key,
-- "api" for keys made through POST /v1/customers(/{id}/api_keys). Keys from earlier versions get
-- an id derived from their hash and the origin "api" (revoke them through the operator route).
ALTER TABLE api_keys ADD COLUMN id VARCHAR(80);
ALTER TABLE api_keys ADD COLUMN origin VARCHAR(16) DEFAULT 'api' NOT NULL;
UPDATE api_keys SET id = 'key_' || SUBSTRING(key_hash, 1, 24);
ALTER TABLE api_keys ALTER COLUMN id SET NOT NULL;
CREATE UNIQUE INDEX api_keys_id_uk ON api_keys (id);
CREATE INDEX api_keys_customer_idx ON api_keys (customer_id);

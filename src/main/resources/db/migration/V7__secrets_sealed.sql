-- Secrets are stored sealed with AES-256-GCM (docs/security.md): "enc:v1:" + base64 of nonce,
-- ciphertext and tag, about 4/3 of the plain size plus 43 characters. Existing plain values are
-- sealed by the gateway at start-up (it holds the key; SQL does not).
ALTER TABLE trunks ALTER COLUMN password SET DATA TYPE VARCHAR(2048);
ALTER TABLE applications ALTER COLUMN webhook_secret SET DATA TYPE VARCHAR(2048);
ALTER TABLE customers ALTER COLUMN events_secret SET DATA TYPE VARCHAR(2048);

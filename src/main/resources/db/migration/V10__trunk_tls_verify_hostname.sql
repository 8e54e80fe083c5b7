-- Over TLS the carrier's certificate must name the trunk's proxy host; a trunk may opt out
-- (docs/security.md), which its readiness test reports as a warning.
ALTER TABLE trunks ADD COLUMN tls_verify_hostname BOOLEAN DEFAULT TRUE NOT NULL;

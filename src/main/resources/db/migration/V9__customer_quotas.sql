-- Per-customer quotas set by the operator (docs/security.md); NULL = the configured default.
ALTER TABLE customers ADD COLUMN max_trunks INTEGER;
ALTER TABLE customers ADD COLUMN max_applications INTEGER;
ALTER TABLE customers ADD COLUMN max_numbers INTEGER;
ALTER TABLE customers ADD COLUMN max_concurrent_calls INTEGER;
ALTER TABLE customers ADD COLUMN max_cps INTEGER;

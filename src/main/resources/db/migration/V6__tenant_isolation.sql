-- Tenant isolation (docs/security.md).
-- A number the operator verified belongs to one customer: nobody else may add it, and it decides
-- which customer a call from a shared carrier address goes to.
ALTER TABLE numbers ADD COLUMN verified BOOLEAN DEFAULT FALSE NOT NULL;
-- When each inbound_ip range of a trunk was first claimed ("range=epoch millis,..."): on a source
-- shared by several customers the earliest claim decides, so a later tenant's overlapping trunk
-- never changes where an earlier tenant's calls go. NULL: every range claimed at created_at.
ALTER TABLE trunks ADD COLUMN inbound_claims VARCHAR(16000);

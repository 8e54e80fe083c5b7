-- Issue 5 (DESIGN §4 step 4): which SIP codes move an outbound attempt to the next trunk, per
-- trunk. Canonical comma-separated codes ("408,500,503"); NULL = the defaults (408,500,502,503,504).
ALTER TABLE trunks ADD COLUMN failover_codes VARCHAR(200);

-- Issue 14: which gateway node wrote a call's record, so that a restarting node ends only the
-- records its own previous run left open (docs/storage.md). NULL: written before this column.
ALTER TABLE calls ADD COLUMN node_id VARCHAR(100);

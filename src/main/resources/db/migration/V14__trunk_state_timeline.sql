-- The REGISTER timeline of a trunk as its owning node last wrote it (JSON, at most
-- registration.timeline_size entries), so that every node's API can show it (docs/scale-out.md).
-- Read one trunk at a time, on demand: the heartbeat's read of trunk_states does not select it.
ALTER TABLE trunk_states ADD COLUMN timeline VARCHAR(1000000);

-- Scale-out on PostgreSQL (docs/scale-out.md): live nodes, trunk leases, the registration state
-- every node shows, and which node sends a delivery. Portable SQL: the tables exist on the
-- embedded H2 too, where one node owns everything and only deliveries.node_id is used.

-- One row per gateway node: a node is live while it renews seen_at (database clock); a node whose
-- seen_at lapsed is marked lost once, by whichever live node notices first (lost_at), which then
-- ends its open call records and takes over its pending webhook deliveries.
CREATE TABLE nodes (
    id          VARCHAR(100) PRIMARY KEY,
    started_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    seen_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    lost_at     TIMESTAMP WITH TIME ZONE,
    -- the node's use of limited keys (customers, trunks) for the others' call limits: one
    -- "key active calls_per_second" line per key in use
    usage       VARCHAR(1000000)
);

-- Which node registers and pings a trunk: held while renewed, free to take once expired.
CREATE TABLE trunk_leases (
    trunk_id    VARCHAR(80)  PRIMARY KEY,
    node_id     VARCHAR(100) NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX trunk_leases_node_idx ON trunk_leases (node_id);

-- A trunk's registration and keep-alive state as its owner last wrote it, for the other nodes'
-- API and routing (the owner keeps the live state in memory).
CREATE TABLE trunk_states (
    trunk_id            VARCHAR(80)  PRIMARY KEY,
    node_id             VARCHAR(100) NOT NULL,
    registration_status VARCHAR(20),
    last_code           INTEGER,
    last_reason         VARCHAR(500),
    expires_at          TIMESTAMP WITH TIME ZONE,
    last_registered_at  TIMESTAMP WITH TIME ZONE,
    next_attempt_at     TIMESTAMP WITH TIME ZONE,
    health              VARCHAR(12),
    updated_at          TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX trunk_states_updated_idx ON trunk_states (updated_at);

-- The node that sends a delivery (NULL: stored before this column; the next node to start takes
-- those). A node pages in only its own rows, so seq must be unique across nodes: each node's
-- outbox writer takes seq values in blocks from id_blocks and uses them in commit order.
ALTER TABLE deliveries ADD COLUMN node_id VARCHAR(100);
CREATE TABLE id_blocks (
    name        VARCHAR(40) PRIMARY KEY,
    next_value  BIGINT      NOT NULL
);
INSERT INTO id_blocks (name, next_value) SELECT 'delivery_seq', COALESCE(MAX(seq), 0) + 1 FROM deliveries;

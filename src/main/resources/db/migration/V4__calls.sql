-- Issue 5: call records (DESIGN §2 /v1/calls). Written by one recorder thread, off the SIP path.
CREATE TABLE calls (
    id                 VARCHAR(80)   PRIMARY KEY,
    customer_id        VARCHAR(80)   NOT NULL,
    direction          VARCHAR(10)   NOT NULL,
    status             VARCHAR(16)   NOT NULL,
    from_number        VARCHAR(64),
    to_number          VARCHAR(64),
    trunk_id           VARCHAR(80),
    application_id     VARCHAR(80),
    -- the SIP Call-IDs of both legs
    platform_call_id   VARCHAR(256),
    carrier_call_id    VARCHAR(256),
    sip_code           INTEGER,
    hangup_side        VARCHAR(16),
    reason             VARCHAR(32),
    error_code         VARCHAR(64),
    -- every attempt (trunk, code, latency) as JSON text
    attempts           VARCHAR(8000),
    created_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    answered_at        TIMESTAMP WITH TIME ZONE,
    ended_at           TIMESTAMP WITH TIME ZONE,
    updated_at         TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX calls_customer_created_idx ON calls (customer_id, created_at, id);

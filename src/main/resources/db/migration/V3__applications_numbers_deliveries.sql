-- Issue 4: applications, numbers, the customer-level event target and the webhook outbox.
-- Portable SQL: runs on the embedded H2 (PostgreSQL mode) and on PostgreSQL.

-- Where a customer's trunk events go besides the trunk's application (DESIGN §6). The secret signs
-- those deliveries; like trunk passwords it is write-only in the API.
ALTER TABLE customers ADD COLUMN events_url VARCHAR(2048);
ALTER TABLE customers ADD COLUMN events_secret VARCHAR(256);

CREATE TABLE applications (
    id                  VARCHAR(80)   PRIMARY KEY,
    customer_id         VARCHAR(80)   NOT NULL REFERENCES customers (id),
    name                VARCHAR(100)  NOT NULL,
    webhook_url         VARCHAR(2048) NOT NULL,
    status_callback_url VARCHAR(2048),
    -- The fallback action list as validated JSON text (same form as a webhook answer's actions).
    fallback_action     VARCHAR(8000),
    webhook_secret      VARCHAR(256)  NOT NULL,
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT applications_name_uk UNIQUE (customer_id, name)
);

-- A DID is unique per customer, not globally: in BYOC the number lives at the customer's carrier,
-- the gateway cannot prove ownership, and a global constraint would let one tenant block (and
-- detect) another's number. Inbound matching resolves a shared carrier by the DID's owner.
CREATE TABLE numbers (
    id             VARCHAR(80)  PRIMARY KEY,
    customer_id    VARCHAR(80)  NOT NULL REFERENCES customers (id),
    number         VARCHAR(20)  NOT NULL,
    application_id VARCHAR(80),
    trunk_id       VARCHAR(80),
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT numbers_number_uk UNIQUE (customer_id, number)
);
CREATE INDEX numbers_number_idx ON numbers (number);

ALTER TABLE events ADD COLUMN application_id VARCHAR(80);
-- TEXT is a CLOB in H2, stored out of row at several times the cost of an inline string; every
-- event goes through this column on the hot path (benchmark: the outbox writer was CPU-bound).
ALTER TABLE events ALTER COLUMN payload SET DATA TYPE VARCHAR(1000000);

-- The durable outbox: one row per (event, target). seq is assigned by the gateway's single outbox
-- writer (in commit order), so the dispatcher can page through a backlog without missing rows.
CREATE TABLE deliveries (
    seq              BIGINT        PRIMARY KEY,
    -- dlv_… (time-ordered, random tail); not indexed: nothing looks a delivery up by id alone
    id               VARCHAR(80)   NOT NULL,
    event_id         VARCHAR(80)   NOT NULL,
    customer_id      VARCHAR(80)   NOT NULL,
    -- application | customer | action (the synchronous action fetch, recorded once, never retried)
    target_kind      VARCHAR(16)   NOT NULL,
    target_id        VARCHAR(80)   NOT NULL,
    url              VARCHAR(2048) NOT NULL,
    -- scheme://host:port of url: the unit of concurrency and of backlog paging
    endpoint         VARCHAR(400)  NOT NULL,
    -- deliveries with the same order key and url go out one after another (per-call order)
    order_key        VARCHAR(200),
    status           VARCHAR(12)   NOT NULL,
    attempts         INTEGER       NOT NULL,
    last_status_code INTEGER,
    last_error       VARCHAR(500),
    next_attempt_at  TIMESTAMP WITH TIME ZONE,
    -- retries stop once now - window_start exceeds the maximum age
    window_start     TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    delivered_at     TIMESTAMP WITH TIME ZONE
);
-- Paging pending deliveries in (endpoint, seq > watermark): rows past the watermark are nearly all
-- pending, so status is filtered, not indexed — an index on status would be rewritten on every
-- state change, the hottest write.
CREATE INDEX deliveries_endpoint_seq_idx ON deliveries (endpoint, seq);
CREATE INDEX deliveries_event_idx ON deliveries (event_id);

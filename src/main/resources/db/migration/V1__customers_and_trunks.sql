-- Portable SQL: runs on the embedded H2 (PostgreSQL mode) and on PostgreSQL.

CREATE TABLE customers (
    id          VARCHAR(80)  PRIMARY KEY,
    name        VARCHAR(200) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- API keys are stored only as SHA-256 hex digests; key_hint keeps the first characters so an
-- operator can tell keys apart without the secret.
CREATE TABLE api_keys (
    key_hash    CHAR(64)     PRIMARY KEY,
    customer_id VARCHAR(80)  NOT NULL REFERENCES customers (id),
    key_hint    VARCHAR(16)  NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE trunks (
    id                   VARCHAR(80)   PRIMARY KEY,
    customer_id          VARCHAR(80)   NOT NULL REFERENCES customers (id),
    name                 VARCHAR(100)  NOT NULL,
    gateway_name         VARCHAR(100)  NOT NULL,
    proxy                VARCHAR(300)  NOT NULL,
    username             VARCHAR(128),
    password             VARCHAR(256),
    realm                VARCHAR(255),
    from_domain          VARCHAR(255),
    inbound_ip           VARCHAR(4000),
    is_active            BOOLEAN       NOT NULL,
    direction            VARCHAR(10)   NOT NULL,
    priority             INTEGER       NOT NULL,
    register_enabled     BOOLEAN,
    register_expires     INTEGER       NOT NULL,
    ping_interval        INTEGER       NOT NULL,
    application_id       VARCHAR(80),
    max_concurrent_calls INTEGER,
    max_cps              INTEGER,
    created_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT trunks_name_uk UNIQUE (customer_id, name),
    CONSTRAINT trunks_gateway_name_uk UNIQUE (customer_id, gateway_name)
);

-- Kaidan foundation schema. Money is BIGINT in 1/10,000 yuan; timestamps are
-- BIGINT microseconds since the Unix epoch (UTC); dates are ISO text
-- (YYYY-MM-DD). See docs/adr/0001-storage.md.

CREATE TABLE regions (
    id          {{ID_PK}},
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    name_zh     TEXT NOT NULL DEFAULT '',
    version     BIGINT NOT NULL DEFAULT 1,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE region_priorities (
    season      TEXT NOT NULL CHECK (season IN ('spring_summer', 'autumn_winter', 'none')),
    rank        BIGINT NOT NULL CHECK (rank >= 1),
    region_id   BIGINT NOT NULL REFERENCES regions(id),
    PRIMARY KEY (season, rank),
    UNIQUE (season, region_id)
);

CREATE TABLE products (
    id              {{ID_PK}},
    sku             TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    spec            TEXT NOT NULL DEFAULT '',
    unit            TEXT NOT NULL,
    season          TEXT NOT NULL CHECK (season IN ('spring_summer', 'autumn_winter', 'none')),
    launch_priority BIGINT NOT NULL CHECK (launch_priority >= 1),
    list_price      BIGINT NOT NULL CHECK (list_price >= 0),
    tax_rate_bp     BIGINT NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    version         BIGINT NOT NULL DEFAULT 1,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE price_lists (
    id          {{ID_PK}},
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    valid_from  TEXT,
    valid_to    TEXT,
    version     BIGINT NOT NULL DEFAULT 1,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE price_list_items (
    price_list_id   BIGINT NOT NULL REFERENCES price_lists(id) ON DELETE CASCADE,
    product_id      BIGINT NOT NULL REFERENCES products(id),
    price           BIGINT NOT NULL CHECK (price >= 0),
    PRIMARY KEY (price_list_id, product_id)
);

CREATE TABLE users (
    id              {{ID_PK}},
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
--sqlite:     customer_id     BIGINT REFERENCES customers(id),
--postgres:     customer_id     BIGINT,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      BIGINT NOT NULL
);

CREATE TABLE customers (
    id              {{ID_PK}},
    code            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('franchisee', 'direct_region', 'affiliated', 'store', 'business')),
    contact_name    TEXT,
    contact_phone   TEXT,
    contact_email   TEXT,
    address         TEXT,
    region_id       BIGINT REFERENCES regions(id),
    tier            TEXT CHECK (tier IN ('A', 'B', 'C')),
    priority        BIGINT NOT NULL CHECK (priority >= 1),
    payment_terms   TEXT NOT NULL,
    payment_method  TEXT NOT NULL,
    credit_limit    BIGINT NOT NULL CHECK (credit_limit >= 0),
    price_list_id   BIGINT REFERENCES price_lists(id),
    sales_rep_id    BIGINT REFERENCES users(id),
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    version         BIGINT NOT NULL DEFAULT 1,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX customers_kind ON customers (kind, priority);

--postgres: ALTER TABLE users ADD CONSTRAINT users_customer_fk FOREIGN KEY (customer_id) REFERENCES customers(id);

CREATE TABLE user_roles (
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE role_permissions (
    role        TEXT NOT NULL,
    permission  TEXT NOT NULL,
    PRIMARY KEY (role, permission)
);

CREATE TABLE api_tokens (
    id          {{ID_PK}},
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked     BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);

CREATE TABLE login_failures (
    id          {{ID_PK}},
    username    TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX login_failures_user ON login_failures (username, at);

CREATE TABLE warehouses (
    id          {{ID_PK}},
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    address     TEXT,
    is_central  BOOLEAN NOT NULL DEFAULT FALSE,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    version     BIGINT NOT NULL DEFAULT 1,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE stores (
    id          {{ID_PK}},
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    region_id   BIGINT NOT NULL REFERENCES regions(id),
    ownership   TEXT NOT NULL CHECK (ownership IN ('direct', 'affiliated')),
    tier        TEXT NOT NULL CHECK (tier IN ('A', 'B', 'C')),
    priority    BIGINT NOT NULL CHECK (priority >= 1),
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    version     BIGINT NOT NULL DEFAULT 1,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX stores_region ON stores (region_id, tier, priority);

CREATE TABLE store_safety_stock (
    store_id    BIGINT NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
    product_id  BIGINT NOT NULL REFERENCES products(id),
    quantity    BIGINT NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (store_id, product_id)
);

CREATE TABLE calendar_days (
    day         TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name        TEXT NOT NULL DEFAULT ''
);

-- Stock: a balance per product and warehouse that the database itself keeps
-- from going negative, and the ledger of every movement behind it.
CREATE TABLE stock_balances (
    product_id      BIGINT NOT NULL REFERENCES products(id),
    warehouse_id    BIGINT NOT NULL REFERENCES warehouses(id),
    on_hand         BIGINT NOT NULL CHECK (on_hand >= 0),
    reserved        BIGINT NOT NULL CHECK (reserved >= 0),
    CHECK (on_hand >= reserved),
    PRIMARY KEY (product_id, warehouse_id)
);

CREATE TABLE stock_moves (
    id              {{ID_PK}},
    at              BIGINT NOT NULL,
    product_id      BIGINT NOT NULL REFERENCES products(id),
    warehouse_id    BIGINT NOT NULL REFERENCES warehouses(id),
    kind            TEXT NOT NULL,
    on_hand_delta   BIGINT NOT NULL,
    reserved_delta  BIGINT NOT NULL,
    source          TEXT NOT NULL
);
CREATE INDEX stock_moves_product ON stock_moves (product_id, warehouse_id, id);

CREATE TABLE audit_log (
    id          {{ID_PK}},
    at          BIGINT NOT NULL,
    actor_id    BIGINT NOT NULL,
    actor_name  TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   BIGINT NOT NULL,
    action      TEXT NOT NULL,
    changes     TEXT NOT NULL,
    request_id  TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);

CREATE TABLE outbox (
    id              {{ID_PK}},
    at              BIGINT NOT NULL,
    topic           TEXT NOT NULL,
    entity          TEXT NOT NULL,
    entity_id       BIGINT NOT NULL,
    payload         TEXT NOT NULL,
    published_at    BIGINT
);
CREATE INDEX outbox_pending ON outbox (published_at, id);

CREATE TABLE idempotency_keys (
    user_id     BIGINT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status      BIGINT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Orders (ORD-1..8), their timeline, numbering counters, the funds and
-- credit ledger (FIN-5), replenishment requests (INV-2) and joint review
-- decisions (ORD-4). Money in 1/10,000 yuan, times in microseconds (UTC).

-- Named counters for business numbers (ORD-5): never a sequence, so numbers
-- are gap-free per key and portable to distributed PostgreSQL engines.
CREATE TABLE counters (
    key     TEXT PRIMARY KEY,
    value   BIGINT NOT NULL
);

CREATE TABLE orders (
    id              {{ID_PK}},
    -- Given when the order is approved (ORD-5); unique, never reused.
    number          TEXT UNIQUE,
    customer_id     BIGINT NOT NULL REFERENCES customers(id),
    status          TEXT NOT NULL,
    channel         TEXT NOT NULL,
    priority        BOOLEAN NOT NULL DEFAULT FALSE,
    special         BOOLEAN NOT NULL DEFAULT FALSE,
    customer_ref    TEXT,
    amount          BIGINT NOT NULL,
    received_at     BIGINT NOT NULL,
    review_due_at   BIGINT NOT NULL,
    ship_due_at     BIGINT NOT NULL,
    reviewed_at     BIGINT,
    review_met      BOOLEAN,
    -- The priced order (lines, prices, totals) of the current version, JSON.
    document        TEXT NOT NULL,
    -- Content version: a new one per approved change (CHG-2).
    order_version   BIGINT NOT NULL DEFAULT 1,
    -- Row version for optimistic concurrency (the ETag).
    version         BIGINT NOT NULL DEFAULT 1,
    created_by      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX orders_customer ON orders (customer_id, id);
CREATE INDEX orders_status ON orders (status, priority, received_at);

-- The lines of the current version with their fulfilment progress.
CREATE TABLE order_lines (
    order_id    BIGINT NOT NULL REFERENCES orders(id),
    line_no     BIGINT NOT NULL,
    product_id  BIGINT NOT NULL REFERENCES products(id),
    quantity    BIGINT NOT NULL CHECK (quantity > 0),
    unit_price  BIGINT NOT NULL,
    amount      BIGINT NOT NULL,
    reserved    BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    backordered BIGINT NOT NULL DEFAULT 0 CHECK (backordered >= 0),
    shipped     BIGINT NOT NULL DEFAULT 0 CHECK (shipped >= 0),
    invoiced    BIGINT NOT NULL DEFAULT 0 CHECK (invoiced >= 0),
    CHECK (reserved + shipped <= quantity),
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_lines_product ON order_lines (product_id);

-- Every version's content, kept (CHG-2).
CREATE TABLE order_versions (
    order_id    BIGINT NOT NULL REFERENCES orders(id),
    version     BIGINT NOT NULL,
    document    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          BIGINT NOT NULL,
    actor_id    BIGINT NOT NULL,
    PRIMARY KEY (order_id, version)
);

-- The order's timeline (ORD-7): every step with who and when.
CREATE TABLE order_events (
    id          {{ID_PK}},
    order_id    BIGINT NOT NULL REFERENCES orders(id),
    at          BIGINT NOT NULL,
    actor_id    BIGINT NOT NULL,
    actor_name  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT,
    note        TEXT NOT NULL DEFAULT '',
    data        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX order_events_order ON order_events (order_id, id);

-- Joint review decisions, one per department (ORD-4).
CREATE TABLE joint_decisions (
    order_id    BIGINT NOT NULL REFERENCES orders(id),
    department  TEXT NOT NULL,
    decision    TEXT NOT NULL,
    actor_id    BIGINT NOT NULL,
    actor_name  TEXT NOT NULL,
    at          BIGINT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (order_id, department)
);

-- The funds and credit ledger per customer (FIN-5); balances are folds of it.
CREATE TABLE account_entries (
    id          {{ID_PK}},
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    at          BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    order_id    BIGINT REFERENCES orders(id),
    note        TEXT,
    actor_id    BIGINT NOT NULL
);
CREATE INDEX account_entries_customer ON account_entries (customer_id, id);

-- Shortages found at approval, tracked to closure (INV-2).
CREATE TABLE replenishment_requests (
    id          {{ID_PK}},
    order_id    BIGINT NOT NULL REFERENCES orders(id),
    line_no     BIGINT NOT NULL,
    product_id  BIGINT NOT NULL REFERENCES products(id),
    quantity    BIGINT NOT NULL CHECK (quantity > 0),
    -- What the customer chose: backorder, partial or substitution.
    choice      TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    closed_at   BIGINT
);
CREATE INDEX replenishment_open ON replenishment_requests (status, product_id);

-- Permissions whose role defaults have been granted once. A permission added
-- by a later version is granted to its default roles at the next start; one
-- an administrator removed later stays removed.
CREATE TABLE known_permissions (
    permission  TEXT PRIMARY KEY
);

-- The allocation run (分货, ALC-1..10): every run with its full, explainable
-- result, and the locks it made for unfunded franchisees (ALC-5).

CREATE TABLE allocation_runs (
    id              {{ID_PK}},
    -- AR-YYYYMMDD-NNNN, from the counter table (DOC-2).
    number          TEXT NOT NULL UNIQUE,
    at              BIGINT NOT NULL,
    actor_id        BIGINT NOT NULL,
    -- on_demand or receipt.
    trigger_kind    TEXT NOT NULL,
    -- The engine's input and result, JSON: the run is reproducible from them.
    input           TEXT NOT NULL,
    result          TEXT NOT NULL,
    allocated       BIGINT NOT NULL,
    locked          BIGINT NOT NULL
);

-- Goods reserved for an unfunded franchisee's order line until it pays or
-- the lock expires. Active locks are reserved in the stock ledger but are
-- not put on pick lists.
CREATE TABLE allocation_locks (
    id              {{ID_PK}},
    run_id          BIGINT NOT NULL REFERENCES allocation_runs(id),
    customer_id     BIGINT NOT NULL REFERENCES customers(id),
    order_id        BIGINT NOT NULL REFERENCES orders(id),
    line_no         BIGINT NOT NULL,
    product_id      BIGINT NOT NULL REFERENCES products(id),
    quantity        BIGINT NOT NULL CHECK (quantity > 0),
    unit_price      BIGINT NOT NULL,
    expires_on      TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('active', 'converted', 'expired', 'cancelled')),
    closed_at       BIGINT
);
CREATE INDEX allocation_locks_status ON allocation_locks (status, expires_on);
CREATE INDEX allocation_locks_order ON allocation_locks (order_id, line_no);

-- Runs close the shortages of the order lines they fill; find them by line.
CREATE INDEX replenishment_line ON replenishment_requests (order_id, line_no);

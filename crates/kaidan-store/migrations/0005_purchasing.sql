-- Purchasing (PUR-1..3, INV-2): purchase orders to suppliers and their
-- lines, replenishment requests tracked to the purchase order that covers
-- them, the arrival notices of the arrival plan, and the scheduled jobs
-- that raise them (claimed by one node at a time).

CREATE TABLE purchase_orders (
    id                  {{ID_PK}},
    -- From the counter table (PO-YYYYMMDD-NNNN); unique, never reused.
    number              TEXT NOT NULL UNIQUE,
    supplier            TEXT NOT NULL,
    warehouse_id        BIGINT NOT NULL REFERENCES warehouses(id),
    status              TEXT NOT NULL CHECK (status IN ('sent', 'confirmed', 'partly_received', 'received', 'cancelled')),
    -- 'YYYY-MM-DD'; may change when the supplier confirms.
    expected_arrival    TEXT NOT NULL,
    note                TEXT NOT NULL DEFAULT '',
    sent_at             BIGINT NOT NULL,
    confirm_due_at      BIGINT NOT NULL,
    confirmed_at        BIGINT,
    -- Set once by the overdue job (PUR-1).
    overdue_flagged_at  BIGINT,
    closed_at           BIGINT,
    created_by          BIGINT NOT NULL,
    version             BIGINT NOT NULL DEFAULT 1,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX purchase_orders_status ON purchase_orders (status, expected_arrival);

CREATE TABLE purchase_order_lines (
    purchase_order_id   BIGINT NOT NULL REFERENCES purchase_orders(id),
    line_no             BIGINT NOT NULL,
    product_id          BIGINT NOT NULL REFERENCES products(id),
    quantity            BIGINT NOT NULL CHECK (quantity > 0),
    -- Never more than ordered (PUR-3: no over-receipt).
    received            BIGINT NOT NULL DEFAULT 0 CHECK (received >= 0 AND received <= quantity),
    PRIMARY KEY (purchase_order_id, line_no)
);
CREATE INDEX purchase_order_lines_product ON purchase_order_lines (product_id);

-- INV-2: the purchase order (and its line) that covers a request.
ALTER TABLE replenishment_requests ADD COLUMN purchase_order_id BIGINT REFERENCES purchase_orders(id);
ALTER TABLE replenishment_requests ADD COLUMN purchase_line_no BIGINT;

-- PUR-2: one notice per purchase order and kind, ever.
CREATE TABLE arrival_notices (
    id                  {{ID_PK}},
    purchase_order_id   BIGINT NOT NULL REFERENCES purchase_orders(id),
    kind                TEXT NOT NULL CHECK (kind IN ('funds', 'receiving')),
    notice_date         TEXT NOT NULL,
    expected_arrival    TEXT NOT NULL,
    -- JSON: the funds task list or the lines to receive.
    content             TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    UNIQUE (purchase_order_id, kind)
);

-- Scheduled work inside `kaidan serve`: a node claims a due row in a write
-- transaction, does the work in it and moves next_run_at on.
CREATE TABLE jobs (
    name                TEXT PRIMARY KEY,
    interval_seconds    BIGINT NOT NULL CHECK (interval_seconds > 0),
    next_run_at         BIGINT NOT NULL,
    last_run_at         BIGINT,
    last_node           TEXT,
    last_outcome        TEXT,
    runs                BIGINT NOT NULL DEFAULT 0
);

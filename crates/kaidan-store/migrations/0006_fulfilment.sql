-- Fulfilment (SHP-1..3, DOC-2): pick lists per order and warehouse, the
-- shipments (delivery notes, 发货单) made from them, tracking events and the
-- proof of delivery. Numbers come from the counter table and are unique.

CREATE TABLE pick_lists (
    id              {{ID_PK}},
    number          TEXT NOT NULL UNIQUE,
    order_id        BIGINT NOT NULL REFERENCES orders(id),
    warehouse_id    BIGINT NOT NULL REFERENCES warehouses(id),
    -- open: to pick; picked: packed, waiting for the carrier; shipped;
    -- cancelled: nothing was found to pick.
    status          TEXT NOT NULL CHECK (status IN ('open', 'picked', 'shipped', 'cancelled')),
    packages        BIGINT CHECK (packages >= 0),
    created_at      BIGINT NOT NULL,
    created_by      BIGINT NOT NULL,
    picked_at       BIGINT,
    picked_by       BIGINT
);
CREATE INDEX pick_lists_order ON pick_lists (order_id, id);
CREATE INDEX pick_lists_status ON pick_lists (status, warehouse_id, id);

-- One line per order line to pick; `picked` is set when the pick is confirmed.
CREATE TABLE pick_list_lines (
    pick_list_id    BIGINT NOT NULL REFERENCES pick_lists(id),
    line_no         BIGINT NOT NULL,
    product_id      BIGINT NOT NULL REFERENCES products(id),
    quantity        BIGINT NOT NULL CHECK (quantity > 0),
    picked          BIGINT CHECK (picked >= 0 AND picked <= quantity),
    PRIMARY KEY (pick_list_id, line_no)
);

CREATE TABLE shipments (
    id              {{ID_PK}},
    -- The delivery note number (DOC-2).
    number          TEXT NOT NULL UNIQUE,
    order_id        BIGINT NOT NULL REFERENCES orders(id),
    pick_list_id    BIGINT NOT NULL UNIQUE REFERENCES pick_lists(id),
    warehouse_id    BIGINT NOT NULL REFERENCES warehouses(id),
    status          TEXT NOT NULL CHECK (status IN ('shipped', 'delivered')),
    carrier         TEXT NOT NULL,
    tracking_no     TEXT NOT NULL,
    packages        BIGINT NOT NULL CHECK (packages >= 0),
    shipped_at      BIGINT NOT NULL,
    -- Expected arrival at the customer, a date (YYYY-MM-DD).
    eta             TEXT NOT NULL,
    shipped_by      BIGINT NOT NULL,
    delivered_at    BIGINT,
    signed_by       TEXT,
    delivery_note   TEXT,
    recorded_by     BIGINT
);
CREATE INDEX shipments_order ON shipments (order_id, id);
CREATE INDEX shipments_tracking ON shipments (tracking_no);

CREATE TABLE shipment_lines (
    shipment_id     BIGINT NOT NULL REFERENCES shipments(id),
    line_no         BIGINT NOT NULL,
    product_id      BIGINT NOT NULL REFERENCES products(id),
    quantity        BIGINT NOT NULL CHECK (quantity > 0),
    unit_price      BIGINT NOT NULL,
    -- Proof of delivery (SHP-3): accepted + refused = quantity once recorded.
    accepted        BIGINT CHECK (accepted >= 0),
    refused         BIGINT CHECK (refused >= 0),
    reason          TEXT,
    -- Where refused goods went: restock or quarantine.
    disposition     TEXT,
    return_warehouse_id BIGINT REFERENCES warehouses(id),
    PRIMARY KEY (shipment_id, line_no)
);

-- Tracking events (SHP-2), by API, CSV import or the carrier. The same event
-- imported twice is kept once.
CREATE TABLE tracking_events (
    id              {{ID_PK}},
    shipment_id     BIGINT NOT NULL REFERENCES shipments(id),
    at              BIGINT NOT NULL,
    status          TEXT NOT NULL,
    location        TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL,
    recorded_at     BIGINT NOT NULL,
    recorded_by     BIGINT NOT NULL,
    UNIQUE (shipment_id, at, status)
);

-- Picked goods (INV-1): still on hand and reserved, but taken off the shelf
-- to the dispatch area. A pick moves reserved goods to picked; shipping
-- takes them from on hand, reserved and picked at once.
--sqlite: ALTER TABLE stock_balances ADD COLUMN picked BIGINT NOT NULL DEFAULT 0 CHECK (picked >= 0 AND picked <= reserved);
--postgres: ALTER TABLE stock_balances ADD COLUMN picked BIGINT NOT NULL DEFAULT 0;
--postgres: ALTER TABLE stock_balances ADD CONSTRAINT stock_balances_picked CHECK (picked >= 0 AND picked <= reserved);
ALTER TABLE stock_moves ADD COLUMN picked_delta BIGINT NOT NULL DEFAULT 0;

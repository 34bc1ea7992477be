-- Transfers (调拨单, ALC-8, ALC-9): the allocation run's store and region
-- allocations become transfers from the central warehouse, which picks and
-- ships them; the store or region receives them into its own stock. A
-- store's (or region's) stock is a warehouse of its own, made on its first
-- receipt; orders never reserve from it (only the central warehouse is
-- reserved from).

ALTER TABLE warehouses ADD COLUMN store_id BIGINT REFERENCES stores(id);
ALTER TABLE warehouses ADD COLUMN region_id BIGINT REFERENCES regions(id);
CREATE UNIQUE INDEX warehouses_store ON warehouses (store_id) WHERE store_id IS NOT NULL;
CREATE UNIQUE INDEX warehouses_region ON warehouses (region_id) WHERE region_id IS NOT NULL;

-- A region's replenishment plan (备货, ALC-8): what it still wants of each
-- product. A run's region allocation takes from it; a cancelled or
-- short-picked transfer gives back.
CREATE TABLE region_needs (
    region_id   BIGINT NOT NULL REFERENCES regions(id),
    product_id  BIGINT NOT NULL REFERENCES products(id),
    quantity    BIGINT NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (region_id, product_id)
);

CREATE TABLE transfers (
    id                  {{ID_PK}},
    -- TR-YYYYMMDD-NNNN, from the counter table (DOC-2).
    number              TEXT NOT NULL UNIQUE,
    run_id              BIGINT REFERENCES allocation_runs(id),
    kind                TEXT NOT NULL CHECK (kind IN ('store', 'region')),
    -- Set for store transfers; region transfers name only the region.
    store_id            BIGINT REFERENCES stores(id),
    region_id           BIGINT NOT NULL REFERENCES regions(id),
    from_warehouse_id   BIGINT NOT NULL REFERENCES warehouses(id),
    -- The destination's stock, known once received.
    to_warehouse_id     BIGINT REFERENCES warehouses(id),
    status              TEXT NOT NULL CHECK (status IN ('open', 'picked', 'shipped', 'received', 'cancelled')),
    packages            BIGINT CHECK (packages >= 0),
    carrier             TEXT,
    tracking_no         TEXT,
    -- Expected arrival, a date (YYYY-MM-DD).
    eta                 TEXT,
    note                TEXT,
    created_at          BIGINT NOT NULL,
    created_by          BIGINT NOT NULL,
    picked_at           BIGINT,
    picked_by           BIGINT,
    shipped_at          BIGINT,
    shipped_by          BIGINT,
    closed_at           BIGINT,
    closed_by           BIGINT,
    CHECK ((kind = 'store') = (store_id IS NOT NULL))
);
CREATE INDEX transfers_status ON transfers (status, id);
CREATE INDEX transfers_store ON transfers (store_id, id);
CREATE INDEX transfers_run ON transfers (run_id, id);

-- One line per product; `picked` is set when the pick is confirmed.
CREATE TABLE transfer_lines (
    transfer_id     BIGINT NOT NULL REFERENCES transfers(id),
    line_no         BIGINT NOT NULL,
    product_id      BIGINT NOT NULL REFERENCES products(id),
    quantity        BIGINT NOT NULL CHECK (quantity > 0),
    picked          BIGINT CHECK (picked >= 0 AND picked <= quantity),
    PRIMARY KEY (transfer_id, line_no)
);

-- Stock counts (INV-3): what the warehouse counted against the system
-- figure, each difference with its cause; posting writes count adjustments
-- to the stock ledger.
CREATE TABLE stock_counts (
    id              {{ID_PK}},
    warehouse_id    BIGINT NOT NULL REFERENCES warehouses(id),
    status          TEXT NOT NULL CHECK (status IN ('open', 'posted')),
    note            TEXT NOT NULL DEFAULT '',
    counted_at      BIGINT NOT NULL,
    counted_by      BIGINT NOT NULL,
    posted_at       BIGINT,
    posted_by       BIGINT
);
CREATE INDEX stock_counts_warehouse ON stock_counts (warehouse_id, id);

CREATE TABLE stock_count_lines (
    count_id        BIGINT NOT NULL REFERENCES stock_counts(id),
    line_no         BIGINT NOT NULL,
    product_id      BIGINT NOT NULL REFERENCES products(id),
    system_qty      BIGINT NOT NULL,
    counted_qty     BIGINT NOT NULL CHECK (counted_qty >= 0),
    cause           TEXT,
    note            TEXT,
    PRIMARY KEY (count_id, line_no)
);

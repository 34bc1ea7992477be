-- Deadlines met or missed per order (ORD-6, KPI-2) and the order of service
-- outside the allocation run (ORD-8, INV-2): the customer's requested
-- delivery date as a column, and the promised date that backorder fills
-- follow. Times in microseconds (UTC), dates as 'YYYY-MM-DD'.

-- One row per decided deadline: review when the order is approved, ship
-- when its last line ships. An order cancelled or rejected first has none.
CREATE TABLE order_deadlines (
    order_id     BIGINT NOT NULL REFERENCES orders(id),
    kind         TEXT NOT NULL,
    due_at       BIGINT NOT NULL,
    completed_at BIGINT NOT NULL,
    met          BOOLEAN NOT NULL,
    late_minutes BIGINT NOT NULL CHECK (late_minutes >= 0),
    PRIMARY KEY (order_id, kind)
);
-- The on-time rate (KPI-2) counts records by kind and period.
CREATE INDEX order_deadlines_kind ON order_deadlines (kind, completed_at);

-- Review deadlines decided before this migration (orders.review_met).
INSERT INTO order_deadlines (order_id, kind, due_at, completed_at, met, late_minutes)
SELECT id, 'review', review_due_at, reviewed_at, review_met,
       CASE WHEN reviewed_at <= review_due_at THEN 0
            ELSE (reviewed_at - review_due_at + 59999999) / 60000000 END
FROM orders WHERE review_met IS NOT NULL AND reviewed_at IS NOT NULL;

-- Ship deadlines of orders already shipped in full: completed when the
-- order moved to shipped.
INSERT INTO order_deadlines (order_id, kind, due_at, completed_at, met, late_minutes)
SELECT o.id, 'ship', o.ship_due_at, s.at, s.at <= o.ship_due_at,
       CASE WHEN s.at <= o.ship_due_at THEN 0
            ELSE (s.at - o.ship_due_at + 59999999) / 60000000 END
FROM orders o
JOIN (SELECT order_id, MIN(at) AS at FROM order_events WHERE to_status = 'shipped' GROUP BY order_id) s
  ON s.order_id = o.id;

-- The delivery date the customer asked for, from the order's document;
-- every version keeps it there and the header mirrors the current one.
ALTER TABLE orders ADD COLUMN requested_delivery_date TEXT;
--sqlite: UPDATE orders SET requested_delivery_date = json_extract(document, '$.requested_delivery_date');
--postgres: UPDATE orders SET requested_delivery_date = CAST(document AS JSON) ->> 'requested_delivery_date';

-- The promised date: the requested delivery date, else the local date
-- (UTC+8, Asia/Shanghai has no daylight saving) of the ship deadline.
ALTER TABLE orders ADD COLUMN promised_date TEXT NOT NULL DEFAULT '';
--sqlite: UPDATE orders SET promised_date = COALESCE(requested_delivery_date, date(ship_due_at / 1000000 + 28800, 'unixepoch'));
--postgres: UPDATE orders SET promised_date = COALESCE(requested_delivery_date, to_char(to_timestamp(ship_due_at / 1000000 + 28800) AT TIME ZONE 'UTC', 'YYYY-MM-DD'));

-- The figures (KPI-1..5; issue 20, ADR 0038).
--
-- A product's cost price (成本价, VAT included like its list price) for the
-- order gross margin and the inventory turnover; none until it is given.
-- Never negative (the domain refuses it); bounded like every amount.
--sqlite: ALTER TABLE products ADD COLUMN cost_price BIGINT CONSTRAINT "kaidan-bound: products.cost_price" CHECK (typeof(cost_price) IN ('integer', 'null') AND cost_price BETWEEN -10000000000000000 AND 10000000000000000);
--postgres: ALTER TABLE products ADD COLUMN cost_price BIGINT CHECK (cost_price >= 0) CONSTRAINT bound_cost_price CHECK (cost_price BETWEEN -10000000000000000 AND 10000000000000000);

-- Why an order was changed: an entry error counts against the order's
-- processing accuracy (KPI-1). Every earlier request was the customer's.
ALTER TABLE change_requests ADD COLUMN cause TEXT NOT NULL DEFAULT 'customer_request' CHECK (cause IN ('customer_request', 'entry_error', 'other'));

-- The figures read orders by the day they came in, rejections by order,
-- stock moves after a day (turnover) and picks by the day they were made.
CREATE INDEX orders_received ON orders (received_at);
CREATE INDEX order_events_rejected ON order_events (order_id) WHERE to_status = 'rejected';
CREATE INDEX stock_moves_at ON stock_moves (at);
CREATE INDEX pick_lists_picked ON pick_lists (picked_at) WHERE picked_at IS NOT NULL;

-- The daily sales report (销售日报): one per working day, written once the
-- day is over by the `sales_daily_report` job and kept as written (JSON).
--sqlite: CREATE TABLE daily_sales_reports (
--sqlite:     day          TEXT PRIMARY KEY,
--sqlite:     generated_at BIGINT NOT NULL,
--sqlite:     document     TEXT NOT NULL,
--sqlite:     CONSTRAINT "kaidan-bound: daily_sales_reports.generated_at" CHECK (typeof(generated_at) IN ('integer', 'null'))
--sqlite: );
--postgres: CREATE TABLE daily_sales_reports (
--postgres:     day          TEXT PRIMARY KEY,
--postgres:     generated_at BIGINT NOT NULL,
--postgres:     document     TEXT NOT NULL
--postgres: );

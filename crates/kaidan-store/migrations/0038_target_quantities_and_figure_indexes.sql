-- Quantity targets per product category (SAL-1, ADR 0045), and indexes for
-- the figures and the customer files (issue 20, speed). Beside a
-- subject's amount, the units of a category it is to sell in a month.
-- Written with the plan's lines and replaced with them.
--sqlite: CREATE TABLE target_quantities (
--sqlite:     year          BIGINT NOT NULL REFERENCES target_plans(year),
--sqlite:     subject_kind  TEXT NOT NULL CHECK (subject_kind IN ('company', 'team', 'rep', 'region')),
--sqlite:     subject_id    BIGINT NOT NULL,
--sqlite:     category      TEXT NOT NULL,
--sqlite:     month         BIGINT NOT NULL CHECK (month BETWEEN 1 AND 12),
--sqlite:     quantity      BIGINT NOT NULL CHECK (quantity >= 0),
--sqlite:     PRIMARY KEY (year, subject_kind, subject_id, category, month),
--sqlite:     CONSTRAINT "kaidan-bound: target_quantities.year" CHECK (typeof(year) IN ('integer', 'null')),
--sqlite:     CONSTRAINT "kaidan-bound: target_quantities.subject_id" CHECK (typeof(subject_id) IN ('integer', 'null')),
--sqlite:     CONSTRAINT "kaidan-bound: target_quantities.month" CHECK (typeof(month) IN ('integer', 'null')),
--sqlite:     CONSTRAINT "kaidan-bound: target_quantities.quantity" CHECK (typeof(quantity) IN ('integer', 'null') AND quantity BETWEEN -1000000000000 AND 1000000000000)
--sqlite: );
--postgres: CREATE TABLE target_quantities (
--postgres:     year          BIGINT NOT NULL REFERENCES target_plans(year),
--postgres:     subject_kind  TEXT NOT NULL CHECK (subject_kind IN ('company', 'team', 'rep', 'region')),
--postgres:     subject_id    BIGINT NOT NULL,
--postgres:     category      TEXT NOT NULL,
--postgres:     month         BIGINT NOT NULL CHECK (month BETWEEN 1 AND 12),
--postgres:     quantity      BIGINT NOT NULL CHECK (quantity >= 0) CONSTRAINT bound_quantity CHECK (quantity BETWEEN -1000000000000 AND 1000000000000),
--postgres:     PRIMARY KEY (year, subject_kind, subject_id, category, month)
--postgres: );

-- The customer files list each customer's last order: found in this index
-- by the customer, without reading the orders' rows.
CREATE INDEX orders_customer_received ON orders (customer_id, received_at, status);

-- The figures (KPI-1, KPI-2) read a period's orders by the day they came
-- in: one index holds every column they read, so the orders' rows are not
-- read. It replaces the two narrower indexes on `received_at`, so an order
-- written keeps as many indexes as before.
DROP INDEX orders_received;
DROP INDEX orders_received_sale;
CREATE INDEX orders_received_figures ON orders (received_at, status, customer_id, amount, created_by, review_due_at, ship_due_at);

-- KPI-1 counts the orders whose invoices had a price corrected: the few
-- credit notes are found here, not by reading every invoice line.
CREATE INDEX invoices_credit_notes ON invoices (credit_of, credit_reason) WHERE kind = 'credit_note';

-- The targets' progress reads a kept month's amounts, the rows without a
-- product category, one per customer (ADR 0046). They are an eighth of a
-- month's kept rows (the rest are the units per category): found through
-- the month's index they were read with the others and filtered, 418,000
-- rows for 52,000 over eleven months of the reports bench (50–60 ms on
-- PostgreSQL, the slowest reading of the general manager's home). This
-- index holds only the amounts, with what the reading needs (an
-- index-only scan on PostgreSQL).
CREATE INDEX target_month_cells_amounts ON target_month_cells (basis, month_from, customer_id, amount) WHERE category IS NULL;

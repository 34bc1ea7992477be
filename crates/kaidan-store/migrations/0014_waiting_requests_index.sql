-- The allocation run and the shipping plan leave out every order line whose
-- customer waits for it complete (INV-2, ADR 0019): one probe per reserved
-- line for an unfilled request answered `backorder`. Such answers are few
-- among all requests (closed ones pile up), so an index of them only keeps
-- that probe small instead of walking every request of the line.
-- The query spells the answer `choice = 'backorder'` so that SQLite can use
-- this partial index (status_sets::LINE_WAITS_COMPLETE).
CREATE INDEX replenishment_waiting ON replenishment_requests (order_id, line_no, status)
    WHERE choice = 'backorder';

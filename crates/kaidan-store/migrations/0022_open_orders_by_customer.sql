-- A customer's open orders, for the credit check of every review (ORD-4,
-- FIN-5; issue 17). The check sums the amount of the customer's orders in
-- the statuses that hold credit, less what already shipped of them. It
-- used to walk every order the customer ever placed (orders_customer is
-- by id) and visit each one's row, ~2 KB with its document, and each
-- one's lines: 135 us a review at 40 orders a customer, a fifth of the
-- SQLite writer's time in `kaidan bench intake`, and growing with the
-- customer's history. This index finds the open ones by status and holds
-- their amount, so no order row is read.
CREATE INDEX orders_customer_open ON orders (customer_id, status, amount);
-- Only lines with something shipped take part in the subtraction; most
-- open orders have none. An index of just those lines answers "nothing
-- shipped" with one probe. On PostgreSQL an update of `shipped` is then
-- no longer a HOT update (migration 0021); shipping updates a line once
-- or twice, reservations (the frequent updates) stay HOT.
CREATE INDEX order_lines_shipped ON order_lines (order_id) WHERE shipped > 0;

-- The customer's answer to a shortage acts (INV-2, ADR 0019).
--
-- A substitute is proposed as a change request (CHG-1/2); the line's
-- requests name the one that proposes it, so a second proposal waits for
-- the first to be decided.
ALTER TABLE replenishment_requests ADD COLUMN change_id BIGINT REFERENCES change_requests(id);

-- Until now every request was raised as 'backorder' while what was there
-- shipped anyway: that default is now called 'partial', and 'backorder'
-- means "wait and ship the line complete". Requests of an order whose
-- timeline records an answer keep it; the others become 'partial', so that
-- the upgrade stops no shipment nobody asked to stop.
UPDATE replenishment_requests SET choice = 'partial'
 WHERE choice = 'backorder'
   AND NOT EXISTS (SELECT 1 FROM order_events e
                   WHERE e.order_id = replenishment_requests.order_id
                     AND e.kind = 'shortage_choice');

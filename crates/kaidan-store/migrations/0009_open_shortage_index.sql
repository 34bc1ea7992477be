-- Open shortages are found by id (the list of open requests, paged) and by
-- order line (replenishment_line); closed ones are kept for history and
-- pile up. An index of the open ones only stays as small as the open work,
-- and closing a shortage (an allocation run closes hundreds of thousands)
-- removes one entry instead of moving it within an index of every request.
DROP INDEX replenishment_open;
CREATE INDEX replenishment_open ON replenishment_requests (id) WHERE status = 'open';

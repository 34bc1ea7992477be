-- The shipment list (issue 21): sorted by the time the goods left over
-- cursors, and its filters saved like the order list's.

-- Keyset paging by shipped time needs the id that breaks ties in the index.
CREATE INDEX shipments_shipped_id ON shipments (shipped_at, id);
-- The list's filters without a narrower index of their own.
CREATE INDEX shipments_status ON shipments (status, id);
CREATE INDEX shipments_warehouse ON shipments (warehouse_id, id);

-- Saved filters now also of the shipment list. SQLite cannot change a
-- CHECK in place: the table is written anew with the same rows.
--sqlite: CREATE TABLE saved_filters_new (
--sqlite:     id          INTEGER PRIMARY KEY,
--sqlite:     user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
--sqlite:     list        TEXT NOT NULL CHECK (list IN ('orders', 'shipments')),
--sqlite:     name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
--sqlite:     query       TEXT NOT NULL CHECK (length(query) <= 2000),
--sqlite:     created_at  BIGINT NOT NULL,
--sqlite:     UNIQUE (user_id, list, name),
--sqlite:     CONSTRAINT "kaidan-bound: saved_filters.user_id" CHECK (typeof(user_id) IN ('integer', 'null')),
--sqlite:     CONSTRAINT "kaidan-bound: saved_filters.created_at" CHECK (typeof(created_at) IN ('integer', 'null'))
--sqlite: );
--sqlite: INSERT INTO saved_filters_new (id, user_id, list, name, query, created_at)
--sqlite:     SELECT id, user_id, list, name, query, created_at FROM saved_filters;
--sqlite: DROP TABLE saved_filters;
--sqlite: ALTER TABLE saved_filters_new RENAME TO saved_filters;
--postgres: ALTER TABLE saved_filters DROP CONSTRAINT saved_filters_list_check;
--postgres: ALTER TABLE saved_filters ADD CONSTRAINT saved_filters_list_check CHECK (list IN ('orders', 'shipments'));

-- ALC-3: a customer's importance (重要程度), one of the facts of a
-- franchisee's predefined priority; empty: not graded.
ALTER TABLE customers ADD COLUMN importance TEXT CHECK (importance IN ('key', 'important', 'normal'));

-- FIN-6: finance holds on customers, separate from `active`: who set each
-- hold, when and why, who released it and when. At most one open hold per
-- customer; released ones stay as the history.
CREATE TABLE customer_holds (
    id                  {{ID_PK}},
    customer_id         BIGINT NOT NULL REFERENCES customers(id),
    reason              TEXT NOT NULL,
    held_by             BIGINT NOT NULL,
    held_by_name        TEXT NOT NULL,
    held_at             BIGINT NOT NULL,
    released_by         BIGINT,
    released_by_name    TEXT,
    released_at         BIGINT
);
CREATE UNIQUE INDEX customer_holds_open ON customer_holds (customer_id) WHERE released_at IS NULL;
CREATE INDEX customer_holds_customer ON customer_holds (customer_id, id);


-- Written change requests (CHG-1..3): content and reason, the assessed
-- impact, the departments that must approve, and their decisions.
CREATE TABLE change_requests (
    id              {{ID_PK}},
    order_id        BIGINT NOT NULL REFERENCES orders(id),
    status          TEXT NOT NULL,
    request         TEXT NOT NULL,
    impact          TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    departments     TEXT NOT NULL,
    decisions       TEXT NOT NULL DEFAULT '[]',
    requested_by    BIGINT NOT NULL,
    requested_at    BIGINT NOT NULL,
    decided_at      BIGINT
);
CREATE INDEX change_requests_order ON change_requests (order_id, id);

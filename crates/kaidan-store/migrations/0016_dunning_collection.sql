-- Dunning, collection actions and statements of account (FIN-4; ADR 0022).
-- Money in 1/10,000 yuan, days as 'YYYY-MM-DD' and months as 'YYYY-MM'
-- text, times in microseconds (UTC).

-- One month-end notice per customer and period: a second node (or finance
-- running the same period) inserting the same notice conflicts and is
-- skipped (INSERT … ON CONFLICT DO NOTHING).
CREATE TABLE dunning_notices (
    id              {{ID_PK}},
    customer_id     BIGINT NOT NULL REFERENCES customers(id),
    period          TEXT NOT NULL,
    as_of           TEXT NOT NULL,
    level           TEXT NOT NULL CHECK (level IN ('reminder', 'manager', 'legal')),
    overdue         BIGINT NOT NULL CHECK (overdue > 0),
    oldest_days     BIGINT NOT NULL CHECK (oldest_days > 0),
    sales_rep_id    BIGINT REFERENCES users(id),
    -- The roles it went to besides the rep, comma-separated.
    escalated_to    TEXT NOT NULL,
    -- The overdue invoices as JSON: [{invoice_id, number, due_date, open, days_overdue}].
    invoices        TEXT NOT NULL,
    raised_at       BIGINT NOT NULL,
    raised_by_name  TEXT NOT NULL,
    UNIQUE (customer_id, period)
);
CREATE INDEX dunning_notices_period ON dunning_notices (period, overdue);
CREATE INDEX dunning_notices_rep ON dunning_notices (sales_rep_id, period);

CREATE TABLE collection_actions (
    id              {{ID_PK}},
    customer_id     BIGINT NOT NULL REFERENCES customers(id),
    kind            TEXT NOT NULL CHECK (kind IN ('call', 'visit', 'letter', 'promise', 'other')),
    happened_on     TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    promise_date    TEXT,
    promise_amount  BIGINT CHECK (promise_amount > 0),
    recorded_by     BIGINT NOT NULL,
    recorded_by_name TEXT NOT NULL,
    recorded_at     BIGINT NOT NULL,
    CHECK ((kind = 'promise') = (promise_date IS NOT NULL AND promise_amount IS NOT NULL))
);
CREATE INDEX collection_actions_customer ON collection_actions (customer_id, id);
CREATE INDEX collection_actions_day ON collection_actions (happened_on);
CREATE INDEX collection_actions_promise ON collection_actions (promise_date) WHERE kind = 'promise';

-- Each confirmation or dispute of a statement, with the closing balance it
-- answered to; the latest counts.
CREATE TABLE statement_confirmations (
    id              {{ID_PK}},
    customer_id     BIGINT NOT NULL REFERENCES customers(id),
    period          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('confirmed', 'disputed')),
    note            TEXT,
    closing         BIGINT NOT NULL,
    confirmed_by    BIGINT NOT NULL,
    confirmed_by_name TEXT NOT NULL,
    confirmed_at    BIGINT NOT NULL
);
CREATE INDEX statement_confirmations_customer ON statement_confirmations (customer_id, period, id);

-- Statements and the report read a customer's receipts by the day paid.
CREATE INDEX receipts_customer_day ON receipts (customer_id, received_on);

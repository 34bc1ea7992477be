-- Bank statement import (FIN-3; ADR 0023): the money-in lines of the bank's
-- exports (银行流水). A line is stored once: `line_hash` is the SHA-256 of
-- its identity (our account, date, amount, reference, payer's account), so
-- the same statement imported again adds nothing. A matched or assigned
-- line names the verified receipt it became. Money in 1/10,000 yuan, days
-- as 'YYYY-MM-DD' text, times in microseconds (UTC).
CREATE TABLE bank_statement_lines (
    id              {{ID_PK}},
    line_hash       TEXT NOT NULL UNIQUE,
    our_account     TEXT,
    booking_date    TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    payer           TEXT,
    payer_account   TEXT,
    reference       TEXT,
    memo            TEXT,
    status          TEXT NOT NULL CHECK (status IN ('matched', 'unmatched', 'assigned', 'ignored')),
    customer_id     BIGINT REFERENCES customers(id),
    receipt_id      BIGINT REFERENCES receipts(id),
    match_rule      TEXT CHECK (match_rule IN ('invoice', 'customer_code', 'payer_name', 'tax_number', 'manual')),
    imported_at     BIGINT NOT NULL,
    imported_by     BIGINT NOT NULL,
    import_file     TEXT NOT NULL,
    note            TEXT,
    CHECK ((status IN ('matched', 'assigned')) = (receipt_id IS NOT NULL AND customer_id IS NOT NULL))
);
-- The lists: unmatched lines waiting for finance, newest first.
CREATE INDEX bank_statement_lines_status ON bank_statement_lines (status, id);

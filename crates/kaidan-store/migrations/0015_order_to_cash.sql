-- Order to cash (FIN-1..4, ORD-7, DOC-1; ADR 0021): invoices and credit
-- notes from shipped quantities, receipts with their vouchers, matches of
-- money to invoices. Money in 1/10,000 yuan, days as 'YYYY-MM-DD' text (they
-- compare in order on both engines), times in microseconds (UTC).

-- The tax rate each order line was priced at, so an invoice carries it
-- exactly (no re-pricing). Lines written before this migration take their
-- product's rate.
ALTER TABLE order_lines ADD COLUMN tax_rate_bp BIGINT NOT NULL DEFAULT 0 CHECK (tax_rate_bp BETWEEN 0 AND 10000);
UPDATE order_lines SET tax_rate_bp = (SELECT p.tax_rate_bp FROM products p WHERE p.id = order_lines.product_id);

-- Units of each shipment line invoiced (net of refusals credited). Shipped
-- less refused is the most that may ever be invoiced.
ALTER TABLE shipment_lines ADD COLUMN invoiced BIGINT NOT NULL DEFAULT 0 CHECK (invoiced >= 0);

-- The buyer's details an invoice prints (增值税专用发票 needs them).
ALTER TABLE customers ADD COLUMN tax_number TEXT;
ALTER TABLE customers ADD COLUMN bank_account TEXT;

-- ORD-7: how far the order is billed (uninvoiced, partly_invoiced, invoiced,
-- paid), derived from its invoices and stored for the lists.
ALTER TABLE orders ADD COLUMN billing TEXT NOT NULL DEFAULT 'uninvoiced'
    CHECK (billing IN ('uninvoiced', 'partly_invoiced', 'invoiced', 'paid'));

CREATE TABLE invoices (
    id              {{ID_PK}},
    number          TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    fapiao_kind     TEXT NOT NULL CHECK (fapiao_kind IN ('vat_special', 'vat_ordinary', 'none')),
    customer_id     BIGINT NOT NULL REFERENCES customers(id),
    -- A credit note names the invoice it corrects, and why.
    credit_of       BIGINT REFERENCES invoices(id),
    credit_reason   TEXT CHECK (credit_reason IN ('refused', 'return', 'price_correction')),
    note            TEXT,
    invoice_date    TEXT NOT NULL,
    due_date        TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount >= 0),
    tax             BIGINT NOT NULL CHECK (tax >= 0),
    net             BIGINT NOT NULL CHECK (net >= 0),
    credited        BIGINT NOT NULL DEFAULT 0 CHECK (credited >= 0),
    paid            BIGINT NOT NULL DEFAULT 0 CHECK (paid >= 0),
    buyer_name      TEXT NOT NULL,
    buyer_tax_number TEXT,
    buyer_bank      TEXT,
    buyer_address   TEXT,
    fapiao_number   TEXT,
    fapiao_code     TEXT,
    created_at      BIGINT NOT NULL,
    created_by      BIGINT NOT NULL,
    CHECK (credited + paid <= amount),
    CHECK ((kind = 'credit_note') = (credit_of IS NOT NULL))
);
CREATE INDEX invoices_customer ON invoices (customer_id, kind, due_date);
CREATE INDEX invoices_credit_of ON invoices (credit_of);
-- The invoices still to pay, for matching and ageing.
CREATE INDEX invoices_open ON invoices (customer_id, due_date, id) WHERE kind = 'invoice' AND credited + paid < amount;

-- A credit note's line has the number of the invoice line it corrects.
CREATE TABLE invoice_lines (
    invoice_id      BIGINT NOT NULL REFERENCES invoices(id),
    line_no         BIGINT NOT NULL,
    order_id        BIGINT NOT NULL REFERENCES orders(id),
    shipment_id     BIGINT NOT NULL REFERENCES shipments(id),
    shipment_line_no BIGINT NOT NULL,
    product_id      BIGINT NOT NULL REFERENCES products(id),
    quantity        BIGINT NOT NULL CHECK (quantity >= 0),
    unit_price      BIGINT NOT NULL,
    tax_rate_bp     BIGINT NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    amount          BIGINT NOT NULL CHECK (amount >= 0),
    tax             BIGINT NOT NULL CHECK (tax >= 0),
    net             BIGINT NOT NULL CHECK (net >= 0),
    PRIMARY KEY (invoice_id, line_no)
);
CREATE INDEX invoice_lines_order ON invoice_lines (order_id);
CREATE INDEX invoice_lines_shipment ON invoice_lines (shipment_id, shipment_line_no);

CREATE TABLE receipts (
    id              {{ID_PK}},
    number          TEXT NOT NULL UNIQUE,
    customer_id     BIGINT NOT NULL REFERENCES customers(id),
    payer           TEXT NOT NULL,
    method          TEXT NOT NULL CHECK (method IN ('cash', 'bank_transfer', 'pos_card')),
    amount          BIGINT NOT NULL CHECK (amount > 0),
    applied         BIGINT NOT NULL DEFAULT 0 CHECK (applied >= 0),
    received_on     TEXT NOT NULL,
    bank_reference  TEXT,
    note            TEXT,
    status          TEXT NOT NULL CHECK (status IN ('registered', 'verified', 'rejected', 'reversed')),
    registered_by   BIGINT NOT NULL,
    registered_by_name TEXT NOT NULL,
    registered_at   BIGINT NOT NULL,
    decided_by_name TEXT,
    decided_at      BIGINT,
    decision_note   TEXT,
    voucher_name    TEXT,
    voucher_type    TEXT CHECK (voucher_type IN ('image/png', 'image/jpeg', 'application/pdf')),
    voucher_size    BIGINT,
    CHECK (applied <= amount)
);
CREATE INDEX receipts_customer ON receipts (customer_id, status, id);
CREATE INDEX receipts_status ON receipts (status, id);

-- The voucher's bytes, apart from the receipt so lists stay light.
CREATE TABLE receipt_vouchers (
    receipt_id      BIGINT PRIMARY KEY REFERENCES receipts(id),
    bytes           {{BYTES}} NOT NULL
);

-- Money of a receipt applied to an invoice (核销). A reversed receipt's
-- matches are undone, not deleted.
CREATE TABLE payment_matches (
    id              {{ID_PK}},
    receipt_id      BIGINT NOT NULL REFERENCES receipts(id),
    invoice_id      BIGINT NOT NULL REFERENCES invoices(id),
    amount          BIGINT NOT NULL CHECK (amount > 0),
    matched_on      TEXT NOT NULL,
    matched_by      BIGINT NOT NULL,
    matched_by_name TEXT NOT NULL,
    undone_on       TEXT
);
CREATE INDEX payment_matches_invoice ON payment_matches (invoice_id);
CREATE INDEX payment_matches_receipt ON payment_matches (receipt_id);

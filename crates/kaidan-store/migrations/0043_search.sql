-- Finding by what a person types (issue 21). Order entry finds a product
-- by SKU, name, spec or bar code as the clerk types. The bar code is
-- optional ('' = none) and unique when set; the partial index serves the
-- exact match a scanner sends.
ALTER TABLE products ADD COLUMN barcode TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX products_barcode ON products (barcode) WHERE barcode <> '';

-- The search box finds an order by the customer's own reference (客户单号)
-- as well as by its number.
CREATE INDEX orders_customer_ref ON orders (customer_ref) WHERE customer_ref IS NOT NULL;

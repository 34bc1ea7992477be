//! Finding by what a person types (issue 21). Numbers are matched by
//! prefix through their unique indexes (a range, so both engines use the
//! index); codes, names and references of the smaller tables by substring.
//! No query reads a table of documents whole.

use async_trait::async_trait;
use kaidan_app::ports::{HitKind, OpenOrderRow, ProductHit, SearchRow, SearchTx, StoreError};
use kaidan_domain::orders::OrderStatus;
use kaidan_domain::{CustomerId, Money, OrderId, ProductId, TaxRate};

use crate::row::{RowExt, Val, placeholders};
use crate::tx::{DbTx, fetch_all_once, fetch_as_once};

const PRODUCT_COLUMNS: &str = "id, sku, name, spec, barcode, unit, list_price, tax_rate_bp, active";

fn product_hit(r: &impl RowExt) -> Result<ProductHit, StoreError> {
    Ok(ProductHit {
        id: ProductId(r.i64("id")?),
        sku: r.text("sku")?,
        name: r.text("name")?,
        spec: r.text("spec")?,
        barcode: r.text("barcode")?,
        unit: r.text("unit")?,
        list_price: Money::from_units(r.i64("list_price")?),
        tax_rate: TaxRate::from_basis_points(r.i64("tax_rate_bp")?),
        active: r.bool("active")?,
    })
}

fn search_row(r: &impl RowExt) -> Result<SearchRow, StoreError> {
    let kind = r.text("kind")?;
    let kind = HitKind::ALL
        .into_iter()
        .find(|k| k.as_str() == kind)
        .ok_or_else(|| crate::error::corrupt(format!("search kind {kind}")))?;
    Ok(SearchRow {
        kind,
        id: r.i64("id")?,
        key: r.opt_text("key")?.unwrap_or_default(),
        detail: r.opt_text("detail")?.unwrap_or_default(),
        customer_id: r.opt_i64("customer_id")?.map(CustomerId),
    })
}

/// A `LIKE` pattern that holds `text` anywhere, lower-cased; `%` and `_`
/// typed by the user match themselves literally by being left out.
fn contains(text: &str) -> String {
    format!("%{}%", text.to_lowercase().replace(['%', '_', '\\'], ""))
}

/// `col >= $a AND col < $b`: the values that start with `prefix`, as an
/// index range on either engine.
fn prefix_range(col: &str, prefix: &str, vals: &mut Vec<Val>) -> String {
    vals.push(Val::T(prefix.to_string()));
    vals.push(Val::T(format!("{prefix}{}", char::MAX)));
    format!("({col} >= ${} AND {col} < ${})", vals.len() - 1, vals.len())
}

/// The number prefixes to try: as typed and upper-cased (numbers are
/// written in capitals, people type in either).
fn number_prefixes(text: &str) -> Vec<String> {
    let mut v = vec![text.to_string()];
    let upper = text.to_uppercase();
    if upper != text {
        v.push(upper);
    }
    v
}

/// Where a numbered document's hits come from: its table (aliased `x`)
/// with its joins, the name shown beside the number, its customer, and a
/// column matched exactly as well (a reference, a tracking number).
struct Numbered {
    from: &'static str,
    detail: &'static str,
    customer: &'static str,
    exact: Option<&'static str>,
}

fn numbered(kind: HitKind) -> Option<Numbered> {
    let n = |from, detail, customer, exact| {
        Some(Numbered {
            from,
            detail,
            customer,
            exact,
        })
    };
    match kind {
        HitKind::Order => n(
            "orders x JOIN customers c ON c.id = x.customer_id",
            "c.name",
            "x.customer_id",
            Some("x.customer_ref"),
        ),
        HitKind::Shipment => n(
            "shipments x JOIN orders o ON o.id = x.order_id JOIN customers c ON c.id = o.customer_id",
            "c.name",
            "o.customer_id",
            Some("x.tracking_no"),
        ),
        HitKind::PickList => n(
            "pick_lists x JOIN orders o ON o.id = x.order_id JOIN customers c ON c.id = o.customer_id",
            "c.name",
            "o.customer_id",
            None,
        ),
        HitKind::PurchaseOrder => n("purchase_orders x", "x.supplier", "NULL", None),
        HitKind::Transfer => n(
            "transfers x JOIN regions r ON r.id = x.region_id",
            "r.name",
            "NULL",
            None,
        ),
        HitKind::Invoice => n(
            "invoices x JOIN customers c ON c.id = x.customer_id",
            "c.name",
            "x.customer_id",
            Some("x.fapiao_number"),
        ),
        HitKind::Return => n(
            "returns x JOIN customers c ON c.id = x.customer_id",
            "c.name",
            "x.customer_id",
            None,
        ),
        HitKind::Complaint => n(
            "complaints x JOIN customers c ON c.id = x.customer_id",
            "c.name",
            "x.customer_id",
            None,
        ),
        HitKind::Contract => n(
            "contracts x JOIN customers c ON c.id = x.customer_id",
            "c.name",
            "x.customer_id",
            None,
        ),
        HitKind::Customer | HitKind::Product => None,
    }
}

/// One part of the union: `kind, id, key, detail, customer_id` of up to
/// `$limit_at` rows of `select` (which ends with its FROM) matching
/// `filter`; the alias is made unique by the count of values so far.
fn part(
    kind: HitKind,
    select: &str,
    filter: &str,
    order: &str,
    limit_at: usize,
    vals: &[Val],
) -> String {
    let k = kind.as_str();
    format!(
        "SELECT * FROM (SELECT '{k}' AS kind, {select} WHERE {filter} ORDER BY {order} LIMIT ${limit_at}) q_{k}_{}",
        vals.len()
    )
}

/// One kind's queries. A numbered document is found by each number prefix
/// on its own, walked down its unique index from the highest number, so a
/// prefix that nearly every number has (`SO-R-0`) stops after `limit`
/// rows instead of sorting them all (issue 21: 0.96 s at 1M lines); the
/// exact reference is a query of its own for the same reason.
fn kind_queries(kind: HitKind, text: &str, limit: u32, vals: &mut Vec<Val>) -> Vec<String> {
    vals.push(Val::I(i64::from(limit)));
    let lim = vals.len();
    let mut out = Vec::new();
    match (kind, numbered(kind)) {
        (_, Some(n)) => {
            let select = format!(
                "x.id, x.number AS key, {} AS detail, CAST({} AS BIGINT) AS customer_id FROM {}",
                n.detail, n.customer, n.from
            );
            for p in number_prefixes(text) {
                let filter = prefix_range("x.number", &p, vals);
                out.push(part(kind, &select, &filter, "x.number DESC", lim, vals));
            }
            if let Some(col) = n.exact {
                vals.push(Val::T(text.to_string()));
                let filter = format!("{col} = ${}", vals.len());
                out.push(part(kind, &select, &filter, "x.id DESC", lim, vals));
            }
        }
        (HitKind::Customer, None) => {
            vals.push(Val::T(contains(text)));
            let p = vals.len();
            out.push(part(
                kind,
                "id, code AS key, name AS detail, id AS customer_id FROM customers",
                &format!("LOWER(code) LIKE ${p} OR LOWER(name) LIKE ${p}"),
                "code",
                lim,
                vals,
            ));
        }
        _ => {
            vals.push(Val::T(contains(text)));
            let p = vals.len();
            vals.push(Val::T(text.to_string()));
            let b = vals.len();
            out.push(part(
                kind,
                "id, sku AS key, name AS detail, CAST(NULL AS BIGINT) AS customer_id FROM products",
                &format!("LOWER(sku) LIKE ${p} OR LOWER(name) LIKE ${p} OR barcode = ${b}"),
                "sku",
                lim,
                vals,
            ));
        }
    }
    out
}

/// The rows of the union as the kinds' parts gave them, each hit once and
/// at most `limit` of a kind (a reference may also be a number's prefix).
fn first_of_each(rows: Vec<SearchRow>, limit: u32) -> Vec<SearchRow> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut seen = std::collections::BTreeSet::new();
    let mut per_kind = std::collections::BTreeMap::<HitKind, usize>::new();
    rows.into_iter()
        .filter(|r| {
            let n = per_kind.entry(r.kind).or_default();
            if *n >= limit || !seen.insert((r.kind, r.id)) {
                return false;
            }
            *n += 1;
            true
        })
        .collect()
}

#[async_trait]
impl SearchTx for DbTx {
    async fn customer_open_orders(
        &mut self,
        customer: CustomerId,
        statuses: &[OrderStatus],
        limit: u32,
    ) -> Result<(u64, Money, Vec<OpenOrderRow>), StoreError> {
        if statuses.is_empty() {
            return Ok((0, Money::ZERO, Vec::new()));
        }
        let mut vals = vec![Val::I(customer.get())];
        vals.extend(statuses.iter().map(|s| Val::T(s.as_str().into())));
        let within = format!(
            "customer_id = $1 AND status IN ({})",
            placeholders(2, statuses.len())
        );
        // SUM of BIGINT is NUMERIC in PostgreSQL; cast so both engines give
        // i64. Served by orders_customer_open (customer_id, status, amount).
        let sums = format!(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS amount FROM orders WHERE {within}"
        );
        let (n, amount): (i64, i64) = fetch_as_once!(self, query_as.fetch_one, &sums, vals);
        vals.push(Val::I(i64::from(limit)));
        let newest = format!(
            "SELECT id, number, status, amount, received_at FROM orders WHERE {within} \
             ORDER BY id DESC LIMIT ${}",
            vals.len()
        );
        let rows = fetch_all_once!(self, &newest, vals, |r| Ok(OpenOrderRow {
            id: OrderId(r.i64("id")?),
            number: r.opt_text("number")?,
            status: r.parsed("status")?,
            amount: Money::from_units(r.i64("amount")?),
            received_at: r.ts("received_at")?,
        }));
        Ok((
            u64::try_from(n).unwrap_or_default(),
            Money::from_units(amount),
            rows,
        ))
    }

    async fn product_search(
        &mut self,
        words: &[String],
        limit: u32,
    ) -> Result<Vec<ProductHit>, StoreError> {
        let mut vals = Vec::new();
        let mut clauses = vec!["active".to_string()];
        let whole = words.join(" ");
        vals.push(Val::T(whole.clone()));
        let exact = vals.len();
        vals.push(Val::T(whole.to_lowercase()));
        let exact_lower = vals.len();
        vals.push(Val::T(format!(
            "{}%",
            whole.to_lowercase().replace(['%', '_', '\\'], "")
        )));
        let starts = vals.len();
        let mut each = Vec::new();
        for w in words {
            vals.push(Val::T(contains(w)));
            let p = vals.len();
            each.push(format!(
                "(LOWER(sku) LIKE ${p} OR LOWER(name) LIKE ${p} OR LOWER(spec) LIKE ${p})"
            ));
        }
        if !each.is_empty() {
            clauses.push(format!("(({}) OR barcode = ${exact})", each.join(" AND ")));
        }
        vals.push(Val::I(i64::from(limit.max(1))));
        let sql = format!(
            "SELECT {PRODUCT_COLUMNS} FROM products {} \
             ORDER BY CASE WHEN barcode = ${exact} OR LOWER(sku) = ${exact_lower} THEN 0 \
             WHEN LOWER(sku) LIKE ${starts} THEN 1 ELSE 2 END, sku LIMIT ${}",
            crate::row::where_all(&clauses),
            vals.len()
        );
        Ok(fetch_all_once!(self, &sql, vals, product_hit))
    }

    async fn products_by_code(&mut self, codes: &[String]) -> Result<Vec<ProductHit>, StoreError> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        // Chunks keep the statement within both engines' parameter limits.
        for chunk in codes.chunks(400) {
            let vals: Vec<Val> = chunk
                .iter()
                .chain(chunk.iter())
                .map(|c| Val::T(c.clone()))
                .collect();
            let sql = format!(
                "SELECT {PRODUCT_COLUMNS} FROM products WHERE sku IN ({}) OR barcode IN ({})",
                placeholders(1, chunk.len()),
                placeholders(chunk.len() + 1, chunk.len())
            );
            out.extend(fetch_all_once!(self, &sql, vals, product_hit));
        }
        Ok(out)
    }

    async fn search_rows(
        &mut self,
        text: &str,
        kinds: &[HitKind],
        limit: u32,
    ) -> Result<Vec<SearchRow>, StoreError> {
        if kinds.is_empty() || text.is_empty() {
            return Ok(Vec::new());
        }
        let mut vals = Vec::new();
        let limit = limit.max(1);
        let parts: Vec<String> = kinds
            .iter()
            .flat_map(|k| kind_queries(*k, text, limit, &mut vals))
            .collect();
        let sql = parts.join(" UNION ALL ");
        let rows = fetch_all_once!(self, &sql, vals, search_row);
        Ok(first_of_each(rows, limit))
    }
}

//! Generated data and the plain baseline of `kaidan bench reports` (issue
//! 20, KPI-1..5; docs/PERFORMANCE.md). Generation writes a company's last
//! 400 days straight into the tables, in multi-row inserts,
//! deterministically (seeded), as `generate_allocation_data` does: every
//! table a figure reads (migration 0030, figures.rs) holds what a year of
//! trade leaves there. It is not timed. The plain baseline
//! (`plain_reports_baseline`, ADR 0029) reads the heaviest reports'
//! numbers with plain prepared statements, without Kaidan's stack.

use std::path::Path;
use std::time::{Duration, Instant};

use kaidan_app::ports::{StoreError, Tx};
use kaidan_domain::master::{PaymentMethod, PaymentTerms};
use kaidan_domain::orders::{
    Channel, OrderTotals, PriceSource, PricedLine, PricedOrder, company_time_zone, line_amounts,
};
use kaidan_domain::{CustomerId, Money, ProductId, Quantity, TaxRate};

use crate::Db;
use crate::bench_data::{Rng, exec};
use crate::tx::{DbTx, fetch_as};

/// The size of a generated reports data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportsShape {
    /// Order lines in all (5 an order).
    pub lines: usize,
    pub products: usize,
    pub customers: usize,
    pub seed: u64,
}

impl Default for ReportsShape {
    fn default() -> Self {
        ReportsShape {
            lines: 1_000_000,
            products: 2_000,
            customers: 5_000,
            seed: 20_260_101,
        }
    }
}

/// What generation wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportsGenerated {
    pub orders: usize,
    pub lines: usize,
    pub rejected: usize,
    pub cancelled: usize,
    /// Orders with a picked pick list (partly or fully shipped).
    pub picked: usize,
    pub short_picks: usize,
    pub change_requests: usize,
    pub entry_errors: usize,
    pub invoices: usize,
    pub open_invoices: usize,
    pub price_corrections: usize,
    pub wrong_goods: usize,
    pub surveys: usize,
    /// Every row written, in all tables.
    pub rows: usize,
    /// A generated sales rep and order clerk (for reads of their own
    /// figures).
    pub rep: i64,
    pub clerk: i64,
}

/// Generated users take ids from here, so that users the application
/// creates afterwards (PostgreSQL's identity starts at 1) never collide.
pub const FIRST_GENERATED_USER: i64 = 1000;

/// The user name of generated user `id`: clerks first, then reps.
pub fn generated_user_name(id: i64) -> String {
    let i = id - FIRST_GENERATED_USER;
    if i < CLERKS {
        format!("bench-clerk-{i:02}")
    } else {
        format!("bench-rep-{i:02}")
    }
}
const CLERKS: i64 = 10;
const REPS: i64 = 40;
const REGIONS: usize = 24;
const LINES_PER_ORDER: usize = 5;
/// The product categories (品类) the generated products are sorted into.
pub const CATEGORIES: [&str; 8] = [
    "服装", "鞋类", "配饰", "箱包", "家居", "运动", "儿童", "内衣",
];
/// The data spans this many days back from now: a year-on-year read of
/// the last month has data.
const DAYS: i64 = 400;
/// Rows per multi-row INSERT.
const CHUNK: usize = 500;
/// Orders generated before their rows are flushed.
const BATCH: usize = 1_000;
/// Survey windows (30 days each) and answered surveys in each.
const SURVEY_WINDOWS: i64 = 14;
const SURVEYS_PER_WINDOW: usize = 250;
/// Credit notes take ids above every order id.
const CREDIT_NOTE_IDS: i64 = 1_000_000_000;
const UNIT: i64 = 10_000;
const MINUTE: i64 = 60_000_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// One table's rows (literal SQL: generated numbers and fixed text
/// without quotes only), flushed in multi-row INSERTs.
struct Rows {
    head: String,
    rows: Vec<String>,
    written: usize,
}

impl Rows {
    fn new(table: &str, columns: &str) -> Self {
        Rows {
            head: format!("INSERT INTO {table} ({columns}) VALUES "),
            rows: Vec::new(),
            written: 0,
        }
    }

    async fn flush(&mut self, tx: &mut DbTx) -> Result<(), StoreError> {
        for chunk in self.rows.chunks(CHUNK) {
            let mut sql = String::with_capacity(self.head.len() + chunk.len() * 96);
            sql.push_str(&self.head);
            sql.push_str(&chunk.join(", "));
            exec(tx, &sql).await?;
        }
        self.written += self.rows.len();
        self.rows.clear();
        Ok(())
    }
}

/// The per-order tables, flushed in this order (foreign keys).
struct OrderTables {
    orders: Rows,
    lines: Rows,
    events: Rows,
    deadlines: Rows,
    changes: Rows,
    pick_lists: Rows,
    pick_lines: Rows,
    shipments: Rows,
    shipment_lines: Rows,
    moves: Rows,
    invoices: Rows,
    credit_notes: Rows,
    invoice_lines: Rows,
    returns: Rows,
    receipts: Rows,
    matches: Rows,
}

impl OrderTables {
    fn new() -> Self {
        OrderTables {
            orders: Rows::new(
                "orders",
                "id, number, customer_id, status, channel, amount, received_at, review_due_at, ship_due_at, \
                 reviewed_at, review_met, document, order_version, version, created_by, updated_at, \
                 promised_date, billing",
            ),
            lines: Rows::new(
                "order_lines",
                "order_id, line_no, product_id, quantity, unit_price, amount, reserved, backordered, shipped, \
                 invoiced, tax_rate_bp",
            ),
            events: Rows::new(
                "order_events",
                "order_id, at, actor_id, actor_name, kind, from_status, to_status",
            ),
            deadlines: Rows::new(
                "order_deadlines",
                "order_id, kind, due_at, completed_at, met, late_minutes",
            ),
            changes: Rows::new(
                "change_requests",
                "id, order_id, status, request, impact, outcome, departments, decisions, requested_by, \
                 requested_at, decided_at, cause",
            ),
            pick_lists: Rows::new(
                "pick_lists",
                "id, number, order_id, warehouse_id, status, packages, created_at, created_by, picked_at, picked_by",
            ),
            pick_lines: Rows::new(
                "pick_list_lines",
                "pick_list_id, line_no, product_id, quantity, picked",
            ),
            shipments: Rows::new(
                "shipments",
                "id, number, order_id, pick_list_id, warehouse_id, status, carrier, tracking_no, packages, \
                 shipped_at, eta, shipped_by, delivered_at",
            ),
            shipment_lines: Rows::new(
                "shipment_lines",
                "shipment_id, line_no, product_id, quantity, unit_price, accepted, refused, invoiced",
            ),
            moves: Rows::new(
                "stock_moves",
                "at, product_id, warehouse_id, kind, on_hand_delta, reserved_delta, picked_delta, source",
            ),
            invoices: Rows::new("invoices", INVOICE_COLUMNS),
            credit_notes: Rows::new("invoices", INVOICE_COLUMNS),
            invoice_lines: Rows::new(
                "invoice_lines",
                "invoice_id, line_no, order_id, shipment_id, shipment_line_no, product_id, quantity, unit_price, \
                 tax_rate_bp, amount, tax, net",
            ),
            returns: Rows::new(
                "returns",
                "id, number, customer_id, order_id, shipment_id, status, reason, remedy, description, lines, \
                 requested_by, requested_at, decided_by, decided_at, version",
            ),
            receipts: Rows::new(
                "receipts",
                "id, number, customer_id, payer, method, amount, applied, received_on, status, registered_by, \
                 registered_by_name, registered_at",
            ),
            matches: Rows::new(
                "payment_matches",
                "receipt_id, invoice_id, amount, matched_on, matched_by, matched_by_name",
            ),
        }
    }

    fn all(&mut self) -> [&mut Rows; 16] {
        [
            &mut self.orders,
            &mut self.lines,
            &mut self.events,
            &mut self.deadlines,
            &mut self.changes,
            &mut self.pick_lists,
            &mut self.pick_lines,
            &mut self.shipments,
            &mut self.shipment_lines,
            &mut self.moves,
            &mut self.invoices,
            &mut self.credit_notes,
            &mut self.invoice_lines,
            &mut self.returns,
            &mut self.receipts,
            &mut self.matches,
        ]
    }

    async fn flush(&mut self, tx: &mut DbTx) -> Result<(), StoreError> {
        for t in self.all() {
            t.flush(tx).await?;
        }
        Ok(())
    }

    fn written(&mut self) -> usize {
        self.all().iter().map(|t| t.written).sum()
    }
}

const INVOICE_COLUMNS: &str = "id, number, kind, fapiao_kind, customer_id, credit_of, credit_reason, invoice_date, \
     due_date, amount, tax, net, credited, paid, buyer_name, created_at, created_by";

/// The customer kinds, by the customer id modulo 20: 40 % franchisees,
/// 10 % direct regions, 15 % affiliated, 25 % stores, 10 % businesses.
fn kind_of(customer: usize) -> &'static str {
    match customer % 20 {
        0..=7 => "franchisee",
        8 | 9 => "direct_region",
        10..=12 => "affiliated",
        13..=17 => "store",
        _ => "business",
    }
}

/// VAT of a VAT-included amount at 13 %.
fn tax_of(amount: i64) -> i64 {
    amount * 1300 / 11300
}

fn late_minutes(due: i64, done: i64) -> i64 {
    if done <= due {
        0
    } else {
        (done - due + MINUTE - 1) / MINUTE
    }
}

fn sql_bool(b: bool) -> &'static str {
    if b { "TRUE" } else { "FALSE" }
}

/// How far an order got: its status and the times of its steps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    InReview,
    Rejected,
    Cancelled,
    Approved,
    PartlyShipped,
    Shipped,
    Delivered,
    Closed,
}

impl Stage {
    fn status(self) -> &'static str {
        match self {
            Stage::InReview => "in_review",
            Stage::Rejected => "rejected",
            Stage::Cancelled => "cancelled",
            Stage::Approved => "approved",
            Stage::PartlyShipped => "partly_shipped",
            Stage::Shipped => "shipped",
            Stage::Delivered => "delivered",
            Stage::Closed => "closed",
        }
    }
    fn reviewed(self) -> bool {
        !matches!(self, Stage::InReview | Stage::Rejected | Stage::Cancelled)
    }
    fn picked(self) -> bool {
        matches!(
            self,
            Stage::PartlyShipped | Stage::Shipped | Stage::Delivered | Stage::Closed
        )
    }
    fn shipped_in_full(self) -> bool {
        matches!(self, Stage::Shipped | Stage::Delivered | Stage::Closed)
    }
    fn invoiced(self) -> bool {
        matches!(self, Stage::Delivered | Stage::Closed)
    }
}

/// 3 % rejected, 2 % cancelled; the rest by age: the last day partly in
/// review, the last three days approved, the last ten partly or fully
/// shipped, then delivered, and after 45 days closed (paid), a few
/// delivered and still unpaid.
fn stage_of(rng: &mut Rng, age: i64) -> Stage {
    let roll = rng.below(1000);
    if roll < 30 {
        Stage::Rejected
    } else if roll < 50 {
        Stage::Cancelled
    } else if age < DAY {
        if rng.below(3) == 0 {
            Stage::InReview
        } else {
            Stage::Approved
        }
    } else if age < 3 * DAY {
        Stage::Approved
    } else if age < 10 * DAY {
        if rng.below(2) == 0 {
            Stage::PartlyShipped
        } else {
            Stage::Shipped
        }
    } else if age < 45 * DAY {
        if rng.below(10) < 3 {
            Stage::Shipped
        } else {
            Stage::Delivered
        }
    } else if rng.below(100) < 3 {
        Stage::Delivered
    } else {
        Stage::Closed
    }
}

/// The local date (company time zone) of a time in microseconds.
fn day_of(micros: i64) -> jiff::civil::Date {
    jiff::Timestamp::from_microsecond(micros)
        .map(|t| t.to_zoned(company_time_zone()).date())
        .unwrap_or(jiff::civil::Date::constant(1970, 1, 1))
}

fn day_text(micros: i64) -> String {
    day_of(micros).to_string()
}

/// An order's document (the priced order its pages and the deadline watch
/// read), as the intake writes it, as an SQL literal.
fn document(
    customer: usize,
    at: i64,
    lines: &[(usize, i64, i64)],
) -> Result<(String, i64), StoreError> {
    let bad = |e: &dyn std::fmt::Display| StoreError::Other(format!("generated order: {e}"));
    let rate = TaxRate::from_basis_points(1300);
    let mut totals = OrderTotals::default();
    let mut priced = Vec::with_capacity(lines.len());
    for (i, (p, qty, unit)) in lines.iter().enumerate() {
        let quantity = Quantity::new(*qty).map_err(|e| bad(&e))?;
        let unit_price = Money::from_units(*unit);
        let a = line_amounts(unit_price, quantity, rate).map_err(|e| bad(&e))?;
        totals.lines += 1;
        totals.quantity = Quantity::new(totals.quantity.get() + qty).map_err(|e| bad(&e))?;
        totals.amount += a.amount;
        totals.tax += a.tax;
        totals.net += a.net;
        priced.push(PricedLine {
            line_no: u32::try_from(i + 1).unwrap_or(u32::MAX),
            product_id: ProductId(i64::try_from(*p).unwrap_or(0)),
            sku: format!("RSKU-{p:06}"),
            name: format!("报表商品{p}"),
            spec: String::new(),
            unit: "件".into(),
            quantity,
            unit_price,
            price_source: PriceSource::ListPrice,
            reference_price: unit_price,
            reference_source: PriceSource::ListPrice,
            deviates: false,
            price_approval: None,
            tax_rate: rate,
            amount: a.amount,
            tax: a.tax,
            net: a.net,
            note: None,
        });
    }
    let order = PricedOrder {
        customer_id: CustomerId(i64::try_from(customer).unwrap_or(0)),
        channel: Channel::Api,
        contact_name: None,
        contact_phone: None,
        customer_reference: None,
        order_date: day_of(at),
        requested_delivery_date: None,
        delivery_address: "深圳市南山区".into(),
        payment_method: PaymentMethod::BankTransfer,
        payment_terms: PaymentTerms::Prepayment,
        priority: false,
        special: false,
        notes: None,
        contract_id: None,
        lines: priced,
        totals,
    };
    let json = serde_json::to_string(&order).map_err(|e| bad(&e))?;
    Ok((json.replace('\'', "''"), totals.amount.units()))
}

impl Db {
    /// Writes a deterministic reports data set of `shape` into this
    /// (fresh, migrated, EMPTY) database: 24 regions, 10 clerks and 40
    /// sales reps (user ids from [`FIRST_GENERATED_USER`]), products with
    /// list and cost prices (cost 45–65 % of list), a central warehouse
    /// with its balances, customers of every kind with regions and reps,
    /// and orders of 5 lines over the last 400 days with everything their
    /// life leaves behind: timeline rows (3 % rejected, 2 % cancelled),
    /// review and ship deadlines met or missed, change requests (2 %, most
    /// for an entry error), picked pick lists (2 % with a short line), the
    /// shipments made of them and their stock moves, invoices with their
    /// lines for delivered orders (paid by a matched receipt when closed),
    /// a few price corrections and wrong-goods returns, and answered
    /// surveys each month. `progress(phase, done,
    /// total)` is called as rows are written; `now` is the current time in
    /// microseconds.
    pub async fn generate_reports_data(
        &self,
        shape: ReportsShape,
        now: i64,
        progress: &(dyn Fn(&str, u64, u64) + Sync),
    ) -> Result<ReportsGenerated, StoreError> {
        let mut rng = Rng(shape.seed);
        let products = shape.products.max(LINES_PER_ORDER * 2);
        let customers = shape.customers.max(1);
        let mut out = ReportsGenerated {
            rep: FIRST_GENERATED_USER + CLERKS,
            clerk: FIRST_GENERATED_USER,
            ..ReportsGenerated::default()
        };
        let mut owned = self.begin_tx().await?;
        let tx: &mut DbTx = &mut owned;
        // A company's database (a mistaken `--on`) is refused untouched.
        let held: i64 = fetch_as!(
            tx,
            query_scalar.fetch_one,
            "SELECT CAST((SELECT COUNT(*) FROM orders) + (SELECT COUNT(*) FROM customers) \
                    + (SELECT COUNT(*) FROM products) + (SELECT COUNT(*) FROM users) AS BIGINT)",
            []
        );
        if held > 0 {
            return Err(StoreError::Other(format!(
                "the reports bench needs an EMPTY database, and this one holds {held} orders, \
                 customers, products and users: give it a scratch database"
            )));
        }

        // Master data.
        progress("master data", 0, 1);
        let mut master_rows = 0usize;
        let mut t = Rows::new("regions", "id, code, name, name_zh, updated_at");
        for r in 1..=REGIONS {
            t.rows.push(format!(
                "({r}, 'BR-{r:02}', 'Region {r}', '区域{r}', {now})"
            ));
        }
        t.flush(tx).await?;
        master_rows += t.written;
        let mut users = Rows::new(
            "users",
            "id, username, display_name, password_hash, active, created_at",
        );
        let mut roles = Rows::new("user_roles", "user_id, role");
        for i in 0..CLERKS + REPS {
            let id = FIRST_GENERATED_USER + i;
            let name = generated_user_name(id);
            let (zh, role) = if i < CLERKS {
                (format!("开单员{i:02}"), "order_clerk")
            } else {
                (format!("销售代表{i:02}"), "sales_rep")
            };
            // No password logs in to these: the hash is not a hash.
            users.rows.push(format!(
                "({id}, '{name}', '{zh}', 'bench-no-login', TRUE, {now})"
            ));
            roles.rows.push(format!("({id}, '{role}')"));
        }
        users.flush(tx).await?;
        roles.flush(tx).await?;
        master_rows += users.written + roles.written;
        let mut list = Vec::with_capacity(products + 1);
        list.push(0i64);
        let mut t = Rows::new(
            "products",
            "id, sku, name, category, unit, season, launch_priority, list_price, cost_price, tax_rate_bp, active, updated_at",
        );
        for p in 1..=products {
            let season = ["spring_summer", "autumn_winter", "none"][p % 3];
            let category = CATEGORIES[p % CATEGORIES.len()];
            let price = rng.range(20, 600) * UNIT;
            let cost = price * rng.range(45, 65) / 100 / 100 * 100;
            list.push(price);
            t.rows.push(format!(
                "({p}, 'RSKU-{p:06}', '报表商品{p}', '{category}', '件', '{season}', {}, {price}, {cost}, 1300, TRUE, {now})",
                rng.range(1, 5)
            ));
        }
        t.flush(tx).await?;
        master_rows += t.written;
        exec(
            tx,
            &format!(
                "INSERT INTO warehouses (id, code, name, is_central, active, updated_at) \
                 VALUES (1, 'RW-CENTRAL', '中央仓', TRUE, TRUE, {now})"
            ),
        )
        .await?;
        master_rows += 1;
        let mut t = Rows::new(
            "customers",
            "id, code, name, kind, region_id, tier, priority, payment_terms, payment_method, credit_limit, \
             sales_rep_id, active, updated_at",
        );
        let mut region_of = vec![0usize; customers + 1];
        for (c, region) in region_of.iter_mut().enumerate().skip(1) {
            *region = rng.below(REGIONS) + 1;
            let rep = FIRST_GENERATED_USER + CLERKS + rng.range(0, REPS - 1);
            t.rows.push(format!(
                "({c}, 'RC-{c:05}', '报表客户{c}', '{}', {}, '{}', {}, 'prepayment', 'bank_transfer', 0, {rep}, TRUE, {now})",
                kind_of(c),
                *region,
                ["A", "B", "C"][c % 3],
                rng.range(1, 9)
            ));
        }
        t.flush(tx).await?;
        master_rows += t.written;
        progress("master data", 1, 1);

        // Orders, ids in the order they came in, spread over the days.
        let orders = shape.lines.div_ceil(LINES_PER_ORDER).max(1);
        let total = u64::try_from(shape.lines).unwrap_or(u64::MAX);
        let span = DAYS * DAY;
        let start = now - span;
        let slot = (span / i64::try_from(orders).unwrap_or(i64::MAX)).max(1);
        let mut reserved = vec![0i64; products + 1];
        let mut shipped_qty = vec![0i64; products + 1];
        let mut ts = OrderTables::new();
        let mut lines_done = 0usize;
        for o in 1..=orders {
            let oid = i64::try_from(o).unwrap_or(i64::MAX);
            let at = (start + (oid - 1) * slot + rng.range(0, slot - 1)).min(now - MINUTE);
            let stage = stage_of(&mut rng, now - at);
            let customer = rng.below(customers) + 1;
            let clerk = FIRST_GENERATED_USER + rng.range(0, CLERKS - 1);
            let review_due = at + DAY;
            let ship_due = at + 7 * DAY;
            // 95 % reviewed within a day, 90 % shipped within a week.
            let review_wait = if rng.below(100) < 95 {
                rng.range(10 * MINUTE, 20 * HOUR)
            } else {
                rng.range(25 * HOUR, 40 * HOUR)
            };
            let reviewed = (at + review_wait).min(now - MINUTE).max(at);
            let ship_wait = if rng.below(100) < 90 {
                rng.range(DAY, 6 * DAY)
            } else {
                rng.range(7 * DAY + HOUR, 12 * DAY)
            };
            let shipped_at = (at + ship_wait).max(reviewed + 2 * HOUR).min(now - HOUR);
            let delivered_at = (shipped_at + rng.range(DAY, 3 * DAY)).min(now - MINUTE);
            let paid_at = (delivered_at + rng.range(5 * DAY, 30 * DAY)).min(now - MINUTE);

            // Lines: 5 distinct products.
            let count = LINES_PER_ORDER.min(shape.lines - lines_done).max(1);
            let base = rng.below(products);
            let short = stage.picked() && rng.below(100) < 2;
            let mut amount = 0i64;
            let mut line_rows = Vec::with_capacity(count);
            let mut doc_lines = Vec::with_capacity(count);
            for k in 0..count {
                let p = (base + k * 397) % products + 1;
                let qty = rng.range(1, 12);
                // In whole fen, as prices are.
                let unit = list[p] * rng.range(90, 100) / 100 / 100 * 100;
                let line_amount = unit * qty;
                amount += line_amount;
                // A partly shipped order has shipped its first three lines.
                let ships = stage.shipped_in_full() || (stage == Stage::PartlyShipped && k < 3);
                let picked = if ships && short && k == 0 {
                    qty - 1
                } else {
                    qty
                };
                let (res, shipped) = if ships {
                    (0, picked)
                } else if stage.reviewed() {
                    (qty, 0)
                } else {
                    (0, 0)
                };
                reserved[p] += res;
                shipped_qty[p] += shipped;
                line_rows.push((k + 1, p, qty, unit, line_amount, ships, picked));
                doc_lines.push((p, qty, unit));
                let invoiced = if stage.invoiced() { shipped } else { 0 };
                ts.lines.rows.push(format!(
                    "({o}, {}, {p}, {qty}, {unit}, {line_amount}, {res}, 0, {shipped}, {invoiced}, 1300)",
                    k + 1
                ));
            }
            lines_done += count;
            let (doc, doc_amount) = document(customer, at, &doc_lines)?;
            debug_assert_eq!(doc_amount, amount);

            let number = if stage.reviewed() {
                format!("'SO-R-{o:07}'")
            } else {
                "NULL".into()
            };
            let (reviewed_at, review_met) = if stage.reviewed() {
                (reviewed.to_string(), sql_bool(reviewed <= review_due))
            } else {
                ("NULL".into(), "NULL")
            };
            let billing = match stage {
                Stage::Closed => "paid",
                Stage::Delivered => "invoiced",
                _ => "uninvoiced",
            };
            let updated = match stage {
                Stage::Closed => paid_at,
                Stage::Delivered => delivered_at,
                s if s.picked() => shipped_at,
                s if s.reviewed() => reviewed,
                _ => at,
            };
            ts.orders.rows.push(format!(
                "({o}, {number}, {customer}, '{}', 'api', {amount}, {at}, {review_due}, {ship_due}, {reviewed_at}, \
                 {review_met}, '{doc}', 1, 1, {clerk}, {updated}, '{}', '{billing}')",
                stage.status(),
                day_text(ship_due)
            ));

            // The timeline, and the deadlines decided.
            let mut event = |at: i64, kind: &str, from: &str, to: &str| {
                ts.events.rows.push(format!(
                    "({o}, {at}, {clerk}, 'bench', '{kind}', {from}, '{to}')"
                ));
            };
            event(at, "submitted", "NULL", "in_review");
            match stage {
                Stage::Rejected => {
                    out.rejected += 1;
                    let when = (at + rng.range(HOUR, 20 * HOUR)).min(now - MINUTE);
                    event(when, "rejected", "'in_review'", "rejected");
                }
                Stage::Cancelled => {
                    out.cancelled += 1;
                    let when = (at + rng.range(HOUR, 20 * HOUR)).min(now - MINUTE);
                    event(when, "cancelled", "'in_review'", "cancelled");
                }
                _ => {}
            }
            if stage.reviewed() {
                event(reviewed, "approved", "'in_review'", "approved");
                ts.deadlines.rows.push(format!(
                    "({o}, 'review', {review_due}, {reviewed}, {}, {})",
                    sql_bool(reviewed <= review_due),
                    late_minutes(review_due, reviewed)
                ));
            }
            if stage == Stage::PartlyShipped {
                event(shipped_at, "shipped", "'approved'", "partly_shipped");
            }
            if stage.shipped_in_full() {
                event(shipped_at, "shipped", "'approved'", "shipped");
                ts.deadlines.rows.push(format!(
                    "({o}, 'ship', {ship_due}, {shipped_at}, {}, {})",
                    sql_bool(shipped_at <= ship_due),
                    late_minutes(ship_due, shipped_at)
                ));
            }
            if stage.invoiced() {
                event(delivered_at, "delivered", "'shipped'", "delivered");
            }
            if stage == Stage::Closed {
                event(paid_at, "closed", "'delivered'", "closed");
            }

            // 2 % of the orders changed, most for an entry error.
            if stage != Stage::InReview && rng.below(1000) < 20 {
                out.change_requests += 1;
                let cause = if rng.below(10) < 6 {
                    out.entry_errors += 1;
                    "entry_error"
                } else {
                    "customer_request"
                };
                let when = (at + rng.range(HOUR, 10 * HOUR)).min(now - MINUTE);
                ts.changes.rows.push(format!(
                    "({o}, {o}, 'approved', '{{}}', '{{}}', '{{}}', '[]', '[]', {clerk}, {when}, {}, '{cause}')",
                    (when + HOUR).min(now)
                ));
            }

            // Picked and shipped: the pick list and the stock it took.
            if stage.picked() {
                out.picked += 1;
                if short {
                    out.short_picks += 1;
                }
                let created = reviewed + HOUR;
                let picked_at = (shipped_at - 2 * HOUR).max(created);
                ts.pick_lists.rows.push(format!(
                    "({o}, 'PK-R-{o:07}', {o}, 1, 'shipped', 1, {created}, {clerk}, {picked_at}, {clerk})"
                ));
                // One shipment (delivery note) of what was picked.
                let (status, delivered) = if stage.invoiced() {
                    ("delivered", delivered_at.to_string())
                } else {
                    ("shipped", "NULL".to_string())
                };
                ts.shipments.rows.push(format!(
                    "({o}, 'DN-R-{o:07}', {o}, {o}, 1, '{status}', 'SF', 'SF{o:09}', 1, {shipped_at}, '{}', \
                     {clerk}, {delivered})",
                    day_text(shipped_at + 2 * DAY)
                ));
                for (line, p, qty, unit, _, ships, picked) in &line_rows {
                    if !ships {
                        continue;
                    }
                    ts.pick_lines
                        .rows
                        .push(format!("({o}, {line}, {p}, {qty}, {picked})"));
                    if *picked > 0 {
                        let (accepted, invoiced) = if stage.invoiced() {
                            (picked.to_string(), *picked)
                        } else {
                            ("NULL".to_string(), 0)
                        };
                        ts.shipment_lines.rows.push(format!(
                            "({o}, {line}, {p}, {picked}, {unit}, {accepted}, 0, {invoiced})"
                        ));
                        ts.moves.rows.push(format!(
                            "({shipped_at}, {p}, 1, 'shipment', {}, {}, {}, 'bench data')",
                            -picked, -picked, -picked
                        ));
                    }
                }
            }

            // Delivered: invoiced; closed: paid by a matched receipt.
            if stage.invoiced() {
                out.invoices += 1;
                let correction = rng.below(1000) < 5;
                let wrong_goods = rng.below(1000) < 3;
                // What shipped (a short pick shipped less than ordered).
                let amount: i64 = line_rows
                    .iter()
                    .filter(|l| l.5)
                    .map(|(_, _, _, unit, _, _, picked)| unit * picked)
                    .sum();
                let credited = if correction { amount / 20 } else { 0 };
                let paid = if stage == Stage::Closed {
                    amount - credited
                } else {
                    out.open_invoices += 1;
                    0
                };
                let invoice_day = day_text(delivered_at);
                let due_day = day_text(delivered_at + 30 * DAY);
                ts.invoices.rows.push(format!(
                    "({o}, 'INV-R-{o:07}', 'invoice', 'vat_special', {customer}, NULL, NULL, '{invoice_day}', \
                     '{due_day}', {amount}, {}, {}, {credited}, {paid}, '报表客户{customer}', {delivered_at}, {clerk})",
                    tax_of(amount),
                    amount - tax_of(amount)
                ));
                if correction {
                    out.price_corrections += 1;
                    let id = CREDIT_NOTE_IDS + oid;
                    ts.credit_notes.rows.push(format!(
                        "({id}, 'CN-R-{o:07}', 'credit_note', 'vat_special', {customer}, {o}, 'price_correction', \
                         '{invoice_day}', '{due_day}', {credited}, {}, {}, 0, 0, '报表客户{customer}', {delivered_at}, {clerk})",
                        tax_of(credited),
                        credited - tax_of(credited)
                    ));
                }
                if paid > 0 {
                    let paid_day = day_text(paid_at);
                    ts.receipts.rows.push(format!(
                        "({o}, 'RCP-R-{o:07}', {customer}, '报表客户{customer}', 'bank_transfer', {paid}, {paid}, \
                         '{paid_day}', 'verified', {clerk}, 'bench', {paid_at})"
                    ));
                    ts.matches.rows.push(format!(
                        "({o}, {o}, {paid}, '{paid_day}', {clerk}, 'bench')"
                    ));
                }
                for (line, p, _, unit, _, ships, picked) in &line_rows {
                    if !ships || *picked == 0 {
                        continue;
                    }
                    let a = unit * picked;
                    ts.invoice_lines.rows.push(format!(
                        "({o}, {line}, {o}, {o}, {line}, {p}, {picked}, {unit}, 1300, {a}, {}, {})",
                        tax_of(a),
                        a - tax_of(a)
                    ));
                }
                if wrong_goods {
                    out.wrong_goods += 1;
                    let when = (delivered_at + rng.range(HOUR, 5 * DAY)).min(now - MINUTE);
                    ts.returns.rows.push(format!(
                        "({o}, 'RT-R-{o:07}', {customer}, {o}, {o}, 'closed', 'wrong_goods', 'exchange', '发错货', \
                         '[]', {clerk}, {when}, {clerk}, {}, 1)",
                        (when + HOUR).min(now)
                    ));
                }
            }

            if o % BATCH == 0 || o == orders {
                ts.flush(tx).await?;
                progress("orders", u64::try_from(lines_done).unwrap_or(0), total);
            }
        }
        out.orders = orders;
        out.lines = lines_done;

        // Stock: what is left on hand (more than is reserved), and the
        // monthly receipts that brought in about what shipped.
        progress("stock and surveys", 0, 1);
        let mut balances = Rows::new(
            "stock_balances",
            "product_id, warehouse_id, on_hand, reserved, picked",
        );
        let mut receipts = Rows::new(
            "stock_moves",
            "at, product_id, warehouse_id, kind, on_hand_delta, reserved_delta, picked_delta, source",
        );
        for p in 1..=products {
            let on_hand = reserved[p] + rng.range(200, 5_000);
            balances
                .rows
                .push(format!("({p}, 1, {on_hand}, {}, 0)", reserved[p]));
            let months = DAYS / 30;
            let each = shipped_qty[p] / months + 1;
            for m in 0..months {
                let when = now - m * 30 * DAY - rng.range(HOUR, 20 * DAY);
                receipts.rows.push(format!(
                    "({when}, {p}, 1, 'receipt', {each}, 0, 0, 'bench data')"
                ));
            }
        }
        balances.flush(tx).await?;
        receipts.flush(tx).await?;

        // Surveys: some customers each month answer (score 1.00–5.00).
        let mut surveys = Rows::new(
            "surveys",
            "id, kind, customer_id, period, region_id, questions, token_hash, sent_at, expires_at, answered_at, \
             answered_via, answers, score",
        );
        let per_window = SURVEYS_PER_WINDOW.min(customers);
        let mut id = 0usize;
        for w in 0..SURVEY_WINDOWS {
            let offset = rng.below(customers);
            for i in 0..per_window {
                id += 1;
                // Consecutive from a random one: a window's customers
                // differ (one period survey a customer).
                let c = (offset + i) % customers + 1;
                let sent = now - (w + 1) * 30 * DAY + rng.range(0, 20 * DAY);
                let answered = (sent + rng.range(HOUR, 5 * DAY)).min(now - MINUTE);
                surveys.rows.push(format!(
                    "({id}, 'period', {c}, 'R-{w:02}', {}, '[]', 'bench-survey-{id}', {sent}, {}, {answered}, \
                     'link', '[]', {})",
                    region_of[c],
                    sent + 30 * DAY,
                    rng.range(100, 500)
                ));
            }
        }
        surveys.flush(tx).await?;
        out.surveys = surveys.written;
        progress("stock and surveys", 1, 1);
        out.rows =
            master_rows + ts.written() + balances.written + receipts.written + surveys.written;
        Box::new(owned).commit().await?;
        // SQLite is left as Kaidan runs it: it never runs ANALYZE.
        self.analyze_postgres(progress).await?;
        Ok(out)
    }
}

// The plain baseline's reads (ADR 0029): what a plain program would ask
// for the numbers of the two heaviest reports over `[$1, $2)`, one text
// for rusqlite and sqlx ($1 comes before $2, so rusqlite numbers them so).

/// The sales figure by region (KPI-5): orders, amount and cost.
pub(crate) const PLAIN_SALES_BY_REGION: &str = "SELECT c.region_id, CAST(COUNT(DISTINCT o.id) AS BIGINT), CAST(SUM(ol.amount) AS BIGINT), \
        CAST(SUM(CASE WHEN p.cost_price IS NULL THEN ol.amount ELSE ol.quantity * p.cost_price END) AS BIGINT) \
 FROM orders o JOIN order_lines ol ON ol.order_id = o.id JOIN products p ON p.id = ol.product_id \
      JOIN customers c ON c.id = o.customer_id \
 WHERE o.received_at >= $1 AND o.received_at < $2 \
   AND o.status IN ('approved', 'partly_shipped', 'shipped', 'delivered', 'closed') \
 GROUP BY c.region_id";

/// The accuracy figure by clerk (KPI-1): orders, and those without a
/// rejection, an entry-error change, a price correction or a wrong-goods
/// return.
pub(crate) const PLAIN_ACCURACY_BY_CLERK: &str = "SELECT o.created_by, CAST(COUNT(*) AS BIGINT), \
        CAST(SUM(CASE WHEN rj.order_id IS NULL AND ce.order_id IS NULL AND pc.order_id IS NULL \
                       AND wg.order_id IS NULL THEN 1 ELSE 0 END) AS BIGINT) \
 FROM orders o \
 LEFT JOIN (SELECT DISTINCT order_id FROM order_events WHERE to_status = 'rejected') rj ON rj.order_id = o.id \
 LEFT JOIN (SELECT DISTINCT order_id FROM change_requests WHERE cause = 'entry_error') ce ON ce.order_id = o.id \
 LEFT JOIN (SELECT DISTINCT il.order_id FROM invoices cn JOIN invoice_lines il ON il.invoice_id = cn.credit_of \
            WHERE cn.kind = 'credit_note' AND cn.credit_reason = 'price_correction') pc ON pc.order_id = o.id \
 LEFT JOIN (SELECT DISTINCT order_id FROM returns WHERE reason = 'wrong_goods' \
              AND status NOT IN ('rejected', 'cancelled')) wg ON wg.order_id = o.id \
 WHERE o.received_at >= $1 AND o.received_at < $2 AND o.status <> 'draft' \
 GROUP BY o.created_by";

/// One read of the plain baseline, timed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainRead {
    /// `sales_by_region` or `accuracy_by_clerk`.
    pub name: &'static str,
    /// Rows the read gave (groups).
    pub rows: usize,
    /// Orders the groups count, as a check against the reports.
    pub counted: i64,
    /// Each timed repetition (after the warm-ups).
    pub times: Vec<Duration>,
}

type SalesRow = (Option<i64>, i64, i64, i64);
type AccuracyRow = (i64, i64, i64);

impl Db {
    /// The plain baseline of `kaidan bench reports`: the two reads above
    /// over `[from, to)` (microseconds), each `warmups` times untimed,
    /// then `repeat` times timed, on this database. SQLite: one read-only
    /// rusqlite connection with `cache_mib` of page cache (as Kaidan's
    /// readers), cached prepared statements, on a blocking thread.
    /// PostgreSQL: one sqlx connection, prepared statements.
    pub async fn plain_reports_baseline(
        &self,
        from: i64,
        to: i64,
        warmups: usize,
        repeat: usize,
        cache_mib: u32,
    ) -> Result<Vec<PlainRead>, StoreError> {
        if let Some(path) = self.sqlite_path() {
            return tokio::task::spawn_blocking(move || {
                sqlite_reads(&path, from, to, warmups, repeat, cache_mib)
            })
            .await
            .map_err(|e| StoreError::Other(format!("plain reports baseline: {e}")))?;
        }
        let pool = self
            .pg_pool()
            .ok_or_else(|| StoreError::Other("neither SQLite nor PostgreSQL".into()))?;
        let mut conn = pool.acquire().await.map_err(crate::error::map)?;
        pg_reads(&mut conn, from, to, warmups, repeat).await
    }
}

/// The order list's first page as a plain program reads it (issue 21):
/// the newest 51 orders with what the list shows of each (header, priced
/// document, the reserved total and committed pick lists its stage comes
/// from, the ship deadline's record) and the count of all orders.
const PLAIN_ORDER_PAGE: &str = "SELECT o.id, o.number, o.customer_id, o.status, o.received_at, \
     o.review_due_at, o.ship_due_at, o.review_met, sd.met, o.document, \
     (SELECT COALESCE(SUM(l.reserved), 0) FROM order_lines l WHERE l.order_id = o.id), \
     (SELECT COUNT(*) FROM pick_lists p WHERE p.order_id = o.id AND p.status IN ('open', 'picked')) \
     FROM orders o LEFT JOIN order_deadlines sd ON sd.order_id = o.id AND sd.kind = 'ship' \
     ORDER BY o.id DESC LIMIT 51";
const PLAIN_ORDER_COUNT: &str = "SELECT COUNT(*) FROM orders";

impl Db {
    /// The plain baseline of `kaidan bench pages`: [`PLAIN_ORDER_PAGE`] and
    /// [`PLAIN_ORDER_COUNT`] timed together, on SQLite through rusqlite's
    /// read-only connection, on PostgreSQL through one sqlx connection.
    pub async fn plain_order_list_baseline(
        &self,
        warmups: usize,
        repeat: usize,
        cache_mib: u32,
    ) -> Result<Vec<PlainRead>, StoreError> {
        let name = "order_list_first_page";
        if let Some(path) = self.sqlite_path() {
            return tokio::task::spawn_blocking(move || {
                let conn = crate::short_read::open(&path, cache_mib)?;
                let read = || -> rusqlite::Result<Vec<i64>> {
                    let mut page = conn.prepare_cached(PLAIN_ORDER_PAGE)?;
                    let rows = page
                        .query_map([], |r| {
                            // The document is read out as the list does.
                            let _document: String = r.get(9)?;
                            r.get::<_, i64>(0)
                        })?
                        .collect::<rusqlite::Result<Vec<i64>>>()?;
                    let mut count = conn.prepare_cached(PLAIN_ORDER_COUNT)?;
                    let n: i64 = count.query_row([], |r| r.get(0))?;
                    // Each row carries the count, so `counted` reads it.
                    Ok(rows.into_iter().map(|_| n).collect())
                };
                Ok(vec![
                    time_read(name, warmups, repeat, |_: &i64| 0, read)
                        .map_err(crate::lite::map)?,
                ])
            })
            .await
            .map_err(|e| StoreError::Other(format!("plain order list baseline: {e}")))?;
        }
        let pool = self
            .pg_pool()
            .ok_or_else(|| StoreError::Other("neither SQLite nor PostgreSQL".into()))?;
        let mut conn = pool.acquire().await.map_err(crate::error::map)?;
        let mut out = PlainRead {
            name,
            rows: 0,
            counted: 0,
            times: Vec::with_capacity(repeat),
        };
        for i in 0..warmups + repeat {
            let t0 = Instant::now();
            let rows = sqlx::query(PLAIN_ORDER_PAGE)
                .fetch_all(&mut *conn)
                .await
                .map_err(crate::error::map)?;
            let n: i64 = sqlx::query_scalar(PLAIN_ORDER_COUNT)
                .fetch_one(&mut *conn)
                .await
                .map_err(crate::error::map)?;
            let took = t0.elapsed();
            if i >= warmups {
                out.times.push(took);
            }
            out.rows = rows.len();
            out.counted = n;
        }
        Ok(out).map(|o| vec![o])
    }
}

/// Times `read` `warmups + repeat` times, keeping the last `repeat`; the
/// rows of the last read and the orders they count (`counted` of a row).
fn time_read<R, E>(
    name: &'static str,
    warmups: usize,
    repeat: usize,
    counted: fn(&R) -> i64,
    mut read: impl FnMut() -> Result<Vec<R>, E>,
) -> Result<PlainRead, E> {
    let mut out = PlainRead {
        name,
        rows: 0,
        counted: 0,
        times: Vec::with_capacity(repeat),
    };
    for i in 0..warmups + repeat {
        let t0 = Instant::now();
        let rows = read()?;
        let took = t0.elapsed();
        if i >= warmups {
            out.times.push(took);
        }
        out.rows = rows.len();
        out.counted = rows.iter().map(counted).sum();
    }
    Ok(out)
}

fn sqlite_reads(
    path: &Path,
    from: i64,
    to: i64,
    warmups: usize,
    repeat: usize,
    cache_mib: u32,
) -> Result<Vec<PlainRead>, StoreError> {
    use crate::lite::map;
    use rusqlite::Connection;
    // The read-only connection Kaidan's own short reads open.
    let conn = crate::short_read::open(path, cache_mib)?;
    let sales = |conn: &Connection| -> rusqlite::Result<Vec<SalesRow>> {
        let mut s = conn.prepare_cached(PLAIN_SALES_BY_REGION)?;
        let rows = s.query_map(rusqlite::params![from, to], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        rows.collect()
    };
    let accuracy = |conn: &Connection| -> rusqlite::Result<Vec<AccuracyRow>> {
        let mut s = conn.prepare_cached(PLAIN_ACCURACY_BY_CLERK)?;
        let rows = s.query_map(rusqlite::params![from, to], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        rows.collect()
    };
    Ok(vec![
        time_read(
            "sales_by_region",
            warmups,
            repeat,
            |r: &SalesRow| r.1,
            || sales(&conn),
        )
        .map_err(map)?,
        time_read(
            "accuracy_by_clerk",
            warmups,
            repeat,
            |r: &AccuracyRow| r.1,
            || accuracy(&conn),
        )
        .map_err(map)?,
    ])
}

/// One plain read on PostgreSQL, timed as [`time_read`] does (an async
/// closure cannot borrow the connection, so the loop is its own).
async fn pg_read<R>(
    conn: &mut sqlx::PgConnection,
    name: &'static str,
    sql: &'static str,
    (from, to): (i64, i64),
    (warmups, repeat): (usize, usize),
    counted: fn(&R) -> i64,
) -> Result<PlainRead, StoreError>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    let mut out = PlainRead {
        name,
        rows: 0,
        counted: 0,
        times: Vec::with_capacity(repeat),
    };
    for i in 0..warmups + repeat {
        let t0 = Instant::now();
        let rows: Vec<R> = sqlx::query_as(sql)
            .bind(from)
            .bind(to)
            .fetch_all(&mut *conn)
            .await
            .map_err(crate::error::map)?;
        let took = t0.elapsed();
        if i >= warmups {
            out.times.push(took);
        }
        out.rows = rows.len();
        out.counted = rows.iter().map(counted).sum();
    }
    Ok(out)
}

async fn pg_reads(
    conn: &mut sqlx::PgConnection,
    from: i64,
    to: i64,
    warmups: usize,
    repeat: usize,
) -> Result<Vec<PlainRead>, StoreError> {
    let span = (from, to);
    let times = (warmups, repeat);
    Ok(vec![
        pg_read(
            conn,
            "sales_by_region",
            PLAIN_SALES_BY_REGION,
            span,
            times,
            |r: &SalesRow| r.1,
        )
        .await?,
        pg_read(
            conn,
            "accuracy_by_clerk",
            PLAIN_ACCURACY_BY_CLERK,
            span,
            times,
            |r: &AccuracyRow| r.1,
        )
        .await?,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_customer_kind_is_generated() {
        let kinds: std::collections::BTreeSet<&str> = (1..=20).map(kind_of).collect();
        assert_eq!(kinds.len(), 5);
    }

    #[test]
    fn a_late_completion_counts_started_minutes() {
        assert_eq!(late_minutes(10 * MINUTE, 10 * MINUTE), 0);
        assert_eq!(late_minutes(10 * MINUTE, 10 * MINUTE + 1), 1);
        assert_eq!(late_minutes(0, 2 * MINUTE), 2);
    }
}

//! Generated data and the store baseline of `kaidan bench allocate`
//! (docs/PERFORMANCE.md). Generation writes master data, stock, accounts
//! and approved franchisee orders with backordered lines straight into the
//! tables, in multi-row inserts, deterministically (seeded); it is not
//! timed. The store baseline (`allocate_baseline`) does the plain
//! baseline's work (plain_baseline.rs, ADR 0029) through Kaidan's own
//! store; the bench prints it as a secondary figure.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use crate::Db;
use crate::tx::{DbTx, exec_once, fetch_as};
use kaidan_app::ports::{StoreError, Tx};

/// The size of a generated allocation data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllocShape {
    pub lines: usize,
    pub products: usize,
    pub franchisees: usize,
    pub stores: usize,
    pub seed: u64,
}

/// What generation wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AllocGenerated {
    pub orders: usize,
    pub lines: usize,
    pub demand: i64,
    pub supply: i64,
}

/// What the baseline did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BaselineFigures {
    pub read: usize,
    pub written: usize,
    pub took: Duration,
}

/// Lines per generated order.
const LINES_PER_ORDER: usize = 20;
const REGIONS: usize = 24;
/// Rows per multi-row INSERT.
const CHUNK: usize = 500;
const UNIT: i64 = 10_000;

/// SplitMix64: small, fast, deterministic.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap_or(1)).unwrap_or(0)
    }
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + i64::try_from(self.next() % u64::try_from((hi - lo + 1).max(1)).unwrap_or(1))
            .unwrap_or(0)
    }
}

/// Collects rows as literal SQL (generated numbers and fixed ASCII/CJK
/// text without quotes only) and flushes them in multi-row INSERTs.
struct Bulk<'a> {
    tx: &'a mut DbTx,
    head: String,
    rows: Vec<String>,
    written: usize,
}

impl<'a> Bulk<'a> {
    fn new(tx: &'a mut DbTx, table: &str, columns: &str) -> Self {
        Bulk {
            tx,
            head: format!("INSERT INTO {table} ({columns}) VALUES "),
            rows: Vec::with_capacity(CHUNK),
            written: 0,
        }
    }
    async fn push(&mut self, row: String) -> Result<(), StoreError> {
        self.rows.push(row);
        if self.rows.len() >= CHUNK {
            self.flush().await?;
        }
        Ok(())
    }
    async fn flush(&mut self) -> Result<(), StoreError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let mut sql = self.head.clone();
        sql.push_str(&self.rows.join(", "));
        self.written += self.rows.len();
        self.rows.clear();
        let tx: &mut DbTx = &mut *self.tx;
        exec_once!(tx, &sql, []);
        Ok(())
    }
    async fn finish(mut self) -> Result<usize, StoreError> {
        self.flush().await?;
        Ok(self.written)
    }
}

pub(crate) async fn exec(tx: &mut DbTx, sql: &str) -> Result<(), StoreError> {
    exec_once!(tx, sql, []);
    Ok(())
}

/// A row the allocation baselines read: order, line, franchisee, product,
/// open quantity, unit price, order time, launch priority, franchisee
/// priority.
pub(crate) type LineTuple = (i64, i64, i64, i64, i64, i64, i64, i64, i64);
/// A row the allocation baselines write: order, line, product, quantity,
/// locked.
pub(crate) type ResultRow = (i64, i64, i64, i64, bool);

// The baselines' reads, one text for sqlx and rusqlite (plain_baseline.rs).
pub(crate) const BASELINE_LINES: &str = "SELECT o.id, l.line_no, o.customer_id, l.product_id, l.backordered, l.unit_price, o.received_at, \
        p.launch_priority, c.priority \
 FROM orders o JOIN order_lines l ON l.order_id = o.id JOIN customers c ON c.id = o.customer_id \
      JOIN products p ON p.id = l.product_id \
 WHERE o.status IN ('approved', 'partly_shipped') AND l.backordered > 0 AND c.kind = 'franchisee' \
   AND c.active AND p.active";
pub(crate) const BASELINE_SUPPLY: &str = "SELECT b.product_id, b.on_hand - b.reserved FROM stock_balances b \
 JOIN warehouses w ON w.id = b.warehouse_id \
 WHERE w.is_central AND w.active AND b.on_hand > b.reserved";
pub(crate) const BASELINE_FUNDS: &str = "SELECT c.id, c.credit_limit + CAST(COALESCE(SUM(CASE e.kind WHEN 'deposit' THEN e.amount \
        WHEN 'commitment' THEN -e.amount WHEN 'release' THEN e.amount ELSE 0 END), 0) AS BIGINT) \
 FROM customers c LEFT JOIN account_entries e ON e.customer_id = c.id \
 WHERE c.kind = 'franchisee' AND c.active GROUP BY c.id, c.credit_limit";

/// The baselines' sort and greedy walk: lines by (launch priority,
/// franchisee priority, order time, order, line), each taking what supply
/// is left, as an allocation when the franchisee's funds cover it, else as
/// a lock.
pub(crate) fn greedy_walk(
    mut lines: Vec<LineTuple>,
    supply: Vec<(i64, i64)>,
    funds: Vec<(i64, i64)>,
) -> Vec<ResultRow> {
    lines.sort_unstable_by_key(|l| (l.7, l.8, l.6, l.0, l.1));
    let mut supply: HashMap<i64, i64> = supply.into_iter().collect();
    let mut funds: HashMap<i64, i64> = funds.into_iter().collect();
    let mut result = Vec::new();
    for (order, line, customer, product, open, price, ..) in &lines {
        let Some(left) = supply.get_mut(product) else {
            continue;
        };
        let take = (*open).min(*left);
        if take <= 0 {
            continue;
        }
        *left -= take;
        let value = price * take;
        let f = funds.entry(*customer).or_insert(0);
        let locked = *f < value;
        if !locked {
            *f -= value;
        }
        result.push((*order, *line, *product, take, locked));
    }
    result
}

impl Db {
    /// On PostgreSQL, what autovacuum would have gathered on a database
    /// that grew over months: without statistics PostgreSQL plans the
    /// joins of a million fresh rows as if the tables were empty.
    pub(crate) async fn analyze_postgres(
        &self,
        progress: &(dyn Fn(&str, u64, u64) + Sync),
    ) -> Result<(), StoreError> {
        if self.pg_pool().is_some() {
            progress("statistics", 0, 1);
            let mut owned = self.begin_tx().await?;
            exec(&mut owned, "ANALYZE").await?;
            Box::new(owned).commit().await?;
        }
        Ok(())
    }

    /// Writes a deterministic allocation data set of `shape` into this
    /// (fresh, migrated) database: regions with season priority lists,
    /// products (season mix, launch priorities), a central warehouse with
    /// stock for part of the demand, stores with tiers and safety stock,
    /// franchisees with account entries (some funded by deposits, some on
    /// credit, some neither), and approved orders whose lines are all
    /// backordered, with their account commitments and open shortages.
    /// `progress(phase, done, total)` is called as rows are written. `now`
    /// is the current time in microseconds.
    pub async fn generate_allocation_data(
        &self,
        shape: AllocShape,
        now: i64,
        progress: &(dyn Fn(&str, u64, u64) + Sync),
    ) -> Result<AllocGenerated, StoreError> {
        let mut rng = Rng(shape.seed);
        let products = shape.products.max(LINES_PER_ORDER);
        let franchisees = shape.franchisees.max(1);
        let stores = shape.stores.max(1);
        let day = 86_400_000_000i64;
        let mut owned = self.begin_tx().await?;
        let tx: &mut DbTx = &mut owned;
        // The data set takes fixed ids and the run then commits on it: a
        // company's database (a mistaken `--on`) is refused untouched.
        let held: i64 = fetch_as!(
            tx,
            query_scalar.fetch_one,
            "SELECT CAST((SELECT COUNT(*) FROM orders) + (SELECT COUNT(*) FROM customers) \
                    + (SELECT COUNT(*) FROM products) AS BIGINT)",
            []
        );
        if held > 0 {
            return Err(StoreError::Other(format!(
                "the allocation bench needs an EMPTY database, and this one holds {held} orders, \
                 customers and products: give it a scratch database"
            )));
        }
        // Master data.
        progress("master data", 0, 1);
        let mut b = Bulk::new(tx, "regions", "id, code, name, name_zh, updated_at");
        for r in 1..=REGIONS {
            b.push(format!(
                "({r}, 'BR-{r:02}', 'Region {r}', '区域{r}', {now})"
            ))
            .await?;
        }
        b.finish().await?;
        for (season, mult) in [("spring_summer", 7usize), ("autumn_winter", 11usize)] {
            let mut b = Bulk::new(tx, "region_priorities", "season, rank, region_id");
            for rank in 1..=REGIONS {
                let region = (rank * mult) % REGIONS + 1;
                b.push(format!("('{season}', {rank}, {region})")).await?;
            }
            b.finish().await?;
        }
        let mut price = Vec::with_capacity(products);
        let mut b = Bulk::new(
            tx,
            "products",
            "id, sku, name, unit, season, launch_priority, list_price, tax_rate_bp, active, updated_at",
        );
        for p in 1..=products {
            let season = match p % 5 {
                0 | 1 => "spring_summer",
                2 | 3 => "autumn_winter",
                _ => "none",
            };
            let launch = rng.range(1, 5);
            let list = rng.range(20, 600) * UNIT;
            price.push(list);
            b.push(format!(
                "({p}, 'BSKU-{p:06}', '分货商品{p}', '件', '{season}', {launch}, {list}, 1300, TRUE, {now})"
            ))
            .await?;
        }
        b.finish().await?;
        exec(
            tx,
            &format!(
                "INSERT INTO warehouses (id, code, name, is_central, active, updated_at) \
                 VALUES (1, 'BW-CENTRAL', '中央仓', TRUE, TRUE, {now})"
            ),
        )
        .await?;
        let mut b = Bulk::new(
            tx,
            "stores",
            "id, code, name, region_id, ownership, tier, priority, active, updated_at",
        );
        for s in 1..=stores {
            let region = s % REGIONS + 1;
            let ownership = if s % 4 == 0 { "affiliated" } else { "direct" };
            let tier = ["A", "B", "B", "C", "C"][s % 5];
            let priority = rng.range(1, 9);
            b.push(format!(
                "({s}, 'BS-{s:05}', '门店{s}', {region}, '{ownership}', '{tier}', {priority}, TRUE, {now})"
            ))
            .await?;
        }
        b.finish().await?;
        let mut b = Bulk::new(tx, "store_safety_stock", "store_id, product_id, quantity");
        for s in 1..=stores {
            let base = rng.below(products);
            for k in 0..5 {
                let p = (base + k * 7919) % products + 1;
                b.push(format!("({s}, {p}, {})", rng.range(1, 6))).await?;
            }
        }
        b.finish().await?;
        // Franchisees: priority 1..9; a third on credit (limit on the master,
        // some raised in the ledger).
        let mut b = Bulk::new(
            tx,
            "customers",
            "id, code, name, kind, region_id, tier, priority, payment_terms, payment_method, credit_limit, active, updated_at",
        );
        let mut credit = Vec::with_capacity(franchisees);
        for f in 1..=franchisees {
            let region = rng.below(REGIONS) + 1;
            let tier = ["A", "B", "C"][f % 3];
            let priority = rng.range(1, 9);
            let (terms, limit) = if f % 3 == 0 {
                ("monthly_settlement", rng.range(20_000, 200_000) * UNIT)
            } else {
                ("prepayment", 0)
            };
            credit.push(limit);
            b.push(format!(
                "({f}, 'BF-{f:05}', '加盟商{f}', 'franchisee', {region}, '{tier}', {priority}, '{terms}', 'bank_transfer', {limit}, TRUE, {now})"
            ))
            .await?;
        }
        b.finish().await?;
        progress("master data", 1, 1);

        // Orders: LINES_PER_ORDER distinct products each, spread over the
        // franchisees and the last 60 days.
        let orders = shape.lines.div_ceil(LINES_PER_ORDER);
        let total = u64::try_from(shape.lines).unwrap_or(u64::MAX);
        let mut demand = vec![0i64; products + 1];
        let mut order_amount = vec![0i64; orders + 1];
        let mut order_customer = vec![0usize; orders + 1];
        let mut ob = Vec::with_capacity(CHUNK);
        let mut lines_done = 0usize;
        let stride = products / LINES_PER_ORDER;
        let mut lb: Vec<String> = Vec::with_capacity(CHUNK * LINES_PER_ORDER);
        let mut line_rows: Vec<(usize, usize, usize, i64)> = Vec::new();
        for o in 1..=orders {
            let customer = rng.below(franchisees) + 1;
            let at = now - rng.range(1, 60) * day - rng.range(0, day - 1);
            let count = LINES_PER_ORDER.min(shape.lines - lines_done);
            let base = rng.below(products);
            let mut amount = 0i64;
            for k in 0..count {
                // Popular products first: half the lines go to the first
                // fifth of the catalogue.
                let p = if k % 2 == 0 {
                    (base + k * stride) % (products / 5).max(LINES_PER_ORDER) + 1
                } else {
                    (base + k * stride) % products + 1
                };
                let mut p = p;
                while line_rows.iter().any(|(_, _, q, _)| *q == p) {
                    p = p % products + 1;
                }
                let qty = rng.range(1, 12);
                let unit = price[p - 1] * 9 / 10;
                amount += unit * qty;
                demand[p] += qty;
                line_rows.push((o, k + 1, p, qty));
                lb.push(format!(
                    "({o}, {}, {p}, {qty}, {unit}, {}, 0, {qty}, 1300)",
                    k + 1,
                    unit * qty
                ));
            }
            line_rows.clear();
            lines_done += count;
            order_amount[o] = amount;
            order_customer[o] = customer;
            ob.push(format!(
                "({o}, 'SO-B-{o:07}', {customer}, 'approved', 'api', {amount}, {at}, {}, {}, {}, TRUE, '{{}}', 1, 1, 0, {at})",
                at + day,
                at + 7 * day,
                at + day / 2
            ));
            if ob.len() >= CHUNK || o == orders {
                let sql = format!(
                    "INSERT INTO orders (id, number, customer_id, status, channel, amount, received_at, review_due_at, ship_due_at, reviewed_at, review_met, document, order_version, version, created_by, updated_at) VALUES {}",
                    ob.join(", ")
                );
                ob.clear();
                // Orders before their lines (foreign keys).
                exec(tx, &sql).await?;
                for chunk in lb.chunks(CHUNK) {
                    let sql = format!(
                        "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price, amount, reserved, backordered, tax_rate_bp) VALUES {}",
                        chunk.join(", ")
                    );
                    exec(tx, &sql).await?;
                }
                lb.clear();
                progress("orders", u64::try_from(lines_done).unwrap_or(0), total);
            }
        }

        // Open shortages of the backordered lines (INV-2).
        progress("shortages", 0, 1);
        exec(
            tx,
            &format!(
                "INSERT INTO replenishment_requests (order_id, line_no, product_id, quantity, choice, status, created_at) \
                 SELECT order_id, line_no, product_id, backordered, 'partial', 'open', {now} FROM order_lines"
            ),
        )
        .await?;
        progress("shortages", 1, 1);

        // Accounts: every order commits its amount; two in three of the
        // prepaying franchisees deposited about what they ordered (some
        // more, some less), and some credit limits were raised in the
        // ledger.
        progress("accounts", 0, 1);
        let mut owed = vec![0i64; franchisees + 1];
        let mut b = Bulk::new(
            tx,
            "account_entries",
            "customer_id, at, kind, amount, order_id, actor_id",
        );
        for f in 1..=franchisees {
            if f % 7 == 0 {
                b.push(format!(
                    "({f}, {}, 'credit_limit', {}, NULL, 0)",
                    now - 90 * day,
                    credit[f - 1] + 100_000 * UNIT
                ))
                .await?;
            }
        }
        for o in 1..=orders {
            let f = order_customer[o];
            owed[f] += order_amount[o];
            b.push(format!(
                "({f}, {}, 'commitment', {}, {o}, 0)",
                now - 30 * day,
                order_amount[o]
            ))
            .await?;
        }
        for (f, owed) in owed.iter().enumerate().skip(1) {
            if f % 3 != 0 && f % 3 != 2 && *owed > 0 {
                let pct = rng.range(50, 150);
                b.push(format!(
                    "({f}, {}, 'deposit', {}, NULL, 0)",
                    now - 45 * day,
                    owed * pct / 100
                ))
                .await?;
            } else if f % 3 == 2 && f % 2 == 0 && *owed > 0 {
                b.push(format!(
                    "({f}, {}, 'deposit', {}, NULL, 0)",
                    now - 45 * day,
                    owed * 2
                ))
                .await?;
            }
        }
        b.finish().await?;
        progress("accounts", 1, 1);

        // Supply: a quarter of the products has none, a quarter enough for
        // all of their demand, the rest 10–90 % of it.
        progress("stock", 0, 1);
        let mut supply = 0i64;
        let mut b = Bulk::new(
            tx,
            "stock_balances",
            "product_id, warehouse_id, on_hand, reserved",
        );
        let mut moves: Vec<String> = Vec::new();
        for (p, d) in demand.iter().enumerate().skip(1) {
            let q = match p % 4 {
                0 => 0,
                1 => d + rng.range(0, 20),
                _ => d * rng.range(10, 90) / 100,
            };
            if q > 0 {
                supply += q;
                b.push(format!("({p}, 1, {q}, 0)")).await?;
                moves.push(format!(
                    "({}, {p}, 1, 'receipt', {q}, 0, 'bench data')",
                    now - day
                ));
            }
        }
        b.finish().await?;
        for chunk in moves.chunks(CHUNK) {
            let mut sql = String::from(
                "INSERT INTO stock_moves (at, product_id, warehouse_id, kind, on_hand_delta, reserved_delta, source) VALUES ",
            );
            let _ = write!(sql, "{}", chunk.join(", "));
            exec(tx, &sql).await?;
        }
        progress("stock", 1, 1);
        Box::new(owned).commit().await?;
        self.analyze_postgres(progress).await?;
        Ok(AllocGenerated {
            orders,
            lines: shape.lines,
            demand: demand.iter().sum(),
            supply,
        })
    }

    /// The store baseline of `kaidan bench allocate`: in one read
    /// transaction, the open franchisee lines with their price and order
    /// time, the supply of the central warehouse and every franchisee's
    /// funds (deposits less commitments, plus credit limit); sorts the
    /// lines by a priority key (launch priority, franchisee priority, order
    /// time, line); walks them greedily taking what supply is left, as an
    /// allocation when the franchisee's funds cover it, else as a lock;
    /// then writes one result row per allocation or lock into a scratch
    /// table in multi-row INSERTs of 500 rows, in one write transaction.
    pub async fn allocate_baseline(&self) -> Result<BaselineFigures, StoreError> {
        let start = Instant::now();
        let mut owned = self.begin_tx().await?;
        let tx: &mut DbTx = &mut owned;
        let lines: Vec<LineTuple> = fetch_as!(tx, query_as.fetch_all, BASELINE_LINES, []);
        let supply: Vec<(i64, i64)> = fetch_as!(tx, query_as.fetch_all, BASELINE_SUPPLY, []);
        let funds: Vec<(i64, i64)> = fetch_as!(tx, query_as.fetch_all, BASELINE_FUNDS, []);
        Box::new(owned).commit().await?;
        let read = lines.len();
        let result = greedy_walk(lines, supply, funds);
        let mut owned = self.begin_tx().await?;
        let tx: &mut DbTx = &mut owned;
        exec(
            tx,
            "CREATE TABLE IF NOT EXISTS bench_allocation_result (order_id BIGINT NOT NULL, line_no BIGINT NOT NULL, \
             product_id BIGINT NOT NULL, quantity BIGINT NOT NULL, locked BOOLEAN NOT NULL)",
        )
        .await?;
        for chunk in result.chunks(CHUNK) {
            let mut sql = String::with_capacity(chunk.len() * 40 + 100);
            sql.push_str(
                "INSERT INTO bench_allocation_result (order_id, line_no, product_id, quantity, locked) VALUES ",
            );
            for (i, (o, l, p, q, k)) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                let _ = write!(
                    sql,
                    "({o}, {l}, {p}, {q}, {})",
                    if *k { "TRUE" } else { "FALSE" }
                );
            }
            exec(tx, &sql).await?;
        }
        Box::new(owned).commit().await?;
        Ok(BaselineFigures {
            read,
            written: result.len(),
            took: start.elapsed(),
        })
    }
}

//! The figures in SQL (KPI-1..5, ADR 0038). Each figure is a derived table
//! of the records it counts, one row per order (per customer for KPI-3),
//! with the same columns: the order and its customer, who entered it, when
//! it counts, whether it is counted and whether it meets the figure, its
//! amount and cost, and four flags that say why. The breakdown, the trend
//! and the records page group or list that one table, so they cannot
//! count differently.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{
    DailyReportsTx, FigureNote, FigureQuery, FigureRecord, FiguresTx, StockTurnover, StoreError,
};
use kaidan_domain::figures::{Breakdown, Figure, GroupLine, Tally};
use kaidan_domain::{Money, OrderId};

use crate::row::{RowExt, Val, micros};
use crate::tx::{DbTx, exec, fetch_all, fetch_as};

/// Placeholders for a statement built in pieces: each value once, its
/// `$n` reused wherever the SQL needs it.
#[derive(Default)]
pub(crate) struct Binds(pub(crate) Vec<Val>);

impl Binds {
    pub(crate) fn put(&mut self, v: Val) -> String {
        self.0.push(v);
        format!("${}", self.0.len())
    }
}

/// Where an order still waits for its review, and where for its goods.
const IN_REVIEW: &str = "'submitted', 'in_review', 'credit_hold', 'finance_review', 'joint_review'";
const TO_SHIP: &str = "'submitted', 'in_review', 'credit_hold', 'finance_review', 'joint_review', 'approved', 'partly_shipped'";
/// A LIMIT no reading reaches, written by both engines' grammar (SQLite
/// has no `LIMIT ALL`, PostgreSQL no `LIMIT -1`): it keeps a subquery from
/// being merged into the query around it.
const ALL_ROWS: i64 = i64::MAX;
/// An order that is a sale: approved and not rejected or cancelled.
/// Compared as `(o.status || '') IN (SOLD)`: an expression no index
/// serves, so SQLite walks the period's range of `orders_received_figures`
/// instead of every sold order of all time by `orders_status` (what it
/// chose for a clerk's own figures: 116 ms against 22 ms on 1M lines).
const SOLD: &str = "'approved', 'partly_shipped', 'shipped', 'delivered', 'closed'";

/// The figure's derived table `f(order_id, customer_id, clerk_id, at,
/// counted, hit, amount, cost, n1..n4, channel, cat)` over `[q.from,
/// q.to)`: the months kept (`q.kept`, migration 0039) from their sums, the
/// rest from the records. KPI-3 is one row per customer, or per customer
/// and bucket when `bucket` groups it.
fn base(q: &FigureQuery, b: &mut Binds, bucket: Option<&dyn Fn(&str) -> String>) -> String {
    let key = match crate::figure_months::key(q.figure, q.by) {
        Some(k) if !q.kept.is_empty() => k,
        _ => return live(q, q.from, q.to, b, bucket, q.by == Breakdown::Channel),
    };
    let grain = crate::figure_months::grain(q);
    let mut parts = vec![crate::figure_months::kept_cells(key, grain, &q.kept, b)];
    for (from, to) in kaidan_domain::figures::gaps(q.from, q.to, &q.kept) {
        parts.push(live(q, from, to, b, bucket, q.by == Breakdown::Channel));
    }
    parts.join(" UNION ALL ")
}

/// [`base`] read from the records over `[from, to)`; the order's channel
/// only when asked (it is not in the index the figures read).
pub(crate) fn live(
    q: &FigureQuery,
    from: Timestamp,
    to: Timestamp,
    b: &mut Binds,
    bucket: Option<&dyn Fn(&str) -> String>,
    with_channel: bool,
) -> String {
    let chan = if with_channel { "o.channel" } else { "''" };
    let from = b.put(Val::I(micros(from)));
    let to = b.put(Val::I(micros(to)));
    // Bound only where the figure reads the orders' period (a value bound
    // and never used is an error on PostgreSQL).
    let own_list = if matches!(q.figure, Figure::Accuracy | Figure::OnTime | Figure::Sales) {
        own_marks(q, b)
    } else {
        None
    };
    let own = own_orders("o", own_list.as_deref());
    let in_period =
        format!("o.received_at >= {from} AND o.received_at < {to} AND o.status <> 'draft'{own}");
    match q.figure {
        // n1..n4: rejected, entry-error change, price correction, wrong goods.
        // Each is a set read once and probed by the order (`IN`), not a
        // join a planner may walk row by row; the price corrections are
        // found from the credit notes (few, by their own index), not from
        // every invoice line.
        Figure::Accuracy => format!(
            "SELECT a.order_id, a.customer_id, a.clerk_id, a.at, 1 AS counted, \
                    CASE WHEN a.n1 + a.n2 + a.n3 + a.n4 = 0 THEN 1 ELSE 0 END AS hit, 0 AS amount, 0 AS cost, \
                    a.n1, a.n2, a.n3, a.n4, a.channel, '' AS cat \
             FROM (SELECT o.id AS order_id, o.customer_id, o.created_by AS clerk_id, o.received_at AS at, {chan} AS channel, \
                          CASE WHEN o.id IN (SELECT order_id FROM order_events WHERE to_status = 'rejected') THEN 1 ELSE 0 END AS n1, \
                          CASE WHEN o.id IN (SELECT order_id FROM change_requests WHERE cause = 'entry_error') THEN 1 ELSE 0 END AS n2, \
                          CASE WHEN o.id IN (SELECT il.order_id FROM invoice_lines il WHERE il.invoice_id IN \
                                             (SELECT cn.credit_of FROM invoices cn WHERE cn.kind = 'credit_note' AND cn.credit_reason = 'price_correction')) \
                               THEN 1 ELSE 0 END AS n3, \
                          CASE WHEN o.id IN (SELECT order_id FROM returns WHERE reason = 'wrong_goods' AND status NOT IN ('rejected', 'cancelled')) \
                               THEN 1 ELSE 0 END AS n4 \
                   FROM orders o WHERE {in_period}) a"
        ),
        // n1..n4: review late, ship late, review overdue, ship overdue.
        // Each order's two deadlines are looked up by their key (a
        // subquery a row: `rm`/`sm` is 1 met, 0 missed, NULL none yet),
        // never joined: for a week's 3,400 orders PostgreSQL's planner
        // chose a parallel hash join over every deadline of the table
        // (80–100 ms against 14 ms). The LIMIT keeps the orders a subquery
        // of their own, so each lookup runs once a row, not once for each
        // expression that reads it.
        Figure::OnTime => {
            let now = b.put(Val::I(micros(q.now)));
            let met = |kind: &str| {
                format!(
                    "(SELECT CASE WHEN d.met THEN 1 ELSE 0 END FROM order_deadlines d \
                      WHERE d.order_id = o.id AND d.kind = '{kind}')"
                )
            };
            let (review, ship) = (met("review"), met("ship"));
            let review_late = "o.rm = 0";
            let ship_late = "o.sm = 0";
            let review_overdue =
                format!("(o.rm IS NULL AND o.review_due_at < {now} AND o.status IN ({IN_REVIEW}))");
            let ship_overdue =
                format!("(o.sm IS NULL AND o.ship_due_at < {now} AND o.status IN ({TO_SHIP}))");
            let late =
                format!("({review_late} OR {ship_late} OR {review_overdue} OR {ship_overdue})");
            let on_time = "(o.rm = 1 AND (o.sm = 1 OR o.status IN ('rejected', 'cancelled')))";
            format!(
                "SELECT o.id AS order_id, o.customer_id, o.created_by AS clerk_id, o.received_at AS at, \
                        CASE WHEN {late} OR {on_time} THEN 1 ELSE 0 END AS counted, \
                        CASE WHEN {late} THEN 0 WHEN {on_time} THEN 1 ELSE 0 END AS hit, 0 AS amount, 0 AS cost, \
                        CASE WHEN {review_late} THEN 1 ELSE 0 END AS n1, CASE WHEN {ship_late} THEN 1 ELSE 0 END AS n2, \
                        CASE WHEN {review_overdue} THEN 1 ELSE 0 END AS n3, CASE WHEN {ship_overdue} THEN 1 ELSE 0 END AS n4, \
                        o.channel, '' AS cat \
                 FROM (SELECT o.id, o.customer_id, o.created_by, o.received_at, o.review_due_at, o.ship_due_at, o.status, \
                              {chan} AS channel, {review} AS rm, {ship} AS sm \
                       FROM orders o WHERE {in_period} LIMIT {ALL_ROWS}) o"
            )
        }
        // n1: answers, n2: their summed scores.
        Figure::Satisfaction => {
            let mark = b.put(Val::I(q.satisfied_from));
            let by_bucket = bucket
                .map(|f| format!(", {}", f("v.answered_at")))
                .unwrap_or_default();
            format!(
                "SELECT CAST(NULL AS BIGINT) AS order_id, v.customer_id, CAST(NULL AS BIGINT) AS clerk_id, \
                        MIN(v.answered_at) AS at, 1 AS counted, \
                        CASE WHEN 2 * SUM(v.score) + COUNT(*) >= 2 * COUNT(*) * {mark} THEN 1 ELSE 0 END AS hit, \
                        0 AS amount, 0 AS cost, COUNT(*) AS n1, SUM(v.score) AS n2, 0 AS n3, 0 AS n4, \
                        '' AS channel, '' AS cat \
                 FROM surveys v \
                 WHERE v.answered_at >= {from} AND v.answered_at < {to} AND v.score IS NOT NULL \
                 GROUP BY v.customer_id{by_bucket}"
            )
        }
        // n1: a pick line came back short.
        Figure::StockCheck => format!(
            "SELECT o.id AS order_id, o.customer_id, o.created_by AS clerk_id, pk.first_pick AS at, 1 AS counted, \
                    1 - pk.short AS hit, 0 AS amount, 0 AS cost, pk.short AS n1, 0 AS n2, 0 AS n3, 0 AS n4, \
                    {chan} AS channel, '' AS cat \
             FROM (SELECT pl.order_id, MIN(pl.picked_at) AS first_pick, \
                          MAX(CASE WHEN pll.picked < pll.quantity THEN 1 ELSE 0 END) AS short \
                   FROM pick_lists pl JOIN pick_list_lines pll ON pll.pick_list_id = pl.id \
                   WHERE pl.picked_at IS NOT NULL AND pll.picked IS NOT NULL \
                     AND pl.order_id IN (SELECT order_id FROM pick_lists WHERE picked_at >= {from} AND picked_at < {to}) \
                   GROUP BY pl.order_id) pk \
             JOIN orders o ON o.id = pk.order_id \
             WHERE pk.first_pick >= {from} AND pk.first_pick < {to}"
        ),
        // By product category: a row per order and category, the order
        // counted once (on its first category), so the groups still add
        // up to the orders and the amounts to the sales.
        Figure::Sales if q.by == Breakdown::Category => format!(
            "SELECT x.order_id, x.customer_id, x.clerk_id, x.at, \
                    CASE WHEN x.cat = MIN(x.cat) OVER (PARTITION BY x.order_id) THEN 1 ELSE 0 END AS counted, \
                    0 AS hit, x.amount, x.cost, x.uncosted AS n1, 0 AS n2, 0 AS n3, 0 AS n4, x.channel, x.cat \
             FROM (SELECT o.id AS order_id, o.customer_id, o.created_by AS clerk_id, o.received_at AS at, {chan} AS channel, p.category AS cat, \
                          SUM(ol.amount) AS amount, \
                          SUM(CASE WHEN p.cost_price IS NULL THEN ol.amount ELSE ol.quantity * p.cost_price END) AS cost, \
                          SUM(CASE WHEN p.cost_price IS NULL THEN 1 ELSE 0 END) AS uncosted \
                   FROM orders o JOIN order_lines ol ON ol.order_id = o.id JOIN products p ON p.id = ol.product_id \
                   WHERE o.received_at >= {from} AND o.received_at < {to} AND (o.status || '') IN ({SOLD}){own} \
                   GROUP BY o.id, o.customer_id, o.created_by, o.received_at, o.channel, p.category) x"
        ),
        // n1: lines without a cost price (costed at their amount).
        Figure::Sales => format!(
            "SELECT o.id AS order_id, o.customer_id, o.created_by AS clerk_id, o.received_at AS at, 1 AS counted, \
                    0 AS hit, o.amount AS amount, COALESCE(k.cost, 0) AS cost, COALESCE(k.uncosted, 0) AS n1, \
                    0 AS n2, 0 AS n3, 0 AS n4, {chan} AS channel, '' AS cat \
             FROM orders o \
             LEFT JOIN (SELECT ol.order_id, \
                               SUM(CASE WHEN p.cost_price IS NULL THEN ol.amount ELSE ol.quantity * p.cost_price END) AS cost, \
                               SUM(CASE WHEN p.cost_price IS NULL THEN 1 ELSE 0 END) AS uncosted \
                        FROM orders o2 JOIN order_lines ol ON ol.order_id = o2.id JOIN products p ON p.id = ol.product_id \
                        WHERE o2.received_at >= {from} AND o2.received_at < {to} AND (o2.status || '') IN ({SOLD}){own2} \
                        GROUP BY ol.order_id) k ON k.order_id = o.id \
             WHERE o.received_at >= {from} AND o.received_at < {to} AND (o.status || '') IN ({SOLD}){own}",
            own2 = own_orders("o2", own_list.as_deref())
        ),
    }
}

/// The placeholders of the users whose figures are read (`"$3, $4"`), bound
/// once; None for the whole company.
fn own_marks(q: &FigureQuery, b: &mut Binds) -> Option<String> {
    let users = q.own.as_ref()?;
    let marks: Vec<String> = users.iter().map(|u| b.put(Val::I(u.get()))).collect();
    Some(marks.join(", "))
}

/// ` AND …` keeping the orders (`alias`) of those users, the same ones
/// [`own_condition`] keeps of the derived table: applied to the orders
/// themselves, a clerk's figure costs and joins his own orders' lines
/// only, not every order of the period's (issue 21: his home page).
fn own_orders(alias: &str, marks: Option<&str>) -> String {
    match marks {
        None => String::new(),
        Some("") => " AND 1 = 0".into(),
        Some(list) => format!(
            " AND ({alias}.created_by IN ({list}) OR {alias}.customer_id IN \
             (SELECT oc.id FROM customers oc WHERE oc.sales_rep_id IN ({list})))"
        ),
    }
}

/// The group's key and label over `f` and its customer `c`, clerk `cu`,
/// rep `ru` and region `g`.
fn group_of(by: Breakdown) -> (&'static str, &'static str) {
    match by {
        Breakdown::Clerk => (
            "COALESCE(CAST(f.clerk_id AS TEXT), '')",
            "COALESCE(cu.display_name, '')",
        ),
        Breakdown::Rep => (
            "COALESCE(CAST(c.sales_rep_id AS TEXT), '')",
            "COALESCE(ru.display_name, '')",
        ),
        Breakdown::Team => (
            "COALESCE(CAST(tm.team_id AS TEXT), '')",
            "COALESCE(tt.name, '')",
        ),
        Breakdown::Region => (
            "COALESCE(CAST(c.region_id AS TEXT), '')",
            "COALESCE(NULLIF(g.name_zh, ''), g.name, '')",
        ),
        Breakdown::CustomerKind => ("c.kind", "c.kind"),
        Breakdown::Customer => ("CAST(c.id AS TEXT)", "c.code || ' ' || c.name"),
        Breakdown::Channel => ("COALESCE(f.channel, '')", "COALESCE(f.channel, '')"),
        Breakdown::Category => ("f.cat", "f.cat"),
    }
}

/// The joins a breakdown needs beyond [`JOINS`]: the rep's team.
fn extra_joins(by: Breakdown) -> &'static str {
    match by {
        Breakdown::Team => {
            "LEFT JOIN team_members tm ON tm.user_id = c.sales_rep_id LEFT JOIN teams tt ON tt.id = tm.team_id"
        }
        _ => "",
    }
}

/// The customer is joined (LEFT: a kept month's sums by clerk, channel or
/// category name none).
const JOINS: &str = "LEFT JOIN customers c ON c.id = f.customer_id \
     LEFT JOIN users cu ON cu.id = f.clerk_id \
     LEFT JOIN users ru ON ru.id = c.sales_rep_id \
     LEFT JOIN regions g ON g.id = c.region_id";

/// `(f.clerk_id IN (..) OR c.sales_rep_id IN (..))` for the users whose
/// figures are read; None for the whole company.
fn own_condition(q: &FigureQuery, b: &mut Binds) -> Option<String> {
    let users = q.own.as_ref()?;
    if users.is_empty() {
        return Some("1 = 0".into());
    }
    let marks: Vec<String> = users.iter().map(|u| b.put(Val::I(u.get()))).collect();
    let list = marks.join(", ");
    Some(format!(
        "(f.clerk_id IN ({list}) OR c.sales_rep_id IN ({list}))"
    ))
}

/// `WHERE` for the users whose figures are read.
fn own_clause(q: &FigureQuery, b: &mut Binds) -> String {
    own_condition(q, b)
        .map(|c| format!("WHERE {c}"))
        .unwrap_or_default()
}

const SUMS: &str = "CAST(SUM(f.counted) AS BIGINT) AS counted, CAST(SUM(f.hit) AS BIGINT) AS hits, \
     CAST(SUM(f.amount) AS BIGINT) AS amount, CAST(SUM(f.cost) AS BIGINT) AS cost";

fn tally(r: &impl RowExt) -> Result<Tally, StoreError> {
    Ok(Tally {
        counted: r.i64("counted")?,
        hits: r.i64("hits")?,
        amount: Money::from_units(r.i64("amount")?),
        cost: Money::from_units(r.i64("cost")?),
    })
}

/// The placeholders of the buckets' starts after the first (PostgreSQL
/// types a placeholder by its use: only those used are bound).
fn bucket_marks(starts: &[Timestamp], b: &mut Binds) -> Vec<String> {
    starts
        .iter()
        .skip(1)
        .map(|t| b.put(Val::I(micros(*t))))
        .collect()
}

/// `CASE WHEN col < start1 THEN 0 ... ELSE n-1 END` over the starts of
/// the buckets after the first (`marks`: their placeholders; the first
/// bucket's start is the period's, so it needs none).
pub(crate) fn bucket_case(col: &str, marks: &[String]) -> String {
    if marks.is_empty() {
        return "0".into();
    }
    let mut s = String::from("CASE");
    for (i, m) in marks.iter().enumerate() {
        s.push_str(&format!(" WHEN {col} < {m} THEN {i}"));
    }
    s.push_str(&format!(" ELSE {} END", marks.len()));
    s
}

fn notes(figure: Figure, r: &impl RowExt, counted: bool) -> Result<Vec<FigureNote>, StoreError> {
    let flags = [r.i64("n1")?, r.i64("n2")?, r.i64("n3")?, r.i64("n4")?];
    let named: &[FigureNote] = match figure {
        Figure::Accuracy => &[
            FigureNote::Rejected,
            FigureNote::EntryError,
            FigureNote::PriceCorrection,
            FigureNote::WrongGoods,
        ],
        Figure::OnTime => &[
            FigureNote::ReviewLate,
            FigureNote::ShipLate,
            FigureNote::ReviewOverdue,
            FigureNote::ShipOverdue,
        ],
        Figure::StockCheck => &[FigureNote::ShortPick],
        Figure::Sales => &[FigureNote::NoCostPrice],
        Figure::Satisfaction => &[],
    };
    let mut out: Vec<FigureNote> = named
        .iter()
        .zip(flags)
        .filter(|(_, f)| *f > 0)
        .map(|(n, _)| *n)
        .collect();
    if figure == Figure::OnTime && !counted {
        out.push(FigureNote::Pending);
    }
    Ok(out)
}

#[async_trait]
impl FiguresTx for DbTx {
    async fn figure_groups(&mut self, q: &FigureQuery) -> Result<Vec<GroupLine>, StoreError> {
        let mut b = Binds::default();
        let f = base(q, &mut b, None);
        let own = own_clause(q, &mut b);
        let (key, label) = group_of(q.by);
        let extra = extra_joins(q.by);
        let sql = format!(
            "SELECT {key} AS k, {label} AS l, {SUMS} FROM ({f}) f {JOINS} {extra} {own} GROUP BY 1, 2"
        );
        let vals = b.0;
        Ok(fetch_all!(self, &sql, vals, |r| Ok(GroupLine {
            key: r.text("k")?,
            label: r.text("l")?,
            tally: tally(r)?,
        })))
    }

    async fn figure_trend(
        &mut self,
        q: &FigureQuery,
        starts: &[Timestamp],
    ) -> Result<Vec<(usize, Tally)>, StoreError> {
        if starts.is_empty() {
            return Ok(Vec::new());
        }
        let mut b = Binds::default();
        let marks = bucket_marks(starts, &mut b);
        let case = |col: &str| bucket_case(col, &marks);
        let f = base(q, &mut b, Some(&case));
        let own = own_clause(q, &mut b);
        let bucket = bucket_case("f.at", &marks);
        let sql = format!(
            "SELECT CAST({bucket} AS BIGINT) AS bucket, {SUMS} FROM ({f}) f {JOINS} {own} GROUP BY 1"
        );
        let vals = b.0;
        Ok(fetch_all!(self, &sql, vals, |r| Ok((
            usize::try_from(r.i64("bucket")?).unwrap_or(usize::MAX),
            tally(r)?
        ))))
    }

    async fn figure_cells(
        &mut self,
        q: &FigureQuery,
        starts: &[Timestamp],
    ) -> Result<Vec<(usize, GroupLine)>, StoreError> {
        let mut b = Binds::default();
        let marks = bucket_marks(starts, &mut b);
        let f = base(q, &mut b, None);
        let own = own_clause(q, &mut b);
        let (key, label) = group_of(q.by);
        let extra = extra_joins(q.by);
        let bucket = bucket_case("f.at", &marks);
        let sql = format!(
            "SELECT CAST({bucket} AS BIGINT) AS bucket, {key} AS k, {label} AS l, {SUMS} \
             FROM ({f}) f {JOINS} {extra} {own} GROUP BY 1, 2, 3"
        );
        let vals = b.0;
        Ok(fetch_all!(self, &sql, vals, |r| Ok((
            usize::try_from(r.i64("bucket")?).unwrap_or(usize::MAX),
            GroupLine {
                key: r.text("k")?,
                label: r.text("l")?,
                tally: tally(r)?,
            }
        ))))
    }

    async fn figure_records(
        &mut self,
        q: &FigureQuery,
        key: Option<&str>,
        limit: u32,
    ) -> Result<Vec<FigureRecord>, StoreError> {
        let mut b = Binds::default();
        let f = base(q, &mut b, None);
        let mut clauses = Vec::new();
        clauses.extend(own_condition(q, &mut b));
        if let Some(k) = key {
            let (expr, _) = group_of(q.by);
            let k = b.put(Val::T(k.to_string()));
            clauses.push(format!("{expr} = {k}"));
        }
        let limit = b.put(Val::I(i64::from(limit.max(1))));
        let sql = format!(
            "SELECT f.order_id, f.customer_id, f.at, CAST(f.counted AS BIGINT) AS counted, CAST(f.hit AS BIGINT) AS hit, \
                    CAST(f.amount AS BIGINT) AS amount, CAST(f.cost AS BIGINT) AS cost, CAST(f.n1 AS BIGINT) AS n1, \
                    CAST(f.n2 AS BIGINT) AS n2, CAST(f.n3 AS BIGINT) AS n3, CAST(f.n4 AS BIGINT) AS n4, o.number AS order_number, c.code || ' ' || c.name AS customer, cu.display_name AS clerk \
             FROM ({f}) f {JOINS} {} LEFT JOIN orders o ON o.id = f.order_id {} \
             ORDER BY f.at DESC, f.customer_id DESC LIMIT {limit}",
            if key.is_some() { extra_joins(q.by) } else { "" },
            crate::row::where_all(&clauses)
        );
        let figure = q.figure;
        let vals = b.0;
        Ok(fetch_all!(self, &sql, vals, |r| {
            let counted = r.i64("counted")? > 0;
            Ok(FigureRecord {
                order_id: r.opt_i64("order_id")?.map(OrderId),
                order_number: r.opt_text("order_number")?,
                customer_id: r.i64("customer_id")?,
                customer: r.text("customer")?,
                clerk: r.opt_text("clerk")?,
                at: r.ts("at")?,
                counted,
                hit: r.i64("hit")? > 0,
                amount: Money::from_units(r.i64("amount")?),
                cost: Money::from_units(r.i64("cost")?),
                notes: {
                    let mut n = notes(figure, r, counted)?;
                    if figure == Figure::Satisfaction && r.i64("hit")? == 0 {
                        n.push(FigureNote::Unsatisfied);
                    }
                    n
                },
            })
        }))
    }

    async fn figure_months_kept(
        &mut self,
        q: &FigureQuery,
    ) -> Result<Vec<(Timestamp, Timestamp)>, StoreError> {
        self.kept_months(q).await
    }

    async fn figure_month_keep(
        &mut self,
        q: &FigureQuery,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<bool, StoreError> {
        self.keep_month(q, from, to).await
    }

    async fn stock_turnover(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<StockTurnover, StoreError> {
        self.turnover(from, to).await
    }

    async fn stock_months_kept(&mut self, from: Timestamp) -> Result<Vec<Timestamp>, StoreError> {
        self.stock_months(from).await
    }

    async fn stock_month_keep(
        &mut self,
        from: Timestamp,
        to: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.keep_stock_month(from, to, now).await
    }
}

#[async_trait]
impl DailyReportsTx for DbTx {
    async fn daily_report_insert(
        &mut self,
        day: jiff::civil::Date,
        at: Timestamp,
        document: &str,
    ) -> Result<bool, StoreError> {
        // Written once: two nodes finishing the same day keep the first.
        let n = exec!(
            self,
            "INSERT INTO daily_sales_reports (day, generated_at, document) VALUES ($1, $2, $3) \
             ON CONFLICT (day) DO NOTHING",
            [day.to_string(), micros(at), document.to_string()]
        );
        Ok(n > 0)
    }

    async fn daily_report(&mut self, day: jiff::civil::Date) -> Result<Option<String>, StoreError> {
        let doc: Option<String> = fetch_as!(
            self,
            query_scalar.fetch_optional,
            "SELECT document FROM daily_sales_reports WHERE day = $1",
            [day.to_string()]
        );
        Ok(doc)
    }

    async fn daily_report_days(
        &mut self,
        limit: u32,
    ) -> Result<Vec<jiff::civil::Date>, StoreError> {
        let days: Vec<String> = fetch_as!(
            self,
            query_scalar.fetch_all,
            "SELECT day FROM daily_sales_reports ORDER BY day DESC LIMIT $1",
            [i64::from(limit)]
        );
        days.iter()
            .map(|d| {
                d.parse().map_err(|e| {
                    crate::error::corrupt(format!("daily_sales_reports.day '{d}': {e}"))
                })
            })
            .collect()
    }
}

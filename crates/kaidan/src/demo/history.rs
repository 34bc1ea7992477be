//! The demo's weeks of order history (ORD-1..8, SHP-1..3, FIN-5): every
//! working day of the last weeks, customers of every kind order through
//! every channel; clerks review, finance approves, the warehouse picks and
//! ships, customers sign and pay — each step at its own time of day on a
//! clock the demo winds forward, so deadlines are met or missed for real
//! and the lists, the deadline watch and the order pages open on a company
//! that has been working for a while.
//!
//! Deterministic: one seeded generator decides who orders what and how
//! late each step is; only the dates move with the day the demo is loaded.

use std::sync::Arc;

use anyhow::Context;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_app::clock::MovableClock;
use kaidan_app::orders::{FinanceDecision, OrderView};
use kaidan_app::ports::InvoiceFilter;
use kaidan_app::{App, Created, Ctx};
use kaidan_domain::calendar::BusinessCalendar;
use kaidan_domain::finance::InvoiceDocKind;
use kaidan_domain::fulfilment::{DeliveredLineInput, DeliveryInput, ShipInput, picked_in_full};
use kaidan_domain::orders::{Channel, OrderInput, OrderLineInput, OrderStatus, company_time_zone};
use kaidan_domain::{CustomerId, Money, OrderId, ProductId, WarehouseId};

use super::allocation::Scenario;
use super::data::{self, SplitMix64};

/// How many weeks of busy history the demo walks before today: the
/// deadline watch, after-sales and the allocation scenario play in them.
pub(super) const WEEKS: i64 = 6;

/// How many whole months before the current one the history begins: a
/// year of figures, targets, points and commissions (issue 20), the
/// months before the last [`WEEKS`] at a quieter pace.
pub(super) const MONTHS: i64 = 12;

/// Orders per working day in the last weeks: at least, and one less than
/// at most.
const ORDERS_PER_DAY: (i64, i64) = (5, 9);

/// Orders per working day in the quieter months before them.
const EARLIER_ORDERS_PER_DAY: (i64, i64) = (4, 8);

/// The first day of the history: the first of the month [`MONTHS`] months
/// before today's.
pub(super) fn first_day(today: Date) -> anyhow::Result<Date> {
    today
        .first_of_month()
        .checked_sub(jiff::Span::new().months(MONTHS))
        .context("the demo history's first day")
}

/// The first day of the busy weeks before today.
pub(super) fn busy_from(today: Date) -> anyhow::Result<Date> {
    today
        .checked_sub(jiff::Span::new().weeks(WEEKS))
        .context("the demo's busy weeks")
}

const CHANNELS: [Channel; 7] = [
    Channel::Phone,
    Channel::Email,
    Channel::Fax,
    Channel::Web,
    Channel::ECommerce,
    Channel::Api,
    Channel::SalesRep,
];

const CARRIERS: [&str; 3] = ["顺丰速运", "德邦物流", "中通快递"];

/// A customer of the history (its orders are paid after delivery, but one
/// shipment in six of the last weeks stays open: receivables).
#[derive(Debug, Clone, Copy)]
pub(super) struct Buyer {
    pub id: CustomerId,
}

/// The local moment `hour:minute` of `day` in the company's time zone.
pub(super) fn local(day: Date, hour: i8, minute: i8) -> anyhow::Result<Timestamp> {
    Ok(day
        .at(hour, minute, 0, 0)
        .to_zoned(company_time_zone())
        .context("a demo time")?
        .timestamp())
}

/// Takes an order through finance as the demo's finance clerk does: passes
/// what the review passed and releases a credit hold (the customer paid on
/// the phone, or finance accepts the risk). Returns where the order stands.
pub(super) async fn finance_decides(
    app: &App,
    ctx: &Ctx,
    id: OrderId,
    mut view: OrderView,
) -> anyhow::Result<OrderView> {
    for _ in 0..2 {
        let decision = match view.status {
            OrderStatus::FinanceReview => FinanceDecision::Pass,
            OrderStatus::CreditHold => FinanceDecision::Release,
            _ => break,
        };
        view = app
            .finance_review(ctx, id, decision)
            .await
            .context("approving a demo order")?;
    }
    Ok(view)
}

/// Who trades what in the history, and from when at the busy pace.
pub(super) struct Trade {
    pub buyers: Vec<Buyer>,
    /// The products the orders take (well stocked centrally).
    pub products: Vec<ProductId>,
    pub busy_from: Date,
    pub central: WarehouseId,
    /// Each product's SKU, for the supplier's delivery lists.
    pub skus: std::collections::HashMap<ProductId, String>,
}

/// One step of a history day, at its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    /// Place the day's n-th order.
    Place(usize),
    /// Review (and, for most, approve or reject) the day's n-th order.
    Review(usize),
}

/// What the day's n-th order is to become.
#[derive(Debug, Clone, Copy)]
struct Plan {
    buyer: Buyer,
    channel: Channel,
    priority: bool,
    reject: bool,
    /// Working days after approval it ships (4 or more misses ORD-6).
    ship_after: u32,
}

/// The history walk's state: what waits for which day.
pub(super) struct History<'a> {
    app: &'a App,
    clock: &'a Arc<MovableClock>,
    ctx: &'a Ctx,
    /// Who enters the orders, in turn.
    clerks: &'a [Ctx],
    calendar: BusinessCalendar,
    rng: SplitMix64,
    buyers: Vec<Buyer>,
    products: Vec<ProductId>,
    /// (ship day, order).
    to_ship: Vec<(Date, OrderId)>,
    /// (delivery day, shipment id).
    to_deliver: Vec<(Date, i64)>,
    /// (payment day, customer, amount).
    to_pay: Vec<(Date, (CustomerId, Money))>,
    /// (cancel day, order).
    to_cancel: Vec<(Date, OrderId)>,
    /// Orders of prepaying customers, paid when approved (FIN-2).
    prepaid: std::collections::HashSet<OrderId>,
    placed: usize,
    receipts: usize,
    /// From this day on the busy pace; before it the quieter one, and the
    /// central warehouse is restocked at each month's start.
    busy_from: Date,
    central: WarehouseId,
    skus: std::collections::HashMap<ProductId, String>,
    /// What left the central warehouse since its last restock, by product.
    shipped: std::collections::BTreeMap<ProductId, i64>,
}

impl<'a> History<'a> {
    pub(super) fn new(
        app: &'a App,
        clock: &'a Arc<MovableClock>,
        ctx: &'a Ctx,
        clerks: &'a [Ctx],
        trade: Trade,
    ) -> Self {
        let Trade {
            buyers,
            products,
            busy_from,
            central,
            skus,
        } = trade;
        History {
            app,
            clock,
            ctx,
            clerks,
            calendar: BusinessCalendar::new(data::calendar_2026()),
            rng: SplitMix64::new(0x0D15_70A7),
            buyers,
            products,
            to_ship: Vec::new(),
            to_deliver: Vec::new(),
            to_pay: Vec::new(),
            to_cancel: Vec::new(),
            prepaid: std::collections::HashSet::new(),
            placed: 0,
            receipts: 0,
            busy_from,
            central,
            skus,
            shipped: std::collections::BTreeMap::new(),
        }
    }

    fn at(&self, day: Date, hour: i8, minute: i8) -> anyhow::Result<()> {
        self.clock.set(local(day, hour, minute)?);
        Ok(())
    }

    fn pick<T: Copy>(&mut self, of: &[T]) -> anyhow::Result<T> {
        let n = u64::try_from(of.len()).unwrap_or(0).max(1);
        let i = usize::try_from(self.rng.next_u64() % n).unwrap_or(0);
        of.get(i).copied().context("an empty demo list")
    }

    fn chance(&mut self, one_in: u64) -> bool {
        self.rng.next_u64().is_multiple_of(one_in)
    }

    /// Walks every working day from `first` to `last` (inclusive); returns
    /// how many orders were placed.
    pub(super) async fn walk(
        &mut self,
        first: Date,
        last: Date,
        scenario: &mut Scenario<'_>,
    ) -> anyhow::Result<usize> {
        let mut day = first;
        let week_of = |d: Date| {
            let w = d.iso_week_date();
            (w.year(), w.week())
        };
        let mut week = week_of(first);
        let mut busy = false;
        while day <= last {
            if self.calendar.is_working_day(day) {
                // Each week, and once more on the busy weeks' first day so
                // they start on the opening stock.
                let busy_starts = !busy && day >= self.busy_from;
                busy |= busy_starts;
                if week_of(day) != week || busy_starts {
                    week = week_of(day);
                    self.restock(day).await?;
                    self.settle(day).await?;
                }
                self.day(day).await?;
                self.at(day, 17, 30)?;
                scenario.after_day(day).await?;
                // Finance invoices the week's shipments on Fridays (FIN-1).
                if day.weekday() == jiff::civil::Weekday::Friday {
                    self.at(day, 17, 45)?;
                    super::finance::invoice_week(self.app, self.ctx, day).await?;
                }
            }
            day = day.tomorrow().context("the demo calendar")?;
        }
        Ok(self.placed)
    }

    async fn day(&mut self, day: Date) -> anyhow::Result<()> {
        self.at(day, 9, 0)?;
        self.deliver(day).await?;
        self.at(day, 9, 20)?;
        self.pay(day).await?;
        self.at(day, 9, 40)?;
        self.cancel(day).await?;
        self.orders(day).await?;
        self.at(day, 15, 30)?;
        self.ship(day).await
    }

    /// The supplier's weekly delivery of what the central warehouse shipped
    /// in the quieter months, booked from its delivery list (an import, as
    /// goods bought outside Kaidan's purchasing arrive): the busy weeks
    /// start on the opening stock and their shortages are the allocation
    /// scenario's.
    async fn restock(&mut self, day: Date) -> anyhow::Result<()> {
        if self.shipped.is_empty() {
            return Ok(());
        }
        self.at(day, 8, 30)?;
        let mut csv = data::Csv::new(&["sku", "warehouse_code", "quantity"]);
        for (product, quantity) in std::mem::take(&mut self.shipped) {
            let sku = self.skus.get(&product).context("a demo product's SKU")?;
            let quantity = quantity.to_string();
            csv.row([sku.as_str(), data::CENTRAL_WAREHOUSE, quantity.as_str()]);
        }
        super::import_file(
            self.app,
            self.ctx,
            kaidan_app::import_export::Dataset::Stock,
            &format!("supplier-delivery-{}.csv", day.strftime("%Y%m%d")),
            csv,
        )
        .await
    }

    /// A transfer from `customer` arriving on `day`, with the bank's
    /// reference; verified by finance at once when `verify`.
    async fn receive(
        &mut self,
        customer: CustomerId,
        amount: Money,
        day: Date,
        verify: bool,
    ) -> anyhow::Result<()> {
        self.receipts += 1;
        super::finance::receive(
            self.app,
            self.ctx,
            customer,
            amount,
            day,
            format!("CMB{}{:05}", day.strftime("%Y%m%d"), self.receipts),
            verify,
        )
        .await?;
        Ok(())
    }

    /// The customers pay each week what of the quieter months' invoices
    /// has fallen due (monthly settlement pays last month's), so what is
    /// open is the busy weeks' and the old debts: the ageing's. The busy
    /// weeks' deliveries are paid one by one ([`History::pay`]).
    async fn settle(&mut self, day: Date) -> anyhow::Result<()> {
        self.at(day, 9, 10)?;
        let open = self
            .app
            .invoices(
                self.ctx,
                InvoiceFilter {
                    open_only: true,
                    kind: Some(InvoiceDocKind::Invoice),
                    limit: 500,
                    ..InvoiceFilter::default()
                },
            )
            .await
            .context("the demo's open invoices")?;
        let mut due: std::collections::BTreeMap<i64, Money> = std::collections::BTreeMap::new();
        for i in open {
            if i.due_date <= day
                && i.invoice_date < self.busy_from
                && self.buyers.iter().any(|b| b.id == i.customer_id)
            {
                *due.entry(i.customer_id.get()).or_default() += i.open();
            }
        }
        for (customer, amount) in due {
            if !amount.is_positive() {
                continue;
            }
            self.receive(CustomerId(customer), amount, day, true)
                .await?;
        }
        Ok(())
    }

    async fn orders(&mut self, day: Date) -> anyhow::Result<()> {
        let pace = if day >= self.busy_from {
            ORDERS_PER_DAY
        } else {
            EARLIER_ORDERS_PER_DAY
        };
        let count = usize::try_from(self.rng.range(pace.0, pace.1))?;
        let mut plans = Vec::with_capacity(count);
        let mut steps = Vec::with_capacity(count * 2);
        for n in 0..count {
            let placed =
                local(day, 9, 30)? + jiff::SignedDuration::from_mins(i64::try_from(n)? * 35);
            // Most reviews within the 4 hours; one in nine after them.
            let delay = if self.chance(9) {
                self.rng.range(250, 330)
            } else {
                self.rng.range(15, 150)
            };
            steps.push((placed, Step::Place(n)));
            steps.push((
                placed + jiff::SignedDuration::from_mins(delay),
                Step::Review(n),
            ));
            let buyer = self.pick(&self.buyers.clone())?;
            let channel = self.pick(&CHANNELS)?;
            let ship_after = if self.chance(8) {
                4
            } else {
                u32::try_from(self.rng.range(1, 3))?
            };
            plans.push(Plan {
                buyer,
                channel,
                priority: self.chance(12),
                reject: self.chance(25),
                ship_after,
            });
        }
        steps.sort();
        let mut ids: Vec<Option<OrderId>> = vec![None; count];
        for (at, step) in steps {
            self.clock.set(at);
            match step {
                Step::Place(n) => {
                    let plan = plans.get(n).copied().context("a demo plan")?;
                    ids[n] = self.place(day, plan).await?;
                }
                Step::Review(n) => {
                    let (Some(Some(id)), Some(plan)) = (ids.get(n).copied(), plans.get(n)) else {
                        continue;
                    };
                    self.review(day, id, *plan).await?;
                }
            }
        }
        Ok(())
    }

    async fn place(&mut self, day: Date, plan: Plan) -> anyhow::Result<Option<OrderId>> {
        let line_count = self.rng.range(1, 4);
        let mut lines: Vec<OrderLineInput> = Vec::new();
        for _ in 0..line_count {
            let product = self.pick(&self.products.clone())?;
            if lines.iter().any(|l| l.product_id == product) {
                continue;
            }
            lines.push(OrderLineInput::new(product, self.rng.range(2, 10)));
        }
        self.placed += 1;
        let requested = self
            .chance(4)
            .then(|| self.calendar.add_working_days(day, 5));
        let input = OrderInput {
            customer_reference: Some(format!("PO-{}-{:04}", day.strftime("%m%d"), self.placed)),
            delivery_address: Some("收货地址见客户档案".into()),
            priority: plan.priority,
            requested_delivery_date: requested,
            ..OrderInput::new(plan.buyer.id, plan.channel, day, lines)
        };
        match self
            .app
            .place_order(
                self.clerks
                    .get(self.placed % self.clerks.len().max(1))
                    .unwrap_or(self.ctx),
                input,
                true,
                None,
            )
            .await
            .context("a demo history order")?
        {
            Created::New(v) => Ok(Some(v.id)),
            Created::Replayed { .. } => Ok(None),
        }
    }

    async fn review(&mut self, day: Date, id: OrderId, plan: Plan) -> anyhow::Result<()> {
        if plan.reject {
            self.app
                .reject_order(self.ctx, id, "单价与合同价不符,请核对后重新提交")
                .await
                .context("rejecting a demo order")?;
            return Ok(());
        }
        let view = self
            .app
            .review_order(self.ctx, id)
            .await
            .context("reviewing a demo order")?;
        let view = finance_decides(self.app, self.ctx, id, view).await?;
        if view.status == OrderStatus::Approved
            && view.content.payment_terms == kaidan_domain::master::PaymentTerms::Prepayment
        {
            // The customer pays on the approval notice, before shipping.
            self.receive(view.customer_id, view.content.totals.amount, day, true)
                .await?;
            self.prepaid.insert(id);
        }
        if view.status == OrderStatus::Approved && self.chance(20) {
            // The clerk typed a quantity wrong and asks to correct it: a
            // processing error that counts against KPI-1 (ADR 0038).
            if let Some(line) = view.content.lines.first() {
                let request = kaidan_domain::orders::ChangeRequest {
                    reason: "录入数量错误,按客户原单更正".into(),
                    cause: kaidan_domain::orders::ChangeCause::EntryError,
                    changes: vec![kaidan_domain::orders::changes::Change::Quantity {
                        line_no: line.line_no,
                        quantity: line.quantity.get() + 1,
                    }],
                };
                self.app
                    .request_change(self.ctx, id, request)
                    .await
                    .context("a demo entry-error change")?;
            }
        }
        if view.status == OrderStatus::Approved {
            if self.chance(30) {
                let next = self.calendar.add_working_days(day, 1);
                self.to_cancel.push((next, id));
            } else {
                let after = if plan.priority { 0 } else { plan.ship_after };
                let ship_day = self.calendar.add_working_days(day, after);
                self.to_ship.push((ship_day, id));
            }
        }
        Ok(())
    }

    async fn cancel(&mut self, day: Date) -> anyhow::Result<()> {
        let due: Vec<OrderId> = take_due(&mut self.to_cancel, day);
        for id in due {
            self.app
                .cancel_order(self.ctx, id, "客户来电取消:门店装修延期")
                .await
                .context("cancelling a demo order")?;
        }
        Ok(())
    }

    /// The day's shipping: one pick list per order due, picked in full and
    /// shipped an hour later.
    async fn ship(&mut self, day: Date) -> anyhow::Result<()> {
        let due: Vec<OrderId> = take_due(&mut self.to_ship, day);
        if due.is_empty() {
            return Ok(());
        }
        let lists = self
            .app
            .create_pick_lists(self.ctx, &due)
            .await
            .context("demo history pick lists")?;
        self.at(day, 16, 10)?;
        let mut picked = Vec::new();
        for list in &lists {
            let packages = i64::try_from(list.lines.len())?.max(1);
            picked.push(
                self.app
                    .confirm_pick(self.ctx, list.id, &picked_in_full(&list.lines), packages)
                    .await
                    .context("a demo history pick")?,
            );
        }
        self.at(day, 17, 0)?;
        let eta = self.calendar.add_working_days(day, 2);
        for list in picked {
            if list.lines.iter().all(|l| l.picked.unwrap_or(0) == 0) {
                continue;
            }
            let carrier = self.pick(&CARRIERS)?;
            let shipment = self
                .app
                .ship(
                    self.ctx,
                    list.id,
                    &ShipInput {
                        carrier: carrier.into(),
                        tracking_no: format!("DM{}{:06}", day.strftime("%m%d"), list.id),
                        eta,
                        packages: None,
                    },
                )
                .await
                .context("a demo history shipment")?;
            if shipment.warehouse_id == self.central && day < self.busy_from {
                for l in &shipment.lines {
                    *self.shipped.entry(l.product_id).or_default() += l.quantity;
                }
            }
            self.to_deliver.push((eta, shipment.id));
        }
        Ok(())
    }

    /// Proofs of delivery for the shipments due today; payment follows a
    /// few working days later, except for one shipment in six.
    async fn deliver(&mut self, day: Date) -> anyhow::Result<()> {
        let due: Vec<i64> = take_due(&mut self.to_deliver, day);
        for id in due {
            let s = self.app.shipment(self.ctx, id).await?;
            // One delivery in twenty has a damaged unit, refused (SHP-3).
            let damaged = self.chance(20);
            let input = DeliveryInput {
                signed_by: "门店店长".into(),
                note: None,
                lines: s
                    .lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let refused = i64::from(damaged && i == 0 && l.quantity > 1);
                        DeliveredLineInput {
                            line_no: l.line_no,
                            accepted: l.quantity - refused,
                            refused,
                            reason: (refused > 0).then(|| "外包装破损".into()),
                            disposition: (refused > 0)
                                .then_some(kaidan_domain::fulfilment::Disposition::Restock),
                        }
                    })
                    .collect(),
                quarantine_warehouse_id: None,
            };
            self.app
                .record_delivery(self.ctx, id, &input)
                .await
                .context("a demo proof of delivery")?;
            // In the quieter months what falls due is settled weekly; in the
            // last weeks a delivery is paid a few days after it, but one in
            // six stays open (receivables).
            let stays_open = self.chance(6);
            if day < self.busy_from || stays_open || self.prepaid.contains(&s.order_id) {
                continue;
            }
            let value: Money = input
                .lines
                .iter()
                .zip(&s.lines)
                .map(|(d, l)| l.unit_price.times(d.accepted).round_to_fen())
                .sum();
            let after = u32::try_from(self.rng.range(0, 5))?;
            self.to_pay.push((
                self.calendar.add_working_days(day, after),
                (s.customer_id, value),
            ));
        }
        Ok(())
    }

    async fn pay(&mut self, day: Date) -> anyhow::Result<()> {
        let due: Vec<(CustomerId, Money)> = take_due(&mut self.to_pay, day);
        for (customer, amount) in due {
            if !amount.is_positive() {
                continue;
            }
            // Most are verified the day they arrive; one in eight waits.
            let verify = !self.chance(8);
            self.receive(customer, amount, day, verify).await?;
        }
        Ok(())
    }
}

/// Removes and returns the items due on or before `day`, in their order.
fn take_due<T>(queue: &mut Vec<(Date, T)>, day: Date) -> Vec<T> {
    let (due, later): (Vec<_>, Vec<_>) = queue.drain(..).partition(|(d, _)| *d <= day);
    *queue = later;
    due.into_iter().map(|(_, t)| t).collect()
}

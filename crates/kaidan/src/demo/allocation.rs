//! The demo's allocation at work (ALC-1..9, PUR-1..3, FIN-5): two products
//! run out in the central warehouse; five franchisees order them and wait
//! (backorders); purchasing buys from the open shortages; three franchisees
//! pay in; the goods arrive and the receipt's allocation run serves the
//! funded franchisees in their rank order — the last of them only as far as
//! its money goes —, locks goods for the two that have not paid (they are on
//! the chase list), and sends what is left to the stores and the two regions
//! with a replenishment plan as transfers, which the warehouse then works
//! on.
//!
//! Each step happens on its own day of the history walk (`after_day`), in
//! the evening after the day's routine work.

use std::collections::HashMap;

use anyhow::{Context, anyhow};
use jiff::civil::Date;
use kaidan_app::ports::TransferQuery;
use kaidan_app::purchasing::{ConfirmPurchase, PurchaseFromRequests, PurchaseReceipt};
use kaidan_app::{App, Created, Ctx};
use kaidan_domain::calendar::BusinessCalendar;
use kaidan_domain::fulfilment::{ShipInput, picked_in_full};
use kaidan_domain::master::{RegionData, Season};
use kaidan_domain::orders::{AccountEntry, Channel, EntryKind, OrderInput, OrderLineInput};
use kaidan_domain::purchasing::{ReceiptLineInput, ReplenishmentStatus};
use kaidan_domain::transfers::RegionNeed;
use kaidan_domain::{CustomerId, Money, ProductId, RegionId};

use super::data;
use super::history::finance_decides;
use super::{id_of, ids_by_code};

/// (which of the two short products, how many): 0 many means "more than
/// its money pays for".
type Wants = &'static [(usize, i64)];

/// The franchisees of the scenario and what each does: (code, which of the
/// two short products and how many, the yuan it pays in beyond what it
/// owes). Ranks (data.rs): FR-001 1, FR-006 2, FR-020 20, FR-008 17, FR-014 18.
/// FR-020's order is worth more than its money (credit 50,000 yuan and
/// what it pays): the run serves it in part. FR-008 and FR-014 pay
/// nothing: they get locks.
pub(super) const FRANCHISEES: [(&str, Wants, i64); 5] = [
    ("FR-001", &[(0, 40), (1, 20)], 30_000),
    ("FR-006", &[(0, 60)], 10_000),
    ("FR-020", &[(0, 0)], 2_000),
    ("FR-008", &[(0, 50)], 0),
    ("FR-014", &[(1, 30)], 0),
];

/// FR-020's line is sized to this many times its money (funds + credit).
const OVER_MONEY: i64 = 2;

/// The scenario's days, counted in working days before today.
const ORDERS_ON: u32 = 9;
const PURCHASE_ON: u32 = 8;
const PAYMENTS_ON: u32 = 3;
const PLAN_ON: u32 = 2;
const ARRIVAL_ON: u32 = 1;

pub(super) struct Scenario<'a> {
    app: &'a App,
    ctx: &'a Ctx,
    calendar: BusinessCalendar,
    today: Date,
    /// The two products with no central stock, dearest first.
    short: [(ProductId, i64); 2],
    products: &'a [data::Product],
    product_ids: &'a HashMap<String, i64>,
    purchase: Option<i64>,
}

/// The two products the opening stock leaves out of the central warehouse,
/// dearest first: (index into `products`, franchise price in fen).
pub(super) fn short_products(products: &[data::Product]) -> anyhow::Result<[usize; 2]> {
    let stocked: std::collections::HashSet<usize> = data::opening_stock(products)
        .into_iter()
        .filter(|(_, w, _)| *w == data::CENTRAL_WAREHOUSE)
        .map(|(i, _, _)| i)
        .collect();
    let mut short: Vec<usize> = (0..products.len())
        .filter(|i| !stocked.contains(i))
        .collect();
    short.sort_by_key(|i| {
        std::cmp::Reverse(products.get(*i).map_or(0, |p| p.franchise_price_fen()))
    });
    match short.as_slice() {
        [a, b, ..] => Ok([*a, *b]),
        _ => Err(anyhow!("the demo needs two products without central stock")),
    }
}

impl<'a> Scenario<'a> {
    pub(super) fn new(
        app: &'a App,
        ctx: &'a Ctx,
        today: Date,
        products: &'a [data::Product],
        product_ids: &'a HashMap<String, i64>,
    ) -> anyhow::Result<Self> {
        let [a, b] = short_products(products)?;
        let short = |i: usize| -> anyhow::Result<(ProductId, i64)> {
            let p = products.get(i).context("a demo product")?;
            Ok((
                ProductId(id_of(product_ids, "product", &p.sku)?),
                p.franchise_price_fen(),
            ))
        };
        Ok(Scenario {
            app,
            ctx,
            calendar: BusinessCalendar::new(data::calendar_2026()),
            today,
            short: [short(a)?, short(b)?],
            products,
            product_ids,
            purchase: None,
        })
    }

    /// The scenario's customers are kept out of the routine history, so
    /// that their money is what the scenario says.
    pub(super) fn is_scenario_customer(code: &str) -> bool {
        FRANCHISEES.iter().skip(1).any(|(c, _, _)| *c == code)
    }

    fn on(&self, day: Date, before: u32) -> bool {
        self.calendar.sub_working_days(self.today, before) == day
    }

    /// Runs the scenario's step of `day`, if it has one.
    pub(super) async fn after_day(&mut self, day: Date) -> anyhow::Result<()> {
        if self.on(day, ORDERS_ON) {
            self.orders(day).await?;
        }
        if self.on(day, PURCHASE_ON) {
            self.purchase().await?;
        }
        if self.on(day, PAYMENTS_ON) {
            self.payments().await?;
        }
        if self.on(day, PLAN_ON) {
            self.region_plans().await?;
        }
        if self.on(day, ARRIVAL_ON) {
            self.arrival().await?;
        }
        Ok(())
    }

    async fn customer(&self, code: &str) -> anyhow::Result<CustomerId> {
        Ok(CustomerId(
            self.app
                .id_by_code::<kaidan_domain::master::CustomerData>(self.ctx, code)
                .await
                .with_context(|| format!("the demo franchisee {code}"))?,
        ))
    }

    /// Franchisee orders for the two short products: approved, backordered.
    async fn orders(&self, day: Date) -> anyhow::Result<()> {
        for (n, (code, lines, pays)) in FRANCHISEES.iter().enumerate() {
            let customer = self.customer(code).await?;
            let mut input_lines = Vec::new();
            for (which, qty) in *lines {
                let (product, price_fen) = *self.short.get(*which).context("a short product")?;
                let qty = if *qty > 0 {
                    *qty
                } else {
                    // Worth OVER_MONEY times its credit and payment.
                    let (balance, _) = self.app.account(self.ctx, customer).await?;
                    let money = balance.credit_limit + Money::yuan(*pays);
                    let fen = money.units() / 100;
                    (fen * OVER_MONEY) / price_fen.max(1) + 1
                };
                input_lines.push(OrderLineInput::new(product, qty));
            }
            let input = OrderInput {
                customer_reference: Some(format!("补货-{:02}", n + 1)),
                delivery_address: Some("加盟店仓库".into()),
                ..OrderInput::new(customer, Channel::SalesRep, day, input_lines)
            };
            let order = match self.app.place_order(self.ctx, input, true, None).await? {
                Created::New(v) => v,
                Created::Replayed { .. } => continue,
            };
            let view = self.app.review_order(self.ctx, order.id).await?;
            // FR-020's order is above its credit: finance accepts it, the
            // goods wait for the money (ALC-2 bounds what it gets).
            finance_decides(self.app, self.ctx, order.id, view)
                .await
                .with_context(|| format!("approving the order of {code}"))?;
        }
        Ok(())
    }

    /// PUR-1: one purchase order for every open shortage, confirmed by the
    /// supplier for the arrival day.
    async fn purchase(&mut self) -> anyhow::Result<()> {
        let open = self
            .app
            .replenishment_requests(self.ctx, Some(ReplenishmentStatus::Open))
            .await?;
        if open.is_empty() {
            return Ok(());
        }
        let arrival = self.calendar.sub_working_days(self.today, ARRIVAL_ON);
        let po = match self
            .app
            .purchase_from_requests(
                self.ctx,
                PurchaseFromRequests {
                    replenishment_ids: open.iter().map(|r| r.id).collect(),
                    supplier: "杭州秋实服饰制造有限公司".into(),
                    warehouse_id: None,
                    expected_arrival: arrival,
                    note: "加盟商缺货补单 backorders of franchisees".into(),
                },
                None,
            )
            .await
            .context("the demo backorder purchase")?
        {
            Created::New(po) => po,
            Created::Replayed { .. } => return Ok(()),
        };
        self.app
            .confirm_purchase_order(
                self.ctx,
                po.id,
                ConfirmPurchase {
                    expected_arrival: Some(arrival),
                    note: "供应商确认:按期到货".into(),
                },
            )
            .await
            .context("confirming the demo purchase")?;
        self.purchase = Some(po.id);
        Ok(())
    }

    /// FIN-5: the paying franchisees settle what they owe and pay in more.
    async fn payments(&self) -> anyhow::Result<()> {
        for (code, _, pays) in FRANCHISEES {
            if pays <= 0 {
                continue;
            }
            let customer = self.customer(code).await?;
            let (balance, _) = self.app.account(self.ctx, customer).await?;
            let entry = AccountEntry {
                note: Some("预付货款 prepayment".into()),
                ..AccountEntry::new(
                    EntryKind::Deposit,
                    balance.credit_used + Money::yuan(pays),
                    None,
                )
            };
            self.app
                .post_account_entry(self.ctx, customer, entry)
                .await
                .with_context(|| format!("the payment of {code}"))?;
        }
        Ok(())
    }

    /// ALC-8: two regions plan their season's stock (备货).
    async fn region_plans(&self) -> anyhow::Result<()> {
        let regions = ids_by_code::<RegionData>(self.app, self.ctx).await?;
        for (code, season, first) in [
            ("SZ", Season::SpringSummer, 0),
            ("BJ", Season::AutumnWinter, 3),
        ] {
            let region = RegionId(id_of(&regions, "region", code)?);
            let needs = self
                .products
                .iter()
                .filter(|p| p.season == season)
                .skip(first)
                .take(3)
                .map(|p| {
                    Ok(RegionNeed {
                        product_id: ProductId(id_of(self.product_ids, "product", &p.sku)?),
                        quantity: 30,
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            self.app
                .set_region_needs(self.ctx, region, needs)
                .await
                .with_context(|| format!("the replenishment plan of {code}"))?;
        }
        Ok(())
    }

    /// PUR-3: the goods arrive; the receipt's allocation run decides. Then
    /// the warehouse works on the run's transfers: the first is received by
    /// its store, the second is on its way, the third is picked.
    async fn arrival(&self) -> anyhow::Result<()> {
        let Some(id) = self.purchase else {
            return Ok(());
        };
        let po = self.app.purchase_order(self.ctx, id).await?;
        let receipt = PurchaseReceipt {
            lines: po
                .lines
                .iter()
                .map(|l| ReceiptLineInput {
                    line_no: l.line_no,
                    quantity: l.quantity - l.received,
                })
                .collect(),
        };
        let result = self
            .app
            .receive_purchase_order(self.ctx, id, receipt)
            .await
            .context("receiving the demo purchase")?;
        let Some(number) = result.allocation_run else {
            return Err(anyhow!("the demo receipt started no allocation run"));
        };
        let run = self
            .app
            .allocation_runs(self.ctx)
            .await?
            .into_iter()
            .find(|r| r.number == number)
            .context("the demo allocation run")?;
        let transfers = self
            .app
            .transfers(
                self.ctx,
                TransferQuery {
                    run: Some(run.id),
                    limit: 100,
                    ..Default::default()
                },
            )
            .await?;
        let eta = self.calendar.add_working_days(self.today, 1);
        for (n, t) in transfers.iter().take(3).enumerate() {
            self.app
                .pick_transfer(self.ctx, t.id, &picked_in_full(&t.lines), 1)
                .await
                .context("picking a demo transfer")?;
            if n == 2 {
                continue;
            }
            let ship = ShipInput {
                carrier: "德邦物流".into(),
                tracking_no: format!("DB77000{:05}", t.id),
                eta,
                packages: None,
            };
            self.app
                .ship_transfer(self.ctx, t.id, &ship)
                .await
                .context("shipping a demo transfer")?;
            if n == 0 {
                self.app
                    .receive_transfer(self.ctx, t.id, Some("演示:门店已收货 demo receipt"))
                    .await
                    .context("receiving a demo transfer")?;
            }
        }
        Ok(())
    }
}

//! The real allocation run (分货, ALC-1..10, PUR-3): its inputs are read
//! from the database in a few bulk queries, the pure engine decides, and a
//! committed run writes its allocations (reservations on the franchisees'
//! order lines), its locks for unfunded franchisees and the pick lists of
//! the allocated orders in one transaction. A preview reads the same inputs
//! and writes nothing.
//!
//! Reading of the money inputs: an approved order commits its whole amount
//! on the account, backordered lines included. For the run, what is
//! committed to "earlier, unshipped allocations" is that commitment less the
//! value of the lines still waiting for goods (they are what the run
//! decides on), so a franchisee who paid for its order counts as funded for
//! it. See ADR 0010.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use kaidan_domain::allocation::{
    self, Allocation, Franchisee, FranchiseeLineAllocation, OrderLine, Product, ProductSeason,
    Region, RegionPriority, RunInput, RunResult, Settings, Store, StoreOperation, StoreStock,
    Supply, Tier,
};
use kaidan_domain::master::Season as MasterSeason;
use kaidan_domain::order::{AccountBalance, AccountEntry, company_time_zone};
use kaidan_domain::{
    CustomerId, Money, OrderId, OrderLineId, Permission, ProductId, StoreId, ValidationErrors,
};
use serde::Serialize;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::{AllocationRunRow, LockRow, Tx};

/// Order lines are keyed (order, line number); the engine wants one id per
/// line. An order has at most 500 lines (`order::MAX_LINES`), so
/// `order × 1000 + line` is unique and reversible.
const LINE_KEY: i64 = 1000;

fn line_key(order: OrderId, line_no: u32) -> OrderLineId {
    OrderLineId(order.get() * LINE_KEY + i64::from(line_no))
}

fn line_of(id: OrderLineId) -> (OrderId, u32) {
    let v = id.get();
    (
        OrderId(v / LINE_KEY),
        u32::try_from(v % LINE_KEY).unwrap_or(0),
    )
}

/// What a run did (or, previewed, would do).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct AllocationOutcome {
    /// The stored run; absent for a preview.
    pub run: Option<AllocationRunRow>,
    pub committed: bool,
    /// Locks whose franchisee has paid: allocations from this run on.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub converted_locks: Vec<LockRow>,
    /// Pick lists made for the allocated orders.
    pub pick_lists: Vec<String>,
    /// The engine's result: every allocation, lock and unserved quantity
    /// with its rule, bound and rank (ALC-10).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub result: RunResult,
}

/// A franchisee channel business should ask for payment (ALC-5).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ChaseItem {
    pub customer_id: CustomerId,
    pub customer_name: String,
    /// Value of the goods locked for it.
    pub amount: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub first_expiry: jiff::civil::Date,
    pub locks: Vec<LockRow>,
}

/// The run's inputs plus what the commit needs to write.
struct Loaded {
    input: RunInput,
    /// Active locks of franchisees that are funded now.
    paid_locks: Vec<LockRow>,
}

fn season(s: &str) -> ProductSeason {
    match s.parse::<MasterSeason>() {
        Ok(MasterSeason::SpringSummer) => ProductSeason::SpringSummer,
        Ok(MasterSeason::AutumnWinter) => ProductSeason::AutumnWinter,
        _ => ProductSeason::None,
    }
}

impl App {
    /// Reads everything one run needs, in a handful of queries.
    async fn allocation_inputs(&self, tx: &mut Box<dyn Tx>) -> AppResult<Loaded> {
        let tz = company_time_zone();
        let settings = Settings::new(self.today());
        let warehouse = self.central_warehouse(tx).await?.ok_or_else(|| {
            ValidationErrors::single(
                "warehouse",
                "missing",
                "no central warehouse to allocate from",
            )
        })?;
        let products: Vec<Product> = tx
            .alloc_products()
            .await?
            .into_iter()
            .map(|p| Product {
                id: p.id,
                name: p.name,
                season: season(&p.season),
                launch_priority: p.launch_priority,
            })
            .collect();
        let known: std::collections::HashSet<ProductId> = products.iter().map(|p| p.id).collect();
        let supply: Vec<Supply> = tx
            .alloc_supply(warehouse)
            .await?
            .into_iter()
            .filter(|(p, _)| known.contains(p))
            .map(|(product, quantity)| Supply { product, quantity })
            .collect();
        let open = tx.alloc_open_lines().await?;
        let mut open_value: BTreeMap<CustomerId, Money> = BTreeMap::new();
        for l in &open {
            *open_value.entry(l.customer_id).or_insert(Money::ZERO) +=
                l.unit_price.times(l.backordered);
        }
        let mut entries: BTreeMap<CustomerId, Vec<AccountEntry>> = BTreeMap::new();
        for (c, e) in tx.alloc_franchisee_entries().await? {
            entries.entry(c).or_default().push(e);
        }
        let active_locks = tx.locks(Some("active")).await?;
        let mut franchisees = Vec::new();
        let mut funded = std::collections::HashSet::new();
        for f in tx.alloc_franchisees().await? {
            let balance = AccountBalance::from_entries(
                entries.get(&f.id).map(|v| v.iter()).into_iter().flatten(),
            );
            // The ledger's limit once finance set one, else the master's.
            let limit = if entries.get(&f.id).is_some_and(|v| {
                v.iter()
                    .any(|e| e.kind == kaidan_domain::order::EntryKind::CreditLimit)
            }) {
                balance.credit_limit
            } else {
                f.credit_limit
            };
            let earlier = (balance.committed
                - open_value.get(&f.id).copied().unwrap_or(Money::ZERO))
            .max(Money::ZERO);
            let funds_committed = earlier.min(balance.funds);
            let credit_committed = balance.credit_used + (earlier - balance.funds).max(Money::ZERO);
            let franchisee = Franchisee {
                id: f.id,
                name: f.name,
                priority_rank: f.priority,
                region: f.region_id,
                importance: String::new(),
                cumulative_ordered: 0,
                funds_balance: balance.funds,
                credit_limit: limit,
                funds_committed,
                credit_committed,
            };
            if franchisee.is_funded() {
                funded.insert(f.id);
            }
            franchisees.push(franchisee);
        }
        let paid_locks = active_locks
            .into_iter()
            .filter(|l| funded.contains(&l.customer_id))
            .collect();
        let mut order_lines = Vec::with_capacity(open.len());
        for l in open {
            if !known.contains(&l.product_id) || !franchisees.iter().any(|f| f.id == l.customer_id)
            {
                continue;
            }
            let key = line_key(l.order_id, l.line_no);
            order_lines.push(OrderLine {
                order_id: l.order_id,
                line_id: key,
                franchisee: l.customer_id,
                product: l.product_id,
                open_quantity: l.backordered,
                unit_price: l.unit_price,
                order_date: l.received_at.to_zoned(tz.clone()).date(),
            });
        }
        let regions: Vec<Region> = tx
            .alloc_regions()
            .await?
            .into_iter()
            .map(|(id, name)| Region { id, name })
            .collect();
        let region_priority = RegionPriority {
            spring_summer: tx.region_priorities(MasterSeason::SpringSummer).await?,
            autumn_winter: tx.region_priorities(MasterSeason::AutumnWinter).await?,
        };
        let stores: Vec<Store> = tx
            .alloc_stores()
            .await?
            .into_iter()
            .map(|s| Store {
                id: StoreId(s.id),
                name: s.name,
                region: s.region_id,
                operation: if s.ownership == "affiliated" {
                    StoreOperation::Affiliated
                } else {
                    StoreOperation::Direct
                },
                tier: match s.tier.as_str() {
                    "A" => Tier::A,
                    "B" => Tier::B,
                    _ => Tier::C,
                },
                priority: s.priority,
            })
            .collect();
        // Stores' own stock is not kept in Kaidan yet: their whole safety
        // stock counts as their need (ADR 0010).
        let store_stock = tx
            .alloc_safety_stock()
            .await?
            .into_iter()
            .filter(|(_, p, _)| known.contains(p))
            .map(|(store, product, safety)| StoreStock {
                store: StoreId(store),
                product,
                safety_stock: safety,
                current_stock: 0,
            })
            .collect();
        Ok(Loaded {
            input: RunInput {
                settings,
                products,
                supply,
                franchisees,
                order_lines,
                regions,
                region_priority,
                stores,
                store_stock,
                region_needs: Vec::new(),
            },
            paid_locks,
        })
    }

    /// ALC-1..10: runs the allocation on what is in the database. A preview
    /// (`commit` false) writes nothing; a committed run records itself,
    /// turns paid locks into allocations, reserves each franchisee
    /// allocation on its order line, locks goods for unfunded franchisees
    /// and makes the pick lists of the allocated orders, in one transaction.
    pub async fn run_allocation(
        &self,
        ctx: &Ctx,
        commit: bool,
        trigger: &str,
    ) -> AppResult<AllocationOutcome> {
        ctx.require(Permission::AllocationRun)?;
        let mut tx = if commit {
            self.store.write().await?
        } else {
            self.store.read().await?
        };
        let outcome = self.allocation_in(&mut tx, ctx, commit, trigger).await?;
        if commit {
            tx.commit().await?;
        }
        Ok(outcome)
    }

    /// The run inside a caller's transaction (also used right after a goods
    /// receipt, PUR-3).
    pub(crate) async fn allocation_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        commit: bool,
        trigger: &str,
    ) -> AppResult<AllocationOutcome> {
        let loaded = self.allocation_inputs(tx).await?;
        let result = allocation::run(&loaded.input).map_err(|e| {
            AppError::Store(crate::ports::StoreError::Other(format!(
                "the allocation inputs in the database are not consistent: {e}"
            )))
        })?;
        if !commit {
            return Ok(AllocationOutcome {
                run: None,
                committed: false,
                converted_locks: loaded.paid_locks,
                pick_lists: Vec::new(),
                result,
            });
        }
        let now = self.now();
        let day = self.today().strftime("%Y%m%d").to_string();
        let seq = tx.counter_next(&format!("AR:{day}")).await?;
        let (mut allocated, mut locked) = (0i64, 0i64);
        for a in &result.allocations {
            match a {
                Allocation::FranchiseeAllocation(x) => allocated += x.quantity.get(),
                Allocation::FranchiseeLock(x) => locked += x.quantity.get(),
                _ => {}
            }
        }
        let mut run = AllocationRunRow {
            id: 0,
            number: format!("AR-{day}-{seq:04}"),
            at: now,
            actor_id: ctx.actor.user_id,
            trigger: trigger.to_string(),
            allocated,
            locked,
            input: serde_json::to_string(&loaded.input).map_err(crate::orders::store_other)?,
            result: allocation::result_json(&result).map_err(crate::orders::store_other)?,
        };
        run.id = tx.allocation_run_insert(&run).await?;
        let warehouse = self.central_warehouse(tx).await?.ok_or_else(|| {
            ValidationErrors::single(
                "warehouse",
                "missing",
                "no central warehouse to allocate from",
            )
        })?;
        let source = format!("allocation {}", run.number);
        let mut touched: Vec<OrderId> = Vec::new();
        for l in &loaded.paid_locks {
            if tx.lock_close(l.id, "converted", now).await? {
                if !touched.contains(&l.order_id) {
                    touched.push(l.order_id);
                }
                let order = tx
                    .order_get(l.order_id)
                    .await?
                    .ok_or_else(|| crate::orders::not_found(l.order_id))?;
                self.event(tx, ctx, l.order_id, "lock_paid", Some(order.status), Some(order.status), &run.number,
                    serde_json::json!({ "run": run.number, "line_no": l.line_no, "quantity": l.quantity })).await?;
            }
        }
        // Per order: (line → (reserved +, backordered −)).
        let mut per_order: BTreeMap<OrderId, Vec<(&FranchiseeLineAllocation, bool)>> =
            BTreeMap::new();
        for a in &result.allocations {
            match a {
                Allocation::FranchiseeAllocation(x) => {
                    per_order.entry(x.order_id).or_default().push((x, false))
                }
                Allocation::FranchiseeLock(x) => {
                    per_order.entry(x.order_id).or_default().push((x, true))
                }
                _ => {}
            }
        }
        for (order_id, items) in &per_order {
            let wants: Vec<(ProductId, i64)> = items
                .iter()
                .map(|(x, _)| (x.product, x.quantity.get()))
                .collect();
            let got = tx.stock_reserve(warehouse, &wants, &source, now).await?;
            if got.iter().zip(&wants).any(|(g, (_, w))| g != w) {
                // Someone reserved the same goods since the inputs were read.
                return Err(AppError::Store(crate::ports::StoreError::Conflict));
            }
            let progress = tx.order_lines(*order_id).await?;
            let mut changed = Vec::new();
            let mut events = Vec::new();
            for (x, is_lock) in items {
                let (_, line_no) = line_of(x.line_id);
                let Some(p) = progress.iter().find(|p| p.line_no == line_no) else {
                    continue;
                };
                let q = x.quantity.get();
                changed.push((line_no, p.reserved + q, p.backordered - q));
                if *is_lock {
                    let lock = LockRow {
                        id: 0,
                        run_id: run.id,
                        customer_id: x.franchisee,
                        order_id: *order_id,
                        line_no,
                        product_id: x.product,
                        quantity: q,
                        unit_price: x.unit_price,
                        expires_on: x.expires_on.unwrap_or(result.lock_expires_on),
                        status: "active".into(),
                    };
                    tx.lock_insert(&lock).await?;
                }
                events.push(
                    serde_json::json!({ "line_no": line_no, "quantity": q, "lock": is_lock,
                    "expires_on": x.expires_on.map(|d| d.to_string()), "reason": x.reason }),
                );
            }
            tx.order_line_progress(*order_id, &changed).await?;
            self.close_filled_shortages(tx, *order_id, &changed, now)
                .await?;
            let order = tx
                .order_get(*order_id)
                .await?
                .ok_or_else(|| crate::orders::not_found(*order_id))?;
            self.event(
                tx,
                ctx,
                *order_id,
                "allocated",
                Some(order.status),
                Some(order.status),
                &run.number,
                serde_json::json!({ "run": run.number, "lines": events }),
            )
            .await?;
            if items.iter().any(|(_, l)| !l) && !touched.contains(order_id) {
                touched.push(*order_id);
            }
        }
        // ALC-9: the allocated goods become pick lists for the central
        // warehouse (orders with nothing pickable left are skipped).
        let mut ready = Vec::new();
        for o in &touched {
            if tx
                .shipping_plan(Some(*o))
                .await?
                .iter()
                .any(|l| l.pickable() > 0)
            {
                ready.push(*o);
            }
        }
        let lists = if ready.is_empty() {
            Vec::new()
        } else {
            self.pick_lists_in(tx, ctx, &ready).await?
        };
        self.publish(
            tx,
            "allocation.committed",
            "allocation_run",
            run.id,
            serde_json::json!({
                "run": run.number, "trigger": trigger, "allocated": allocated, "locked": locked,
                "lock_expires_on": result.lock_expires_on.to_string(),
                "pick_lists": lists.iter().map(|l| l.number.clone()).collect::<Vec<_>>(),
            }),
        )
        .await?;
        if locked > 0 {
            // ALC-5: channel business asks these franchisees to pay.
            let mut chase: BTreeMap<CustomerId, Money> = BTreeMap::new();
            for a in &result.allocations {
                if let Allocation::FranchiseeLock(x) = a {
                    *chase.entry(x.franchisee).or_insert(Money::ZERO) += x.amount;
                }
            }
            self.publish(tx, "allocation.locks", "allocation_run", run.id, serde_json::json!({
                "run": run.number, "expires_on": result.lock_expires_on.to_string(),
                "franchisees": chase.iter().map(|(c, m)| serde_json::json!({"customer_id": c, "amount": m})).collect::<Vec<_>>(),
            })).await?;
        }
        Ok(AllocationOutcome {
            run: Some(run),
            committed: true,
            converted_locks: loaded.paid_locks,
            pick_lists: lists.into_iter().map(|l| l.number).collect(),
            result,
        })
    }

    /// PUR-3: goods received into the central warehouse start an allocation
    /// run in the receipt's transaction, so franchisees' backorders are
    /// served by the rules, not by who ordered first. A run with nothing
    /// open is not recorded. Inputs the engine refuses (bad master data) do
    /// not block the receipt: the run is skipped and logged, and can be
    /// started by hand once the data is fixed.
    pub(crate) async fn allocate_after_receipt(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        warehouse: kaidan_domain::WarehouseId,
    ) -> AppResult<Option<String>> {
        if self.central_warehouse(tx).await? != Some(warehouse) {
            return Ok(None);
        }
        if tx.alloc_open_lines().await?.is_empty() && tx.locks(Some("active")).await?.is_empty() {
            return Ok(None);
        }
        match self.allocation_in(tx, ctx, true, "receipt").await {
            Ok(o) => Ok(o.run.map(|r| r.number)),
            Err(AppError::Invalid(v)) => {
                tracing::warn!(error = %v, "allocation after the receipt skipped");
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Closes the open shortages of lines whose backorder is now zero.
    async fn close_filled_shortages(
        &self,
        tx: &mut Box<dyn Tx>,
        order: OrderId,
        changed: &[(u32, i64, i64)],
        now: Timestamp,
    ) -> AppResult<()> {
        for (line_no, _, backordered) in changed {
            if *backordered == 0 {
                tx.replenishment_close_line(order, *line_no, now).await?;
            }
        }
        Ok(())
    }

    /// ALC-5: locks past their period are released back to supply (and the
    /// line is backordered again); run by the scheduler, exactly once per
    /// lock. Returns how many expired.
    pub async fn expire_locks(&self, ctx: &Ctx) -> AppResult<usize> {
        let mut tx = self.store.write().await?;
        let n = self.expire_locks_in(&mut tx, ctx).await?;
        tx.commit().await?;
        Ok(n)
    }

    pub(crate) async fn expire_locks_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
    ) -> AppResult<usize> {
        let today = self.today();
        let now = self.now();
        let Some(warehouse) = self.central_warehouse(tx).await? else {
            return Ok(0);
        };
        let mut n = 0;
        for l in tx.locks(Some("active")).await? {
            if l.expires_on >= today {
                continue;
            }
            if !tx.lock_close(l.id, "expired", now).await? {
                continue;
            }
            let source = format!("allocation lock {} expired", l.id);
            tx.stock_release(l.product_id, warehouse, l.quantity, &source, now)
                .await?;
            let progress = tx.order_lines(l.order_id).await?;
            if let Some(p) = progress.iter().find(|p| p.line_no == l.line_no) {
                tx.order_line_progress(
                    l.order_id,
                    &[(
                        l.line_no,
                        (p.reserved - l.quantity).max(0),
                        p.backordered + l.quantity,
                    )],
                )
                .await?;
            }
            let order = tx
                .order_get(l.order_id)
                .await?
                .ok_or_else(|| crate::orders::not_found(l.order_id))?;
            self.event(tx, ctx, l.order_id, "lock_expired", Some(order.status), Some(order.status), "",
                serde_json::json!({ "lock_id": l.id, "line_no": l.line_no, "quantity": l.quantity, "expired_on": l.expires_on.to_string() }))
                .await?;
            self.publish(tx, "allocation.lock_expired", "allocation_lock", l.id, serde_json::json!({
                "lock_id": l.id, "customer_id": l.customer_id, "order_id": l.order_id, "product_id": l.product_id, "quantity": l.quantity,
            })).await?;
            n += 1;
        }
        Ok(n)
    }

    /// ALC-5: the franchisees channel business should ask for payment, with
    /// the value of the goods locked for each, earliest expiry first.
    pub async fn lock_chase_list(&self, ctx: &Ctx) -> AppResult<Vec<ChaseItem>> {
        ctx.require(Permission::AccountRead)?;
        let mut tx = self.store.read().await?;
        let names: HashMap<CustomerId, String> = tx
            .alloc_franchisees()
            .await?
            .into_iter()
            .map(|f| (f.id, f.name))
            .collect();
        let mut by: BTreeMap<CustomerId, Vec<LockRow>> = BTreeMap::new();
        for l in tx.locks(Some("active")).await? {
            by.entry(l.customer_id).or_default().push(l);
        }
        let mut out: Vec<ChaseItem> = by
            .into_iter()
            .filter_map(|(c, locks)| {
                let first_expiry = locks.iter().map(|l| l.expires_on).min()?;
                Some(ChaseItem {
                    customer_id: c,
                    customer_name: names.get(&c).cloned().unwrap_or_default(),
                    amount: locks.iter().map(|l| l.unit_price.times(l.quantity)).sum(),
                    first_expiry,
                    locks,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            a.first_expiry
                .cmp(&b.first_expiry)
                .then(b.amount.cmp(&a.amount))
        });
        Ok(out)
    }

    pub async fn allocation_runs(&self, ctx: &Ctx) -> AppResult<Vec<AllocationRunRow>> {
        ctx.require(Permission::AllocationRun)?;
        let mut tx = self.store.read().await?;
        Ok(tx.allocation_runs(self.config.max_page).await?)
    }

    /// A stored run with its result (ALC-10: explainable afterwards).
    pub async fn allocation_run(
        &self,
        ctx: &Ctx,
        id: i64,
    ) -> AppResult<(AllocationRunRow, RunResult)> {
        ctx.require(Permission::AllocationRun)?;
        let mut tx = self.store.read().await?;
        let run = tx
            .allocation_run_get(id)
            .await?
            .ok_or_else(|| AppError::NotFound {
                what: "allocation run",
                id: id.to_string(),
            })?;
        let result: RunResult =
            serde_json::from_str(&run.result).map_err(crate::orders::store_other)?;
        Ok((run, result))
    }
}

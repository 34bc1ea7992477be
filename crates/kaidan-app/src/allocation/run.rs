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

use kaidan_domain::allocation::{
    self, Allocation, Franchisee, FranchiseeLineAllocation, LockStatus, OrderLine, Product,
    ProductSeason, Region, RegionNeed, RegionPriority, RunInput, RunResult, Store, StoreOperation,
    StoreStock, Supply, Tier,
};
use kaidan_domain::master::Season as MasterSeason;
use kaidan_domain::orders::{AccountBalance, AccountEntry, company_time_zone};
use kaidan_domain::{
    CustomerId, Money, OrderId, OrderLineId, Permission, ProductId, StoreId, ValidationErrors,
};
use serde::Serialize;

use crate::allocation::record;
use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::{
    AllocOrderHead, AllocationRunRow, AuditEntry, LockRow, PickListRow, RecordPacking, RunEvent, Tx,
};
use kaidan_domain::WarehouseId;
use kaidan_domain::audit::FieldChange;
use kaidan_domain::fulfilment::{PickLine, PickListStatus};
use kaidan_domain::orders::OrderStatus;

/// Products per guarded reservation statement.
const RESERVE_BATCH: usize = 100;

/// Order lines are keyed (order, line number); the engine wants one id per
/// line. An order has at most 500 lines (`order::MAX_LINES`), so
/// `order × 1000 + line` is unique and reversible.
const LINE_KEY: i64 = 1000;

fn line_key(order: OrderId, line_no: u32) -> OrderLineId {
    OrderLineId(order.get() * LINE_KEY + i64::from(line_no))
}

pub(crate) fn line_of(id: OrderLineId) -> (OrderId, u32) {
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
    /// Transfers (调拨单) made for the store and region allocations.
    pub transfers: Vec<String>,
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

/// The data of a run's `allocated` timeline event.
#[derive(Serialize)]
struct AllocatedData<'a> {
    run: &'a str,
    lines: Vec<EventLine>,
}

/// The data of a run's `pick_list` timeline event.
#[derive(Serialize)]
struct PickListData<'a> {
    pick_list_id: i64,
    number: &'a str,
    lines: Vec<EventLine>,
}

/// One order line in a run's timeline event.
#[derive(Serialize)]
struct EventLine {
    line_no: u32,
    quantity: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    lock: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_on: Option<jiff::civil::Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bound: Option<kaidan_domain::allocation::Bound>,
}

impl EventLine {
    fn plain(line_no: u32, quantity: i64) -> Self {
        EventLine {
            line_no,
            quantity,
            lock: None,
            expires_on: None,
            bound: None,
        }
    }
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
        let settings = self.config.allocation.settings(self.today());
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
        let active_locks = tx.locks(Some(LockStatus::Active)).await?;
        let mut franchisees = Vec::new();
        let mut funded = std::collections::HashSet::new();
        for f in tx.alloc_franchisees().await? {
            let balance = AccountBalance::from_entries(
                entries.get(&f.id).map(|v| v.iter()).into_iter().flatten(),
            );
            // The ledger's limit once finance set one, else the master's.
            let limit = if entries.get(&f.id).is_some_and(|v| {
                v.iter()
                    .any(|e| e.kind == kaidan_domain::orders::EntryKind::CreditLimit)
            }) {
                balance.credit_limit
            } else {
                f.credit_limit
            };
            let (funds_committed, credit_committed) =
                balance.committed_besides(open_value.get(&f.id).copied().unwrap_or(Money::ZERO));
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
        // ALC-5: a lock converts when its franchisee has paid within the
        // lock period; one past its last day is the expiry job's to release
        // (ADR 0014), whatever was paid since.
        let today = self.today();
        let paid_locks = active_locks
            .into_iter()
            .filter(|l| funded.contains(&l.customer_id) && l.expires_on >= today)
            .collect();
        let active: std::collections::HashSet<CustomerId> =
            franchisees.iter().map(|f| f.id).collect();
        let mut order_lines = Vec::with_capacity(open.len());
        // Lines come per order, and an order's lines share its time: the
        // time-zone conversion is made once per order, not per line.
        let mut last_date: Option<(jiff::Timestamp, jiff::civil::Date)> = None;
        for l in open {
            if !known.contains(&l.product_id) || !active.contains(&l.customer_id) {
                continue;
            }
            let order_date = match last_date {
                Some((at, date)) if at == l.received_at => date,
                _ => {
                    let date = l.received_at.to_zoned(tz.clone()).date();
                    last_date = Some((l.received_at, date));
                    date
                }
            };
            let key = line_key(l.order_id, l.line_no);
            order_lines.push(OrderLine {
                order_id: l.order_id,
                line_id: key,
                franchisee: l.customer_id,
                product: l.product_id,
                open_quantity: l.backordered,
                unit_price: l.unit_price,
                order_date,
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
        // A store's current stock is its position: what its own stock holds
        // plus what transfers are bringing, so goods already sent are not
        // sent again (ADR 0012).
        let positions = self.run_store_positions(tx).await?;
        let store_stock = tx
            .alloc_safety_stock()
            .await?
            .into_iter()
            .filter(|(_, p, _)| known.contains(p))
            .map(|(store, product, safety)| StoreStock {
                store: StoreId(store),
                product,
                safety_stock: safety,
                current_stock: positions
                    .get(&(StoreId(store), product))
                    .copied()
                    .unwrap_or(0)
                    .max(0),
            })
            .collect();
        let known_regions: std::collections::HashSet<kaidan_domain::RegionId> =
            regions.iter().map(|r| r.id).collect();
        let region_needs = tx
            .alloc_region_needs()
            .await?
            .into_iter()
            .filter(|(r, p, _)| known.contains(p) && known_regions.contains(r))
            .map(|(region, product, quantity)| RegionNeed {
                region,
                product,
                quantity,
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
                region_needs,
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
            self.store.write_bulk().await?
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
        let started = std::time::Instant::now();
        let loaded = self.allocation_inputs(tx).await?;
        let load = started.elapsed();
        // Refused before anything is written: a manual run answers 422 with
        // the engine's list of problems, a receipt is posted without a run.
        let result = allocation::run(&loaded.input).map_err(|e| {
            ValidationErrors::single(
                "allocation",
                "inconsistent_input",
                format!("the allocation inputs in the database are not consistent: {e}"),
            )
        })?;
        let engine = started.elapsed() - load;
        tracing::info!(
            lines = loaded.input.order_lines.len(),
            load_ms = load.as_millis(),
            engine_ms = engine.as_millis(),
            "allocation inputs read and decided"
        );
        if !commit {
            return Ok(AllocationOutcome {
                run: None,
                committed: false,
                converted_locks: loaded.paid_locks,
                pick_lists: Vec::new(),
                transfers: Vec::new(),
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
        // The record (ALC-10) is serialised and packed on another thread
        // while the rows below are written; it is stored last.
        let input = std::sync::Arc::new(loaded.input);
        let result = std::sync::Arc::new(result);
        let packing = {
            let (input, result) = (
                std::sync::Arc::clone(&input),
                std::sync::Arc::clone(&result),
            );
            tokio::task::spawn_blocking(move || record::pack(&input, &result))
        };
        let mut run = AllocationRunRow {
            id: 0,
            number: format!("AR-{day}-{seq:04}"),
            at: now,
            actor_id: ctx.actor.user_id,
            trigger: trigger.to_string(),
            allocated,
            locked,
            packing: RecordPacking::Json,
            input: Vec::new(),
            result: Vec::new(),
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
        // Orders that may have goods to pick now, in first-touched order.
        let mut touched: Vec<OrderId> = Vec::new();
        let mut touched_set: std::collections::HashSet<OrderId> = std::collections::HashSet::new();
        for l in &loaded.paid_locks {
            if tx.lock_close(l.id, LockStatus::Converted, now).await? {
                if touched_set.insert(l.order_id) {
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
        // The run's writes, set-based (any number of orders in a few
        // statements per thousand rows), in the caller's transaction.
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
        // Reserve the goods: one guarded multi-row reservation per batch of
        // products, for everything the run hands out of each.
        let mut wants: BTreeMap<ProductId, i64> = BTreeMap::new();
        for a in &result.allocations {
            // Store and region allocations are reserved too: they become
            // transfers out of the central warehouse (ALC-9).
            *wants.entry(a.product()).or_insert(0) += a.quantity().get();
        }
        wants.retain(|_, q| *q > 0);
        let wants: Vec<(ProductId, i64)> = wants.into_iter().collect();
        for chunk in wants.chunks(RESERVE_BATCH) {
            let got = tx.stock_reserve(warehouse, chunk, &source, now).await?;
            if got.iter().zip(chunk).any(|(g, (_, w))| g != w) {
                // Someone reserved the same goods since the inputs were read.
                return Err(AppError::Store(crate::ports::StoreError::Conflict));
            }
        }
        tracing::debug!(
            step = "reserve",
            ms = started.elapsed().as_millis(),
            "allocation write"
        );
        // What each line still had open when the inputs were read.
        let open_of: HashMap<OrderLineId, i64> = input
            .order_lines
            .iter()
            .map(|l| (l.line_id, l.open_quantity))
            .collect();
        let mut moves = Vec::new();
        let mut filled = Vec::new();
        let mut locks = Vec::new();
        let mut allocated_events = Vec::with_capacity(per_order.len());
        for (order_id, items) in &per_order {
            let mut events = Vec::with_capacity(items.len());
            for (x, is_lock) in items {
                let (_, line_no) = line_of(x.line_id);
                let q = x.quantity.get();
                moves.push((*order_id, line_no, q));
                if open_of.get(&x.line_id).copied().unwrap_or(0) - q == 0 {
                    filled.push((*order_id, line_no));
                }
                if *is_lock {
                    locks.push(LockRow {
                        id: 0,
                        run_id: run.id,
                        customer_id: x.franchisee,
                        order_id: *order_id,
                        line_no,
                        product_id: x.product,
                        quantity: q,
                        unit_price: x.unit_price,
                        expires_on: x.expires_on.unwrap_or(result.lock_expires_on),
                        status: LockStatus::Active,
                    });
                }
                // What bound the quantity; rule and rank are in the run's
                // record, which the run page explains line by line (ALC-10).
                // Only what is not the usual case is spelled out: a lock
                // and its expiry, a bound other than "fully served".
                events.push(EventLine {
                    line_no,
                    quantity: q,
                    lock: is_lock.then_some(true),
                    expires_on: x.expires_on,
                    bound: (x.reason.bound != kaidan_domain::allocation::Bound::FullyServed)
                        .then_some(x.reason.bound),
                });
            }
            allocated_events.push((
                *order_id,
                serde_json::to_string(&AllocatedData {
                    run: &run.number,
                    lines: events,
                })
                .map_err(crate::orders::store_other)?,
            ));
            if items.iter().any(|(_, l)| !l) && touched_set.insert(*order_id) {
                touched.push(*order_id);
            }
        }
        // Every line must still have what the inputs said was open.
        if tx.alloc_reserve_lines(&moves).await? != u64::try_from(moves.len()).unwrap_or(u64::MAX) {
            return Err(AppError::Store(crate::ports::StoreError::Conflict));
        }
        tracing::debug!(
            step = "lines",
            ms = started.elapsed().as_millis(),
            "allocation write"
        );
        tx.alloc_close_shortages(&filled, now).await?;
        tracing::debug!(
            step = "shortages",
            ms = started.elapsed().as_millis(),
            "allocation write"
        );
        tx.locks_insert(&locks).await?;
        let ids: Vec<OrderId> = per_order.keys().copied().collect();
        let heads: HashMap<OrderId, AllocOrderHead> = tx
            .alloc_order_heads(&ids)
            .await?
            .into_iter()
            .map(|h| (h.id, h))
            .collect();
        let mut events = Vec::with_capacity(allocated_events.len());
        for (order_id, data) in allocated_events {
            let status = heads
                .get(&order_id)
                .ok_or_else(|| crate::orders::not_found(order_id))?
                .status;
            events.push((order_id, "allocated", status, run.number.clone(), data));
        }
        tracing::debug!(
            step = "locks_events",
            ms = started.elapsed().as_millis(),
            "allocation write"
        );
        self.events_bulk(tx, ctx, events).await?;
        // ALC-9: the allocated goods become pick lists for the central
        // warehouse (orders with nothing pickable left are skipped).
        tracing::debug!(
            step = "before_pick_lists",
            ms = started.elapsed().as_millis(),
            "allocation write"
        );
        let lists = self
            .run_pick_lists(tx, ctx, warehouse, &touched, heads)
            .await?;
        tracing::debug!(
            step = "pick_lists",
            ms = started.elapsed().as_millis(),
            "allocation write"
        );
        let transfers = self
            .run_transfers(tx, ctx, (run.id, &run.number), warehouse, &result)
            .await?;
        tracing::debug!(
            step = "transfers",
            ms = started.elapsed().as_millis(),
            "allocation write"
        );
        self.publish(
            tx,
            "allocation.committed",
            "allocation_run",
            run.id,
            serde_json::json!({
                "run": run.number, "trigger": trigger, "allocated": allocated, "locked": locked,
                "lock_expires_on": result.lock_expires_on.to_string(),
                "pick_lists": lists.iter().map(|l| l.number.clone()).collect::<Vec<_>>(),
                "transfers": transfers.iter().map(|t| t.number.clone()).collect::<Vec<_>>(),
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
        let packed = packing.await.map_err(|e| {
            AppError::Store(crate::ports::StoreError::Other(format!(
                "packing the allocation record failed: {e}"
            )))
        })??;
        tracing::debug!(
            step = "record_packed",
            ms = started.elapsed().as_millis(),
            input_bytes = packed.input.len(),
            result_bytes = packed.result.len(),
            "allocation write"
        );
        tx.allocation_run_record(run.id, packed.packing, &packed.input, &packed.result)
            .await?;
        tracing::info!(
            run = %run.number,
            write_ms = (started.elapsed() - load - engine).as_millis(),
            "allocation run written"
        );
        drop(input);
        // The packing task has finished with its copy, so this is the only
        // one left; cloning is the fallback that cannot happen.
        let result = std::sync::Arc::try_unwrap(result).unwrap_or_else(|r| (*r).clone());
        Ok(AllocationOutcome {
            run: Some(run),
            committed: true,
            converted_locks: loaded.paid_locks,
            pick_lists: lists.into_iter().map(|l| l.number).collect(),
            transfers: transfers.into_iter().map(|t| t.number).collect(),
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
        if !tx.alloc_has_work().await? {
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

    /// Order timeline events with their outbox events, in multi-row
    /// inserts: (order, kind, status, note, data as JSON) each, as
    /// [`App::event`] writes one.
    async fn events_bulk(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        events: Vec<(OrderId, &'static str, OrderStatus, String, String)>,
    ) -> AppResult<()> {
        let at = self.now();
        let rows: Vec<RunEvent> = events
            .into_iter()
            .map(|(order_id, kind, status, note, data)| RunEvent {
                order_id,
                at,
                actor_id: ctx.actor.user_id,
                actor_name: ctx.actor.username.clone(),
                kind,
                status,
                note,
                data,
            })
            .collect();
        tx.order_events_with_outbox(&rows).await?;
        Ok(())
    }

    /// SHP-1 for a run, set-based: one pick list per order in `orders`
    /// that awaits goods and has something pickable, with what
    /// [`App::pick_lists_in`] writes for each (the order's version bumped,
    /// a PK number, an audit row, a timeline and outbox event).
    async fn run_pick_lists(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        warehouse: WarehouseId,
        orders: &[OrderId],
        mut heads: HashMap<OrderId, AllocOrderHead>,
    ) -> AppResult<Vec<PickListRow>> {
        if orders.is_empty() {
            return Ok(Vec::new());
        }
        let mut pickable: HashMap<OrderId, Vec<PickLine>> = HashMap::new();
        let t0 = std::time::Instant::now();
        for l in tx.alloc_pickable(orders).await? {
            pickable.entry(l.order_id).or_default().push(PickLine {
                line_no: l.line_no,
                product_id: l.product_id,
                quantity: l.quantity,
                picked: None,
            });
        }
        // Heads the run has read already are current: nothing it wrote
        // since changed an order's row.
        let missing: Vec<OrderId> = orders
            .iter()
            .filter(|o| !heads.contains_key(o))
            .copied()
            .collect();
        for h in tx.alloc_order_heads(&missing).await? {
            heads.insert(h.id, h);
        }
        let ready: Vec<(&AllocOrderHead, Vec<PickLine>)> = orders
            .iter()
            .filter_map(|o| {
                let head = heads.get(o)?;
                let lines = pickable.remove(o)?;
                head.status.awaits_goods().then_some((head, lines))
            })
            .collect();
        if ready.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.now();
        // Bumping the orders' versions makes a concurrent list for the
        // same order fail instead of listing the same goods twice.
        let versions: Vec<(OrderId, i64)> = ready.iter().map(|(h, _)| (h.id, h.version)).collect();
        tracing::debug!(
            ms = t0.elapsed().as_millis(),
            "allocation pick lists: pickable read"
        );
        if tx.orders_touch(&versions, now).await? != u64::try_from(versions.len()).unwrap_or(0) {
            return Err(AppError::Store(crate::ports::StoreError::Conflict));
        }
        let day = self.today().strftime("%Y%m%d").to_string();
        let count = i64::try_from(ready.len()).unwrap_or(i64::MAX);
        let last = tx.counter_take(&format!("PK:{day}"), count).await?;
        let mut lists: Vec<PickListRow> = ready
            .into_iter()
            .zip(last - count + 1..)
            .map(|((h, lines), seq)| PickListRow {
                id: 0,
                number: format!("PK-{day}-{seq:04}"),
                order_id: h.id,
                order_number: h.number.clone(),
                customer_id: h.customer_id,
                warehouse_id: warehouse,
                status: PickListStatus::Open,
                packages: None,
                created_at: now,
                created_by: ctx.actor.user_id,
                picked_at: None,
                picked_by: None,
                lines,
            })
            .collect();
        tracing::debug!(
            ms = t0.elapsed().as_millis(),
            lists = lists.len(),
            "allocation pick lists: orders touched and numbered"
        );
        let ids = tx.pick_lists_insert(&lists).await?;
        tracing::debug!(
            ms = t0.elapsed().as_millis(),
            "allocation pick lists: inserted"
        );
        let mut audit = Vec::with_capacity(lists.len());
        let mut events = Vec::with_capacity(lists.len());
        for (list, id) in lists.iter_mut().zip(ids) {
            list.id = id;
            audit.push(AuditEntry {
                id: 0,
                at: now,
                actor_id: ctx.actor.user_id,
                actor_name: ctx.actor.username.clone(),
                entity: "pick_list".into(),
                entity_id: id,
                action: "create".into(),
                changes: vec![FieldChange {
                    field: "number".into(),
                    before: None,
                    after: Some(list.number.clone()),
                }],
                request_id: ctx.request_id.clone(),
            });
            let status = heads
                .get(&list.order_id)
                .map_or(OrderStatus::Approved, |h| h.status);
            let data = PickListData {
                pick_list_id: id,
                number: &list.number,
                lines: list
                    .lines
                    .iter()
                    .map(|l| EventLine::plain(l.line_no, l.quantity))
                    .collect(),
            };
            events.push((
                list.order_id,
                "pick_list",
                status,
                list.number.clone(),
                serde_json::to_string(&data).map_err(crate::orders::store_other)?,
            ));
        }
        tx.audit_insert(&audit).await?;
        tracing::debug!(
            ms = t0.elapsed().as_millis(),
            "allocation pick lists: audited"
        );
        self.events_bulk(tx, ctx, events).await?;
        Ok(lists)
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
        for l in tx.locks(Some(LockStatus::Active)).await? {
            if l.expires_on >= today {
                continue;
            }
            if !tx.lock_close(l.id, LockStatus::Expired, now).await? {
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
        for l in tx.locks(Some(LockStatus::Active)).await? {
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
        let run = self.stored_run(ctx, id).await?;
        let json = record::unpack(run.packing, &run.result)?;
        let result: RunResult = serde_json::from_str(&json).map_err(crate::orders::store_other)?;
        Ok((run, result))
    }

    /// A stored run with its packed record, for someone allowed to see it.
    pub(crate) async fn stored_run(&self, ctx: &Ctx, id: i64) -> AppResult<AllocationRunRow> {
        ctx.require(Permission::AllocationRun)?;
        let mut tx = self.store.read().await?;
        tx.allocation_run_get(id)
            .await?
            .ok_or_else(|| AppError::NotFound {
                what: "allocation run",
                id: id.to_string(),
            })
    }
}

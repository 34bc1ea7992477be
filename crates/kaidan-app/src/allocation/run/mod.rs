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

mod history;
mod load;
mod locks;
mod writes;

use std::collections::{BTreeMap, HashMap};

use kaidan_domain::allocation::{
    self, Allocation, FranchiseeLineAllocation, LockStatus, ProductSeason, RunInput, RunResult,
};
use kaidan_domain::master::Importance;
use kaidan_domain::master::Season as MasterSeason;
use kaidan_domain::{
    CustomerId, Money, OrderId, OrderLineId, Permission, ProductId, ValidationErrors, WarehouseId,
};
use serde::Serialize;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::{AllocOrderHead, AllocationRunRow, LockRow, PackedRecord, RecordPacking, Tx};

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
    /// ALC-3: each franchisee's ranking facts as this run read them (also
    /// in the stored input), for the run page.
    #[serde(skip)]
    pub ranking: Vec<RankingFacts>,
}

/// A franchisee's predefined-priority facts as a run read them (ALC-3):
/// its rank, importance and units ordered over the configured period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RankingFacts {
    pub id: CustomerId,
    pub priority_rank: i64,
    #[serde(default)]
    pub importance: Option<Importance>,
    #[serde(default)]
    pub cumulative_ordered: i64,
}

impl RankingFacts {
    /// The facts of every franchisee of `input`.
    pub fn of(input: &RunInput) -> Vec<RankingFacts> {
        input
            .franchisees
            .iter()
            .map(|f| RankingFacts {
                id: f.id,
                priority_rank: f.priority_rank,
                importance: f.importance,
                cumulative_ordered: f.cumulative_ordered,
            })
            .collect()
    }
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
    /// The central warehouse the run allocates from.
    warehouse: WarehouseId,
}

fn season(s: &str) -> ProductSeason {
    match s.parse::<MasterSeason>() {
        Ok(MasterSeason::SpringSummer) => ProductSeason::SpringSummer,
        Ok(MasterSeason::AutumnWinter) => ProductSeason::AutumnWinter,
        _ => ProductSeason::None,
    }
}

impl App {
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
                ranking: RankingFacts::of(&loaded.input),
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
        let ranking = RankingFacts::of(&loaded.input);
        let input = std::sync::Arc::new(loaded.input);
        let result = std::sync::Arc::new(result);
        let packing = {
            let (input, result) = (
                std::sync::Arc::clone(&input),
                std::sync::Arc::clone(&result),
            );
            let store = std::sync::Arc::clone(&self.store);
            tokio::task::spawn_blocking(move || -> AppResult<PackedRecord> {
                let input = serde_json::to_vec(&*input).map_err(AppError::Json)?;
                let result = serde_json::to_vec(&*result).map_err(AppError::Json)?;
                Ok(store.pack_record(&input, &result))
            })
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
        let warehouse = loaded.warehouse;
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
                self.order_note(tx, ctx, &order, "lock_paid", &run.number, serde_json::json!({ "run": run.number, "line_no": l.line_no, "quantity": l.quantity })).await?;
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
                .map_err(AppError::Json)?,
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
            // Each franchisee is told too, on its own record (ALC-5): its
            // portal inbox and its own system's webhook.
            for (c, amount) in &chase {
                self.publish(
                    tx,
                    "allocation.locked",
                    "customer",
                    c.get(),
                    serde_json::json!({
                        "customer_id": c, "run": run.number, "amount": amount,
                        "expires_on": result.lock_expires_on.to_string(),
                    }),
                )
                .await?;
            }
        }
        let packed = packing.await.map_err(|e| AppError::Internal {
            what: "packing the allocation record",
            source: Box::new(e),
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
            ranking,
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
}

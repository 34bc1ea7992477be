//! INV-1, the stock ledger as a property: random sequences of receipts,
//! reservations, releases, picks, unpicks, shipments, returns and count
//! adjustments, on SQLite and on PostgreSQL. After every step each balance
//! (on hand, reserved, picked) equals the sum of its ledger entries and the
//! model's figure, nothing is negative, nothing reserved beyond what is on
//! hand nor picked beyond what is reserved, and an operation that is refused
//! changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use kaidan_app::clock::SystemClock;
use kaidan_app::ports::{ListQuery, StockReceipt, StockStep, Store};
use kaidan_app::{App, AppConfig};
use kaidan_domain::{Money, ProductId, Quantity, WarehouseId};
use kaidan_store::testing::fresh;

use crate::support::{check_on_each_backend, create, product, warehouse};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Receive {
        p: usize,
        w: usize,
        q: i64,
    },
    Reserve {
        w: usize,
        wants: Vec<(usize, i64)>,
    },
    Release {
        p: usize,
        w: usize,
        q: i64,
    },
    /// A count adjustment (INV-3), either sign.
    Adjust {
        p: usize,
        w: usize,
        delta: i64,
    },
    /// Reserved goods taken off the shelf (SHP-1).
    Pick {
        p: usize,
        w: usize,
        q: i64,
    },
    /// Picked goods put back, still reserved.
    Unpick {
        p: usize,
        w: usize,
        q: i64,
    },
    /// Picked goods leave with the carrier (SHP-2).
    Ship {
        p: usize,
        w: usize,
        q: i64,
    },
    /// Refused goods come back (SHP-3).
    Return {
        p: usize,
        w: usize,
        q: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..2usize, 0..2usize, 1..40i64).prop_map(|(p, w, q)| Op::Receive { p, w, q }),
        (
            0..2usize,
            prop::collection::vec((0..2usize, 1..50i64), 1..4)
        )
            .prop_map(|(w, wants)| Op::Reserve { w, wants }),
        (0..2usize, 0..2usize, 1..50i64).prop_map(|(p, w, q)| Op::Release { p, w, q }),
        (0..2usize, 0..2usize, -30..30i64).prop_map(|(p, w, delta)| Op::Adjust { p, w, delta }),
        (0..2usize, 0..2usize, 1..30i64).prop_map(|(p, w, q)| Op::Pick { p, w, q }),
        (0..2usize, 0..2usize, 1..20i64).prop_map(|(p, w, q)| Op::Unpick { p, w, q }),
        (0..2usize, 0..2usize, 1..30i64).prop_map(|(p, w, q)| Op::Ship { p, w, q }),
        (0..2usize, 0..2usize, 1..10i64).prop_map(|(p, w, q)| Op::Return { p, w, q }),
    ]
}

/// (product, warehouse) → (on hand, reserved, picked).
type Model = BTreeMap<(i64, i64), (i64, i64, i64)>;

async fn run(backend: &'static str, ops: Vec<Op>) -> Result<(), String> {
    let t = fresh(backend).await?;
    let db: Arc<dyn Store> = Arc::new(t.db.clone());
    let app = App::new(Arc::clone(&db), Arc::new(SystemClock), AppConfig::default());
    let mut products = Vec::new();
    let mut warehouses = Vec::new();
    for i in 0..2 {
        let p = product(&format!("L-{i}"), &format!("商品{i}"), 1, Money::yuan(1));
        products.push(ProductId(create(&app, p).await));
        let w = warehouse(&format!("W{i}"), &format!("仓{i}"), i == 0);
        warehouses.push(WarehouseId(create(&app, w).await));
    }
    let now = jiff::Timestamp::now();
    let mut model: Model = BTreeMap::new();
    for (step, op) in ops.iter().enumerate() {
        let mut tx = db.write().await.map_err(|e| e.to_string())?;
        match op {
            Op::Receive { p, w, q } => {
                tx.stock_receive(&StockReceipt {
                    product_id: products[*p],
                    warehouse_id: warehouses[*w],
                    quantity: Quantity::new(*q).unwrap(),
                    source: "prop".into(),
                    at: now,
                })
                .await
                .map_err(|e| format!("step {step} {op:?}: {e}"))?;
                tx.commit().await.map_err(|e| e.to_string())?;
                model
                    .entry((products[*p].get(), warehouses[*w].get()))
                    .or_default()
                    .0 += q;
            }
            Op::Reserve { w, wants } => {
                let asked: Vec<_> = wants.iter().map(|(p, q)| (products[*p], *q)).collect();
                let got = tx
                    .stock_reserve(warehouses[*w], &asked, "prop", now)
                    .await
                    .map_err(|e| format!("step {step} {op:?}: {e}"))?;
                tx.commit().await.map_err(|e| e.to_string())?;
                for ((p, q), g) in asked.iter().zip(&got) {
                    let (on_hand, reserved, _) =
                        model.entry((p.get(), warehouses[*w].get())).or_default();
                    let expect = (*q).min(*on_hand - *reserved);
                    if *g != expect {
                        return Err(format!(
                            "step {step} {op:?}: reserved {g} of {q}, expected {expect}"
                        ));
                    }
                    *reserved += g;
                }
            }
            Op::Release { p, w, q } => {
                let key = (products[*p].get(), warehouses[*w].get());
                let held = model.get(&key).map_or(0, |m| m.1 - m.2);
                let r = tx
                    .stock_step(
                        StockStep::Release,
                        products[*p],
                        warehouses[*w],
                        *q,
                        "prop",
                        now,
                    )
                    .await;
                // Picked goods stay reserved until they ship.
                match (r, *q <= held) {
                    (Ok(()), true) => {
                        tx.commit().await.map_err(|e| e.to_string())?;
                        model.entry(key).or_default().1 -= q;
                    }
                    // More than is reserved: refused, and dropping the
                    // transaction must leave everything as it was.
                    (Err(_), false) => drop(tx),
                    (r, _) => {
                        return Err(format!(
                            "step {step} {op:?}: release of {q} with {held} reserved gave {r:?}"
                        ));
                    }
                }
            }
            Op::Adjust { p, w, delta } => {
                let key = (products[*p].get(), warehouses[*w].get());
                let (on_hand, reserved, _) = model.get(&key).copied().unwrap_or_default();
                let allowed = on_hand + delta >= reserved;
                let r = tx
                    .stock_adjust(
                        products[*p],
                        warehouses[*w],
                        *delta,
                        "count_adjustment",
                        "prop",
                        now,
                    )
                    .await;
                match (r, allowed) {
                    (Ok(()), true) => {
                        tx.commit().await.map_err(|e| e.to_string())?;
                        if *delta != 0 {
                            model.entry(key).or_default().0 += delta;
                        }
                    }
                    (Err(_), false) => drop(tx),
                    (r, _) => {
                        return Err(format!(
                            "step {step} {op:?}: adjusting {on_hand}/{reserved} gave {r:?}"
                        ));
                    }
                }
            }
            Op::Pick { p, w, q }
            | Op::Unpick { p, w, q }
            | Op::Ship { p, w, q }
            | Op::Return { p, w, q } => {
                let (product, warehouse) = (products[*p], warehouses[*w]);
                let key = (product.get(), warehouse.get());
                let (on_hand, reserved, picked) = model.get(&key).copied().unwrap_or_default();
                let (r, allowed, after) = match op {
                    Op::Pick { .. } => (
                        tx.stock_step(StockStep::Pick, product, warehouse, *q, "prop", now)
                            .await,
                        reserved - picked >= *q,
                        (on_hand, reserved, picked + q),
                    ),
                    Op::Unpick { .. } => (
                        tx.stock_step(StockStep::Unpick, product, warehouse, *q, "prop", now)
                            .await,
                        picked >= *q,
                        (on_hand, reserved, picked - q),
                    ),
                    Op::Ship { .. } => (
                        tx.stock_step(StockStep::Ship, product, warehouse, *q, "prop", now)
                            .await,
                        picked >= *q,
                        (on_hand - q, reserved - q, picked - q),
                    ),
                    _ => (
                        tx.stock_adjust(product, warehouse, *q, "return", "prop", now)
                            .await,
                        true,
                        (on_hand + q, reserved, picked),
                    ),
                };
                match (r, allowed) {
                    (Ok(()), true) => {
                        tx.commit().await.map_err(|e| e.to_string())?;
                        model.insert(key, after);
                    }
                    (Err(_), false) => drop(tx),
                    (r, _) => {
                        return Err(format!(
                            "step {step} {op:?}: with {on_hand}/{reserved}/{picked} gave {r:?}"
                        ));
                    }
                }
            }
        }
        check(db.as_ref(), &model)
            .await
            .map_err(|e| format!("{backend}, after step {step} {op:?}: {e}"))?;
    }
    t.db.close().await;
    Ok(())
}

async fn check(db: &dyn Store, model: &Model) -> Result<(), String> {
    let mut tx = db.read().await.map_err(|e| e.to_string())?;
    let balances = tx
        .stock_list(&ListQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .map_err(|e| e.to_string())?;
    let sums = tx.stock_ledger_sums().await.map_err(|e| e.to_string())?;
    let picked: BTreeMap<(i64, i64), i64> = tx
        .stock_picked_sums()
        .await
        .map_err(|e| e.to_string())?
        .iter()
        .map(|(p, w, ledger, _)| ((p.get(), w.get()), *ledger))
        .collect();
    let mut seen: Model = BTreeMap::new();
    for b in &balances {
        if b.on_hand < 0
            || b.reserved < 0
            || b.reserved > b.on_hand
            || b.picked < 0
            || b.picked > b.reserved
        {
            return Err(format!("impossible balance {b:?}"));
        }
        seen.insert(
            (b.product_id.get(), b.warehouse_id.get()),
            (b.on_hand, b.reserved, b.picked),
        );
    }
    let ledger: Model = sums
        .iter()
        .map(|(p, w, o, r)| {
            let key = (p.get(), w.get());
            (key, (*o, *r, picked.get(&key).copied().unwrap_or(0)))
        })
        .collect();
    if seen != ledger {
        return Err(format!(
            "balances {seen:?} differ from the ledger {ledger:?}"
        ));
    }
    let nonzero = |m: &Model| -> Model {
        m.iter()
            .filter(|(_, v)| **v != (0, 0, 0))
            .map(|(k, v)| (*k, *v))
            .collect()
    };
    if nonzero(&seen) != nonzero(model) {
        return Err(format!("balances {seen:?}, model {model:?}"));
    }
    Ok(())
}

#[test]
fn inv_1_balances_equal_the_ledger_after_every_step() {
    check_on_each_backend(12, prop::collection::vec(op(), 1..25), run);
}

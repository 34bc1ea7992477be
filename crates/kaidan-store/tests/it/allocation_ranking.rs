//! ALC-3 on the database: a real run takes each franchisee's importance
//! from its customer record and its cumulative ordered quantity from its
//! orders over the configured period, stores both in the run's input, and
//! ranks franchisees of equal priority by them (ADR 0017).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use std::sync::atomic::Ordering;

use kaidan_app::Ctx;
use kaidan_app::orders::FinanceDecision;
use kaidan_domain::allocation::RunInput;
use kaidan_domain::master::{CustomerData, CustomerKind, Importance, PaymentTerms};
use kaidan_domain::orders::{AccountEntry, EntryKind, OrderStatus};
use kaidan_domain::{CustomerId, Money, OrderId, Role};
use support::*;

/// A funded franchisee of priority 3 with this importance.
async fn franchisee(w: &World, code: &str, importance: Option<Importance>) -> CustomerId {
    let c = CustomerData {
        priority: 3,
        importance,
        ..customer(
            code,
            &format!("加盟商{code}"),
            CustomerKind::Franchisee,
            PaymentTerms::MonthlySettlement,
            Money::yuan(20_000),
        )
    };
    let id = CustomerId(create(&w.app, c).await);
    w.app
        .post_account_entry(
            &w.finance,
            id,
            AccountEntry::new(EntryKind::Deposit, Money::yuan(5_000), None),
        )
        .await
        .unwrap();
    id
}

/// An approved order of `customer` for `quantity` of product `product`,
/// dated on the app's clock.
async fn approved(
    w: &World,
    customer: CustomerId,
    product: usize,
    quantity: i64,
    reference: &str,
) -> OrderId {
    let mut i = input(w, &[(product, quantity)], reference);
    i.customer_id = customer;
    i.order_date = w
        .app
        .now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .min(i.order_date);
    let o = created(w.app.place_order(&w.clerk, i, true, None).await.unwrap());
    w.app.review_order(&w.clerk, o.id).await.unwrap();
    let o = w
        .app
        .finance_review(&w.finance, o.id, FinanceDecision::Pass)
        .await
        .unwrap();
    assert_eq!(o.status, OrderStatus::Approved, "{:?}", o.timeline);
    o.id
}

/// (reserved, backordered) of line 1.
async fn line(w: &World, o: OrderId) -> (i64, i64) {
    let v = w.app.order(&w.clerk, o).await.unwrap();
    (v.progress[0].reserved, v.progress[0].backordered)
}

/// The input the newest run stored.
async fn last_input(w: &World, brand: &Ctx) -> RunInput {
    let runs = w.app.allocation_runs(brand).await.unwrap();
    let (_, json) = w.app.allocation_run_input(brand, runs[0].id).await.unwrap();
    serde_json::from_str(&json).unwrap()
}

fn facts(input: &RunInput, id: CustomerId) -> (Option<Importance>, i64) {
    let f = input.franchisees.iter().find(|f| f.id == id).unwrap();
    (f.importance, f.cumulative_ordered)
}

#[tokio::test]
async fn alc_3_a_real_run_ranks_equal_priorities_by_importance_then_cumulative_ordered() {
    on_each_backend_clocked(
        10_000,
        PaymentTerms::MonthlySettlement,
        0,
        |w, clock, b| async move {
            let backend = b.name;
            let brand = user(&w.app, "brand", &[Role::BrandProduct], None).await;
            let a = franchisee(&w, "FR-A", Some(Importance::Normal)).await;
            let b_ = franchisee(&w, "FR-B", Some(Importance::Normal)).await;
            // A ordered 60 of P-2 400 days ago: before the 365-day period,
            // so it does not count (it is A's oldest open order too, which
            // ranked A first when nothing else told them apart).
            clock.0.store(-400 * 86_400, Ordering::SeqCst);
            approved(&w, a, 1, 60, "REF-1").await;
            clock.0.store(0, Ordering::SeqCst);
            let a1 = approved(&w, a, 0, 4, "REF-2").await;
            // 30 approved, then cancelled: does not count.
            let gone = approved(&w, a, 1, 30, "REF-3").await;
            w.app
                .cancel_order(&w.clerk, gone, "客户取消")
                .await
                .unwrap();
            // B: 20 of P-2 and 4 of P-1 within the period.
            approved(&w, b_, 1, 20, "REF-4").await;
            let b1 = approved(&w, b_, 0, 4, "REF-5").await;

            // Four of P-1 arrive: both have rank 3 and the same importance;
            // B ordered 24 over the period, A only 4: B first.
            receive(&w, 0, w.warehouse, 4, "PO-RANK-1").await;
            assert_eq!(
                (line(&w, b1).await, line(&w, a1).await),
                ((4, 0), (0, 4)),
                "more ordered over the period first ({backend})"
            );
            let input = last_input(&w, &brand).await;
            assert_eq!(facts(&input, a), (Some(Importance::Normal), 4), "{backend}");
            assert_eq!(
                facts(&input, b_),
                (Some(Importance::Normal), 24),
                "{backend}"
            );

            // Channel business grades A a key account (an audited master
            // change); B orders 4 more. Importance comes before quantity:
            // A first although B ordered more.
            let rec = w
                .app
                .get::<CustomerData>(&Ctx::system(), a.get())
                .await
                .unwrap();
            let data = CustomerData {
                importance: Some(Importance::Key),
                ..rec.data
            };
            w.app
                .update(&Ctx::system(), a.get(), Some(rec.version), data)
                .await
                .unwrap();
            let history = w
                .app
                .audit_of(&Ctx::system(), "customer", a.get())
                .await
                .unwrap();
            assert!(
                history.iter().any(|e| e
                    .changes
                    .iter()
                    .any(|c| c.field == "importance" && c.after.as_deref() == Some("key"))),
                "{history:?}"
            );
            let b2 = approved(&w, b_, 0, 4, "REF-6").await;
            receive(&w, 0, w.warehouse, 4, "PO-RANK-2").await;
            assert_eq!(
                (line(&w, a1).await, line(&w, b2).await),
                ((4, 0), (0, 4)),
                "the key account first ({backend})"
            );
            let input = last_input(&w, &brand).await;
            assert_eq!(facts(&input, a), (Some(Importance::Key), 4), "{backend}");
            assert_eq!(
                facts(&input, b_),
                (Some(Importance::Normal), 28),
                "{backend}"
            );
        },
    )
    .await;
}

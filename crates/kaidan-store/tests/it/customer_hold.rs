//! FIN-6 on the database: finance's hold on a customer, separate from
//! `active`, stops the customer's new orders at review on credit hold with
//! who, when and why on the order's timeline; releasing it lets new orders
//! pass while the orders it stopped wait for finance as before.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use kaidan_app::orders::FinanceDecision;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::Permission;
use kaidan_domain::customer_hold::HoldInput;
use kaidan_domain::master::{CustomerData, PaymentTerms};
use kaidan_domain::orders::OrderStatus;
use support::*;

fn reason(text: &str) -> HoldInput {
    HoldInput {
        reason: text.into(),
    }
}

#[tokio::test]
async fn fin_6_a_held_customers_orders_stop_at_review_until_finance_releases_the_hold() {
    on_each_backend(
        10_000,
        PaymentTerms::MonthlySettlement,
        100,
        |w| async move {
            let backend = w.backend;
            let c = w.customer;
            // Only finance may hold: the clerk is refused and nothing changes.
            let err = w
                .app
                .hold_customer(&w.clerk, c, reason("逾期未回款"))
                .await
                .unwrap_err();
            assert!(
                matches!(err, AppError::Forbidden(Permission::CustomerHold)),
                "{err:?}"
            );
            // A reason is required and bounded; nothing is stored without one.
            for bad in ["  ", &"长".repeat(501)] {
                let err = w
                    .app
                    .hold_customer(&w.finance, c, reason(bad))
                    .await
                    .unwrap_err();
                match err {
                    AppError::Invalid(v) => assert_eq!(v.errors[0].field, "reason", "{backend}"),
                    other => panic!("{other:?}"),
                }
            }
            assert!(!w.app.customer_hold(&w.clerk, c).await.unwrap().on_hold);

            // Finance holds the customer: who, when and why are kept.
            let before = w.app.now();
            let view = w
                .app
                .hold_customer(&w.finance, c, reason(" 逾期未回款 "))
                .await
                .unwrap();
            let hold = view.current.clone().unwrap();
            assert!(view.on_hold);
            assert_eq!(
                (
                    hold.reason.as_str(),
                    hold.held_by_name.as_str(),
                    hold.held_by
                ),
                ("逾期未回款", "fin", w.finance.actor.user_id),
                "{backend}"
            );
            assert!(hold.held_at >= before && hold.released_at.is_none());
            assert_eq!(view.history, vec![hold.clone()]);
            // A second hold while one holds is refused.
            let err = w
                .app
                .hold_customer(&w.finance, c, reason("再次"))
                .await
                .unwrap_err();
            assert!(matches!(err, AppError::Invalid(_)), "{err:?}");
            // The hold is not the customer's `active` flag: it still orders.
            let rec = w
                .app
                .get::<CustomerData>(&Ctx::system(), c.get())
                .await
                .unwrap();
            assert!(rec.data.active);

            // Its new order stops at review on credit hold; the timeline says
            // it was finance's hold, by whom and why.
            let held = place(&w, &[(0, 1)], "PO-HELD").await;
            let held = w.app.review_order(&w.clerk, held.id).await.unwrap();
            assert_eq!(held.status, OrderStatus::CreditHold, "{backend}");
            let step = held
                .timeline
                .iter()
                .find(|e| e.kind == "credit_hold")
                .unwrap();
            assert!(
                step.note.contains("finance hold")
                    && step.note.contains("fin")
                    && step.note.contains("逾期未回款"),
                "{}",
                step.note
            );
            // Finance cannot release that order while the customer is held.
            let again = w
                .app
                .finance_review(&w.finance, held.id, FinanceDecision::Release)
                .await
                .unwrap();
            assert_eq!(again.status, OrderStatus::CreditHold, "{backend}");

            // Only finance releases the hold, and it records who and when.
            let err = w.app.release_customer_hold(&w.clerk, c).await.unwrap_err();
            assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
            let view = w.app.release_customer_hold(&w.finance, c).await.unwrap();
            assert!(!view.on_hold && view.current.is_none());
            let past = &view.history[0];
            assert_eq!(
                (past.released_by, past.released_by_name.as_deref()),
                (Some(w.finance.actor.user_id), Some("fin")),
                "{backend}"
            );
            assert!(past.released_at.is_some_and(|t| t >= hold.held_at));
            let err = w
                .app
                .release_customer_hold(&w.finance, c)
                .await
                .unwrap_err();
            assert!(matches!(err, AppError::Invalid(_)), "{err:?}");

            // The order the hold stopped is not released silently...
            let still = w.app.order(&w.clerk, held.id).await.unwrap();
            assert_eq!(still.status, OrderStatus::CreditHold, "{backend}");
            // ...a new order passes review...
            let next = place(&w, &[(0, 2)], "PO-AFTER").await;
            let next = w.app.review_order(&w.clerk, next.id).await.unwrap();
            assert_eq!(next.status, OrderStatus::FinanceReview, "{backend}");
            // ...and finance now releases the held one as before.
            let released = w
                .app
                .finance_review(&w.finance, held.id, FinanceDecision::Release)
                .await
                .unwrap();
            assert_ne!(released.status, OrderStatus::CreditHold, "{backend}");

            // SEC-2: both steps are in the customer's audit trail.
            let audit = w
                .app
                .audit_of(&Ctx::system(), "customer", c.get())
                .await
                .unwrap();
            let actions: Vec<(&str, &str)> = audit
                .iter()
                .filter(|e| e.action.contains("hold"))
                .map(|e| (e.action.as_str(), e.actor_name.as_str()))
                .collect();
            assert_eq!(actions.len(), 2, "{audit:?}");
            assert!(
                actions.contains(&("hold", "fin")) && actions.contains(&("release_hold", "fin"))
            );
            // Anyone who reads the customer reads its holds.
            let seen = w.app.customer_hold(&w.clerk, c).await.unwrap();
            assert_eq!(seen.history.len(), 1);
        },
    )
    .await;
}

//! Order flow against a real database, on SQLite always and on PostgreSQL
//! when KAIDAN_TEST_DATABASE_URL is set: intake, review, credit hold, joint
//! review, approval with numbering and reservation, cancellation, and 64
//! concurrent approvals against scarce stock.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use support::*;

use std::sync::Arc;

use kaidan_app::orders::FinanceDecision;
use kaidan_app::ports::OrderQuery;
use kaidan_app::{AppError, Created, Ctx};
use kaidan_domain::master::*;
use kaidan_domain::orders::{Department, OrderStatus};
use kaidan_domain::{CustomerId, Money, Permission, Role};

#[tokio::test]
async fn ord_4_ord_5_inv_1_happy_path_numbers_and_reserves() {
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        100,
        |w| async move {
            let o = place(&w, &[(0, 3), (1, 2)], "PO-1").await;
            assert_eq!(o.status, OrderStatus::Submitted, "{}", w.backend);
            assert_eq!(o.content.totals.amount, Money::yuan(400));
            assert!(o.number.is_none(), "numbers are given at approval");
            let o = w.app.review_order(&w.clerk, o.id).await.unwrap();
            assert_eq!(o.status, OrderStatus::FinanceReview, "{:?}", o.timeline);
            let err = w
                .app
                .finance_review(&w.clerk, o.id, FinanceDecision::Pass)
                .await
                .unwrap_err();
            assert!(matches!(
                err,
                AppError::Forbidden(Permission::OrderFinanceReview)
            ));
            let o = w
                .app
                .finance_review(&w.finance, o.id, FinanceDecision::Pass)
                .await
                .unwrap();
            assert_eq!(o.status, OrderStatus::Approved);
            let number = o.number.clone().unwrap();
            assert!(
                number.starts_with("SO-") && number.ends_with("-000001"),
                "{number}"
            );
            assert_eq!(o.review_met, Some(true));
            assert_eq!(o.progress.iter().map(|l| l.reserved).sum::<i64>(), 5);
            let kinds: Vec<&str> = o.timeline.iter().map(|e| e.kind.as_str()).collect();
            assert_eq!(
                kinds,
                ["created", "in_review", "reviewed", "approved"],
                "{}",
                w.backend
            );
            assert_eq!(reserved_total(&w).await, 5);
            let (balance, _) = w.app.account(&w.finance, w.customer).await.unwrap();
            assert_eq!(balance.committed, Money::yuan(400), "{balance:?}");
            // Looked up by number (DOC-2 style).
            assert_eq!(
                w.app.order_id_by_number(&w.clerk, &number).await.unwrap(),
                o.id
            );

            let o2 = place(&w, &[(0, 1)], "PO-2").await;
            w.app.review_order(&w.clerk, o2.id).await.unwrap();
            let o2 = w
                .app
                .finance_review(&w.finance, o2.id, FinanceDecision::Pass)
                .await
                .unwrap();
            assert!(
                o2.number.unwrap().ends_with("-000002"),
                "never reused, in order"
            );

            let c = w
                .app
                .cancel_order(&w.clerk, o.id, "customer withdrew")
                .await
                .unwrap();
            assert_eq!(c.status, OrderStatus::Cancelled);
            assert_eq!(
                reserved_total(&w).await,
                1,
                "cancel released the reservation"
            );
            let (balance, _) = w.app.account(&w.finance, w.customer).await.unwrap();
            assert_eq!(balance.committed, Money::yuan(100));
            let err = w.app.review_order(&w.clerk, c.id).await.unwrap_err();
            assert!(
                err.to_string().contains("cancelled"),
                "names the current state: {err}"
            );
        },
    )
    .await;
}

#[tokio::test]
async fn ord_3_bad_orders_and_duplicates_change_nothing() {
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w| async move {
            let mut bad = input(&w, &[(0, 0), (1, -2)], "PO-X");
            bad.customer_id = CustomerId(999);
            let AppError::Invalid(v) = w
                .app
                .place_order(&w.clerk, bad, false, None)
                .await
                .unwrap_err()
            else {
                panic!()
            };
            let fields: Vec<&str> = v.errors.iter().map(|e| e.field.as_str()).collect();
            assert!(
                fields.contains(&"lines[0].quantity") && fields.contains(&"lines[1].quantity"),
                "{fields:?}"
            );
            assert!(
                w.app
                    .orders(&w.clerk, OrderQuery::default())
                    .await
                    .unwrap()
                    .is_empty(),
                "{}",
                w.backend
            );

            place(&w, &[(0, 1)], "PO-9").await;
            let err = w
                .app
                .place_order(&w.clerk, input(&w, &[(0, 1)], "PO-9"), false, None)
                .await
                .unwrap_err();
            assert!(matches!(err, AppError::PossibleDuplicate(_)), "{err}");
            assert_eq!(
                w.app
                    .orders(&w.clerk, OrderQuery::default())
                    .await
                    .unwrap()
                    .len(),
                1
            );
            created(
                w.app
                    .place_order(&w.clerk, input(&w, &[(0, 1)], "PO-9"), true, None)
                    .await
                    .unwrap(),
            );
            assert_eq!(
                w.app
                    .orders(&w.clerk, OrderQuery::default())
                    .await
                    .unwrap()
                    .len(),
                2
            );
        },
    )
    .await;
}

#[tokio::test]
async fn ord_4_price_deviation_waits_for_a_sales_manager() {
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w| async move {
            let mut i = input(&w, &[(0, 1)], "PO-P");
            i.lines[0].unit_price = Some(Money::yuan(80));
            let o = created(w.app.place_order(&w.clerk, i, false, None).await.unwrap());
            let o = w.app.review_order(&w.clerk, o.id).await.unwrap();
            assert_eq!(o.status, OrderStatus::InReview, "{}", w.backend);
            assert!(matches!(
                w.app.approve_price(&w.clerk, o.id, 1).await,
                Err(AppError::Forbidden(_))
            ));
            let manager = user(&w.app, "mgr", &[Role::SalesManager], None).await;
            w.app.approve_price(&manager, o.id, 1).await.unwrap();
            let o = w.app.review_order(&w.clerk, o.id).await.unwrap();
            assert_eq!(o.status, OrderStatus::FinanceReview);
        },
    )
    .await;
}

#[tokio::test]
async fn fin_6_over_the_limit_waits_in_credit_hold_until_finance_releases() {
    on_each_backend(300, PaymentTerms::MonthlySettlement, 10, |w| async move {
        let o = place(&w, &[(0, 5)], "PO-C").await;
        let o = w.app.review_order(&w.clerk, o.id).await.unwrap();
        assert_eq!(
            o.status,
            OrderStatus::CreditHold,
            "{}: {:?}",
            w.backend,
            o.timeline
        );
        let o = w
            .app
            .finance_review(&w.finance, o.id, FinanceDecision::Release)
            .await
            .unwrap();
        assert_eq!(o.status, OrderStatus::Approved, "{:?}", o.timeline);
        let kinds: Vec<&str> = o.timeline.iter().map(|e| e.kind.as_str()).collect();
        assert!(
            kinds.contains(&"credit_hold") && kinds.contains(&"credit_released"),
            "{kinds:?}"
        );
    })
    .await;
}

/// FIN-6: what the ledger says is owed counts against the credit limit,
/// however old; but an amount owed without an invoice has no due date, so
/// it is never overdue (overdue days come from open invoices, ADR 0028;
/// they are proven in `terms.rs`).
#[tokio::test]
async fn fin_6_open_receivables_from_the_ledger_count_against_the_limit_but_are_not_overdue() {
    use kaidan_domain::orders::{AccountEntry, EntryKind};
    use std::sync::atomic::Ordering;
    on_each_backend_clocked(
        10_000,
        PaymentTerms::MonthlySettlement,
        100,
        |w, clock, b| async move {
            let backend = b.name;
            let sys = Ctx::system();
            // 9 950 owed since 70 days ago (an opening balance booked by
            // finance, which works like a shipment's charge), never
            // invoiced or paid.
            clock.0.store(-70 * 86_400, Ordering::SeqCst);
            w.app
                .post_account_entry(
                    &sys,
                    w.customer,
                    AccountEntry {
                        note: Some("期初应收 opening receivable".into()),
                        ..AccountEntry::new(EntryKind::Adjustment, Money::yuan(-9_950), None)
                    },
                )
                .await
                .unwrap();
            clock.0.store(0, Ordering::SeqCst);
            // 9 950 + 100 is beyond the limit of 10 000.
            let o = place(&w, &[(0, 1)], "PO-OVER").await;
            let o = w.app.review_order(&w.clerk, o.id).await.unwrap();
            assert_eq!(
                o.status,
                OrderStatus::CreditHold,
                "{backend}: {:?}",
                o.timeline
            );
            let hold = o.timeline.iter().find(|e| e.kind == "credit_hold").unwrap();
            let text = hold.data.to_string();
            assert!(
                text.contains("credit_limit_exceeded") && !text.contains("overdue_receivables"),
                "{backend}: {text}"
            );

            // Paid: the next order goes through the credit check.
            w.app
                .post_account_entry(
                    &sys,
                    w.customer,
                    AccountEntry::new(EntryKind::Deposit, Money::yuan(9_950), None),
                )
                .await
                .unwrap();
            let o = place(&w, &[(1, 1)], "PO-PAID").await;
            let o = w.app.review_order(&w.clerk, o.id).await.unwrap();
            assert_ne!(
                o.status,
                OrderStatus::CreditHold,
                "{backend}: {:?}",
                o.timeline
            );
        },
    )
    .await;
}

#[tokio::test]
async fn ord_4_joint_review_needs_every_department() {
    on_each_backend(
        10_000_000,
        PaymentTerms::MonthlySettlement,
        10_000,
        |w| async move {
            let o = place(&w, &[(0, 5000)], "PO-J").await;
            assert_eq!(o.content.totals.amount, Money::yuan(500_000));
            w.app.review_order(&w.clerk, o.id).await.unwrap();
            let o = w
                .app
                .finance_review(&w.finance, o.id, FinanceDecision::Pass)
                .await
                .unwrap();
            assert_eq!(o.status, OrderStatus::JointReview, "{}", w.backend);
            let err = w
                .app
                .joint_decide(&w.finance, o.id, Department::Warehouse, true, "")
                .await
                .unwrap_err();
            assert!(err.to_string().contains("warehouse"), "{err}");
            let sales = user(&w.app, "sm", &[Role::SalesManager], None).await;
            let wh = user(&w.app, "wh", &[Role::Warehouse], None).await;
            let lg = user(&w.app, "lg", &[Role::Logistics], None).await;
            w.app
                .joint_decide(&sales, o.id, Department::Sales, true, "ok")
                .await
                .unwrap();
            w.app
                .joint_decide(&w.finance, o.id, Department::Finance, true, "")
                .await
                .unwrap();
            w.app
                .joint_decide(&wh, o.id, Department::Warehouse, true, "")
                .await
                .unwrap();
            let o = w
                .app
                .joint_decide(&lg, o.id, Department::Logistics, true, "")
                .await
                .unwrap();
            assert_eq!(o.status, OrderStatus::Approved);
            assert_eq!(o.joint_decisions.len(), 4);
        },
    )
    .await;
}

#[tokio::test]
async fn sec_1_portal_customer_sees_only_its_orders() {
    on_each_backend(1_000_000, PaymentTerms::Prepayment, 10, |w| async move {
        let o = place(&w, &[(0, 1)], "PO-O").await;
        let portal = user(&w.app, "portal", &[Role::Customer], Some(w.customer)).await;
        assert_eq!(w.app.order(&portal, o.id).await.unwrap().id, o.id);
        let stranger = user(
            &w.app,
            "stranger",
            &[Role::Customer],
            Some(CustomerId(w.customer.get())),
        )
        .await;
        let _ = stranger;
        let mut other = input(&w, &[(0, 1)], "PO-Z");
        other.customer_id = CustomerId(w.customer.get() + 100);
        let err = w
            .app
            .place_order(&portal, other, false, None)
            .await
            .unwrap_err();
        assert!(
            matches!(err, AppError::NotFound { .. }),
            "{}: {err}",
            w.backend
        );
        assert_eq!(
            w.app
                .orders(&portal, OrderQuery::default())
                .await
                .unwrap()
                .len(),
            1
        );
    })
    .await;
}

/// 64 clients approve orders at once against stock for 40: nothing is
/// promised twice, nothing deadlocks, every order is approved with what was
/// available and a recorded shortage for the rest.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ord_1_concurrent_retries_with_one_idempotency_key_create_one_order() {
    on_each_backend(0, PaymentTerms::Prepayment, 10, |w| async move {
        let w = Arc::new(w);
        let idem = kaidan_app::Idempotency {
            key: "po-retry-1".into(),
            fingerprint: "same-body".into(),
        };
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (w, idem) = (Arc::clone(&w), idem.clone());
            tasks.push(tokio::spawn(async move {
                w.app
                    .place_order(
                        &w.clerk,
                        input(&w, &[(0, 1)], "PO-RETRY"),
                        true,
                        Some(&idem),
                    )
                    .await
            }));
        }
        let mut new = 0;
        let mut ids = std::collections::BTreeSet::new();
        for t in tasks {
            match t.await.unwrap().unwrap() {
                Created::New(v) => {
                    new += 1;
                    ids.insert(v.id.get());
                }
                Created::Replayed { body, .. } => {
                    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                    ids.insert(v["id"].as_i64().unwrap());
                }
            }
        }
        assert_eq!(new, 1, "{}", w.backend);
        assert_eq!(
            ids.len(),
            1,
            "{}: every answer names the one order",
            w.backend
        );
        let all = w
            .app
            .orders(
                &w.clerk,
                OrderQuery {
                    customer_id: Some(w.customer),
                    limit: 100,
                    ..OrderQuery::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(all.len(), 1, "{}", w.backend);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn inv_1_64_concurrent_approvals_never_oversell() {
    on_each_backend(100_000_000, PaymentTerms::Prepayment, 40, |w| async move {
        let w = Arc::new(w);
        let mut ids = Vec::new();
        for i in 0..64 {
            // Same lines on purpose: confirmed as not duplicates.
            let o = created(
                w.app
                    .place_order(
                        &w.clerk,
                        input(&w, &[(0, 1)], &format!("PO-{i}")),
                        true,
                        None,
                    )
                    .await
                    .unwrap(),
            );
            w.app.review_order(&w.clerk, o.id).await.unwrap();
            ids.push(o.id);
        }
        let mut tasks = Vec::new();
        for id in ids.clone() {
            let w = Arc::clone(&w);
            tasks.push(tokio::spawn(async move {
                loop {
                    match w
                        .app
                        .finance_review(&w.finance, id, FinanceDecision::Pass)
                        .await
                    {
                        Ok(v) => return v,
                        // A concurrent writer won; the request is retried as a client would.
                        Err(AppError::Store(kaidan_app::ports::StoreError::Conflict))
                        | Err(AppError::VersionConflict { .. }) => continue,
                        Err(e) => panic!("{e}"),
                    }
                }
            }));
        }
        let mut reserved = 0;
        let mut short = 0;
        for t in tasks {
            let v = t.await.unwrap();
            assert_eq!(v.status, OrderStatus::Approved);
            reserved += v.progress[0].reserved;
            short += v.progress[0].backordered;
            assert_eq!(v.progress[0].reserved + v.progress[0].backordered, 1);
            assert_eq!(v.shortages.len() as i64, v.progress[0].backordered);
        }
        assert_eq!((reserved, short), (40, 24), "{}", w.backend);
        // INV-2: the customer's choice for a shortage is recorded.
        let mut chosen = false;
        for id in &ids {
            let v = w.app.order(&w.clerk, *id).await.unwrap();
            if let Some(s) = v.shortages.first() {
                let v = w
                    .app
                    .choose_for_shortage(
                        &w.clerk,
                        *id,
                        s.id,
                        &kaidan_app::orders::ShortageAnswer::of(
                            kaidan_app::orders::ShortageChoice::Backorder,
                        ),
                    )
                    .await
                    .unwrap();
                assert_eq!(
                    v.shortages[0].choice,
                    kaidan_app::orders::ShortageChoice::Backorder
                );
                assert!(v.timeline.iter().any(|e| e.kind == "shortage_choice"));
                chosen = true;
                break;
            }
        }
        assert!(chosen);
        let p0 = balances(&w)
            .await
            .into_iter()
            .find(|b| b.product_id == w.products[0] && b.warehouse_id == w.warehouse)
            .unwrap();
        assert_eq!((p0.on_hand, p0.reserved, p0.available), (40, 40, 0));
        let mut numbers: Vec<String> = Vec::new();
        for id in ids {
            numbers.push(w.app.order(&w.clerk, id).await.unwrap().number.unwrap());
        }
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 64, "every number unique");
    })
    .await;
}

/// A user of the role that decides for department `d`.
async fn decider(w: &World, name: &str, d: Department) -> Ctx {
    user(&w.app, name, &[d.role()], None).await
}

fn change(reason: &str, changes: serde_json::Value) -> kaidan_domain::orders::ChangeRequest {
    serde_json::from_value(serde_json::json!({ "reason": reason, "changes": changes })).unwrap()
}

#[tokio::test]
async fn chg_1_chg_2_approved_change_makes_a_new_version_and_moves_the_reservation() {
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        100,
        |w| async move {
            let o = approved(&w, &[(0, 3)], "PO-CH").await;
            let req = change(
                "客户追加数量",
                serde_json::json!([{ "kind": "quantity", "line_no": 1, "quantity": 5 }]),
            );
            let c = w.app.request_change(&w.clerk, o.id, req).await.unwrap();
            assert_eq!(c.status, "pending", "{}", w.backend);
            assert!(c.impact.stock_ok && c.impact.credit_ok, "{:?}", c.impact);
            assert!(!c.departments.is_empty());
            let last = approve_change(&w, &c).await;
            assert_eq!(last.status, "approved");
            let v = w.app.order(&w.clerk, o.id).await.unwrap();
            assert_eq!(v.order_version, 2);
            assert_eq!(v.content.lines[0].quantity.get(), 5);
            assert_eq!(
                v.progress[0].reserved, 5,
                "the reservation follows the new version"
            );
            let changed = v.timeline.iter().find(|e| e.kind == "changed").unwrap();
            let text = changed.data["changes"].to_string();
            assert!(
                text.contains('3') && text.contains('5'),
                "a readable diff: {text}"
            );
            assert_eq!(reserved_total(&w).await, 5);
        },
    )
    .await;
}

#[tokio::test]
async fn chg_2_a_rejected_change_leaves_the_order_as_it_was() {
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        100,
        |w| async move {
            let o = approved(&w, &[(0, 3)], "PO-CR").await;
            let bad = change(
                "x",
                serde_json::json!([{ "kind": "quantity", "line_no": 9, "quantity": 5 }]),
            );
            assert!(
                matches!(
                    w.app.request_change(&w.clerk, o.id, bad).await,
                    Err(AppError::Invalid(_))
                ),
                "{}",
                w.backend
            );
            let req = change(
                "客户改地址",
                serde_json::json!([{ "kind": "address", "delivery_address": "广州市天河区" }]),
            );
            let c = w.app.request_change(&w.clerk, o.id, req).await.unwrap();
            let d = c.departments[0];
            let who = decider(&w, "decider", d).await;
            let c = w
                .app
                .decide_change(&who, c.id, d, false, "无法改派")
                .await
                .unwrap();
            assert_eq!(c.status, "rejected");
            let v = w.app.order(&w.clerk, o.id).await.unwrap();
            assert_eq!(v.order_version, 1);
            assert_eq!(v.content.delivery_address, "深圳市南山区");
            assert!(v.timeline.iter().any(|e| e.kind == "change_rejected"));
        },
    )
    .await;
}

#[tokio::test]
async fn ord_3_int_4_order_import_is_all_or_nothing_and_groups_lines() {
    on_each_backend(1_000_000, PaymentTerms::MonthlySettlement, 100, |w| async move {
        let clerk = &w.clerk;
        let bad = "customer_code,customer_reference,order_date,channel,sku,quantity\n\
                   FR-1,PO-A,2026-11-23,phone,P-1,2\n\
                   FR-1,PO-A,2026-11-23,phone,P-2,0\n\
                   NOPE,PO-B,2026-11-23,fax,P-1,1\n\
                   FR-1,PO-C,2026-11-23,pigeon,P-X,1\n";
        let err = crate::support::import_file(&w.app, clerk, kaidan_app::import_export::Dataset::Orders, "orders.csv", bad.as_bytes()).await.unwrap_err();
        let AppError::ImportRejected(rows) = err else { panic!("{}: {err}", w.backend) };
        let got: Vec<String> = rows.iter().map(|e| e.to_string()).collect();
        assert!(got.iter().any(|e| e.starts_with("orders.csv: row 3, column quantity")), "{got:?}");
        assert!(got.iter().any(|e| e.starts_with("orders.csv: row 4, column customer_code: no customer")), "{got:?}");
        assert!(got.iter().any(|e| e.starts_with("orders.csv: row 5, column channel")), "{got:?}");
        assert!(got.iter().any(|e| e.starts_with("orders.csv: row 5, column sku")), "{got:?}");
        assert!(w.app.orders(clerk, OrderQuery::default()).await.unwrap().is_empty(), "nothing written");

        let good = "customer_code,customer_reference,order_date,channel,sku,quantity,unit_price\n\
                    FR-1,PO-A,2026-11-23,phone,P-1,2,\n\
                    FR-1,PO-A,2026-11-23,phone,P-2,4,\n\
                    FR-1,PO-B,2026-11-23,email,P-1,1,95.00\n";
        let r = crate::support::import_file(&w.app, clerk, kaidan_app::import_export::Dataset::Orders, "orders.csv", good.as_bytes()).await.unwrap();
        assert_eq!((r.created, r.rows), (2, 3), "{}", w.backend);
        let orders = w.app.orders(clerk, OrderQuery::default()).await.unwrap();
        assert_eq!(orders.len(), 2);
        let a = orders.iter().find(|o| o.document.customer_reference.as_deref() == Some("PO-A")).unwrap();
        assert_eq!(a.document.lines.len(), 2);
        assert_eq!(a.document.totals.amount, Money::yuan(400));
        // The same file again: duplicates, refused, nothing written.
        let err = crate::support::import_file(&w.app, clerk, kaidan_app::import_export::Dataset::Orders, "orders.csv", good.as_bytes()).await.unwrap_err();
        assert!(matches!(err, AppError::ImportRejected(_)), "{err}");
        let xlsx = crate::support::export_file(&w.app, clerk, kaidan_app::import_export::Dataset::Orders, kaidan_io::Format::Xlsx).await.unwrap();
        assert!(xlsx.starts_with(b"PK"), "an Excel workbook");
        let xlsx = crate::support::export_file(&w.app, &Ctx::system(), kaidan_app::import_export::Dataset::Orders, kaidan_io::Format::Csv).await.unwrap();
        let text = String::from_utf8_lossy(&xlsx).to_string();
        assert!(text.contains("FR-1,PO-B,2026-11-23,email,P-1,1,95"), "{text}");
    })
    .await;
}

/// A free line (unit price 0, 赠品) goes through review and approval like
/// any other deviating price: a sales manager approves it, the order's
/// amount leaves it out, and its goods are reserved (issue 14, item 10;
/// ADR 0013 for the allocation run).
#[tokio::test]
async fn ord_4_a_free_line_is_approved_by_a_sales_manager_and_reserved_at_zero() {
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w| async move {
            let mut i = input(&w, &[(0, 3), (1, 2)], "PO-FREE");
            i.lines[1].unit_price = Some(Money::ZERO);
            let o = created(w.app.place_order(&w.clerk, i, false, None).await.unwrap());
            let lines = &o.content.lines;
            assert_eq!(lines[1].amount, Money::ZERO, "{}", w.backend);
            assert_eq!(o.content.totals.amount, lines[0].amount, "{}", w.backend);
            let o = w.app.review_order(&w.clerk, o.id).await.unwrap();
            assert_eq!(o.status, OrderStatus::InReview, "{}", w.backend);
            let manager = user(&w.app, "mgr", &[Role::SalesManager], None).await;
            w.app.approve_price(&manager, o.id, 2).await.unwrap();
            let o = w.app.review_order(&w.clerk, o.id).await.unwrap();
            assert_eq!(o.status, OrderStatus::FinanceReview, "{}", w.backend);
            let o = w
                .app
                .finance_review(&w.finance, o.id, FinanceDecision::Pass)
                .await
                .unwrap();
            assert_eq!(o.status, OrderStatus::Approved, "{}", w.backend);
            let reserved: Vec<i64> = o.progress.iter().map(|l| l.reserved).collect();
            assert_eq!(reserved, [3, 2], "{}", w.backend);
            ledger_holds(&w).await;
        },
    )
    .await;
}

/// A change is assessed against what the central warehouse can still
/// reserve for it — orders reserve only there — reading just the change's
/// products, not the first 100,000 balances of every warehouse (CHG-2;
/// issue 14, item 10).
#[tokio::test]
async fn chg_2_impact_counts_only_the_central_warehouse_stock_of_the_changed_products() {
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        5,
        |w| async move {
            let o = approved(&w, &[(0, 3)], "PO-IMPACT").await;
            // Plenty of the product in a store's warehouse: not reservable
            // for an order.
            let store = create(&w.app, warehouse("STORE-1", "门店库", false)).await;
            receive(&w, 0, kaidan_domain::WarehouseId(store), 50, "store stock").await;
            let req = change(
                "客户追加数量",
                serde_json::json!([{ "kind": "quantity", "line_no": 1, "quantity": 10 }]),
            );
            let c = w.app.request_change(&w.clerk, o.id, req).await.unwrap();
            // Central: 5 on hand, 3 reserved by this order → 2 free.
            assert!(!c.impact.stock_ok, "{}: {:?}", w.backend, c.impact);
            assert_eq!(c.impact.stock[0].available.get(), 2, "{}", w.backend);
        },
    )
    .await;
}

/// ORD-4, FIN-5: the credit check counts the customer's other orders that
/// hold credit (received, in review, approved, …) and not a cancelled one;
/// the sum is read from the open-orders index of migration 0022 (ADR 0032).
#[tokio::test]
async fn ord_4_the_credit_check_counts_the_other_open_orders_and_not_cancelled_ones() {
    on_each_backend(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        100,
        |w| async move {
            let a = approved(&w, &[(0, 3)], "PO-A").await;
            assert_eq!(a.status, OrderStatus::Approved, "{}", w.backend);
            let b = place(&w, &[(1, 1)], "PO-B").await;
            let c = place(&w, &[(0, 1), (1, 1)], "PO-C").await;
            w.app
                .cancel_order(&w.clerk, c.id, "customer withdrew")
                .await
                .unwrap();
            let d = place(&w, &[(1, 2)], "PO-D").await;
            let d = w.app.review_order(&w.clerk, d.id).await.unwrap();
            let reviewed = d
                .timeline
                .iter()
                .find(|e| e.kind == "reviewed")
                .unwrap_or_else(|| panic!("{}: {:?}", w.backend, d.timeline));
            let open: Money =
                serde_json::from_value(reviewed.data["credit"]["open_orders"].clone()).unwrap();
            assert_eq!(
                open,
                a.content.totals.amount + b.content.totals.amount,
                "{}: {}",
                w.backend,
                reviewed.data
            );
        },
    )
    .await;
}

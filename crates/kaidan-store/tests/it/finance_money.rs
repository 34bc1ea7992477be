//! The money of order to cash in the store (FIN-3, FIN-4) on SQLite always
//! and on PostgreSQL when KAIDAN_TEST_DATABASE_URL is set: what is paid and
//! credited of an invoice and applied of a receipt stays within bounds,
//! vouchers come back byte for byte, matches are listed and undone once, and
//! the ageing reads what was open on a day.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::finance::{credit_note, day, now, plain_invoice, today};
use crate::support;

use jiff::civil::Date;
use kaidan_app::ports::{InvoiceFilter, ReceiptFilter, Store, Tx, VoucherFile};
use kaidan_domain::finance::{
    AgeingGroup, CreditReason, Receipt, ReceiptStatus, VoucherInfo, VoucherType,
};
use kaidan_domain::master::{CustomerKind, PaymentMethod, PaymentTerms, RegionData};
use kaidan_domain::{CustomerId, Money, Role, UserId};
use support::*;

#[tokio::test]
async fn fin_3_settling_stays_between_zero_and_the_amount() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        0,
        |w, _, b| async move {
            let name = b.name;
            let mut tx = b.db.write().await.unwrap();
            let id = tx
                .invoice_insert(&plain_invoice("INV-S", w.customer, today(), 100))
                .await
                .unwrap()
                .unwrap();
            let y = Money::yuan;
            assert!(tx.invoice_settle(id, y(60), Money::ZERO).await.unwrap());
            assert!(
                !tx.invoice_settle(id, y(41), Money::ZERO).await.unwrap(),
                "{name}: beyond the amount"
            );
            assert!(
                !tx.invoice_settle(id, y(-61), Money::ZERO).await.unwrap(),
                "{name}: below zero"
            );
            assert!(
                !tx.invoice_settle(id, Money::ZERO, y(-1)).await.unwrap(),
                "{name}: credited below zero"
            );
            assert!(tx.invoice_settle(id, Money::ZERO, y(40)).await.unwrap());
            assert!(
                !tx.invoice_settle(id, Money::from_units(1), Money::ZERO)
                    .await
                    .unwrap()
            );
            let open = tx.open_invoices(w.customer).await.unwrap();
            assert!(open.is_empty(), "{name}: settled in full: {open:?}");
            assert!(
                tx.invoice_settle(id, y(-10), Money::ZERO).await.unwrap(),
                "a match undone"
            );
            let got = tx.invoice_get(id).await.unwrap().unwrap();
            assert_eq!((got.paid, got.credited, got.open()), (y(50), y(40), y(10)));
            let open = tx.open_invoices(w.customer).await.unwrap();
            assert_eq!(
                open.iter().map(|i| (i.id, i.open)).collect::<Vec<_>>(),
                [(id, y(10))]
            );
            assert!(
                !tx.invoice_settle(id + 100, y(1), Money::ZERO)
                    .await
                    .unwrap(),
                "no such invoice"
            );
            tx.commit().await.unwrap();
        },
    )
    .await;
}

fn receipt(number: &str, customer: CustomerId, yuan: i64, on: Date) -> Receipt {
    Receipt {
        id: 0,
        number: number.into(),
        customer_id: customer,
        payer: "深圳某加盟店".into(),
        method: PaymentMethod::BankTransfer,
        amount: Money::yuan(yuan),
        applied: Money::ZERO,
        received_on: on,
        bank_reference: Some("TX-001".into()),
        note: None,
        status: ReceiptStatus::Registered,
        registered_by: UserId(1),
        registered_by_name: "fin".into(),
        registered_at: now(),
        decided_by_name: None,
        decided_at: None,
        decision_note: None,
        voucher: None,
    }
}

#[tokio::test]
async fn fin_3_a_receipt_keeps_its_voucher_byte_for_byte() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        0,
        |w, _, b| async move {
            let name = b.name;
            let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
            bytes.extend((0..=255u8).cycle().take(70_000));
            let file = VoucherFile {
                file_name: "回单.png".into(),
                content_type: VoucherType::Png,
                bytes: bytes.clone(),
            };
            let mut tx = b.db.write().await.unwrap();
            let r = receipt("RC-1", w.customer, 500, today());
            let id = tx.receipt_insert(&r, Some(&file)).await.unwrap();
            let plain = tx
                .receipt_insert(&receipt("RC-2", w.customer, 20, today()), None)
                .await
                .unwrap();
            tx.commit().await.unwrap();

            let mut tx = b.db.read().await.unwrap();
            let got = tx.receipt_get(id).await.unwrap().unwrap();
            let info = VoucherInfo {
                file_name: "回单.png".into(),
                content_type: VoucherType::Png,
                size: 70_008,
            };
            assert_eq!(
                got,
                Receipt {
                    id,
                    voucher: Some(info),
                    ..r
                },
                "{name}"
            );
            assert_eq!(tx.receipt_voucher(id).await.unwrap(), Some(file), "{name}");
            assert_eq!(tx.receipt_get(plain).await.unwrap().unwrap().voucher, None);
            assert_eq!(tx.receipt_voucher(plain).await.unwrap(), None);
            assert_eq!(tx.receipt_get(id + 100).await.unwrap(), None);
            let list = tx
                .receipts(&ReceiptFilter {
                    customer: Some(w.customer),
                    limit: 10,
                    ..Default::default()
                })
                .await
                .unwrap();
            assert_eq!(
                list.iter().map(|r| r.id).collect::<Vec<_>>(),
                [plain, id],
                "newest first"
            );
            let none = tx
                .receipts(&ReceiptFilter {
                    status: Some(ReceiptStatus::Verified),
                    limit: 10,
                    ..Default::default()
                })
                .await
                .unwrap();
            assert!(none.is_empty());
        },
    )
    .await;
}

#[tokio::test]
async fn fin_3_a_verified_receipt_applies_between_zero_and_its_amount() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        0,
        |w, _, b| async move {
            let name = b.name;
            let y = Money::yuan;
            let mut tx = b.db.write().await.unwrap();
            let id = tx
                .receipt_insert(&receipt("RC-A", w.customer, 100, day("2026-11-02")), None)
                .await
                .unwrap();
            assert!(
                !tx.receipt_apply(id, y(10)).await.unwrap(),
                "{name}: not verified yet"
            );
            assert!(tx.open_money(w.customer).await.unwrap().is_empty());
            let at = now();
            let (reg, ver) = (ReceiptStatus::Registered, ReceiptStatus::Verified);
            assert!(
                tx.receipt_decide(id, reg, ver, "会计", at, Some("到账"))
                    .await
                    .unwrap()
            );
            assert!(
                !tx.receipt_decide(id, reg, ver, "会计", at, None)
                    .await
                    .unwrap(),
                "decided once"
            );
            let got = tx.receipt_get(id).await.unwrap().unwrap();
            assert_eq!(
                (
                    got.status,
                    got.decided_by_name.as_deref(),
                    got.decided_at,
                    got.decision_note.as_deref()
                ),
                (ver, Some("会计"), Some(at), Some("到账"))
            );

            assert!(
                !tx.receipt_apply(id, y(101)).await.unwrap(),
                "{name}: beyond its amount"
            );
            assert!(tx.receipt_apply(id, y(70)).await.unwrap());
            let open = tx.open_money(w.customer).await.unwrap();
            assert_eq!(
                open.iter()
                    .map(|m| (m.receipt_id, m.received_on, m.unapplied))
                    .collect::<Vec<_>>(),
                [(id, day("2026-11-02"), y(30))]
            );
            assert!(tx.receipt_apply(id, y(30)).await.unwrap());
            assert!(!tx.receipt_apply(id, Money::from_units(1)).await.unwrap());
            assert!(
                tx.open_money(w.customer).await.unwrap().is_empty(),
                "all applied"
            );
            assert!(
                !tx.receipt_apply(id, y(-101)).await.unwrap(),
                "{name}: below zero"
            );
            assert!(tx.receipt_apply(id, y(-100)).await.unwrap());
            assert_eq!(
                tx.receipt_get(id).await.unwrap().unwrap().applied,
                Money::ZERO
            );
            // Reversed money applies no more.
            assert!(
                tx.receipt_decide(id, ver, ReceiptStatus::Reversed, "会计", at, Some("退回"))
                    .await
                    .unwrap()
            );
            assert!(!tx.receipt_apply(id, y(1)).await.unwrap());
            tx.commit().await.unwrap();
        },
    )
    .await;
}

#[tokio::test]
async fn fin_3_matches_are_listed_by_invoice_or_receipt_and_undone_once() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        0,
        |w, _, b| async move {
            let name = b.name;
            let y = Money::yuan;
            let by = w.finance.actor.user_id;
            let mut tx = b.db.write().await.unwrap();
            let i1 = tx
                .invoice_insert(&plain_invoice("INV-M1", w.customer, day("2026-10-01"), 80))
                .await
                .unwrap()
                .unwrap();
            let i2 = tx
                .invoice_insert(&plain_invoice("INV-M2", w.customer, day("2026-10-05"), 80))
                .await
                .unwrap()
                .unwrap();
            let r = tx
                .receipt_insert(&receipt("RC-M", w.customer, 100, day("2026-11-01")), None)
                .await
                .unwrap();
            let m2 = tx
                .match_insert(r, i2, y(20), day("2026-11-03"), by, "fin")
                .await
                .unwrap();
            let m1 = tx
                .match_insert(r, i1, y(80), day("2026-11-02"), by, "fin")
                .await
                .unwrap();

            let of_receipt = tx.matches(None, Some(r)).await.unwrap();
            assert_eq!(
                of_receipt.iter().map(|m| m.id).collect::<Vec<_>>(),
                [m1, m2],
                "{name}: oldest first"
            );
            let m = &of_receipt[0];
            assert_eq!(
                (
                    m.receipt_number.as_str(),
                    m.invoice_number.as_str(),
                    m.amount
                ),
                ("RC-M", "INV-M1", y(80))
            );
            assert_eq!(
                (m.matched_on, m.matched_by_name.as_str(), m.undone_on),
                (day("2026-11-02"), "fin", None)
            );
            let of_invoice = tx.matches(Some(i2), None).await.unwrap();
            assert_eq!(of_invoice.iter().map(|m| m.id).collect::<Vec<_>>(), [m2]);

            assert!(tx.match_undo(m2, day("2026-11-10")).await.unwrap());
            assert!(
                !tx.match_undo(m2, day("2026-11-11")).await.unwrap(),
                "{name}: undone once"
            );
            let of_invoice = tx.matches(Some(i2), Some(r)).await.unwrap();
            assert_eq!(of_invoice[0].undone_on, Some(day("2026-11-10")));
            tx.commit().await.unwrap();
        },
    )
    .await;
}

/// The (key, label) of each item of the ageing on `as_of` by `g`, sorted.
async fn keys(tx: &mut Box<dyn Tx>, as_of: Date, g: AgeingGroup) -> Vec<(String, String)> {
    let mut k: Vec<_> = tx
        .ageing_items(as_of, g)
        .await
        .unwrap()
        .into_iter()
        .map(|i| (i.key, i.label))
        .collect();
    k.sort();
    k
}

#[tokio::test]
async fn fin_4_ageing_reads_what_was_open_on_the_day() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        0,
        |w, _, b| async move {
            let name = b.name;
            let y = Money::yuan;
            // A second customer with a sales rep and a region.
            let rep = user(&w.app, "rep", &[Role::SalesRep], None).await;
            let region = create(
                &w.app,
                RegionData {
                    code: "SZ".into(),
                    name: "Shenzhen".into(),
                    name_zh: "深圳".into(),
                },
            )
            .await;
            let mut c2 = customer(
                "ST-2",
                "直营店二",
                CustomerKind::Store,
                PaymentTerms::MonthlySettlement,
                y(1000),
            );
            c2.sales_rep_id = Some(rep.actor.user_id);
            c2.region_id = Some(kaidan_domain::RegionId(region));
            let c2 = CustomerId(create(&w.app, c2).await);

            let mut tx = b.db.write().await.unwrap();
            let mut inv = plain_invoice("INV-G1", w.customer, day("2026-09-01"), 100);
            inv.id = tx.invoice_insert(&inv).await.unwrap().unwrap();
            let other = tx
                .invoice_insert(&plain_invoice("INV-G2", c2, day("2026-09-10"), 50))
                .await
                .unwrap()
                .unwrap();
            // Credited 30 on 2026-09-15, 20 matched on 2026-10-01 and undone
            // on 2026-10-20.
            let mut cn = credit_note(
                "CN-G",
                &inv,
                CreditReason::PriceCorrection,
                day("2026-09-15"),
                Vec::new(),
            );
            cn.amount = y(30);
            cn.net = y(30);
            tx.invoice_insert(&cn).await.unwrap().unwrap();
            let r = tx
                .receipt_insert(&receipt("RC-G", w.customer, 100, day("2026-09-30")), None)
                .await
                .unwrap();
            let m = tx
                .match_insert(r, inv.id, y(20), day("2026-10-01"), UserId(1), "fin")
                .await
                .unwrap();
            assert!(tx.match_undo(m, day("2026-10-20")).await.unwrap());
            // The rest matched on 2026-11-01: settled from that day.
            tx.match_insert(r, inv.id, y(70), day("2026-11-01"), UserId(1), "fin")
                .await
                .unwrap();
            tx.commit().await.unwrap();

            let mut tx = b.db.read().await.unwrap();
            let open_on = |items: &[kaidan_domain::finance::AgeingItem]| -> Vec<(i64, Money)> {
                items.iter().map(|i| (i.invoice_id, i.open)).collect()
            };
            let g = AgeingGroup::Customer;
            assert!(
                tx.ageing_items(day("2026-08-31"), g)
                    .await
                    .unwrap()
                    .is_empty(),
                "{name}: not invoiced yet"
            );
            assert_eq!(
                open_on(&tx.ageing_items(day("2026-09-14"), g).await.unwrap()),
                [(inv.id, y(100)), (other, y(50))],
                "{name}"
            );
            assert_eq!(
                open_on(&tx.ageing_items(day("2026-09-15"), g).await.unwrap()),
                [(inv.id, y(70)), (other, y(50))],
                "{name}: credited"
            );
            assert_eq!(
                open_on(&tx.ageing_items(day("2026-10-01"), g).await.unwrap())[0],
                (inv.id, y(50)),
                "{name}: matched"
            );
            assert_eq!(
                open_on(&tx.ageing_items(day("2026-10-20"), g).await.unwrap())[0],
                (inv.id, y(70)),
                "{name}: the match undone"
            );
            assert_eq!(
                open_on(&tx.ageing_items(day("2026-10-31"), g).await.unwrap())[0],
                (inv.id, y(70)),
                "{name}: matched after the day"
            );
            assert_eq!(
                open_on(&tx.ageing_items(day("2026-11-01"), g).await.unwrap()),
                [(other, y(50))],
                "{name}: settled"
            );

            // Keys and labels of each grouping.
            let as_of = day("2026-09-20");
            let s = |a: &str, b: &str| (a.to_string(), b.to_string());
            let (c1, c2s) = (w.customer.get().to_string(), c2.get().to_string());
            let mut expect = vec![s(&c1, "FR-1 加盟商一"), s(&c2s, "ST-2 直营店二")];
            expect.sort();
            assert_eq!(
                keys(&mut tx, as_of, AgeingGroup::Customer).await,
                expect,
                "{name}"
            );
            let rep_id = rep.actor.user_id.get().to_string();
            let by_rep = keys(&mut tx, as_of, AgeingGroup::SalesRep).await;
            let mut expect = vec![s(&rep_id, "rep"), s("none", "未分配")];
            expect.sort();
            assert_eq!(by_rep, expect, "{name}");
            let by_region = keys(&mut tx, as_of, AgeingGroup::Region).await;
            let mut expect = vec![s(&region.to_string(), "深圳"), s("none", "未分配")];
            expect.sort();
            assert_eq!(by_region, expect, "{name}");
            let by_kind = keys(&mut tx, as_of, AgeingGroup::CustomerKind).await;
            assert_eq!(
                by_kind,
                [s("franchisee", "franchisee"), s("store", "store")]
            );
            let items = tx.ageing_items(as_of, AgeingGroup::Customer).await.unwrap();
            assert_eq!(items[0].due_date, day("2026-10-01"));

            // The lists of one sales rep's customers.
            let of_rep = InvoiceFilter {
                sales_rep: Some(rep.actor.user_id),
                limit: 10,
                ..Default::default()
            };
            let listed = tx.invoices(&of_rep).await.unwrap();
            assert_eq!(
                listed.iter().map(|i| i.id).collect::<Vec<_>>(),
                [other],
                "{name}"
            );
            let receipts = ReceiptFilter {
                sales_rep: Some(rep.actor.user_id),
                limit: 10,
                ..Default::default()
            };
            assert!(tx.receipts(&receipts).await.unwrap().is_empty(), "{name}");
        },
    )
    .await;
}

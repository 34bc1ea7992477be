//! Invoices in the store (FIN-1, ORD-7) on SQLite always and on PostgreSQL
//! when KAIDAN_TEST_DATABASE_URL is set: through the finance port, on
//! orders placed, picked and shipped by the use cases. Units invoiced are
//! counted so a shipped line is invoiced once, also when many writers try
//! at once; credit notes for refused goods take units off; the billables of
//! a day and an order's billing facts. The money side is in
//! `finance_money.rs`, which shares the helpers here.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use crate::support;

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use kaidan_app::orders::OrderView;
use kaidan_app::ports::{BillableScope, InvoiceFilter, ShipmentRow, Store, Tx};
use kaidan_domain::finance::{
    Billable, BillingFacts, Buyer, CreditReason, FapiaoKind, Invoice, InvoiceDocKind, InvoiceLine,
    OrderBilling, credit_line, lines_from, totals,
};
use kaidan_domain::fulfilment::{PickedInput, ShipInput};
use kaidan_domain::master::PaymentTerms;
use kaidan_domain::orders::{OrderStatus, company_time_zone};
use kaidan_domain::{CustomerId, Money, OrderId, Role, TaxRate, UserId};
use kaidan_store::testing::Backend;
use support::*;

/// Now, to the microsecond the store keeps.
pub(crate) fn now() -> Timestamp {
    Timestamp::from_microsecond(Timestamp::now().as_microsecond()).unwrap()
}

pub(crate) fn today() -> Date {
    Timestamp::now().to_zoned(company_time_zone()).date()
}

pub(crate) fn day(d: &str) -> Date {
    d.parse().unwrap()
}

/// Order `lines` approved, picked in full and shipped in one shipment.
pub(crate) async fn shipped(
    w: &World,
    lines: &[(usize, i64)],
    reference: &str,
) -> (OrderView, ShipmentRow) {
    let o = approved(w, lines, reference).await;
    let sh = pick_and_ship(w, o.id, reference, today()).await;
    (o, sh)
}

/// An approved order picked in full and shipped on `day` (due the day
/// after) by a warehouse user of its own.
pub(crate) async fn pick_and_ship(
    w: &World,
    order: OrderId,
    reference: &str,
    day: Date,
) -> ShipmentRow {
    let wh = user(&w.app, &format!("wh-{reference}"), &[Role::Warehouse], None).await;
    let list = w
        .app
        .create_pick_lists(&wh, &[order])
        .await
        .unwrap()
        .remove(0);
    let picked: Vec<_> = list
        .lines
        .iter()
        .map(|l| PickedInput {
            line_no: l.line_no,
            picked: l.quantity,
        })
        .collect();
    let list = w.app.confirm_pick(&wh, list.id, &picked, 1).await.unwrap();
    let ship = ShipInput {
        carrier: "顺丰速运".into(),
        tracking_no: format!("SF-{reference}"),
        eta: day.tomorrow().unwrap(),
        packages: None,
    };
    w.app.ship(&wh, list.id, &ship).await.unwrap()
}

/// An invoice of `lines` (or none) for the customer, dated `on`, due a
/// month later.
pub(crate) fn invoice(
    number: &str,
    customer: CustomerId,
    on: Date,
    lines: Vec<InvoiceLine>,
) -> Invoice {
    let t = totals(&lines, "lines").unwrap();
    Invoice {
        id: 0,
        number: number.into(),
        kind: InvoiceDocKind::Invoice,
        fapiao_kind: FapiaoKind::VatOrdinary,
        customer_id: customer,
        credit_of: None,
        credit_reason: None,
        note: None,
        invoice_date: on,
        due_date: on.checked_add(30.days()).unwrap(),
        amount: t.amount,
        tax: t.tax,
        net: t.net,
        credited: Money::ZERO,
        paid: Money::ZERO,
        buyer: Buyer {
            name: "加盟商一".into(),
            tax_number: Some("91440300MA5XXXXXX1".into()),
            bank: None,
            address: Some("深圳市南山区".into()),
        },
        fapiao_number: None,
        fapiao_code: None,
        created_at: now(),
        created_by: UserId(1),
        lines,
    }
}

/// An invoice of no lines of `amount` yuan, for the money tests.
pub(crate) fn plain_invoice(number: &str, customer: CustomerId, on: Date, yuan: i64) -> Invoice {
    let mut i = invoice(number, customer, on, Vec::new());
    i.amount = Money::yuan(yuan);
    i.net = Money::yuan(yuan);
    i
}

/// A credit note of `reason` against `of` with `lines`, dated `on`.
pub(crate) fn credit_note(
    number: &str,
    of: &Invoice,
    reason: CreditReason,
    on: Date,
    lines: Vec<InvoiceLine>,
) -> Invoice {
    let mut c = invoice(number, of.customer_id, on, lines);
    c.kind = InvoiceDocKind::CreditNote;
    c.credit_of = Some(of.id);
    c.credit_reason = Some(reason);
    c
}

pub(crate) async fn billables(tx: &mut Box<dyn Tx>, scope: BillableScope) -> Vec<Billable> {
    tx.billables(scope, 100).await.unwrap()
}

/// Units invoiced of each of an order's lines.
pub(crate) async fn order_invoiced(tx: &mut Box<dyn Tx>, o: OrderId) -> Vec<i64> {
    tx.order_lines(o)
        .await
        .unwrap()
        .iter()
        .map(|l| l.invoiced)
        .collect()
}

#[tokio::test]
async fn fin_1_an_invoice_counts_its_units_and_the_same_line_is_not_invoiced_twice() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w, _, b| async move {
            let (o, sh) = shipped(&w, &[(0, 3), (1, 2)], "PO-I1").await;
            let name = b.name;
            let mut tx = b.db.write().await.unwrap();

            // What is left to invoice: every shipped unit, priced and taxed as
            // the order line was (13 %, the rate the order line carries).
            let left = billables(&mut tx, BillableScope::Shipment(sh.id)).await;
            let got: Vec<_> = left
                .iter()
                .map(|l| (l.shipment_line_no, l.quantity, l.unit_price))
                .collect();
            assert_eq!(
                got,
                [(1, 3, Money::yuan(100)), (2, 2, Money::yuan(50))],
                "{name}"
            );
            assert!(
                left.iter()
                    .all(|l| l.tax_rate == TaxRate::from_basis_points(1300)),
                "{name}: {left:?}"
            );
            assert_eq!(left[0].order_number, o.number.clone().unwrap());
            assert_eq!(
                (left[0].sku.as_str(), left[0].product_name.as_str()),
                ("P-1", "产品1")
            );
            assert_eq!(left[0].shipment_number, sh.number);
            assert_eq!(
                left[0].shipped_on,
                sh.shipped_at.to_zoned(company_time_zone()).date()
            );
            assert_eq!(billables(&mut tx, BillableScope::Order(o.id)).await, left);

            let mut first = invoice("INV-1", w.customer, today(), lines_from(&left).unwrap());
            first.id = tx
                .invoice_insert(&first)
                .await
                .unwrap()
                .expect("the first invoice is written");
            assert!(
                billables(&mut tx, BillableScope::Shipment(sh.id))
                    .await
                    .is_empty(),
                "{name}"
            );
            assert_eq!(order_invoiced(&mut tx, o.id).await, [3, 2], "{name}");

            // Read back whole, with the lines' numbers and names.
            let got = tx.invoice_get(first.id).await.unwrap().unwrap();
            assert_eq!(got, first, "{name}");
            assert_eq!(got.lines[1].shipment_number, sh.number);
            assert_eq!(tx.invoice_by_number("INV-1").await.unwrap(), Some(first.id));
            assert_eq!(tx.invoice_orders(first.id).await.unwrap(), [o.id]);
            let of_shipment = tx.invoice_lines_of_shipment(sh.id).await.unwrap();
            assert_eq!(
                of_shipment
                    .iter()
                    .map(|(i, l)| (*i, l.line_no))
                    .collect::<Vec<_>>(),
                [(first.id, 1), (first.id, 2)]
            );
            tx.commit().await.unwrap();

            // A second invoice of the same lines finds nothing left: `None`,
            // and nothing of it is written.
            let mut tx = b.db.write().await.unwrap();
            let second = invoice("INV-2", w.customer, today(), first.lines.clone());
            assert_eq!(tx.invoice_insert(&second).await.unwrap(), None, "{name}");
            assert_eq!(order_invoiced(&mut tx, o.id).await, [3, 2], "{name}");
            assert_eq!(tx.invoice_by_number("INV-2").await.unwrap(), None);
            drop(tx);

            // One line with units left and one without: the first count is
            // undone when the second is refused.
            let (o2, sh2) = shipped(&w, &[(0, 2), (1, 1)], "PO-I2").await;
            let mut tx = b.db.write().await.unwrap();
            let left = billables(&mut tx, BillableScope::Shipment(sh2.id)).await;
            let line2 = lines_from(&left[1..]).unwrap();
            assert!(
                tx.invoice_insert(&invoice("INV-3", w.customer, today(), line2))
                    .await
                    .unwrap()
                    .is_some()
            );
            let both = lines_from(&left).unwrap();
            assert_eq!(
                tx.invoice_insert(&invoice("INV-4", w.customer, today(), both))
                    .await
                    .unwrap(),
                None
            );
            assert_eq!(
                order_invoiced(&mut tx, o2.id).await,
                [0, 1],
                "{name}: line 1's count is undone"
            );
            let after = billables(&mut tx, BillableScope::Shipment(sh2.id)).await;
            assert_eq!(
                after
                    .iter()
                    .map(|l| (l.shipment_line_no, l.quantity))
                    .collect::<Vec<_>>(),
                [(1, 2)]
            );
            tx.commit().await.unwrap();

            // The lists: newest first, by order, open, waiting for a fapiao.
            let mut tx = b.db.read().await.unwrap();
            let list = |f: InvoiceFilter| InvoiceFilter { limit: 50, ..f };
            let all = tx.invoices(&list(InvoiceFilter::default())).await.unwrap();
            assert_eq!(
                all.iter().map(|i| i.number.as_str()).collect::<Vec<_>>(),
                ["INV-3", "INV-1"]
            );
            assert!(all.iter().all(|i| i.lines.is_empty()));
            let of_order = tx
                .invoices(&list(InvoiceFilter {
                    order: Some(o.id),
                    ..Default::default()
                }))
                .await
                .unwrap();
            assert_eq!(
                of_order.iter().map(|i| i.id).collect::<Vec<_>>(),
                [first.id]
            );
            let older = tx
                .invoices(&list(InvoiceFilter {
                    before_id: Some(all[0].id),
                    ..Default::default()
                }))
                .await
                .unwrap();
            assert_eq!(older.len(), 1);
            let open = tx
                .invoices(&list(InvoiceFilter {
                    open_only: true,
                    without_fapiao: true,
                    ..Default::default()
                }))
                .await
                .unwrap();
            assert_eq!(open.len(), 2, "{name}");
            let rep = tx
                .invoices(&list(InvoiceFilter {
                    sales_rep: Some(UserId(999)),
                    ..Default::default()
                }))
                .await
                .unwrap();
            assert!(rep.is_empty(), "the customer has no sales rep");
            drop(tx);

            // A fapiao number once; then the invoice no longer waits for one.
            let mut tx = b.db.write().await.unwrap();
            assert!(
                tx.invoice_fapiao(first.id, "12345678", Some("4400123456"))
                    .await
                    .unwrap()
            );
            assert!(!tx.invoice_fapiao(first.id, "87654321", None).await.unwrap());
            let open = tx
                .invoices(&list(InvoiceFilter {
                    without_fapiao: true,
                    ..Default::default()
                }))
                .await
                .unwrap();
            assert_eq!(
                open.iter().map(|i| i.number.as_str()).collect::<Vec<_>>(),
                ["INV-3"]
            );
            let got = tx.invoice_get(first.id).await.unwrap().unwrap();
            assert_eq!(
                (got.fapiao_number.as_deref(), got.fapiao_code.as_deref()),
                (Some("12345678"), Some("4400123456"))
            );
            tx.commit().await.unwrap();
        },
    )
    .await;
}

#[tokio::test]
async fn fin_1_credit_notes_for_refused_goods_take_units_off_and_others_count_nothing() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w, _, b| async move {
            let (o, sh) = shipped(&w, &[(0, 3), (1, 2)], "PO-C1").await;
            let name = b.name;
            let mut tx = b.db.write().await.unwrap();
            let left = billables(&mut tx, BillableScope::Shipment(sh.id)).await;
            let mut inv = invoice("INV-C", w.customer, today(), lines_from(&left).unwrap());
            inv.id = tx.invoice_insert(&inv).await.unwrap().unwrap();

            // A return of one unit of line 1: a document, no count changes.
            let ret = credit_note(
                "CN-1",
                &inv,
                CreditReason::Return,
                today(),
                vec![credit_line(&inv.lines[0], 1, None).unwrap()],
            );
            assert!(tx.invoice_insert(&ret).await.unwrap().is_some());
            assert_eq!(order_invoiced(&mut tx, o.id).await, [3, 2], "{name}");
            // A price correction on line 2: no units at all.
            let price = credit_note(
                "CN-2",
                &inv,
                CreditReason::PriceCorrection,
                today(),
                vec![credit_line(&inv.lines[1], 0, Some(Money::yuan(10))).unwrap()],
            );
            assert!(tx.invoice_insert(&price).await.unwrap().is_some());
            // Refused goods: one unit of line 2 comes off both counts and can
            // be invoiced again.
            let refused = credit_note(
                "CN-3",
                &inv,
                CreditReason::Refused,
                today(),
                vec![credit_line(&inv.lines[1], 1, None).unwrap()],
            );
            assert!(tx.invoice_insert(&refused).await.unwrap().is_some());
            assert_eq!(order_invoiced(&mut tx, o.id).await, [3, 1], "{name}");
            let again = billables(&mut tx, BillableScope::Shipment(sh.id)).await;
            assert_eq!(
                again
                    .iter()
                    .map(|l| (l.shipment_line_no, l.quantity))
                    .collect::<Vec<_>>(),
                [(2, 1)]
            );
            // More refused than invoiced is refused and changes nothing.
            let too_many = credit_note(
                "CN-4",
                &inv,
                CreditReason::Refused,
                today(),
                vec![credit_line(&inv.lines[1], 2, None).unwrap()],
            );
            assert_eq!(tx.invoice_insert(&too_many).await.unwrap(), None);
            assert_eq!(order_invoiced(&mut tx, o.id).await, [3, 1], "{name}");

            // What the credit notes took off each line.
            let credited = tx.invoice_credited_lines(inv.id).await.unwrap();
            let got: Vec<_> = credited
                .iter()
                .map(|c| (c.line_no, c.quantity, c.amount))
                .collect();
            assert_eq!(
                got,
                [(1, 1, Money::yuan(100)), (2, 1, Money::yuan(60))],
                "{name}"
            );
            let notes = tx
                .invoices(&InvoiceFilter {
                    kind: Some(InvoiceDocKind::CreditNote),
                    limit: 10,
                    ..Default::default()
                })
                .await
                .unwrap();
            assert_eq!(notes.len(), 3);
            assert!(notes.iter().all(|n| n.credit_of == Some(inv.id)));
            // The refused unit invoiced again and credited: each invoice's
            // credit notes are read exactly, none of the other's.
            let left = billables(&mut tx, BillableScope::Shipment(sh.id)).await;
            let mut inv2 = invoice("INV-C2", w.customer, today(), lines_from(&left).unwrap());
            inv2.id = tx.invoice_insert(&inv2).await.unwrap().unwrap();
            let cn5 = credit_note(
                "CN-5",
                &inv2,
                CreditReason::Return,
                today(),
                vec![credit_line(&inv2.lines[0], 1, None).unwrap()],
            );
            let cn5_id = tx.invoice_insert(&cn5).await.unwrap().unwrap();
            let of = |id: i64| InvoiceFilter {
                credit_of: Some(id),
                limit: 10,
                ..Default::default()
            };
            let numbers = |v: Vec<Invoice>| v.into_iter().map(|i| i.number).collect::<Vec<_>>();
            assert_eq!(
                numbers(tx.invoices(&of(inv.id)).await.unwrap()),
                ["CN-3", "CN-2", "CN-1"],
                "{name}"
            );
            assert_eq!(
                numbers(tx.invoices(&of(inv2.id)).await.unwrap()),
                ["CN-5"],
                "{name}"
            );
            assert!(tx.invoices(&of(cn5_id)).await.unwrap().is_empty());
            tx.commit().await.unwrap();
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fin_1_of_32_writers_invoicing_the_same_shipment_line_at_once_exactly_one_succeeds() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w, _, b| async move {
            let (o, sh) = shipped(&w, &[(0, 4)], "PO-R1").await;
            let name = b.name;
            let mut tx = b.db.read().await.unwrap();
            let lines =
                lines_from(&billables(&mut tx, BillableScope::Shipment(sh.id)).await).unwrap();
            drop(tx);
            let db: Arc<dyn Store> = Arc::new(b.db.clone());
            let start = Arc::new(tokio::sync::Barrier::new(32));
            let mut tasks = Vec::new();
            for i in 0..32 {
                let (db, start) = (Arc::clone(&db), Arc::clone(&start));
                let inv = invoice(&format!("INV-R{i:02}"), w.customer, today(), lines.clone());
                tasks.push(tokio::spawn(async move {
                    start.wait().await;
                    let mut tx = db.write().await.unwrap();
                    let id = tx.invoice_insert(&inv).await.unwrap();
                    if id.is_some() {
                        // Hold the row a while: the others wait on it (on
                        // PostgreSQL) and must check again once it commits.
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        tx.commit().await.unwrap();
                    }
                    id
                }));
            }
            let mut written = 0;
            for t in tasks {
                written += usize::from(t.await.unwrap().is_some());
            }
            assert_eq!(written, 1, "{name}");
            let mut tx = b.db.read().await.unwrap();
            assert_eq!(order_invoiced(&mut tx, o.id).await, [4], "{name}");
            let all = tx
                .invoices(&InvoiceFilter {
                    limit: 100,
                    ..Default::default()
                })
                .await
                .unwrap();
            assert_eq!(all.len(), 1, "{name}");
            assert!(
                billables(&mut tx, BillableScope::Shipment(sh.id))
                    .await
                    .is_empty()
            );
        },
    )
    .await;
}

#[tokio::test]
async fn ord_7_billing_facts_follow_shipments_invoices_and_money() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w, _, b| async move {
            let name = b.name;
            let (o, _) = shipped(&w, &[(0, 3), (1, 2)], "PO-B1").await;
            let mut tx = b.db.write().await.unwrap();
            let facts = tx.order_billing_facts(o.id).await.unwrap();
            let expect = BillingFacts {
                shipped_in_full: true,
                billable: 5,
                invoiced: 0,
                open: Money::ZERO,
            };
            assert_eq!(facts, expect, "{name}");
            assert_eq!(
                tx.order_get(o.id).await.unwrap().unwrap().status,
                OrderStatus::Shipped
            );

            // Line 1 invoiced: 3 of 5.
            let left = billables(&mut tx, BillableScope::Order(o.id)).await;
            let id1 = tx
                .invoice_insert(&invoice(
                    "INV-B1",
                    w.customer,
                    today(),
                    lines_from(&left[..1]).unwrap(),
                ))
                .await
                .unwrap()
                .unwrap();
            let facts = tx.order_billing_facts(o.id).await.unwrap();
            assert_eq!(
                (facts.invoiced, facts.open),
                (3, Money::yuan(300)),
                "{name}"
            );
            assert_eq!(OrderBilling::of(facts), OrderBilling::PartlyInvoiced);
            // The rest; an invoice covering two orders counts once for each.
            let id2 = tx
                .invoice_insert(&invoice(
                    "INV-B2",
                    w.customer,
                    today(),
                    lines_from(&left[1..]).unwrap(),
                ))
                .await
                .unwrap()
                .unwrap();
            let facts = tx.order_billing_facts(o.id).await.unwrap();
            assert_eq!(
                (facts.billable, facts.invoiced, facts.open),
                (5, 5, Money::yuan(400)),
                "{name}"
            );
            assert!(
                tx.invoice_settle(id1, Money::yuan(300), Money::ZERO)
                    .await
                    .unwrap()
            );
            assert!(
                tx.invoice_settle(id2, Money::yuan(60), Money::yuan(40))
                    .await
                    .unwrap()
            );
            let facts = tx.order_billing_facts(o.id).await.unwrap();
            assert_eq!(facts.open, Money::ZERO, "{name}");
            assert_eq!(OrderBilling::of(facts), OrderBilling::Paid);

            // Stored as derived, read with the order; its version stays.
            let before = tx.order_get(o.id).await.unwrap().unwrap();
            assert_eq!(before.billing, OrderBilling::Uninvoiced);
            tx.order_billing_set(o.id, OrderBilling::Paid)
                .await
                .unwrap();
            let after = tx.order_get(o.id).await.unwrap().unwrap();
            assert_eq!(
                (after.billing, after.version),
                (OrderBilling::Paid, before.version)
            );
            assert!(
                tx.order_billing_set(OrderId(o.id.get() + 100), OrderBilling::Paid)
                    .await
                    .is_err()
            );
            assert!(
                tx.order_billing_facts(OrderId(o.id.get() + 100))
                    .await
                    .is_err()
            );

            tx.commit().await.unwrap();
        },
    )
    .await;
}

#[tokio::test]
async fn fin_1_billables_up_to_a_day_are_what_shipped_by_its_end() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::MonthlySettlement,
        10,
        |w, _, b: Backend| async move {
            let name = b.name;
            let (o1, sh1) = shipped(&w, &[(0, 1)], "PO-U1").await;
            let (o2, _) = shipped(&w, &[(1, 2)], "PO-U2").await;
            let shipped_on = sh1.shipped_at.to_zoned(company_time_zone()).date();
            let mut tx = b.db.read().await.unwrap();
            let up_to =
                |customer: Option<CustomerId>, up_to: Date| BillableScope::UpTo { customer, up_to };
            let orders = |b: &[Billable]| b.iter().map(|l| l.order_id).collect::<Vec<_>>();
            let on_day = billables(&mut tx, up_to(Some(w.customer), shipped_on)).await;
            assert_eq!(
                orders(&on_day),
                [o1.id, o2.id],
                "{name}: oldest shipment first"
            );
            assert_eq!(
                orders(&billables(&mut tx, up_to(None, shipped_on)).await),
                [o1.id, o2.id]
            );
            assert!(
                billables(
                    &mut tx,
                    up_to(Some(w.customer), shipped_on.yesterday().unwrap())
                )
                .await
                .is_empty(),
                "{name}: shipped after the day"
            );
            assert!(
                billables(
                    &mut tx,
                    up_to(Some(CustomerId(w.customer.get() + 100)), shipped_on)
                )
                .await
                .is_empty()
            );
            assert_eq!(
                tx.billables(up_to(None, shipped_on), 1)
                    .await
                    .unwrap()
                    .len(),
                1,
                "at most the limit"
            );
        },
    )
    .await;
}

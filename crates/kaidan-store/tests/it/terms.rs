//! Net-days payment terms and the credit check on open invoices (FIN-2,
//! FIN-4, FIN-6; ADR 0028) on SQLite always and on PostgreSQL when
//! KAIDAN_TEST_DATABASE_URL is set: a net-30 customer's invoice is due 30
//! days after its date and ages from there; the number of days is checked,
//! stored and carried through export and import; review holds a customer
//! whose open invoice is overdue past the tolerance, and not one whose old
//! ledger charges belong to invoices paid or not yet due.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use crate::finance::today;
use crate::support;

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use kaidan_app::import_export::Dataset;
use kaidan_app::orders::{FinanceDecision, OrderView};
use kaidan_app::{AppError, Ctx};
use kaidan_domain::Money;
use kaidan_domain::finance::{AgeingGroup, InvoiceInput, ReceiptInput};
use kaidan_domain::master::{CustomerData, CustomerKind, PaymentMethod, PaymentTerms};
use kaidan_domain::orders::{Channel, OrderInput, OrderLineInput, OrderStatus, company_time_zone};
use kaidan_store::testing::on_each_app;
use support::*;

/// The world's customer made a business customer on net `days` (净N天):
/// the class the default review rules let buy on net days.
async fn business_on_net_days(w: &World, days: u32) {
    let rec = w
        .app
        .get::<CustomerData>(&Ctx::system(), w.customer.get())
        .await
        .unwrap();
    let data = CustomerData {
        kind: CustomerKind::Business,
        payment_terms: PaymentTerms::NetDays,
        net_days: Some(days),
        ..rec.data
    };
    w.app
        .update(&Ctx::system(), w.customer.get(), Some(rec.version), data)
        .await
        .unwrap();
}

/// The app's day (its clock, the company's time zone).
fn app_day(clock: &MovableClock) -> Date {
    use kaidan_app::clock::Clock;
    clock.now().to_zoned(company_time_zone()).date()
}

/// Moves the clock to noon of `days_ago` days before today.
fn back_to(clock: &Arc<MovableClock>, days_ago: i64) {
    let day = today().checked_sub(days_ago.days()).unwrap();
    let at: Timestamp = day
        .at(12, 0, 0, 0)
        .to_zoned(company_time_zone())
        .unwrap()
        .timestamp();
    clock.set(at);
}

/// An order of `quantity` of the first product, placed on the app's day.
async fn placed(w: &World, clock: &MovableClock, quantity: i64, reference: &str) -> OrderView {
    let input = OrderInput {
        contact_name: Some("王经理".into()),
        customer_reference: Some(reference.into()),
        ..OrderInput::new(
            w.customer,
            Channel::Phone,
            app_day(clock),
            vec![OrderLineInput::new(w.products[0], quantity)],
        )
    };
    created(
        w.app
            .place_order(&w.clerk, input, false, None)
            .await
            .unwrap(),
    )
}

/// An order placed, approved, picked and shipped on the app's day; the
/// shipment's id.
async fn shipped_on_app_day(
    w: &World,
    clock: &MovableClock,
    quantity: i64,
    reference: &str,
) -> i64 {
    let o = placed(w, clock, quantity, reference).await;
    let reviewed = w.app.review_order(&w.clerk, o.id).await.unwrap();
    assert_eq!(
        reviewed.status,
        OrderStatus::FinanceReview,
        "{reference} ({})",
        w.backend
    );
    w.app
        .finance_review(&w.finance, o.id, FinanceDecision::Pass)
        .await
        .unwrap();
    crate::finance::pick_and_ship(w, o.id, reference, app_day(clock))
        .await
        .id
}

/// Invoices a shipment on the app's day.
async fn invoice_shipment(w: &World, shipment: i64) -> kaidan_app::finance::InvoiceView {
    w.app
        .issue_invoice(
            &w.finance,
            &InvoiceInput {
                shipment_id: Some(shipment),
                ..InvoiceInput::default()
            },
        )
        .await
        .unwrap()
}

/// FIN-2, FIN-4: an invoice of a customer on net 30 days (净30天) falls due
/// 30 days after its date, and the ageing counts it not due until then,
/// one day past due the day after, and in the 31–60 bucket a month later.
#[tokio::test]
async fn fin_2_fin_4_a_net_30_invoice_is_due_30_days_after_its_date_and_ages_from_there() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::NetDays,
        100,
        |w, clock, _| async move {
            business_on_net_days(&w, 30).await;
            // Invoiced 80 days ago, so every day the ageing is asked about
            // below has passed.
            back_to(&clock, 80);
            let shipment = shipped_on_app_day(&w, &clock, 2, "NET-30").await;
            let v = invoice_shipment(&w, shipment).await;
            let i = &v.invoice;
            assert_eq!(i.invoice_date, app_day(&clock), "{}", w.backend);
            assert_eq!(
                i.due_date,
                i.invoice_date.checked_add(30.days()).unwrap(),
                "{}",
                w.backend
            );
            clock.0.store(0, std::sync::atomic::Ordering::SeqCst);
            let open = v.open;
            let bucket = |as_of: Date| {
                let app = &w.app;
                let finance = &w.finance;
                async move {
                    let r = app
                        .ageing(finance, Some(as_of), AgeingGroup::Customer)
                        .await
                        .unwrap();
                    assert_eq!(r.totals.total, open);
                    r.totals
                        .buckets
                        .iter()
                        .position(|b| b.is_positive())
                        .map(|i| r.columns[i].clone())
                }
            };
            assert_eq!(bucket(i.due_date).await.as_deref(), Some("not_due"));
            assert_eq!(
                bucket(i.due_date.tomorrow().unwrap()).await.as_deref(),
                Some("0-30")
            );
            assert_eq!(
                bucket(i.due_date.checked_add(31.days()).unwrap())
                    .await
                    .as_deref(),
                Some("31-60")
            );
        },
    )
    .await;
}

/// FIN-2: the number of days of net-days terms is checked before anything
/// is written (required, 1–366, only with net-days terms), each refusal
/// naming `net_days`; it is stored, exported and imported again.
#[tokio::test]
async fn fin_2_net_days_are_checked_stored_and_survive_export_and_import() {
    on_each_app(|app, backend| async move {
        let ctx = Ctx::system();
        let mut c = customer(
            "BZ-NET",
            "星河科技有限公司",
            CustomerKind::Business,
            PaymentTerms::NetDays,
            Money::yuan(200_000),
        );
        c.net_days = Some(45);
        let id = create(&app, c.clone()).await;
        let back = app.get::<CustomerData>(&ctx, id).await.unwrap().data;
        assert_eq!(
            (back.payment_terms, back.net_days),
            (PaymentTerms::NetDays, Some(45)),
            "{backend}"
        );
        for (terms, days) in [
            (PaymentTerms::NetDays, None),
            (PaymentTerms::NetDays, Some(0)),
            (PaymentTerms::NetDays, Some(367)),
            (PaymentTerms::MonthlySettlement, Some(30)),
        ] {
            let bad = CustomerData {
                code: "BZ-BAD".into(),
                payment_terms: terms,
                net_days: days,
                ..c.clone()
            };
            let e = app.create(&ctx, bad, None).await.err();
            let Some(AppError::Invalid(v)) = e else {
                panic!("{backend}: {terms} {days:?} was not refused: {e:?}");
            };
            assert_eq!(v.errors.len(), 1, "{backend}: {v:?}");
            assert_eq!(v.errors[0].field, "net_days", "{backend}");
        }
        let listed = app
            .list::<CustomerData>(&ctx, &kaidan_app::ListRequest::default())
            .await
            .unwrap();
        assert_eq!(listed.items.len(), 1, "{backend}: nothing bad was written");

        // Export, change the days in the file, import: the record follows.
        let csv = export_file(&app, &ctx, Dataset::Customers, kaidan_io::Format::Csv)
            .await
            .unwrap();
        let text = String::from_utf8(csv).unwrap();
        let text = text.trim_start_matches('\u{feff}');
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        let col = header.iter().position(|h| *h == "net_days").unwrap();
        let row: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
        assert_eq!(row[col], "45", "{backend}: {text}");
        let edited = |days: &str, terms: &str| {
            let terms_col = header.iter().position(|h| *h == "payment_terms").unwrap();
            let mut cells: Vec<String> = row.iter().map(|s| s.to_string()).collect();
            cells[col] = days.into();
            cells[terms_col] = terms.into();
            format!("{}\n{}\n", header.join(","), cells.join(","))
        };
        let report = import_file(
            &app,
            &ctx,
            Dataset::Customers,
            "customers.csv",
            edited("60", "net_days").as_bytes(),
        )
        .await
        .unwrap();
        assert_eq!(report.updated, 1, "{backend}: {report:?}");
        let back = app.get::<CustomerData>(&ctx, id).await.unwrap().data;
        assert_eq!(back.net_days, Some(60), "{backend}");
        for (days, terms) in [("0", "net_days"), ("", "net_days"), ("30", "prepayment")] {
            let e = import_file(
                &app,
                &ctx,
                Dataset::Customers,
                "customers.csv",
                edited(days, terms).as_bytes(),
            )
            .await
            .unwrap_err();
            let AppError::ImportRejected(rows) = &e else {
                panic!("{backend}: {e:?}");
            };
            assert_eq!(rows.len(), 1, "{backend}: {rows:?}");
            assert_eq!(rows[0].row, 2);
            assert_eq!(rows[0].column.as_deref(), Some("net_days"), "{backend}");
        }
        let back = app.get::<CustomerData>(&ctx, id).await.unwrap().data;
        assert_eq!(
            back.net_days,
            Some(60),
            "{backend}: a refused file writes nothing"
        );
    })
    .await;
}

/// FIN-6 (ADR 0028): an open invoice overdue beyond the tolerance (30
/// days) puts the customer's next order on credit hold at review.
#[tokio::test]
async fn fin_6_an_invoice_overdue_past_the_tolerance_holds_the_next_order() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::NetDays,
        100,
        |w, clock, _| async move {
            business_on_net_days(&w, 30).await;
            back_to(&clock, 70);
            let shipment = shipped_on_app_day(&w, &clock, 2, "OLD-1").await;
            let v = invoice_shipment(&w, shipment).await;
            assert!(v.open.is_positive());
            clock.0.store(0, std::sync::atomic::Ordering::SeqCst);
            // Due 40 days ago: ten days beyond the tolerance.
            let o = placed(&w, &clock, 1, "NEW-1").await;
            let reviewed = w.app.review_order(&w.clerk, o.id).await.unwrap();
            assert_eq!(reviewed.status, OrderStatus::CreditHold, "{}", w.backend);
            let hold = reviewed
                .timeline
                .iter()
                .find(|e| e.kind == "credit_hold")
                .unwrap();
            let text = hold.data.to_string();
            assert!(
                text.contains("overdue_receivables") && text.contains("40 days overdue"),
                "{}: {text}",
                w.backend
            );
        },
    )
    .await;
}

/// FIN-6 (ADR 0028): the ledger's oldest unpaid charge is not what makes a
/// customer late. Goods shipped 70 days ago were invoiced only today (due
/// in 30 days); goods shipped 65 days ago were invoiced then and are paid.
/// The ledger repays the oldest charge first, so it still holds the
/// 65-day-old charge open, and reading overdue days from it (the code
/// before) held the order; the invoices say nothing is overdue, and the
/// order goes on to finance. What is owed still counts against the limit.
#[tokio::test]
async fn fin_6_old_ledger_charges_of_invoices_paid_or_not_yet_due_do_not_hold() {
    on_each_backend_clocked(
        1_000_000,
        PaymentTerms::NetDays,
        100,
        |w, clock, _| async move {
            business_on_net_days(&w, 30).await;
            back_to(&clock, 70);
            let late_invoiced = shipped_on_app_day(&w, &clock, 2, "SHIP-70").await;
            back_to(&clock, 65);
            let paid = shipped_on_app_day(&w, &clock, 2, "SHIP-65").await;
            let paid = invoice_shipment(&w, paid).await;
            clock.0.store(0, std::sync::atomic::Ordering::SeqCst);
            let not_due = invoice_shipment(&w, late_invoiced).await;
            assert!(not_due.invoice.due_date > today(), "{}", w.backend);
            let r = w
                .app
                .register_receipt(
                    &w.finance,
                    &ReceiptInput {
                        customer_id: w.customer,
                        payer: "星河科技有限公司".into(),
                        method: PaymentMethod::BankTransfer,
                        amount: paid.open,
                        received_on: today(),
                        bank_reference: Some("CMB-20260101-0001".into()),
                        note: None,
                    },
                    None,
                )
                .await
                .unwrap();
            w.app
                .verify_receipt(&w.finance, r.receipt.id)
                .await
                .unwrap();
            let paid = w.app.invoice(&w.finance, paid.invoice.id).await.unwrap();
            assert!(paid.open.is_zero(), "{}: {paid:?}", w.backend);

            let o = placed(&w, &clock, 1, "NEW-2").await;
            let reviewed = w.app.review_order(&w.clerk, o.id).await.unwrap();
            assert_eq!(reviewed.status, OrderStatus::FinanceReview, "{}", w.backend);
            // The exposure is what is owed: the invoice not yet due.
            let event = reviewed
                .timeline
                .iter()
                .rev()
                .find(|e| e.data.get("credit").is_some())
                .unwrap();
            let owed: Money = event.data["credit"]["open_receivables"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(owed, not_due.open, "{}", w.backend);
        },
    )
    .await;
}

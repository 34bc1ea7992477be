//! KPI-1, KPI-2, KPI-4 and KPI-5 as a property (issue 20, ADR 0038): in
//! random small worlds — customers with and without a rep or a region,
//! two clerks, orders left waiting, approved, rejected or changed for an
//! entry error — every breakdown of every figure sums to the figure's
//! trend (the two are separate counts over the records), and each group's
//! records list as many counted records as the group counts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use kaidan_app::clock::SystemClock;
use kaidan_app::orders::FinanceDecision;
use kaidan_app::ports::Store;
use kaidan_app::{App, AppConfig, Ctx};
use kaidan_domain::figures::{Figure, FigurePeriod, Tally};
use kaidan_domain::master::{CustomerKind, PaymentTerms, RegionData};
use kaidan_domain::orders::changes::Change;
use kaidan_domain::orders::{ChangeCause, ChangeRequest, Channel, OrderInput, OrderLineInput};
use kaidan_domain::{CustomerId, Money, Role, WarehouseId};
use kaidan_store::testing::fresh;
use proptest::prelude::*;

use crate::support::{check_on_each_backend, create, customer, two_products, user, warehouse};

/// One order: its customer, its clerk, its quantity and what becomes of
/// it (0 waits, 1 approved, 2 rejected, 3 approved then changed for an
/// entry error).
type Planned = (usize, usize, i64, u8);

async fn run(backend: &'static str, plan: Vec<Planned>) -> Result<(), String> {
    let t = fresh(backend).await?;
    let db: Arc<dyn Store> = Arc::new(t.db.clone());
    let app = App::new(db, Arc::new(SystemClock), AppConfig::default());
    app.bootstrap().await.map_err(|e| e.to_string())?;
    let sys = Ctx::system();
    let products = two_products(&app).await;
    let wh = WarehouseId(create(&app, warehouse("WH", "总仓", true)).await);
    for p in &products {
        app.receive_stock(&sys, *p, wh, 1000, "opening")
            .await
            .unwrap();
    }
    let region = create(
        &app,
        RegionData {
            code: "SZ".into(),
            name: "Shenzhen".into(),
            name_zh: "深圳".into(),
        },
    )
    .await;
    let rep = user(&app, "rep", &[Role::SalesRep], None).await;
    let mut customers = Vec::new();
    for (i, kind, with_rep, with_region) in [
        (0, CustomerKind::Franchisee, true, true),
        (1, CustomerKind::Store, false, false),
        (2, CustomerKind::Business, true, false),
    ] {
        let mut c = customer(
            &format!("C-{i}"),
            &format!("客户{i}"),
            kind,
            PaymentTerms::MonthlySettlement,
            Money::yuan(1_000_000),
        );
        c.sales_rep_id = with_rep.then_some(rep.actor.user_id);
        c.region_id = with_region.then_some(kaidan_domain::RegionId(region));
        customers.push(CustomerId(create(&app, c).await));
    }
    let clerks = [
        user(&app, "clerk0", &[Role::OrderClerk], None).await,
        user(&app, "clerk1", &[Role::OrderClerk], None).await,
    ];
    let finance = user(&app, "fin", &[Role::Finance], None).await;
    let today = app.today_date();
    for (n, (c, k, q, fate)) in plan.iter().enumerate() {
        let input = OrderInput {
            customer_reference: Some(format!("P-{n}")),
            ..OrderInput::new(
                customers[*c],
                Channel::Phone,
                today,
                vec![OrderLineInput::new(products[n % 2], *q)],
            )
        };
        let clerk = &clerks[*k];
        let id = match app.place_order(clerk, input, true, None).await.unwrap() {
            kaidan_app::Created::New(v) => v.id,
            kaidan_app::Created::Replayed { .. } => return Err("replayed".into()),
        };
        match fate {
            0 => {}
            2 => {
                app.reject_order(clerk, id, "录入错误").await.unwrap();
            }
            _ => {
                app.review_order(clerk, id).await.unwrap();
                app.finance_review(&finance, id, FinanceDecision::Pass)
                    .await
                    .unwrap();
                if *fate == 3 {
                    let request = ChangeRequest {
                        reason: "数量录错".into(),
                        cause: ChangeCause::EntryError,
                        changes: vec![Change::Quantity {
                            line_no: 1,
                            quantity: q + 1,
                        }],
                    };
                    app.request_change(clerk, id, request).await.unwrap();
                }
            }
        }
    }
    let period = FigurePeriod::new(today.first_of_month(), today).unwrap();
    let expected_orders = i64::try_from(plan.len()).unwrap();
    for figure in [
        Figure::Accuracy,
        Figure::OnTime,
        Figure::StockCheck,
        Figure::Sales,
    ] {
        for by in figure.breakdowns() {
            let r = app
                .figure(&sys, figure, period, Some(*by))
                .await
                .map_err(|e| e.to_string())?;
            let mut trend = Tally::default();
            for p in &r.table.trend {
                trend = trend.checked_add(p.tally).unwrap();
            }
            if trend != r.table.total {
                return Err(format!(
                    "{backend} {figure} by {by}: groups sum to {:?}, the trend to {trend:?}",
                    r.table.total
                ));
            }
            if figure == Figure::Accuracy && r.table.total.counted != expected_orders {
                return Err(format!(
                    "{backend} {figure}: {:?} of {expected_orders}",
                    r.table.total
                ));
            }
            let wrong = plan.iter().filter(|p| p.3 >= 2).count();
            if figure == Figure::Accuracy
                && r.table.total.hits != expected_orders - i64::try_from(wrong).unwrap()
            {
                return Err(format!(
                    "{backend} {figure}: {:?}, {wrong} wrong",
                    r.table.total
                ));
            }
            if figure == Figure::Accuracy {
                for g in &r.table.groups {
                    let recs = app
                        .figure_records(&sys, figure, period, Some(*by), Some(&g.key))
                        .await
                        .map_err(|e| e.to_string())?;
                    let counted = recs.iter().filter(|x| x.counted).count();
                    let hits = recs.iter().filter(|x| x.hit).count();
                    if (
                        i64::try_from(counted).unwrap(),
                        i64::try_from(hits).unwrap(),
                    ) != (g.tally.counted, g.tally.hits)
                    {
                        return Err(format!(
                            "{backend} {figure} by {by} group {:?}: {counted}/{hits} records",
                            g.label
                        ));
                    }
                }
            }
        }
    }
    t.db.close().await;
    Ok(())
}

#[test]
fn kpi_1_2_4_5_every_breakdown_sums_to_the_trend_and_lists_its_records() {
    check_on_each_backend(
        5,
        prop::collection::vec((0usize..3, 0usize..2, 1i64..5, 0u8..4), 1..9),
        run,
    );
}

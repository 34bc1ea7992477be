//! Sales points in the demo (SAL-4): the general manager's scheme from the
//! history's first month (one point per 100 yuan ordered) and the
//! catalogue; the sales manager posts each ended month's basic points;
//! extra points approved (praise for the south rep, the north rep's
//! target met) and one training award waiting for the general manager;
//! the south rep redeems a tea box when his points reach it.

use anyhow::Context;
use jiff::ToSpan;
use jiff::civil::Date;
use kaidan_app::App;
use kaidan_domain::points::{
    AwardReason, ItemKind, PointsAwardInput, PointsItemInput, PointsSchemeInput, RedemptionInput,
};
use kaidan_domain::targets::TargetBasis;
use kaidan_domain::{Role, UserId};
use rust_decimal::Decimal;

use super::demo_login;

fn month_key(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

const CATALOGUE: [(&str, &str, ItemKind, i64); 4] = [
    ("GIFT-TEA", "西湖龙井茶叶礼盒", ItemKind::Gift, 300),
    ("CPN-200", "200元商场购物券", ItemKind::Coupon, 2000),
    (
        "TRN-SALES",
        "大客户销售技巧培训(两天)",
        ItemKind::Training,
        1500,
    ),
    ("GIFT-BAG", "商务双肩包", ItemKind::Gift, 900),
];

pub(super) async fn points(app: &App, history_start: Date, today: Date) -> anyhow::Result<()> {
    let gm = demo_login(app, Role::GeneralManager.as_str()).await?;
    let manager = demo_login(app, Role::SalesManager.as_str()).await?;
    let admin = demo_login(app, Role::Admin.as_str()).await?;
    let south = demo_login(app, Role::SalesRep.as_str()).await?;
    let users = app.list_users(&admin).await?;
    let id = |name: &str| -> anyhow::Result<UserId> {
        users
            .iter()
            .find(|u| u.username == name)
            .map(|u| u.id)
            .with_context(|| format!("the demo user {name}"))
    };
    let (south_id, north_id) = (id(Role::SalesRep.as_str())?, id(super::data::SECOND_REP.0)?);

    let first = history_start.first_of_month();
    app.put_points_scheme(
        &gm,
        PointsSchemeInput {
            month: month_key(first),
            basis: TargetBasis::Ordered,
            ratio: Decimal::new(1, 2),
            note: Some("每订货100元积1分".into()),
        },
    )
    .await
    .context("the demo's points scheme")?;
    for (code, name, kind, cost) in CATALOGUE {
        app.create_points_item(
            &gm,
            PointsItemInput {
                code: code.into(),
                name: name.into(),
                kind,
                cost,
                active: true,
                note: None,
            },
        )
        .await
        .with_context(|| format!("the demo's points item {code}"))?;
    }

    // Every month of the history that has ended.
    let mut month = first;
    while month.checked_add(1.month())? <= today {
        app.post_basic_points(&manager, &month_key(month))
            .await
            .with_context(|| format!("the demo's basic points of {}", month_key(month)))?;
        month = month.checked_add(1.month())?;
    }

    let award = |rep, reason_kind, points, reason: &str| PointsAwardInput {
        rep_id: rep,
        reason_kind,
        points,
        reason: reason.into(),
    };
    let praise = app
        .propose_points_award(
            &manager,
            award(
                south_id,
                AwardReason::Praise,
                100,
                "加盟商来信表扬:补货及时、陈列指导到位",
            ),
        )
        .await?;
    app.approve_points_award(&gm, praise.id).await?;
    // The north team has no manager yet: the sales director proposes.
    let met = app
        .propose_points_award(
            &admin,
            award(north_id, AwardReason::TargetMet, 300, "上月销售目标完成"),
        )
        .await?;
    app.approve_points_award(&gm, met.id).await?;
    app.propose_points_award(
        &manager,
        award(
            south_id,
            AwardReason::Training,
            150,
            "新品知识培训考核第一名",
        ),
    )
    .await?;

    let tea = app
        .points_items(&south)
        .await?
        .into_iter()
        .find(|i| i.code == "GIFT-TEA")
        .context("the demo's tea box")?;
    let balance = app
        .points_statement(&south, south_id, None)
        .await?
        .statement
        .balance;
    if balance >= tea.cost {
        app.redeem_points(
            &south,
            RedemptionInput {
                item_id: tea.id,
                quantity: 1,
            },
        )
        .await
        .context("the demo's redemption")?;
    }
    Ok(())
}

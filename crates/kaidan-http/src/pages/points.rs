//! The points' pages (SAL-4): the balances within reach with the awards,
//! the months posted and the scheme; a rep's statement entry by entry; the
//! catalogue with its redemption; the champions of a year.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use jiff::civil::Date;
use kaidan_app::points::{PointsBalance, PointsChampions, RepStatement};
use kaidan_app::ports::{LedgerRow, PointsAward, PointsItem, PointsMonth, PointsScheme};
use kaidan_app::{AppError, Ctx};
use kaidan_domain::points::{
    AwardReason, AwardStatus, ItemKind, LedgerKind, PointsAwardInput, PointsItemInput,
    PointsSchemeInput, RedemptionInput, StatementEvent,
};
use kaidan_domain::targets::TargetBasis;
use kaidan_domain::{Permission, UserId, ValidationErrors};

use super::finance::{wants_xlsx, xlsx};
use super::format::local_time;
use super::targets::basis_name;
use super::{Chrome, Lang, OrPage, PageAuth, PageError, PageForm, PageResult, render};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/points", get(overview).post(overview_step))
        .route("/points/reps/{id}", get(rep_page))
        .route("/points/catalogue", get(catalogue).post(catalogue_step))
        .route("/points/champions", get(champions))
}

pub(crate) fn reason_name(lang: Lang, r: AwardReason) -> &'static str {
    match r {
        AwardReason::TargetMet => lang.pick("完成销售目标", "Target met"),
        AwardReason::Satisfaction => lang.pick("客户满意度高", "Customer satisfaction"),
        AwardReason::Praise => lang.pick("客户表扬", "Customer praise"),
        AwardReason::Training => lang.pick("培训成绩优异", "Training result"),
        AwardReason::Suggestion => lang.pick("合理化建议被采纳", "Suggestion adopted"),
        AwardReason::Other => lang.pick("其他突出贡献", "Other contribution"),
    }
}

fn award_status_name(lang: Lang, s: AwardStatus) -> &'static str {
    match s {
        AwardStatus::Proposed => lang.pick("待批准", "Proposed"),
        AwardStatus::Approved => lang.pick("已批准", "Approved"),
        AwardStatus::Rejected => lang.pick("已驳回", "Rejected"),
    }
}

fn kind_name(lang: Lang, k: LedgerKind) -> &'static str {
    match k {
        LedgerKind::Basic => lang.pick("基本积分", "Basic points"),
        LedgerKind::Extra => lang.pick("额外积分", "Extra points"),
        LedgerKind::Redemption => lang.pick("兑换", "Redemption"),
    }
}

fn item_kind_name(lang: Lang, k: ItemKind) -> &'static str {
    match k {
        ItemKind::Gift => lang.pick("礼品", "Gift"),
        ItemKind::Coupon => lang.pick("优惠券", "Coupon"),
        ItemKind::Training => lang.pick("培训机会", "Training"),
    }
}

fn day_param(lang: Lang, q: &BTreeMap<String, String>) -> Result<Option<Date>, PageError> {
    let mut e = ValidationErrors::new();
    let at = crate::api::query::optional_day(&mut e, q, "at");
    e.into_result(at)
        .map_err(|e| PageError::new(lang, AppError::Invalid(e)))
}

#[derive(Template)]
#[template(path = "points.html")]
struct Overview {
    chrome: Chrome,
    title: String,
    at: String,
    balances: Vec<PointsBalance>,
    mine: Option<PointsBalance>,
    waiting: Vec<(PointsAward, &'static str, String)>,
    decided: Vec<(PointsAward, &'static str, &'static str)>,
    months: Vec<(PointsMonth, &'static str, String)>,
    schemes: Vec<(PointsScheme, &'static str)>,
    /// Whom the reader may propose points for.
    reps: Vec<(UserId, String)>,
    reasons: Vec<(&'static str, &'static str)>,
    bases: Vec<(&'static str, &'static str)>,
    can_write: bool,
    can_approve: bool,
    me: UserId,
    post_month: String,
    export: String,
    error: Option<String>,
}

async fn overview_view(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    q: &BTreeMap<String, String>,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let (excel, q) = wants_xlsx(q);
    let at = day_param(lang, &q)?;
    let balances = s.app.points_balances(ctx, at).await.or_page(lang)?;
    let at_day = at.unwrap_or_else(|| s.app.today_date());
    if excel {
        return balances_xlsx(lang, at_day, &balances);
    }
    let me = ctx.actor.user_id;
    let awards = s.app.points_awards(ctx, None).await.or_page(lang)?;
    let (waiting, decided): (Vec<_>, Vec<_>) = awards
        .into_iter()
        .partition(|a| a.status == AwardStatus::Proposed);
    let months = s.app.points_months(ctx).await.or_page(lang)?;
    let schemes = s.app.points_schemes(ctx).await.or_page(lang)?;
    let can_write = ctx.actor.can(Permission::PointsWrite);
    let reps = if can_write {
        balances
            .iter()
            .filter(|b| b.rep_id != me)
            .map(|b| (b.rep_id, b.rep.clone()))
            .collect()
    } else {
        Vec::new()
    };
    Ok(render(
        super::status_of(&error),
        &Overview {
            title: lang.t("points").into(),
            at: at_day.to_string(),
            mine: balances.iter().find(|b| b.rep_id == me).cloned(),
            balances,
            waiting: waiting
                .into_iter()
                .map(|a| {
                    let (r, t) = (reason_name(lang, a.reason_kind), local_time(a.proposed_at));
                    (a, r, t)
                })
                .collect(),
            decided: decided
                .into_iter()
                .take(20)
                .map(|a| {
                    let (r, st) = (
                        reason_name(lang, a.reason_kind),
                        award_status_name(lang, a.status),
                    );
                    (a, r, st)
                })
                .collect(),
            months: months
                .into_iter()
                .map(|m| {
                    let (b, t) = (basis_name(lang, m.basis), local_time(m.posted_at));
                    (m, b, t)
                })
                .collect(),
            schemes: schemes
                .into_iter()
                .rev()
                .map(|sc| {
                    let b = basis_name(lang, sc.basis);
                    (sc, b)
                })
                .collect(),
            reps,
            reasons: AwardReason::ALL
                .iter()
                .map(|r| (r.as_str(), reason_name(lang, *r)))
                .collect(),
            bases: TargetBasis::ALL
                .iter()
                .map(|b| (b.as_str(), basis_name(lang, *b)))
                .collect(),
            can_write,
            can_approve: ctx.actor.can(Permission::PointsApprove),
            me,
            post_month: super::format::last_month(s.app.today_date()),
            export: format!("/points?at={at_day}&format=xlsx"),
            error,
            chrome,
        },
    ))
}

/// The balances as Excel, the same numbers as the page.
fn balances_xlsx(lang: Lang, at: Date, rows: &[PointsBalance]) -> PageResult {
    let header = vec![
        lang.pick("业务员", "Rep").to_string(),
        lang.pick("余额", "Balance").into(),
        lang.pick("累计获得", "Earned").into(),
        lang.pick("已兑换", "Redeemed").into(),
        lang.pick("已过期", "Expired").into(),
        lang.pick("30天内到期", "Expiring in 30 days").into(),
    ];
    let rows = rows
        .iter()
        .map(|b| {
            vec![
                b.rep.clone(),
                b.balance.to_string(),
                b.earned.to_string(),
                b.redeemed.to_string(),
                b.expired.to_string(),
                b.expiring_soon.to_string(),
            ]
        })
        .collect();
    xlsx(lang, &format!("points-{at}.xlsx"), header, rows)
}

/// GET /points?at=YYYY-MM-DD[&format=xlsx]
async fn overview(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    overview_view(&s, &ctx, chrome, &q, None).await
}

fn number(e: &mut ValidationErrors, f: &HashMap<String, String>, field: &str) -> i64 {
    let raw = f.get(field).map(|v| v.trim()).unwrap_or_default();
    raw.parse().unwrap_or_else(|_| {
        e.add(field, "invalid", format!("'{raw}' is not a whole number"));
        0
    })
}

/// POST /points: propose, approve, reject, post a month, write a scheme.
async fn overview_step(State(s): State<AppState>, PageForm(auth, form): PageForm) -> PageResult {
    let lang = auth.chrome.lang;
    let ctx = &auth.ctx;
    let g = |k: &str| form.get(k).cloned().unwrap_or_default();
    let mut e = ValidationErrors::new();
    let r: Result<(), AppError> = match g("step").as_str() {
        "propose" => {
            let rep = number(&mut e, &form, "rep_id");
            let points = number(&mut e, &form, "points");
            let kind = g("reason_kind")
                .parse::<AwardReason>()
                .unwrap_or_else(|err| {
                    e.add("reason_kind", "invalid", err.to_string());
                    AwardReason::Other
                });
            match e.into_result(()) {
                Err(e) => Err(e.into()),
                Ok(()) => s
                    .app
                    .propose_points_award(
                        ctx,
                        PointsAwardInput {
                            rep_id: UserId(rep),
                            reason_kind: kind,
                            points,
                            reason: g("reason"),
                        },
                    )
                    .await
                    .map(drop),
            }
        }
        "approve" | "reject" => {
            let id = number(&mut e, &form, "id");
            match e.into_result(()) {
                Err(e) => Err(e.into()),
                Ok(()) if g("step") == "approve" => {
                    s.app.approve_points_award(ctx, id).await.map(drop)
                }
                Ok(()) => s
                    .app
                    .reject_points_award(ctx, id, g("reason"))
                    .await
                    .map(drop),
            }
        }
        "post" => s.app.post_basic_points(ctx, &g("month")).await.map(drop),
        "scheme" => {
            let ratio = g("ratio").trim().parse().unwrap_or_else(|_| {
                e.add(
                    "ratio",
                    "invalid",
                    format!("'{}' is not a number", g("ratio")),
                );
                rust_decimal::Decimal::ZERO
            });
            let basis = g("basis").parse::<TargetBasis>().unwrap_or_else(|err| {
                e.add("basis", "invalid", err.to_string());
                TargetBasis::Ordered
            });
            match e.into_result(()) {
                Err(e) => Err(e.into()),
                Ok(()) => s
                    .app
                    .put_points_scheme(
                        ctx,
                        PointsSchemeInput {
                            month: g("month"),
                            basis,
                            ratio,
                            note: form.get("note").cloned(),
                        },
                    )
                    .await
                    .map(drop),
            }
        }
        _ => Err(AppError::invalid(
            "step",
            "invalid",
            "propose, approve, reject, post or scheme",
        )),
    };
    match r {
        Ok(()) => Ok(Redirect::to("/points").into_response()),
        Err(AppError::Invalid(e)) => {
            overview_view(
                &s,
                &auth.ctx,
                auth.chrome,
                &BTreeMap::new(),
                Some(e.to_string()),
            )
            .await
        }
        Err(e) => Err(PageError::new(lang, e)),
    }
}

/// A line of the statement as the page shows it.
struct Line {
    on: String,
    event: &'static str,
    what: String,
    change: i64,
    balance: i64,
    from: String,
}

#[derive(Template)]
#[template(path = "points_rep.html")]
struct RepPage {
    chrome: Chrome,
    title: String,
    at: String,
    st: RepStatement,
    lines: Vec<Line>,
    lots: Vec<(kaidan_domain::points::PointsLot, &'static str)>,
    export: String,
}

fn entry_text(lang: Lang, e: &LedgerRow) -> String {
    match e.kind {
        LedgerKind::Basic => format!(
            "{} {} · {} {}",
            e.month.clone().unwrap_or_default(),
            lang.pick("销售额", "sales"),
            e.sales
                .map(|m| m.round_to_fen().to_string())
                .unwrap_or_default(),
            lang.pick("元", "yuan")
        ),
        LedgerKind::Extra => format!(
            "{} · {}",
            e.reason_kind
                .map(|r| reason_name(lang, r))
                .unwrap_or_default(),
            e.reason.clone().unwrap_or_default()
        ),
        LedgerKind::Redemption => format!(
            "{} × {}",
            e.item.clone().unwrap_or_default(),
            e.quantity.unwrap_or(1)
        ),
    }
}

/// GET /points/reps/{id}?at=YYYY-MM-DD[&format=xlsx]
async fn rep_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let rep: UserId = id.trim().parse().map_err(|_| {
        PageError::new(
            lang,
            AppError::invalid("id", "invalid", format!("'{id}' is not a user id")),
        )
    })?;
    let (excel, q) = wants_xlsx(&q);
    let at = day_param(lang, &q)?;
    let st = s.app.points_statement(&ctx, rep, at).await.or_page(lang)?;
    let by_id: BTreeMap<i64, &LedgerRow> = st.entries.iter().map(|e| (e.id, e)).collect();
    let lines: Vec<Line> = st
        .statement
        .lines
        .iter()
        .map(|l| Line {
            on: l.on.to_string(),
            event: match l.event {
                StatementEvent::Earned => kind_name(lang, l.kind),
                StatementEvent::Expired => lang.pick("过期", "Expired"),
                StatementEvent::Redeemed => lang.pick("兑换", "Redeemed"),
            },
            what: by_id
                .get(&l.entry_id)
                .map(|e| {
                    if l.event == StatementEvent::Expired {
                        format!("{} {} #{}", kind_name(lang, e.kind), e.on, e.id)
                    } else {
                        entry_text(lang, e)
                    }
                })
                .unwrap_or_default(),
            change: l.change,
            balance: l.balance,
            from: l
                .from_lots
                .iter()
                .map(|(lot, n)| format!("#{lot}: {n}"))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let at_day = st.statement.at;
    if excel {
        let header = vec![
            lang.pick("日期", "Day").to_string(),
            lang.pick("事项", "Event").into(),
            lang.pick("内容", "What").into(),
            lang.pick("变动", "Change").into(),
            lang.pick("余额", "Balance").into(),
            lang.pick("扣减的积分批次", "Lots used").into(),
        ];
        let rows = lines
            .iter()
            .map(|l| {
                vec![
                    l.on.clone(),
                    l.event.into(),
                    l.what.clone(),
                    l.change.to_string(),
                    l.balance.to_string(),
                    l.from.clone(),
                ]
            })
            .collect();
        return xlsx(
            lang,
            &format!("points-{}-{at_day}.xlsx", rep.get()),
            header,
            rows,
        );
    }
    Ok(render(
        StatusCode::OK,
        &RepPage {
            title: format!("{} · {}", lang.t("points"), st.rep),
            at: at_day.to_string(),
            lines,
            lots: st
                .statement
                .lots
                .iter()
                .map(|l| (l.clone(), kind_name(lang, l.kind)))
                .collect(),
            export: format!("/points/reps/{}?at={at_day}&format=xlsx", rep.get()),
            st,
            chrome,
        },
    ))
}

#[derive(Template)]
#[template(path = "points_catalogue.html")]
struct CataloguePage {
    chrome: Chrome,
    title: String,
    items: Vec<(PointsItem, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    balance: Option<i64>,
    can_redeem: bool,
    can_manage: bool,
    done: Option<String>,
    error: Option<String>,
}

async fn catalogue_view(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    done: Option<String>,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let items = s.app.points_items(ctx).await.or_page(lang)?;
    let can_redeem = ctx.actor.can(Permission::PointsRedeem);
    let balance = if can_redeem {
        Some(
            s.app
                .points_statement(ctx, ctx.actor.user_id, None)
                .await
                .or_page(lang)?
                .statement
                .balance,
        )
    } else {
        None
    };
    Ok(render(
        super::status_of(&error),
        &CataloguePage {
            title: lang.pick("积分兑换", "Points catalogue").into(),
            items: items
                .into_iter()
                .map(|i| {
                    let k = item_kind_name(lang, i.kind);
                    (i, k)
                })
                .collect(),
            kinds: ItemKind::ALL
                .iter()
                .map(|k| (k.as_str(), item_kind_name(lang, *k)))
                .collect(),
            balance,
            can_redeem,
            can_manage: ctx.actor.can(Permission::PointsApprove),
            done,
            error,
            chrome,
        },
    ))
}

/// GET /points/catalogue
async fn catalogue(State(s): State<AppState>, PageAuth { ctx, chrome }: PageAuth) -> PageResult {
    catalogue_view(&s, &ctx, chrome, None, None).await
}

/// POST /points/catalogue: redeem, add an item, withdraw or restore one.
async fn catalogue_step(State(s): State<AppState>, PageForm(auth, form): PageForm) -> PageResult {
    let lang = auth.chrome.lang;
    let ctx = &auth.ctx;
    let g = |k: &str| form.get(k).cloned().unwrap_or_default();
    let mut e = ValidationErrors::new();
    let r: Result<Option<String>, AppError> = match g("step").as_str() {
        "redeem" => {
            let item_id = number(&mut e, &form, "item_id");
            let quantity = number(&mut e, &form, "quantity");
            match e.into_result(()) {
                Err(e) => Err(e.into()),
                Ok(()) => s
                    .app
                    .redeem_points(ctx, RedemptionInput { item_id, quantity })
                    .await
                    .map(|r| {
                        Some(format!(
                            "{} {} × {}: {} {}; {} {}",
                            lang.pick("已兑换", "Redeemed"),
                            r.item,
                            r.quantity,
                            r.points,
                            lang.pick("积分", "points"),
                            lang.pick("余额", "balance"),
                            r.balance
                        ))
                    }),
            }
        }
        "create" => {
            let cost = number(&mut e, &form, "cost");
            let kind = g("kind").parse::<ItemKind>().unwrap_or_else(|err| {
                e.add("kind", "invalid", err.to_string());
                ItemKind::Gift
            });
            match e.into_result(()) {
                Err(e) => Err(e.into()),
                Ok(()) => s
                    .app
                    .create_points_item(
                        ctx,
                        PointsItemInput {
                            code: g("code"),
                            name: g("name"),
                            kind,
                            cost,
                            active: true,
                            note: form.get("note").cloned(),
                        },
                    )
                    .await
                    .map(|_| None),
            }
        }
        "withdraw" | "restore" => {
            let id = number(&mut e, &form, "id");
            match e.into_result(()) {
                Err(e) => Err(e.into()),
                Ok(()) => match s.app.points_items(ctx).await {
                    Err(e) => Err(e),
                    Ok(items) => match items.into_iter().find(|i| i.id == id) {
                        None => Err(AppError::NotFound {
                            what: "points item",
                            id: id.to_string(),
                        }),
                        Some(i) => s
                            .app
                            .update_points_item(
                                ctx,
                                id,
                                PointsItemInput {
                                    code: i.code,
                                    name: i.name,
                                    kind: i.kind,
                                    cost: i.cost,
                                    active: g("step") == "restore",
                                    note: i.note,
                                },
                            )
                            .await
                            .map(|_| None),
                    },
                },
            }
        }
        _ => Err(AppError::invalid(
            "step",
            "invalid",
            "redeem, create, withdraw or restore",
        )),
    };
    match r {
        Ok(None) => Ok(Redirect::to("/points/catalogue").into_response()),
        Ok(Some(done)) => catalogue_view(&s, &auth.ctx, auth.chrome, Some(done), None).await,
        Err(AppError::Invalid(e)) => {
            catalogue_view(&s, &auth.ctx, auth.chrome, None, Some(e.to_string())).await
        }
        Err(e) => Err(PageError::new(lang, e)),
    }
}

#[derive(Template)]
#[template(path = "points_champions.html")]
struct ChampionsPage {
    chrome: Chrome,
    title: String,
    c: PointsChampions,
    basis: &'static str,
}

/// GET /points/champions?year=YYYY
async fn champions(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let year = match q.get("year").map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => s.app.today_date().year(),
        Some(v) => v.parse::<i16>().map_err(|_| {
            PageError::new(
                lang,
                AppError::invalid("year", "invalid", format!("'{v}' is not a year")),
            )
        })?,
    };
    let c = s.app.points_champions(&ctx, year).await.or_page(lang)?;
    Ok(render(
        StatusCode::OK,
        &ChampionsPage {
            title: format!("{} {year}", lang.pick("销售冠军", "Sales champions")),
            basis: basis_name(lang, c.basis),
            c,
            chrome,
        },
    ))
}

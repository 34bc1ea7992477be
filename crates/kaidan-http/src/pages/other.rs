//! Home, stock, calendar, region priorities and users pages.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kaidan_app::{AppError, Ctx, ListRequest};
use kaidan_domain::calendar::{CalendarDay, DayKind};
use kaidan_domain::master::{RegionData, RegionPriorityList, Season};
use kaidan_domain::{Permission, RegionId};

use super::{Chrome, PageAuth, error_page, render};
use crate::state::AppState;

pub struct Card {
    pub href: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    title: String,
    display_name: String,
    roles: String,
    cards: Vec<Card>,
}

pub async fn home(auth: PageAuth) -> Response {
    let PageAuth { ctx, chrome } = auth;
    let lang = chrome.lang;
    let cards = chrome
        .nav
        .iter()
        .filter(|n| n.href != "/")
        .map(|n| Card {
            href: n.href,
            label: n.label,
            hint: n.href,
        })
        .collect();
    let roles = ctx
        .actor
        .roles
        .iter()
        .map(|r| lang.pick(r.label_zh(), r.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    render(
        StatusCode::OK,
        &HomePage {
            title: lang.t("home").into(),
            display_name: ctx.actor.username.clone(),
            roles,
            cards,
            chrome,
        },
    )
}

pub struct Section {
    pub heading: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(path = "table.html")]
struct TablePage {
    chrome: Chrome,
    title: String,
    sections: Vec<Section>,
    show_search: bool,
    q: String,
    next_cursor: Option<String>,
}

pub async fn stock(
    State(s): State<AppState>,
    auth: PageAuth,
    Query(p): Query<BTreeMap<String, String>>,
) -> Response {
    let PageAuth { ctx, chrome } = auth;
    let lang = chrome.lang;
    let q = p.get("q").cloned().unwrap_or_default();
    let req = ListRequest {
        search: Some(q.clone()),
        cursor: p.get("cursor").cloned(),
        limit: Some(100),
        filters: Vec::new(),
    };
    let page = match s.app.stock_list(&ctx, &req).await {
        Ok(p) => p,
        Err(e) => return error_page(lang, e),
    };
    let rows = page
        .items
        .iter()
        .map(|b| {
            vec![
                b.sku.clone(),
                b.product_name.clone(),
                b.warehouse_code.clone(),
                b.on_hand.to_string(),
                b.reserved.to_string(),
                b.available.to_string(),
            ]
        })
        .collect();
    render(
        StatusCode::OK,
        &TablePage {
            title: lang.t("stock").into(),
            sections: vec![Section {
                heading: String::new(),
                headers: vec![
                    "SKU",
                    lang.t("name"),
                    lang.t("warehouses"),
                    lang.t("on_hand"),
                    lang.t("reserved"),
                    lang.t("available"),
                ],
                rows,
            }],
            show_search: true,
            q,
            next_cursor: page.next_cursor,
            chrome,
        },
    )
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    title: String,
    days: Vec<(String, String, String)>,
    can_write: bool,
    error: Option<String>,
    form_date: String,
    form_name: String,
}

async fn calendar_page(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    error: Option<String>,
    form: &HashMap<String, String>,
) -> Response {
    let lang = chrome.lang;
    let days = match s.app.calendar_days(ctx).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, e),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &CalendarPage {
            title: lang.t("calendar").into(),
            days: days
                .iter()
                .map(|d| {
                    (
                        d.date.to_string(),
                        lang.t(d.kind.as_str()).to_string(),
                        d.name.clone(),
                    )
                })
                .collect(),
            can_write: ctx.actor.can(Permission::CalendarWrite),
            error,
            form_date: form.get("date").cloned().unwrap_or_default(),
            form_name: form.get("name").cloned().unwrap_or_default(),
            chrome,
        },
    )
}

pub async fn calendar(State(s): State<AppState>, auth: PageAuth) -> Response {
    let PageAuth { ctx, chrome } = auth;
    calendar_page(&s, &ctx, chrome, None, &HashMap::new()).await
}

/// Adds or changes a day (`action=put`) or removes one (`action=delete`).
pub async fn calendar_post(
    State(s): State<AppState>,
    auth: PageAuth,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let PageAuth { ctx, chrome } = auth;
    if let Some(refused) = super::forged(&chrome, &form) {
        return refused;
    }
    let field = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let date = match field("date").parse::<jiff::civil::Date>() {
        Ok(d) => d,
        Err(_) => {
            let msg = format!("date: '{}' is not a date (YYYY-MM-DD)", field("date"));
            return calendar_page(&s, &ctx, chrome, Some(msg), &form).await;
        }
    };
    let result = if field("action") == "delete" {
        s.app.delete_calendar_day(&ctx, date).await
    } else {
        match field("kind").parse::<DayKind>() {
            Ok(kind) => s
                .app
                .put_calendar_day(
                    &ctx,
                    CalendarDay {
                        date,
                        kind,
                        name: field("name"),
                    },
                )
                .await
                .map(|_| ()),
            Err(e) => Err(AppError::Invalid(kaidan_domain::ValidationErrors::single(
                "kind",
                "invalid",
                e.to_string(),
            ))),
        }
    };
    match result {
        Ok(()) => Redirect::to("/calendar").into_response(),
        Err(AppError::Invalid(v)) => {
            calendar_page(&s, &ctx, chrome, Some(v.to_string()), &form).await
        }
        Err(e) => error_page(chrome.lang, e),
    }
}

pub struct SeasonList {
    pub season: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub regions: Vec<String>,
    pub codes: String,
}

#[derive(Template)]
#[template(path = "priorities.html")]
struct PrioritiesPage {
    chrome: Chrome,
    title: String,
    seasons: Vec<SeasonList>,
    can_write: bool,
    error: Option<String>,
}

async fn priorities_page(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    error: Option<String>,
) -> Response {
    let lang = chrome.lang;
    let mut seasons = Vec::new();
    for season in [Season::SpringSummer, Season::AutumnWinter] {
        let list = match s.app.region_priorities(ctx, season).await {
            Ok(l) => l,
            Err(e) => return error_page(lang, e),
        };
        seasons.push(SeasonList {
            season: season.as_str(),
            label: lang.t(season.as_str()),
            hint: lang.t("codes_hint"),
            regions: list
                .iter()
                .map(|r| format!("{} {} {}", r.data.code, r.data.name_zh, r.data.name))
                .collect(),
            codes: list
                .iter()
                .map(|r| r.data.code.clone())
                .collect::<Vec<_>>()
                .join("\n"),
        });
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &PrioritiesPage {
            title: lang.t("priorities").into(),
            seasons,
            can_write: ctx.actor.can(Permission::RegionWrite),
            error,
            chrome,
        },
    )
}

pub async fn priorities(State(s): State<AppState>, auth: PageAuth) -> Response {
    let PageAuth { ctx, chrome } = auth;
    priorities_page(&s, &ctx, chrome, None).await
}

/// Replaces a season's list from region codes, one per line.
pub async fn priorities_post(
    State(s): State<AppState>,
    auth: PageAuth,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let PageAuth { ctx, chrome } = auth;
    if let Some(refused) = super::forged(&chrome, &form) {
        return refused;
    }
    let season = match form.get("season").map(|v| v.parse::<Season>()) {
        Some(Ok(season)) => season,
        _ => return priorities_page(&s, &ctx, chrome, Some("season: unknown season".into())).await,
    };
    let mut regions = Vec::new();
    let mut problems = Vec::new();
    let codes = form.get("codes").cloned().unwrap_or_default();
    for (i, code) in codes
        .lines()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .enumerate()
    {
        match s.app.id_by_code::<RegionData>(&ctx, code).await {
            Ok(id) => regions.push(RegionId(id)),
            Err(AppError::NotFound { .. }) => {
                problems.push(format!("line {}: no region with code '{code}'", i + 1))
            }
            Err(e) => return error_page(chrome.lang, e),
        }
    }
    if !problems.is_empty() {
        return priorities_page(&s, &ctx, chrome, Some(problems.join("; "))).await;
    }
    match s
        .app
        .set_region_priorities(&ctx, RegionPriorityList { season, regions })
        .await
    {
        Ok(_) => Redirect::to("/region-priorities").into_response(),
        Err(AppError::Invalid(v)) => priorities_page(&s, &ctx, chrome, Some(v.to_string())).await,
        Err(e) => error_page(chrome.lang, e),
    }
}

pub async fn users(State(s): State<AppState>, auth: PageAuth) -> Response {
    let PageAuth { ctx, chrome } = auth;
    let lang = chrome.lang;
    let users = match s.app.list_users(&ctx).await {
        Ok(u) => u,
        Err(e) => return error_page(lang, e),
    };
    let rows = users
        .iter()
        .map(|u| {
            vec![
                u.username.clone(),
                u.display_name.clone(),
                u.roles
                    .iter()
                    .map(|r| lang.pick(r.label_zh(), r.as_str()))
                    .collect::<Vec<_>>()
                    .join(", "),
                u.customer_id.map(|c| format!("#{c}")).unwrap_or_default(),
            ]
        })
        .collect();
    render(
        StatusCode::OK,
        &TablePage {
            title: lang.t("users").into(),
            sections: vec![Section {
                heading: String::new(),
                headers: vec![
                    lang.t("username"),
                    lang.t("name"),
                    lang.t("roles"),
                    lang.t("customers"),
                ],
                rows,
            }],
            show_search: false,
            q: String::new(),
            next_cursor: None,
            chrome,
        },
    )
}

//! Home, stock, calendar, region priorities and users pages.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kaidan_app::ListRequest;
use kaidan_domain::master::Season;

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

pub async fn calendar(State(s): State<AppState>, auth: PageAuth) -> Response {
    let PageAuth { ctx, chrome } = auth;
    let lang = chrome.lang;
    let days = match s.app.calendar_days(&ctx).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, e),
    };
    let rows = days
        .iter()
        .map(|d| {
            vec![
                d.date.to_string(),
                lang.t(d.kind.as_str()).to_string(),
                d.name.clone(),
            ]
        })
        .collect();
    render(
        StatusCode::OK,
        &TablePage {
            title: lang.t("calendar").into(),
            sections: vec![Section {
                heading: String::new(),
                headers: vec![lang.t("date"), lang.t("kind"), lang.t("name")],
                rows,
            }],
            show_search: false,
            q: String::new(),
            next_cursor: None,
            chrome,
        },
    )
}

pub async fn priorities(State(s): State<AppState>, auth: PageAuth) -> Response {
    let PageAuth { ctx, chrome } = auth;
    let lang = chrome.lang;
    let mut sections = Vec::new();
    for season in [Season::SpringSummer, Season::AutumnWinter] {
        let list = match s.app.region_priorities(&ctx, season).await {
            Ok(l) => l,
            Err(e) => return error_page(lang, e),
        };
        sections.push(Section {
            heading: lang.t(season.as_str()).to_string(),
            headers: vec![lang.t("rank"), "Code", lang.t("name")],
            rows: list
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    vec![
                        (i + 1).to_string(),
                        r.data.code.clone(),
                        format!("{} {}", r.data.name_zh, r.data.name),
                    ]
                })
                .collect(),
        });
    }
    render(
        StatusCode::OK,
        &TablePage {
            title: lang.t("priorities").into(),
            sections,
            show_search: false,
            q: String::new(),
            next_cursor: None,
            chrome,
        },
    )
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

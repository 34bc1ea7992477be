//! Server-rendered pages for staff (INT-2): Chinese by default, English on
//! request, no scripts or files from outside.

mod allocation;
mod fields;
mod fulfilment;
mod i18n;
mod master;
mod orders;
mod other;
mod purchasing;
mod session;
mod stock_counts;
mod transfers;

use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kaidan_app::{AppError, Ctx};
use kaidan_domain::master::{
    CustomerData, PriceListData, ProductData, RegionData, StoreData, WarehouseData,
};
use kaidan_domain::{Actor, Permission};

pub use i18n::Lang;

use crate::auth::{SESSION_COOKIE, cookie, request_id};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(other::home))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/lang/{lang}", get(session::set_lang))
        .route("/static/kaidan.css", get(stylesheet))
        .route("/stock", get(other::stock))
        .route(
            "/stock-counts/new",
            get(stock_counts::new_count).post(stock_counts::create),
        )
        .route("/stock-counts/{id}", get(stock_counts::read))
        .route("/stock-counts/{id}/post", post(stock_counts::post))
        .route("/calendar", get(other::calendar).post(other::calendar_post))
        .route(
            "/region-priorities",
            get(other::priorities).post(other::priorities_post),
        )
        .route("/users", get(other::users))
        .merge(master::routes::<ProductData>())
        .merge(master::routes::<CustomerData>())
        .merge(master::routes::<WarehouseData>())
        .merge(master::routes::<RegionData>())
        .merge(master::routes::<StoreData>())
        .merge(master::routes::<PriceListData>())
        .merge(orders::routes())
        .merge(purchasing::routes())
        .merge(fulfilment::routes())
        .merge(allocation::routes())
        .merge(transfers::routes())
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/kaidan.css"),
    )
        .into_response()
}

/// One entry of the navigation bar.
#[derive(Debug, Clone)]
pub struct Nav {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// What every page shows around its content.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub lang: Lang,
    pub username: String,
    pub csrf: String,
    pub nav: Vec<Nav>,
    /// The current path and query, for the language switch to come back to.
    pub path: String,
    pub flash: Option<String>,
}

/// The sections a user sees, by permission (navigation by role, SEC-1).
fn nav(lang: Lang, actor: Option<&Actor>, path: &str) -> Vec<Nav> {
    let Some(actor) = actor else {
        return Vec::new();
    };
    let items: [(&str, &str, Option<Permission>); 21] = [
        ("/", "home", None),
        ("/orders", "orders", Some(Permission::OrderRead)),
        (
            "/orders/deadlines",
            "deadlines",
            Some(Permission::OrderRead),
        ),
        ("/m/products", "products", Some(Permission::ProductRead)),
        ("/m/customers", "customers", Some(Permission::CustomerRead)),
        (
            "/m/warehouses",
            "warehouses",
            Some(Permission::WarehouseRead),
        ),
        ("/m/regions", "regions", Some(Permission::RegionRead)),
        ("/m/stores", "stores", Some(Permission::StoreRead)),
        ("/m/price-lists", "price_lists", Some(Permission::PriceRead)),
        (
            "/region-priorities",
            "priorities",
            Some(Permission::RegionRead),
        ),
        ("/stock", "stock", Some(Permission::StockRead)),
        (
            "/stock-counts/new",
            "stock_counts",
            Some(Permission::StockCount),
        ),
        ("/shipping", "shipping", Some(Permission::ShipmentRead)),
        ("/shipments", "shipments", Some(Permission::ShipmentRead)),
        ("/transfers", "transfers", Some(Permission::ShipmentRead)),
        (
            "/purchase-orders",
            "purchase_orders",
            Some(Permission::PurchaseRead),
        ),
        (
            "/arrival-notices",
            "arrival_notices",
            Some(Permission::PurchaseRead),
        ),
        ("/allocation", "allocation", Some(Permission::AllocationRun)),
        ("/jobs", "jobs", Some(Permission::JobsRead)),
        ("/calendar", "calendar", None),
        ("/users", "users", Some(Permission::UserAdmin)),
    ];
    items
        .iter()
        .filter(|(_, _, p)| p.is_none_or(|p| actor.can(p)))
        .map(|(href, key, _)| Nav {
            href,
            label: lang.t(key),
            active: if *href == "/" {
                path == "/"
            } else {
                path.starts_with(href)
            },
        })
        .collect()
}

/// A logged-in page visitor; anyone else is sent to the login page.
pub struct PageAuth {
    pub ctx: Ctx,
    pub chrome: Chrome,
}

impl FromRequestParts<AppState> for PageAuth {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let to_login = || {
            let next: String = url_encode(&path);
            Redirect::to(&format!("/login?next={next}")).into_response()
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        let (actor, csrf) = match state.app.session_actor(token).await {
            Ok(v) => v,
            Err(AppError::Unauthenticated) => return Err(to_login()),
            Err(e) => return Err(error_page(Lang::from_headers(&parts.headers), e)),
        };
        let lang = Lang::from_headers(&parts.headers);
        let chrome = Chrome {
            lang,
            username: actor.username.clone(),
            csrf,
            nav: nav(lang, Some(&actor), parts.uri.path()),
            path,
            flash: None,
        };
        Ok(PageAuth {
            ctx: Ctx {
                actor,
                request_id: request_id(parts),
            },
            chrome,
        })
    }
}

/// The refusal of a form post whose `_csrf` is not the session's token.
pub fn forged(
    chrome: &Chrome,
    form: &std::collections::HashMap<String, String>,
) -> Option<Response> {
    (form.get("_csrf") != Some(&chrome.csrf)).then(|| {
        (
            StatusCode::FORBIDDEN,
            "CSRF token mismatch; reload the page",
        )
            .into_response()
    })
}

pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "page rendering failed; it has been logged",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    chrome: Chrome,
    title: String,
    message: String,
}

fn bare_chrome(lang: Lang) -> Chrome {
    Chrome {
        lang,
        username: String::new(),
        csrf: String::new(),
        nav: Vec::new(),
        path: "/".into(),
        flash: None,
    }
}

/// A use-case failure as a page.
pub fn error_page(lang: Lang, e: AppError) -> Response {
    let (status, key) = match &e {
        AppError::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::Unauthenticated => return Redirect::to("/login").into_response(),
        AppError::VersionConflict { .. } => (StatusCode::CONFLICT, "conflict"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "app"),
    };
    let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = %e, "page failed");
        "An unexpected error occurred; it has been logged. / 系统出错,已记录。".to_string()
    } else {
        e.to_string()
    };
    render(
        status,
        &MessagePage {
            chrome: bare_chrome(lang),
            title: lang.t(key).to_string(),
            message,
        },
    )
}

pub fn not_found_page() -> Response {
    let lang = Lang::Zh;
    render(
        StatusCode::NOT_FOUND,
        &MessagePage {
            chrome: bare_chrome(lang),
            title: lang.t("not_found").into(),
            message: "404".into(),
        },
    )
}

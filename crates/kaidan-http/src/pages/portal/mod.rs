//! The customer portal's pages (INT-2, SEC-1, ORD-5; issue 18): a
//! separate, simpler set of pages for a customer's own users, in Chinese
//! and English, laid out for a phone first. Staff who open them are sent
//! to their own pages; a portal user who opens a staff page sees only what
//! the use cases give its customer.

mod account;
mod contracts;
mod home;
mod inbox;
mod orders;
mod users;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kaidan_domain::Permission;
use kaidan_domain::finance::MAX_VOUCHER_BYTES;

use super::{Chrome, Lang, Nav, PageAuth};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal", get(home::home))
        .route("/portal/order", get(orders::new_order).post(orders::place))
        .route("/portal/orders", get(orders::list))
        .route("/portal/orders/{id}", get(orders::detail))
        .route("/portal/account", get(account::account))
        .route(
            "/portal/payments",
            post(account::pay).layer(DefaultBodyLimit::max(MAX_VOUCHER_BYTES + 256 * 1024)),
        )
        .route("/portal/inbox", get(inbox::inbox))
        .route("/portal/contracts", get(contracts::contracts))
        .route("/portal/inbox/read", post(inbox::read))
        .route("/portal/users", get(users::users).post(users::create))
        .route("/portal/users/{id}/password", post(users::password))
}

/// A portal user on a portal page, with the portal's navigation; staff
/// are sent to their home page.
pub struct PortalAuth(pub PageAuth);

impl FromRequestParts<AppState> for PortalAuth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let mut auth = PageAuth::from_request_parts(parts, state).await?;
        if auth.ctx.actor.customer_id.is_none() {
            return Err(Redirect::to("/").into_response());
        }
        auth.chrome.nav = portal_nav(&auth.chrome, auth.ctx.actor.can(Permission::PortalAdmin));
        Ok(PortalAuth(auth))
    }
}

fn portal_nav(chrome: &Chrome, admin: bool) -> Vec<Nav> {
    let lang = chrome.lang;
    let path = chrome.path.split('?').next().unwrap_or("");
    let mut items: Vec<(&'static str, &'static str, &'static str)> = vec![
        ("/portal", "首页", "Home"),
        ("/portal/order", "下单", "Order"),
        ("/portal/orders", "订单", "Orders"),
        ("/portal/account", "账户", "Account"),
        ("/portal/inbox", "消息", "Inbox"),
        ("/portal/surveys", "调查", "Surveys"),
        ("/portal/contracts", "合同", "Contracts"),
    ];
    if admin {
        items.push(("/portal/users", "用户", "Users"));
    }
    items
        .into_iter()
        .map(|(href, zh, en)| Nav {
            href,
            label: lang.pick(zh, en),
            active: path == href
                || (href == "/portal/orders" && path.starts_with("/portal/orders/")),
        })
        .collect()
}

/// The portal's wording of a page title.
fn title(lang: Lang, zh: &'static str, en: &'static str) -> String {
    lang.pick(zh, en).to_string()
}

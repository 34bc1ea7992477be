//! The portal's home page: account, hold, locks, latest orders, unread.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use kaidan_app::portal::{PortalHome, PortalLock};

use super::PortalAuth;
use super::orders::{OrderLine, order_lines};
use crate::pages::{Chrome, OrPage, PageResult, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "portal_home.html")]
struct HomePage {
    chrome: Chrome,
    title: String,
    home: PortalHome,
    locks: Vec<PortalLock>,
    orders: Vec<OrderLine>,
}

/// GET /portal
pub async fn home(State(s): State<AppState>, PortalAuth(auth): PortalAuth) -> PageResult {
    let lang = auth.chrome.lang;
    let mut home = s.app.portal_home(&auth.ctx).await.or_page(lang)?;
    let locks = std::mem::take(&mut home.locks);
    let orders = order_lines(lang, &home.recent_orders);
    Ok(render(
        StatusCode::OK,
        &HomePage {
            title: home.name.clone(),
            chrome: auth.chrome,
            home,
            locks,
            orders,
        },
    ))
}

//! The portal's inbox (ORD-5, issue 18 item 4): confirmations, changes,
//! shipments, locks, invoices and reminders, newest first.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use kaidan_app::portal::Notice;
use kaidan_domain::ValidationErrors;

use super::{PortalAuth, title};
use crate::pages::format::local_time;
use crate::pages::{Chrome, CsrfField, Lang, OrPage, PageError, PageResult, render};
use crate::state::AppState;

/// A notice with its time and link as the page shows them.
struct Item {
    notice: Notice,
    at: String,
    href: Option<String>,
}

#[derive(Template)]
#[template(path = "portal_inbox.html")]
struct InboxPage {
    chrome: Chrome,
    title: String,
    items: Vec<Item>,
    unread: i64,
    unread_only: bool,
    next: Option<i64>,
}

/// Where a notice leads on the portal: its order, else its account.
fn link(n: &Notice) -> Option<String> {
    let order = match n.entity.as_str() {
        "order" => Some(n.entity_id),
        _ => n.data.get("order_id").and_then(serde_json::Value::as_i64),
    };
    match (order, n.entity.as_str()) {
        (Some(id), _) => Some(format!("/portal/orders/{id}")),
        (None, "invoice" | "receipt" | "dunning_notice" | "customer") => {
            Some("/portal/account".into())
        }
        _ => None,
    }
}

/// GET /portal/inbox?unread=1&before=ID
pub async fn inbox(
    State(s): State<AppState>,
    PortalAuth(auth): PortalAuth,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = auth.chrome.lang;
    let unread_only = q.get("unread").is_some_and(|v| v == "1");
    let before = match q.get("before").map(|v| v.parse::<i64>()) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(_)) => {
            let e = ValidationErrors::single("before", "invalid", "is not a cursor of this list");
            return Err(PageError::new(lang, e.into()));
        }
    };
    let page = s
        .app
        .notices(&auth.ctx, unread_only, before, Some(50), lang == Lang::Zh)
        .await
        .or_page(lang)?;
    let items = page
        .items
        .into_iter()
        .map(|notice| Item {
            at: local_time(notice.at),
            href: link(&notice),
            notice,
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &InboxPage {
            title: title(lang, "消息", "Inbox"),
            chrome: auth.chrome,
            items,
            unread: page.unread,
            unread_only,
            next: page.next_cursor,
        },
    ))
}

/// POST /portal/inbox/read: `id` marks one notice read, none marks all.
pub async fn read(
    State(s): State<AppState>,
    PortalAuth(auth): PortalAuth,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    if form.csrf() != Some(auth.chrome.csrf.as_str()) {
        return Ok(crate::pages::finance::csrf_refused());
    }
    let lang = auth.chrome.lang;
    // An id that is not one is refused, never read as "all of them".
    let ids: Vec<i64> = match form
        .iter()
        .filter(|(k, _)| k == "id")
        .map(|(_, v)| v.trim().parse::<i64>())
        .collect::<Result<_, _>>()
    {
        Ok(ids) => ids,
        Err(_) => {
            let e = ValidationErrors::single("id", "invalid", "is not a notice's id");
            return Err(PageError::new(lang, e.into()));
        }
    };
    let ids = (!ids.is_empty()).then_some(ids.as_slice());
    s.app
        .mark_notices_read(&auth.ctx, ids)
        .await
        .or_page(lang)?;
    Ok(Redirect::to("/portal/inbox").into_response())
}

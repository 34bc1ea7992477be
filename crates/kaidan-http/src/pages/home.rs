//! The home page: who is logged in and a card per section they may use.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::{Chrome, PageAuth, render};

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

pub async fn home(PageAuth { ctx, chrome }: PageAuth) -> Response {
    // A customer's users have their own pages (INT-2).
    if ctx.actor.customer_id.is_some() {
        return Redirect::to("/portal").into_response();
    }
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

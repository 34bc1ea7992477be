//! The search box's page (issue 21): everything the caller may see whose
//! number starts with, or whose code, name or reference holds, what was
//! typed; one hit opens at once.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kaidan_app::search::SearchHit;

use super::{Chrome, OrPage, PageAuth, PageResult, render};
use crate::state::AppState;

/// Hits of one kind the page shows.
const PER_KIND: u32 = 20;

pub struct HitRow {
    pub kind: &'static str,
    pub key: String,
    pub detail: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    title: String,
    q: String,
    hits: Vec<HitRow>,
}

/// GET /search?q=
pub async fn search_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let text = q.get("q").cloned().unwrap_or_default();
    let hits: Vec<SearchHit> = s
        .app
        .search_everything(&ctx, &text, PER_KIND)
        .await
        .or_page(lang)?;
    if let [one] = hits.as_slice() {
        return Ok(Redirect::to(&one.href).into_response());
    }
    let hits = hits
        .into_iter()
        .map(|h| HitRow {
            kind: lang.pick(h.kind.label_zh(), h.kind.label_en()),
            key: h.key,
            detail: h.detail,
            href: h.href,
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &SearchPage {
            title: lang.pick("搜索", "Search").into(),
            q: text.trim().to_string(),
            hits,
            chrome,
        },
    ))
}

/// GET /static/search.js: the search box's list of matches.
pub async fn script() -> Response {
    super::script_response(include_str!("../../static/search.js"))
}

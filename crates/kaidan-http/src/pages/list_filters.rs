//! What every filtered list page does alike (issue 21: the order and
//! shipment lists): the form's values as typed, the cursor, a refused
//! filter in words, the page's status, the user's saved filters as links,
//! and saving or deleting one.

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kaidan_app::saved_filters::SavedList;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::ValidationErrors;

use super::orders::query_string;
use super::{Lang, PageError, PageResult};
use crate::state::AppState;

/// A column header that sorts the list.
pub struct SortHeader {
    pub label: &'static str,
    pub href: String,
    /// "▲", "▼" or "" when the list is not sorted by it.
    pub arrow: &'static str,
}

/// A saved filter as a link.
pub struct SavedLink {
    pub id: i64,
    pub name: String,
    pub href: String,
}

/// The filter form's values as the user typed them (trimmed), of the
/// parameters the list's filter reads.
pub fn form_values(p: &BTreeMap<String, String>, allowed: &[&str]) -> BTreeMap<String, String> {
    p.iter()
        .filter(|(k, _)| allowed.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.trim().to_string()))
        .collect()
}

/// The page's cursor, if any.
pub fn cursor(p: &BTreeMap<String, String>) -> Option<&str> {
    p.get("cursor")
        .map(String::as_str)
        .filter(|c| !c.is_empty())
}

/// A refused filter in the page's words.
pub fn invalid_text(lang: Lang, e: &ValidationErrors) -> String {
    format!(
        "{}: {e}",
        lang.pick("筛选条件有误", "The filter is not valid")
    )
}

/// 200, or the page of a problem: 404 when the list was read (a number
/// not found), 422 when the filter was refused.
pub fn status(error: &Option<String>, total: Option<u64>) -> StatusCode {
    match (error, total) {
        (None, _) => StatusCode::OK,
        (Some(_), Some(_)) => StatusCode::NOT_FOUND,
        (Some(_), None) => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// The user's saved filters of `list` as links to `path`; a failure to
/// read them is told in `error` (when nothing else is) and leaves none.
pub async fn saved_links(
    s: &AppState,
    ctx: &Ctx,
    list: SavedList,
    path: &str,
    error: &mut Option<String>,
) -> Vec<SavedLink> {
    match s.app.saved_filters(ctx, list).await {
        Ok(list) => list
            .into_iter()
            .map(|f| SavedLink {
                id: f.id,
                href: format!("{path}?{}", query_string(&f.params)),
                name: f.name,
            })
            .collect(),
        Err(e) => {
            error.get_or_insert_with(|| e.to_string());
            Vec::new()
        }
    }
}

/// A save refused: the list's parameters and why, for the list page to
/// show again.
pub struct Refused {
    pub params: BTreeMap<String, String>,
    pub message: String,
}

/// Saves the list's current filter (the form's `query`) under `name`:
/// on to the list with it, or why not.
pub async fn save(
    s: &AppState,
    ctx: &Ctx,
    lang: Lang,
    form: &HashMap<String, String>,
    list: SavedList,
    path: &str,
) -> PageResult<Result<Response, Refused>> {
    let query = form.get("query").map(String::as_str).unwrap_or_default();
    let params: BTreeMap<String, String> = serde_urlencoded::from_str(query).unwrap_or_default();
    let name = form.get("name").map(String::as_str).unwrap_or_default();
    match s.app.save_filter(ctx, list, name, &params).await {
        Ok(f) => Ok(Ok(Redirect::to(&format!(
            "{path}?{}",
            query_string(&f.params)
        ))
        .into_response())),
        Err(AppError::Invalid(e)) => Ok(Err(Refused {
            params,
            message: format!(
                "{}: {e}",
                lang.pick("筛选未保存", "The filter was not saved")
            ),
        })),
        Err(e) => Err(PageError::new(lang, e)),
    }
}

/// Deletes one of the user's saved filters, back to the list at `path`.
pub async fn delete(s: &AppState, ctx: &Ctx, lang: Lang, id: i64, path: &str) -> PageResult {
    match s.app.delete_saved_filter(ctx, id).await {
        Ok(()) => Ok(Redirect::to(path).into_response()),
        Err(e) => Err(PageError::new(lang, e)),
    }
}

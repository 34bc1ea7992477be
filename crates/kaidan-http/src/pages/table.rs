//! Pages that are plain tables (users) and the table sections other
//! pages add below a record.

use std::collections::BTreeMap;

use askama::Template;
use kaidan_app::ListRequest;

use super::Chrome;

/// A searchable list's request from its query (`q`, and the `cursor` of
/// the page after the first), with the words searched for.
pub fn search(params: &BTreeMap<String, String>, limit: u32) -> (String, ListRequest) {
    let q = params.get("q").cloned().unwrap_or_default();
    let req = ListRequest {
        search: Some(q.clone()),
        cursor: params.get("cursor").cloned(),
        limit: Some(limit),
        filters: Vec::new(),
    };
    (q, req)
}

pub struct Section {
    pub heading: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(path = "table.html")]
pub struct TablePage {
    pub chrome: Chrome,
    pub title: String,
    pub sections: Vec<Section>,
    pub show_search: bool,
    pub q: String,
    pub next_cursor: Option<String>,
}

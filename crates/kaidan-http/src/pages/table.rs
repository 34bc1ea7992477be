//! Pages that are plain tables (stock, users) and the table sections other
//! pages add below a record.

use askama::Template;

use super::Chrome;

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

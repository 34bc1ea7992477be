//! The user accounts and their roles (SEC-1), for administrators.

use axum::extract::State;
use axum::http::StatusCode;

use super::table::{Section, TablePage};
use super::{OrPage, PageAuth, PageResult, render};
use crate::state::AppState;

pub async fn users(State(s): State<AppState>, PageAuth { ctx, chrome }: PageAuth) -> PageResult {
    let lang = chrome.lang;
    let users = s.app.list_users(&ctx).await.or_page(lang)?;
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
    Ok(render(
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
    ))
}

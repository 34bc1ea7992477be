//! A customer's own users, managed by its administrator (SEC-1).

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use kaidan_app::AppError;
use kaidan_app::portal::PortalUserInput;
use kaidan_app::ports::UserRecord;
use kaidan_domain::{Role, UserId};

use super::{PortalAuth, title};
use crate::pages::{Chrome, OrPage, PageError, PageForm, PageId, PageResult, render, status_of};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "portal_users.html")]
struct UsersPage {
    chrome: Chrome,
    title: String,
    users: Vec<(UserRecord, bool)>,
    error: Option<String>,
}

async fn users_page(
    s: &AppState,
    auth: crate::pages::PageAuth,
    error: Option<String>,
) -> PageResult {
    let lang = auth.chrome.lang;
    let users = s
        .app
        .portal_users(&auth.ctx)
        .await
        .or_page(lang)?
        .into_iter()
        .map(|u| {
            let admin = u.roles.contains(&Role::CustomerAdmin);
            (u, admin)
        })
        .collect();
    Ok(render(
        status_of(&error),
        &UsersPage {
            title: title(lang, "我方用户", "Our users"),
            chrome: auth.chrome,
            users,
            error,
        },
    ))
}

/// GET /portal/users
pub async fn users(State(s): State<AppState>, PortalAuth(auth): PortalAuth) -> PageResult {
    users_page(&s, auth, None).await
}

/// POST /portal/users: a new user of the customer.
pub async fn create(
    State(s): State<AppState>,
    PageForm(auth, form): PageForm<HashMap<String, String>>,
) -> PageResult {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let input = PortalUserInput {
        username: get("username"),
        display_name: get("display_name"),
        password: get("password"),
        admin: get("admin") == "1",
    };
    let lang = auth.chrome.lang;
    match s.app.create_portal_user(&auth.ctx, input).await {
        Ok(_) => Ok(Redirect::to("/portal/users").into_response()),
        Err(AppError::Invalid(v)) => users_page(&s, auth, Some(v.to_string())).await,
        Err(e) => Err(PageError::new(lang, e)),
    }
}

/// POST /portal/users/{id}/password
pub async fn password(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm<HashMap<String, String>>,
) -> PageResult {
    let lang = auth.chrome.lang;
    let password = form.get("password").cloned().unwrap_or_default();
    match s
        .app
        .set_portal_password(&auth.ctx, UserId(id), &password)
        .await
    {
        Ok(()) => Ok(Redirect::to("/portal/users").into_response()),
        Err(AppError::Invalid(v)) => users_page(&s, auth, Some(v.to_string())).await,
        Err(e) => Err(PageError::new(lang, e)),
    }
}

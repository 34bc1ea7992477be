//! The sales teams (issue 20), for administrators: each team with its
//! manager and members, a form to form one and a form to move a user.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use kaidan_app::AppError;
use kaidan_app::ports::TeamRow;
use kaidan_domain::teams::TeamInput;
use kaidan_domain::{Role, UserId};

use super::{Chrome, OrPage, PageAuth, PageForm, PageId, PageResult, render};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/teams", get(page).post(create))
        .route("/teams/members", post(move_user))
}

#[derive(Template)]
#[template(path = "teams.html")]
struct TeamsPage {
    chrome: Chrome,
    title: String,
    teams: Vec<TeamRow>,
    /// (id, label) of the staff users; managers are those with the sales
    /// manager's role.
    users: Vec<(i64, String)>,
    managers: Vec<(i64, String)>,
    error: Option<String>,
}

async fn view(s: &AppState, auth: PageAuth, error: Option<String>) -> PageResult {
    let lang = auth.chrome.lang;
    let teams = s.app.teams(&auth.ctx).await.or_page(lang)?;
    let users = s.app.list_users(&auth.ctx).await.or_page(lang)?;
    let staff: Vec<_> = users.iter().filter(|u| u.customer_id.is_none()).collect();
    let label = |u: &&kaidan_app::ports::UserRecord| {
        (u.id.get(), format!("{} ({})", u.display_name, u.username))
    };
    Ok(render(
        StatusCode::OK,
        &TeamsPage {
            title: lang.t("teams").into(),
            teams,
            managers: staff
                .iter()
                .filter(|u| u.roles.contains(&Role::SalesManager))
                .map(label)
                .collect(),
            users: staff.iter().map(label).collect(),
            error,
            chrome: auth.chrome,
        },
    ))
}

async fn page(State(s): State<AppState>, auth: PageAuth) -> PageResult {
    view(&s, auth, None).await
}

/// POST /teams: forms a team.
async fn create(State(s): State<AppState>, PageForm(auth, form): PageForm) -> PageResult {
    let text = |k: &str| form.get(k).cloned().unwrap_or_default();
    let input = TeamInput {
        code: text("code"),
        name: text("name"),
        manager_id: form
            .get("manager_id")
            .and_then(|v| PageId::parse(v.trim()))
            .map(UserId),
    };
    match s.app.create_team(&auth.ctx, input).await {
        Ok(_) => Ok(Redirect::to("/teams").into_response()),
        Err(AppError::Invalid(e)) => view(&s, auth, Some(e.to_string())).await,
        Err(e) => Err(super::PageError::new(auth.chrome.lang, e)),
    }
}

/// POST /teams/members: puts a user in a team, or in none.
async fn move_user(State(s): State<AppState>, PageForm(auth, form): PageForm) -> PageResult {
    let Some(user) = form.get("user_id").and_then(|v| PageId::parse(v.trim())) else {
        return view(&s, auth, Some("user_id: choose the user".into())).await;
    };
    let team = form.get("team_id").and_then(|v| PageId::parse(v.trim()));
    match s.app.set_user_team(&auth.ctx, UserId(user), team).await {
        Ok(()) => Ok(Redirect::to("/teams").into_response()),
        Err(AppError::Invalid(e)) => view(&s, auth, Some(e.to_string())).await,
        Err(e) => Err(super::PageError::new(auth.chrome.lang, e)),
    }
}

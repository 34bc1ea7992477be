//! Logging in and out on the pages, and switching the language.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kaidan_app::AppError;
use serde::Deserialize;

use super::{Chrome, Lang, bare_chrome, render};
use crate::api::session::session_cookie;
use crate::auth::{LANG_COOKIE, SESSION_COOKIE, cookie};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    title: String,
    error: Option<String>,
    username: String,
    next: String,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only local paths: never redirect to another site after login.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") => n.to_string(),
        _ => "/".to_string(),
    }
}

pub async fn login_form(headers: HeaderMap, Query(q): Query<NextQuery>) -> Response {
    let lang = Lang::from_headers(&headers);
    render(
        StatusCode::OK,
        &LoginPage {
            chrome: bare_chrome(lang),
            title: lang.t("login").into(),
            error: None,
            username: String::new(),
            next: safe_next(q.next.as_deref()),
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// Login needs no CSRF token (there is no session to ride on yet); the
/// session cookie is SameSite=Lax.
pub async fn login(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let lang = Lang::from_headers(&headers);
    match s.app.login(f.username.trim(), &f.password).await {
        Ok(session) => {
            let mut res = Redirect::to(&safe_next(f.next.as_deref())).into_response();
            let max_age = s.app.config().session_hours * 3600;
            res.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(&s, &session.token, max_age),
            );
            res
        }
        Err(e) => {
            let (status, key) = match e {
                AppError::Throttled { .. } => (StatusCode::TOO_MANY_REQUESTS, "throttled"),
                AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "bad_login"),
                other => return super::error_page(lang, other),
            };
            render(
                status,
                &LoginPage {
                    chrome: bare_chrome(lang),
                    title: lang.t("login").into(),
                    error: Some(lang.t(key).into()),
                    username: f.username,
                    next: safe_next(f.next.as_deref()),
                },
            )
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub async fn logout(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && let Ok((_, csrf)) = s.app.session_actor(token).await
    {
        if csrf != f.csrf {
            return (StatusCode::FORBIDDEN, "CSRF token mismatch").into_response();
        }
        if let Err(e) = s.app.logout(token).await {
            return super::error_page(Lang::from_headers(&headers), e);
        }
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&s, "", 0));
    res
}

pub async fn set_lang(Path(lang): Path<String>, Query(q): Query<NextQuery>) -> Response {
    let code = if lang == "en" { "en" } else { "zh" };
    let mut res = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={code}; Path=/; Max-Age=31536000; SameSite=Lax"
    )) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

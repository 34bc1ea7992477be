//! The business calendar: holidays and make-up working days (ORD-6).

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::Permission;
use kaidan_domain::calendar::{CalendarDay, DayKind};

use super::{Chrome, OrPage, PageAuth, PageForm, PageResult, after_post, render, status_of};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    title: String,
    days: Vec<(String, String, String)>,
    can_write: bool,
    error: Option<String>,
    form_date: String,
    form_name: String,
}

async fn calendar_page(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    error: Option<String>,
    form: &HashMap<String, String>,
) -> PageResult {
    let lang = chrome.lang;
    let days = s.app.calendar_days(ctx).await.or_page(lang)?;
    let status = status_of(&error);
    Ok(render(
        status,
        &CalendarPage {
            title: lang.t("calendar").into(),
            days: days
                .iter()
                .map(|d| {
                    (
                        d.date.to_string(),
                        lang.t(d.kind.as_str()).to_string(),
                        d.name.clone(),
                    )
                })
                .collect(),
            can_write: ctx.actor.can(Permission::CalendarWrite),
            error,
            form_date: form.get("date").cloned().unwrap_or_default(),
            form_name: form.get("name").cloned().unwrap_or_default(),
            chrome,
        },
    ))
}

pub async fn calendar(State(s): State<AppState>, PageAuth { ctx, chrome }: PageAuth) -> PageResult {
    calendar_page(&s, &ctx, chrome, None, &HashMap::new()).await
}

/// Adds or changes a day (`action=put`) or removes one (`action=delete`).
pub async fn calendar_post(
    State(s): State<AppState>,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let field = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let date = match field("date").parse::<jiff::civil::Date>() {
        Ok(d) => d,
        Err(_) => {
            let msg = format!("date: '{}' is not a date (YYYY-MM-DD)", field("date"));
            return calendar_page(&s, &ctx, chrome, Some(msg), &form).await;
        }
    };
    let result = if field("action") == "delete" {
        s.app.delete_calendar_day(&ctx, date).await
    } else {
        match field("kind").parse::<DayKind>() {
            Ok(kind) => s
                .app
                .put_calendar_day(
                    &ctx,
                    CalendarDay {
                        date,
                        kind,
                        name: field("name"),
                    },
                )
                .await
                .map(|_| ()),
            Err(e) => Err(AppError::Invalid(kaidan_domain::ValidationErrors::single(
                "kind",
                "invalid",
                e.to_string(),
            ))),
        }
    };
    let next = |()| "/calendar".to_string();
    after_post(chrome.lang, result, next, |e| {
        calendar_page(&s, &ctx, chrome, Some(e), &form)
    })
    .await
}

//! The order in which regions are served in each season (ALC-6).

use askama::Template;
use axum::extract::State;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::master::{RegionData, RegionPriorityList, Season};
use kaidan_domain::{Permission, RegionId};

use super::{
    Chrome, OrPage, PageAuth, PageError, PageForm, PageResult, after_post, render, status_of,
};
use crate::state::AppState;

pub struct SeasonList {
    pub season: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub regions: Vec<String>,
    pub codes: String,
}

#[derive(Template)]
#[template(path = "priorities.html")]
struct PrioritiesPage {
    chrome: Chrome,
    title: String,
    seasons: Vec<SeasonList>,
    can_write: bool,
    error: Option<String>,
}

async fn priorities_page(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let mut seasons = Vec::new();
    for season in [Season::SpringSummer, Season::AutumnWinter] {
        let list = s.app.region_priorities(ctx, season).await.or_page(lang)?;
        seasons.push(SeasonList {
            season: season.as_str(),
            label: lang.t(season.as_str()),
            hint: lang.t("codes_hint"),
            regions: list
                .iter()
                .map(|r| format!("{} {} {}", r.data.code, r.data.name_zh, r.data.name))
                .collect(),
            codes: list
                .iter()
                .map(|r| r.data.code.clone())
                .collect::<Vec<_>>()
                .join("\n"),
        });
    }
    let status = status_of(&error);
    Ok(render(
        status,
        &PrioritiesPage {
            title: lang.t("priorities").into(),
            seasons,
            can_write: ctx.actor.can(Permission::RegionWrite),
            error,
            chrome,
        },
    ))
}

pub async fn priorities(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
) -> PageResult {
    priorities_page(&s, &ctx, chrome, None).await
}

/// Replaces a season's list from region codes, one per line.
pub async fn priorities_post(
    State(s): State<AppState>,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let season = match form.get("season").map(|v| v.parse::<Season>()) {
        Some(Ok(season)) => season,
        _ => return priorities_page(&s, &ctx, chrome, Some("season: unknown season".into())).await,
    };
    let mut regions = Vec::new();
    let mut problems = Vec::new();
    let codes = form.get("codes").cloned().unwrap_or_default();
    for (i, code) in codes
        .lines()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .enumerate()
    {
        match s.app.id_by_code::<RegionData>(&ctx, code).await {
            Ok(id) => regions.push(RegionId(id)),
            Err(AppError::NotFound { .. }) => {
                problems.push(format!("line {}: no region with code '{code}'", i + 1))
            }
            Err(e) => return Err(PageError::new(chrome.lang, e)),
        }
    }
    if !problems.is_empty() {
        return priorities_page(&s, &ctx, chrome, Some(problems.join("; "))).await;
    }
    let list = RegionPriorityList { season, regions };
    let outcome = s.app.set_region_priorities(&ctx, list).await;
    let next = |_| "/region-priorities".to_string();
    after_post(chrome.lang, outcome, next, |e| {
        priorities_page(&s, &ctx, chrome, Some(e))
    })
    .await
}

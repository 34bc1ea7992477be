//! Server-rendered pages for staff (INT-2): Chinese by default, English on
//! request, no scripts or files from outside.

mod accounts;
mod allocation;
pub mod api_docs;
mod arrival_notices;
mod assessments;
mod bank;
mod bulk_results;
mod calendar;
mod chart;
mod collection;
mod commissions;
mod complaints;
mod contracts;
mod customer_files;
mod customer_hold;
mod expenses;
mod fields;
mod figures;
mod finance;
mod format;
mod fulfilment;
mod history;
mod home;
mod i18n;
mod jobs;
mod list_filters;
mod master;
mod master_forms;
mod orders;
mod points;
mod portal;
mod print;
mod purchasing;
mod region_priorities;
mod returns;
mod search;
mod session;
mod shipment_list;
mod stock;
mod stock_counts;
mod surveys;
mod table;
mod target_quantities;
mod targets;
mod teams;
mod transfers;
mod users;
mod visits;
mod webhooks;

use std::collections::HashMap;

use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use kaidan_app::ports::StoreError;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::finance::DunningLevel;
use kaidan_domain::master::{
    CustomerData, PriceListData, ProductData, RegionData, StoreData, WarehouseData,
};
use kaidan_domain::{Actor, Permission};
use serde::de::DeserializeOwned;

pub use i18n::Lang;

use crate::auth::{SESSION_COOKIE, cookie, request_id};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/lang/{lang}", get(session::set_lang))
        .route("/static/kaidan.css", get(stylesheet))
        .route("/api/docs", get(api_docs::api_docs))
        .route("/search", get(search::search_page))
        .route("/static/search.js", get(search::script))
        .route("/static/api-docs.js", get(api_docs::script))
        .route("/stock", get(stock::stock))
        .route(
            "/stock/{product_id}/{warehouse_id}/history",
            get(stock::history),
        )
        .route("/customers/{id}/account", get(accounts::account))
        .route("/customers/{id}/account/history", get(accounts::history))
        .route(
            "/stock-counts/new",
            get(stock_counts::new_count).post(stock_counts::create),
        )
        .route("/stock-counts/{id}", get(stock_counts::read))
        .route("/stock-counts/{id}/post", post(stock_counts::post))
        .route(
            "/calendar",
            get(calendar::calendar).post(calendar::calendar_post),
        )
        .route(
            "/region-priorities",
            get(region_priorities::priorities).post(region_priorities::priorities_post),
        )
        .route("/users", get(users::users))
        .merge(print::routes())
        .merge(shipment_list::routes())
        .merge(master::routes::<ProductData>())
        .merge(master::routes::<CustomerData>())
        .merge(customer_hold::routes())
        .merge(master::routes::<WarehouseData>())
        .merge(master::routes::<RegionData>())
        .merge(master::routes::<StoreData>())
        .merge(master::routes::<PriceListData>())
        .merge(orders::routes())
        .merge(purchasing::routes())
        .merge(arrival_notices::routes())
        .merge(jobs::routes())
        .merge(fulfilment::routes())
        .merge(allocation::routes())
        .merge(transfers::routes())
        .merge(finance::routes())
        .merge(collection::routes())
        .merge(bank::routes())
        .merge(webhooks::routes())
        .merge(portal::routes())
        .merge(returns::routes())
        .merge(complaints::routes())
        .merge(surveys::routes())
        .merge(contracts::routes())
        .merge(figures::routes())
        .merge(teams::routes())
        .merge(targets::routes())
        .merge(visits::routes())
        .merge(points::routes())
        .merge(expenses::routes())
        .merge(commissions::routes())
        .merge(assessments::routes())
        .merge(customer_files::routes())
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/kaidan.css"),
    )
        .into_response()
}

/// One entry of the navigation bar.
#[derive(Debug, Clone)]
pub struct Nav {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// What every page shows around its content.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub lang: Lang,
    pub username: String,
    pub csrf: String,
    pub nav: Vec<Nav>,
    /// The current path and query, for the language switch to come back to.
    pub path: String,
    pub flash: Option<String>,
}

impl Chrome {
    /// The search box's names for the kinds of hits, in the page's
    /// language, for its script.
    pub fn search_kinds_json(&self) -> String {
        let kinds: serde_json::Map<String, serde_json::Value> = kaidan_app::ports::HitKind::ALL
            .iter()
            .map(|k| {
                (
                    k.as_str().to_string(),
                    self.lang.pick(k.label_zh(), k.label_en()).into(),
                )
            })
            .collect();
        serde_json::Value::Object(kinds).to_string()
    }
}

/// The sections a user sees, by permission (navigation by role, SEC-1).
fn nav(lang: Lang, actor: Option<&Actor>, path: &str) -> Vec<Nav> {
    // The alias keeps each entry of the table on one line.
    use Permission as P;
    let Some(actor) = actor else {
        return Vec::new();
    };
    let items: [(&str, &str, Option<P>); 35] = [
        ("/", "home", None),
        ("/orders", "orders", Some(P::OrderRead)),
        ("/orders/deadlines", "deadlines", Some(P::OrderRead)),
        ("/m/products", "products", Some(P::ProductRead)),
        ("/m/customers", "customers", Some(P::CustomerRead)),
        ("/m/warehouses", "warehouses", Some(P::WarehouseRead)),
        ("/m/regions", "regions", Some(P::RegionRead)),
        ("/m/stores", "stores", Some(P::StoreRead)),
        ("/m/price-lists", "price_lists", Some(P::PriceRead)),
        ("/region-priorities", "priorities", Some(P::RegionRead)),
        ("/stock", "stock", Some(P::StockRead)),
        ("/stock-counts/new", "stock_counts", Some(P::StockCount)),
        ("/shipping", "shipping", Some(P::ShipmentRead)),
        ("/shipments", "shipments", Some(P::ShipmentRead)),
        ("/transfers", "transfers", Some(P::ShipmentRead)),
        ("/returns", "returns", Some(P::ReturnRead)),
        ("/complaints", "complaints", Some(P::ComplaintRead)),
        ("/surveys", "surveys", Some(P::SurveyRead)),
        ("/contracts", "contracts", Some(P::ContractRead)),
        // Anyone with his own figures or the company's.
        ("/figures", "figures", None),
        // Anyone who reads figures or writes or approves targets.
        ("/targets", "targets", None),
        // A rep's own visits, a manager's team's, or everyone's.
        ("/visits", "visits", None),
        // Whoever reads figures or works with points.
        ("/points", "points", None),
        // One's own claims, one's teams', or everyone's (finance).
        ("/expenses", "expenses", None),
        // One's own statements, one's teams', or everyone's.
        ("/commissions", "commissions", None),
        // The clerks' supervisor, readers of the company's figures, a clerk
        // his own.
        ("/assessments", "assessments", None),
        ("/purchase-orders", "purchase_orders", Some(P::PurchaseRead)),
        ("/arrival-notices", "arrival_notices", Some(P::PurchaseRead)),
        ("/allocation", "allocation", Some(P::AllocationRun)),
        // Where it leads, and for whom, `finance_entry` decides.
        ("/finance", "finance", None),
        ("/jobs", "jobs", Some(P::JobsRead)),
        ("/webhooks", "webhooks", Some(P::WebhookRead)),
        ("/calendar", "calendar", None),
        ("/users", "users", Some(P::UserAdmin)),
        ("/teams", "teams", Some(P::UserAdmin)),
    ];
    items
        .iter()
        .filter_map(|&(section, key, p)| match (section, p) {
            ("/finance", _) => finance_entry(actor).map(|href| (href, section, key)),
            ("/figures", _) => (actor.can(P::FiguresRead)
                || actor.can(P::FiguresReadTeam)
                || actor.can(P::FiguresReadOwn))
            .then_some((section, section, key)),
            ("/visits", _) => [
                P::FiguresRead,
                P::FiguresReadTeam,
                P::VisitsWrite,
                P::VisitsApprove,
            ]
            .iter()
            .any(|p| actor.can(*p))
            .then_some((section, section, key)),
            ("/points", _) => [
                P::FiguresRead,
                P::FiguresReadTeam,
                P::PointsWrite,
                P::PointsApprove,
                P::PointsRedeem,
            ]
            .iter()
            .any(|p| actor.can(*p))
            .then_some((section, section, key)),
            ("/expenses", _) => [
                P::FiguresRead,
                P::FiguresReadTeam,
                P::ExpensesWrite,
                P::ExpensesApprove,
                P::ExpensesFinance,
                P::ExpensesBudget,
            ]
            .iter()
            .any(|p| actor.can(*p))
            .then_some((section, section, key)),
            ("/assessments", _) => (actor.can(P::AssessmentsWrite)
                || actor.can(P::FiguresRead)
                || actor.roles.contains(&kaidan_domain::Role::OrderClerk))
            .then_some((section, section, key)),
            ("/commissions", _) => [
                P::FiguresRead,
                P::FiguresReadTeam,
                P::FiguresReadOwn,
                P::CommissionsWrite,
                P::CommissionsFinance,
                P::CommissionsPolicy,
            ]
            .iter()
            .any(|p| actor.can(*p))
            .then_some((section, section, key)),
            ("/targets", _) => [
                P::FiguresRead,
                P::FiguresReadTeam,
                P::FiguresReadOwn,
                P::TargetsWrite,
                P::TargetsApprove,
            ]
            .iter()
            .any(|p| actor.can(*p))
            .then_some((section, section, key)),
            (_, p) if p.is_none_or(|p| actor.can(p)) => Some((section, section, key)),
            _ => None,
        })
        .map(|(href, section, key)| Nav {
            href,
            label: lang.t(key),
            active: if section == "/" {
                path == "/"
            } else {
                path.starts_with(section)
            },
        })
        .collect()
}

/// Where the finance entry leads: finance's work place for those who
/// invoice; the receipts for a sales rep, who registers his customers'
/// money there; the dunning notices for legal, who is given the
/// legal-level ones (FIN-4). Nothing for anyone else.
fn finance_entry(actor: &Actor) -> Option<&'static str> {
    if actor.can(Permission::InvoiceWrite) {
        Some("/finance")
    } else if actor.can(Permission::ReceiptRegister) {
        Some("/finance/receipts")
    } else if actor.can(Permission::InvoiceRead)
        || !DunningLevel::escalated_to_any(&actor.roles).is_empty()
    {
        Some("/finance/dunning")
    } else {
        None
    }
}

/// A logged-in page visitor; anyone else is sent to the login page.
pub struct PageAuth {
    pub ctx: Ctx,
    pub chrome: Chrome,
}

impl FromRequestParts<AppState> for PageAuth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let to_login = || {
            let next: String = url_encode(&path);
            Redirect::to(&format!("/login?next={next}")).into_response()
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        let (actor, csrf) = match state.app.session_actor(token).await {
            Ok(v) => v,
            Err(AppError::Unauthenticated) => return Err(to_login()),
            Err(e) => return Err(error_page(Lang::from_headers(&parts.headers), e)),
        };
        crate::observe::record_user(&actor.username);
        let lang = Lang::from_headers(&parts.headers);
        let chrome = Chrome {
            lang,
            username: actor.username.clone(),
            csrf,
            nav: nav(lang, Some(&actor), parts.uri.path()),
            path,
            flash: None,
        };
        Ok(PageAuth {
            ctx: Ctx {
                actor,
                request_id: request_id(parts),
            },
            chrome,
        })
    }
}

/// A logged-in visitor's form post whose `_csrf` is the session's token;
/// any other post is refused before the handler runs.
pub struct PageForm<F = HashMap<String, String>>(pub PageAuth, pub F);

/// Where a form keeps its `_csrf` field.
pub trait CsrfField {
    fn csrf(&self) -> Option<&str>;
}

impl CsrfField for HashMap<String, String> {
    fn csrf(&self) -> Option<&str> {
        self.get("_csrf").map(String::as_str)
    }
}

impl CsrfField for Vec<(String, String)> {
    /// The last one, as a map made of the pairs would hold.
    fn csrf(&self) -> Option<&str> {
        self.iter()
            .rev()
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.as_str())
    }
}

impl<F: DeserializeOwned + CsrfField + Send> FromRequest<AppState> for PageForm<F> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let auth = PageAuth::from_request_parts(&mut parts, state).await?;
        let Form(form) = Form::<F>::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        if form.csrf() != Some(auth.chrome.csrf.as_str()) {
            return Err((
                StatusCode::FORBIDDEN,
                "CSRF token mismatch; reload the page",
            )
                .into_response());
        }
        Ok(PageForm(auth, form))
    }
}

/// The `{id}` of a page's path; anything but a whole number above 0 is
/// answered with the not-found page.
pub struct PageId(pub i64);

impl PageId {
    pub fn parse(raw: &str) -> Option<i64> {
        raw.parse::<i64>().ok().filter(|v| *v > 0)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageId {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        params
            .iter()
            .find(|(name, _)| *name == "id")
            .and_then(|(_, raw)| PageId::parse(raw))
            .map(PageId)
            .ok_or_else(not_found_page)
    }
}

/// A use-case failure on a page, answered with [`error_page`] in the
/// visitor's language; page handlers return it with `?`.
pub struct PageError(Lang, AppError);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(self.0, self.1)
    }
}

impl PageError {
    pub fn new(lang: Lang, e: AppError) -> Self {
        PageError(lang, e)
    }
}

pub type PageResult<T = Response> = Result<T, PageError>;

/// `.or_page(lang)?` turns a use case's failure into the error page.
pub trait OrPage<T> {
    fn or_page(self, lang: Lang) -> PageResult<T>;
}

impl<T> OrPage<T> for Result<T, AppError> {
    fn or_page(self, lang: Lang) -> PageResult<T> {
        self.map_err(|e| PageError(lang, e))
    }
}

/// What a form post's use case gave back: on success the browser goes on
/// to the page `next` names; a refusal shows the form again with it
/// (`again`); any other failure is the error page.
pub async fn after_post<T, F: Future<Output = PageResult>>(
    lang: Lang,
    outcome: Result<T, AppError>,
    next: impl FnOnce(T) -> String,
    again: impl FnOnce(String) -> F,
) -> PageResult {
    match outcome {
        Ok(v) => Ok(Redirect::to(&next(v)).into_response()),
        Err(AppError::Invalid(v)) => again(v.to_string()).await,
        Err(e) => Err(PageError(lang, e)),
    }
}

/// A step posted from a document's page (`view`): on success on to the
/// page `next` names, a refusal shows the document again with it.
pub async fn after_step<'a, T, F: Future<Output = PageResult>>(
    s: &'a AppState,
    auth: PageAuth,
    id: i64,
    outcome: Result<T, AppError>,
    next: impl FnOnce(T) -> String,
    view: impl FnOnce(&'a AppState, PageAuth, i64, Option<String>) -> F,
) -> PageResult {
    after_post(auth.chrome.lang, outcome, next, |e| {
        view(s, auth, id, Some(e))
    })
    .await
}

/// A form field that may be left empty: None when it is, else its value.
pub fn optional<T: std::str::FromStr>(raw: &str) -> Result<Option<T>, T::Err> {
    (!raw.is_empty()).then(|| raw.parse()).transpose()
}

pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A page shown again with a refusal is 422; otherwise 200.
pub fn status_of(error: &Option<String>) -> StatusCode {
    if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

pub fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "page rendering failed; it has been logged",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    chrome: Chrome,
    title: String,
    message: String,
}

pub(super) fn bare_chrome(lang: Lang) -> Chrome {
    Chrome {
        lang,
        username: String::new(),
        csrf: String::new(),
        nav: Vec::new(),
        path: "/".into(),
        flash: None,
    }
}

/// A use-case failure as a page.
pub fn error_page(lang: Lang, e: AppError) -> Response {
    let (status, key) = match &e {
        AppError::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::Unauthenticated => return Redirect::to("/login").into_response(),
        AppError::VersionConflict { .. } => (StatusCode::CONFLICT, "conflict"),
        // The user's input: said as it is, never as "an unexpected error".
        AppError::Invalid(_)
        | AppError::IdempotencyMismatch(_)
        | AppError::ImportRejected(_)
        | AppError::File(_)
        | AppError::Store(StoreError::ValueRefused { .. }) => {
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input")
        }
        AppError::Duplicate { .. }
        | AppError::PossibleDuplicate(_)
        | AppError::Store(StoreError::Conflict) => (StatusCode::CONFLICT, "refused"),
        AppError::Throttled { .. } => (StatusCode::TOO_MANY_REQUESTS, "throttled"),
        AppError::Store(StoreError::Unavailable(_)) => {
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "app"),
    };
    let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = %e, "page failed");
        "An unexpected error occurred; it has been logged. / 系统出错,已记录。".to_string()
    } else {
        e.to_string()
    };
    render(
        status,
        &MessagePage {
            chrome: bare_chrome(lang),
            title: lang.t(key).to_string(),
            message,
        },
    )
}

/// A script of the pages, served from the binary (never a CDN), cached
/// for an hour.
pub(crate) fn script_response(body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

pub fn not_found_page() -> Response {
    let lang = Lang::Zh;
    render(
        StatusCode::NOT_FOUND,
        &MessagePage {
            chrome: bare_chrome(lang),
            title: lang.t("not_found").into(),
            message: "404".into(),
        },
    )
}

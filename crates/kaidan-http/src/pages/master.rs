//! List, detail (with audit history), new and edit pages for every kind of
//! master data, driven by the field lists in `fields.rs`.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use kaidan_app::ports::{EntityKind, Record};
use kaidan_app::transfers::can_read_transfers;
use kaidan_app::{AppError, Created, Ctx, ListRequest};
use kaidan_domain::master::{PriceListData, RegionData};
use kaidan_domain::{Permission, TaxRate, ValidationErrors};
use serde_json::Value;

use super::fields::{Field, Kind, PageEntity};
use super::{Chrome, Lang, PageAuth, error_page, render};
use crate::json::view;
use crate::state::AppState;

pub fn routes<T: PageEntity>() -> Router<AppState> {
    let base = format!("/m/{}", T::SLUG);
    Router::new()
        .route(&base, get(list::<T>))
        .route(&format!("{base}/new"), get(new_form::<T>).post(create::<T>))
        .route(&format!("{base}/{{id}}"), get(detail::<T>))
        .route(
            &format!("{base}/{{id}}/edit"),
            get(edit_form::<T>).post(update::<T>),
        )
}

pub struct Row {
    pub id: i64,
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    chrome: Chrome,
    title: String,
    slug: &'static str,
    q: String,
    headers: Vec<&'static str>,
    rows: Vec<Row>,
    next_cursor: Option<String>,
    first_page: bool,
    can_write: bool,
    can_export: bool,
}

/// Labels of the records that fields refer to, by id.
struct Refs(HashMap<(EntityKind, i64), String>);

impl Refs {
    async fn load(s: &AppState, ctx: &Ctx, fields: &[Field]) -> Refs {
        let mut map = HashMap::new();
        for f in fields {
            let Kind::Ref(kind) = f.kind else { continue };
            let req = ListRequest {
                limit: Some(500),
                ..Default::default()
            };
            // A user who may not read the referenced kind sees ids only.
            let labels: Vec<(i64, String)> = match kind {
                EntityKind::Region => s.app.list::<RegionData>(ctx, &req).await.map(|p| {
                    p.items
                        .into_iter()
                        .map(|r| (r.id, format!("{} {}", r.data.code, r.data.name_zh)))
                        .collect()
                }),
                EntityKind::PriceList => s.app.list::<PriceListData>(ctx, &req).await.map(|p| {
                    p.items
                        .into_iter()
                        .map(|r| (r.id, format!("{} {}", r.data.code, r.data.name)))
                        .collect()
                }),
                _ => Ok(Vec::new()),
            }
            .unwrap_or_default();
            for (id, label) in labels {
                map.insert((kind, id), label);
            }
        }
        Refs(map)
    }

    fn options(&self, kind: EntityKind) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .0
            .iter()
            .filter(|((k, _), _)| *k == kind)
            .map(|((_, id), l)| (id.to_string(), l.clone()))
            .collect();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        v
    }
}

fn label(lang: Lang, f: &Field) -> &'static str {
    lang.pick(f.zh, f.en)
}

/// A field's value as text for people.
fn show(lang: Lang, f: &Field, v: Option<&Value>, refs: &Refs, hidden: bool) -> String {
    if hidden {
        return lang.t("hidden").to_string();
    }
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return String::new();
    };
    let raw = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match f.kind {
        Kind::Bool => lang
            .pick(
                if v.as_bool() == Some(true) {
                    "是"
                } else {
                    "否"
                },
                if v.as_bool() == Some(true) {
                    "yes"
                } else {
                    "no"
                },
            )
            .to_string(),
        Kind::Choice(opts) => opts
            .iter()
            .find(|(val, _, _)| *val == raw)
            .map(|(_, zh, en)| lang.pick(zh, en).to_string())
            .unwrap_or(raw),
        Kind::Ref(kind) => v
            .as_i64()
            .and_then(|id| refs.0.get(&(kind, id)).cloned())
            .unwrap_or_else(|| format!("#{raw}")),
        Kind::User => format!("#{raw}"),
        Kind::Rate => raw
            .parse::<rust_decimal::Decimal>()
            .ok()
            .and_then(|d| TaxRate::new(d).ok())
            .map(|r| r.to_string())
            .unwrap_or(raw),
        Kind::Money => raw
            .parse::<kaidan_domain::Money>()
            .map(|m| m.to_string())
            .unwrap_or(raw),
        _ => raw,
    }
}

async fn list<T: PageEntity>(
    State(s): State<AppState>,
    auth: PageAuth,
    Query(params): Query<BTreeMap<String, String>>,
) -> Response {
    let PageAuth { ctx, chrome } = auth;
    let lang = chrome.lang;
    let q = params.get("q").cloned().unwrap_or_default();
    let req = ListRequest {
        search: Some(q.clone()),
        cursor: params.get("cursor").cloned(),
        limit: Some(50),
        filters: Vec::new(),
    };
    let page = match s.app.list::<T>(&ctx, &req).await {
        Ok(p) => p,
        Err(e) => return error_page(lang, e),
    };
    let fields: Vec<&Field> = T::fields().iter().filter(|f| f.listed).collect();
    let refs = Refs::load(&s, &ctx, T::fields()).await;
    let hidden = T::hidden_fields(&ctx.actor);
    let rows = page
        .items
        .iter()
        .map(|rec| {
            let v = view(&ctx.actor, rec);
            Row {
                id: rec.id,
                cells: fields
                    .iter()
                    .map(|f| show(lang, f, v.get(f.name), &refs, hidden.contains(&f.name)))
                    .collect(),
            }
        })
        .collect();
    render(
        StatusCode::OK,
        &ListPage {
            title: lang.t(T::TITLE).to_string(),
            slug: T::SLUG,
            q,
            headers: fields.iter().map(|f| label(lang, f)).collect(),
            rows,
            next_cursor: page.next_cursor,
            first_page: req.cursor.is_none(),
            can_write: ctx.actor.can(T::WRITE),
            can_export: ctx.actor.can(Permission::ExportData),
            chrome,
        },
    )
}

pub struct HistoryRow {
    pub at: String,
    pub who: String,
    pub action: String,
    pub changes: Vec<ChangeRow>,
}

pub struct ChangeRow {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "detail.html")]
struct DetailPage {
    chrome: Chrome,
    title: String,
    slug: &'static str,
    id: i64,
    fields: Vec<(&'static str, String)>,
    history: Option<Vec<HistoryRow>>,
    extra: Vec<super::other::Section>,
    /// (href, label) of pages that belong to the record.
    links: Vec<(String, &'static str)>,
    can_write: bool,
}

/// SKU and name of products, `#id` for those gone or not to be read.
pub async fn product_labels(
    s: &AppState,
    ctx: &Ctx,
    ids: &[kaidan_domain::ProductId],
) -> Result<HashMap<kaidan_domain::ProductId, (String, String)>, AppError> {
    match s.app.product_labels(ctx, ids).await {
        Ok(m) => Ok(m),
        Err(AppError::Forbidden(_)) => Ok(ids
            .iter()
            .map(|id| (*id, (format!("#{id}"), String::new())))
            .collect()),
        Err(e) => Err(e),
    }
}

/// Lines that belong to the record: a store's stock position against its
/// safety stock, a region's replenishment plan, a price list's prices.
async fn extra_sections<T: PageEntity>(
    s: &AppState,
    ctx: &Ctx,
    lang: Lang,
    rec: &Record<T>,
) -> Result<Vec<super::other::Section>, AppError> {
    let (heading, columns, lines): (&str, Vec<&'static str>, Vec<_>) = match T::KIND {
        EntityKind::Store => (
            lang.pick("库存状况(安全库存)", "Stock position (safety stock)"),
            vec![
                lang.t("safety_stock"),
                lang.pick("在店库存", "On hand"),
                lang.pick("在途", "In transit"),
                lang.pick("待补", "To send"),
            ],
            s.app
                .store_positions(ctx, kaidan_domain::StoreId(rec.id))
                .await?
                .into_iter()
                .map(|p| {
                    (
                        p.product_id,
                        [p.safety_stock, p.on_hand, p.in_transit, p.need]
                            .iter()
                            .map(i64::to_string)
                            .collect::<Vec<_>>(),
                    )
                })
                .collect(),
        ),
        EntityKind::Region => (
            lang.pick("备货计划", "Replenishment plan"),
            vec![lang.pick("尚需数量", "Still wanted")],
            s.app
                .region_needs(ctx, kaidan_domain::RegionId(rec.id))
                .await?
                .into_iter()
                .map(|n| (n.product_id, vec![n.quantity.to_string()]))
                .collect(),
        ),
        EntityKind::PriceList => (
            lang.t("price_lists"),
            vec![lang.t("price")],
            match rec.data.clone().wrap() {
                kaidan_app::ports::MasterData::PriceList(pl) => pl
                    .items
                    .iter()
                    .map(|i| (i.product_id, vec![i.price.to_string()]))
                    .collect(),
                _ => Vec::new(),
            },
        ),
        _ => return Ok(Vec::new()),
    };
    let ids: Vec<_> = lines.iter().map(|(p, _)| *p).collect();
    let labels = product_labels(s, ctx, &ids).await?;
    let rows = lines
        .into_iter()
        .map(|(product, values)| {
            let (sku, name) = labels.get(&product).cloned().unwrap_or_default();
            [sku, name].into_iter().chain(values).collect()
        })
        .collect();
    let mut headers = vec!["SKU", lang.t("name")];
    headers.extend(columns);
    Ok(vec![super::other::Section {
        heading: heading.to_string(),
        headers,
        rows,
    }])
}

/// Links from a record to what hangs on it: a store's transfers, a
/// region's replenishment plan form.
fn record_links(kind: EntityKind, id: i64, ctx: &Ctx, lang: Lang) -> Vec<(String, &'static str)> {
    match kind {
        EntityKind::Store if can_read_transfers(&ctx.actor) => vec![(
            format!("/transfers?store_id={id}"),
            lang.pick("调拨单", "Transfers"),
        )],
        EntityKind::Region if ctx.actor.can(Permission::RegionWrite) => vec![(
            format!("/regions/{id}/replenishment"),
            lang.pick("编辑备货计划", "Edit replenishment plan"),
        )],
        _ => Vec::new(),
    }
}

/// A record's change history (SEC-2), newest first, for users who may read
/// the audit trail; None for the others.
pub async fn history(
    s: &AppState,
    ctx: &Ctx,
    entity: &str,
    id: i64,
) -> Result<Option<Vec<HistoryRow>>, AppError> {
    if !ctx.actor.can(Permission::AuditRead) {
        return Ok(None);
    }
    let entries = s.app.audit_of(ctx, entity, id).await?;
    Ok(Some(
        entries
            .into_iter()
            .map(|e| HistoryRow {
                at: local_time(e.at),
                who: e.actor_name,
                action: e.action,
                changes: e
                    .changes
                    .into_iter()
                    .map(|c| ChangeRow {
                        field: c.field,
                        before: c.before.unwrap_or_default(),
                        after: c.after.unwrap_or_default(),
                    })
                    .collect(),
            })
            .filter(|h| !h.changes.is_empty())
            .collect(),
    ))
}

/// Audit times are shown in China Standard Time, to the second.
pub fn local_time(t: jiff::Timestamp) -> String {
    match jiff::tz::TimeZone::get("Asia/Shanghai") {
        Ok(tz) => t.to_zoned(tz).strftime("%Y-%m-%d %H:%M:%S").to_string(),
        Err(_) => t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
    }
}

async fn detail<T: PageEntity>(
    State(s): State<AppState>,
    auth: PageAuth,
    Path(id): Path<i64>,
) -> Response {
    let PageAuth { ctx, chrome } = auth;
    let lang = chrome.lang;
    let rec: Record<T> = match s.app.get::<T>(&ctx, id).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, e),
    };
    let v = view(&ctx.actor, &rec);
    let refs = Refs::load(&s, &ctx, T::fields()).await;
    let hidden = T::hidden_fields(&ctx.actor);
    let fields = T::fields()
        .iter()
        .map(|f| {
            (
                label(lang, f),
                show(lang, f, v.get(f.name), &refs, hidden.contains(&f.name)),
            )
        })
        .collect();
    let history = match history(&s, &ctx, T::KIND.as_str(), id).await {
        Ok(h) => h,
        Err(e) => return error_page(lang, e),
    };
    let extra = match extra_sections(&s, &ctx, lang, &rec).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let code = rec.data.code().to_string();
    render(
        StatusCode::OK,
        &DetailPage {
            title: format!("{} {}", lang.t(T::TITLE), code),
            slug: T::SLUG,
            id,
            fields,
            history,
            extra,
            links: record_links(T::KIND, id, &ctx, lang),
            can_write: ctx.actor.can(T::WRITE),
            chrome,
        },
    )
}

pub struct Input {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<(String, String)>,
    pub required: bool,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    chrome: Chrome,
    title: String,
    inputs: Vec<Input>,
    errors: Vec<String>,
    general_errors: Vec<String>,
    version: i64,
    cancel: String,
}

fn form_page<T: PageEntity>(
    chrome: Chrome,
    title: String,
    values: &HashMap<String, String>,
    refs: &Refs,
    errors: &ValidationErrors,
    version: i64,
    cancel: String,
) -> FormPage {
    let lang = chrome.lang;
    let inputs = T::fields()
        .iter()
        .map(|f| {
            let (kind, options) = match f.kind {
                Kind::Choice(opts) => (
                    "select",
                    opts.iter()
                        .map(|(v, zh, en)| (v.to_string(), lang.pick(zh, en).to_string()))
                        .collect(),
                ),
                Kind::Ref(k) => ("select", refs.options(k)),
                Kind::Bool => ("checkbox", Vec::new()),
                Kind::Int | Kind::Money | Kind::Rate | Kind::User => ("number", Vec::new()),
                Kind::Text => ("text", Vec::new()),
            };
            Input {
                name: f.name,
                label: label(lang, f),
                kind,
                value: values.get(f.name).cloned().unwrap_or_default(),
                options,
                required: f.required,
                error: errors
                    .errors
                    .iter()
                    .find(|e| e.field == f.name)
                    .map(|e| e.message.clone()),
            }
        })
        .collect();
    let general_errors = errors
        .errors
        .iter()
        .filter(|e| !T::fields().iter().any(|f| f.name == e.field))
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect();
    FormPage {
        chrome,
        title,
        inputs,
        errors: errors.errors.iter().map(|e| e.message.clone()).collect(),
        general_errors,
        version,
        cancel,
    }
}

/// The form values of a stored record.
fn values_of<T: PageEntity>(v: &Value) -> HashMap<String, String> {
    T::fields()
        .iter()
        .filter_map(|f| {
            let val = v.get(f.name)?;
            let text = match val {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some((f.name.to_string(), text))
        })
        .collect()
}

/// Turns submitted text into the record's JSON form; what cannot be read is
/// reported on its field.
/// Fields the form does not show (a price list's items) are kept from
/// `base`, the stored record.
fn parse_form<T: PageEntity>(
    form: &HashMap<String, String>,
    base: Option<&Value>,
) -> Result<T, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let mut obj = base.and_then(Value::as_object).cloned().unwrap_or_default();
    for meta in ["id", "version", "updated_at"] {
        obj.remove(meta);
    }
    for f in T::fields() {
        let raw = form.get(f.name).map(|s| s.trim()).unwrap_or("");
        if f.kind == Kind::Bool {
            obj.insert(f.name.into(), Value::Bool(raw == "true" || raw == "on"));
            continue;
        }
        if raw.is_empty() {
            if f.required {
                e.add(f.name, "required", "is required");
            }
            obj.remove(f.name);
            continue;
        }
        let value = match f.kind {
            Kind::Int | Kind::Ref(_) | Kind::User => match raw.parse::<i64>() {
                Ok(n) => Value::from(n),
                Err(_) => {
                    e.add(f.name, "invalid", "must be a whole number");
                    continue;
                }
            },
            Kind::Rate => match raw.parse::<TaxRate>() {
                Ok(r) => Value::String(r.fraction().to_string()),
                Err(err) => {
                    e.add(f.name, "invalid", err.to_string());
                    continue;
                }
            },
            _ => Value::String(raw.to_string()),
        };
        obj.insert(f.name.into(), value);
    }
    if !e.is_empty() {
        return Err(e);
    }
    serde_path_to_error::deserialize::<_, T>(Value::Object(obj)).map_err(|err| {
        let field = err.path().to_string();
        ValidationErrors::single(field, "invalid", err.into_inner().to_string())
    })
}

async fn new_form<T: PageEntity>(State(s): State<AppState>, auth: PageAuth) -> Response {
    let PageAuth { ctx, chrome } = auth;
    if !ctx.actor.can(T::WRITE) {
        return error_page(chrome.lang, AppError::Forbidden(T::WRITE));
    }
    let refs = Refs::load(&s, &ctx, T::fields()).await;
    let mut values = HashMap::new();
    for f in T::fields() {
        if f.kind == Kind::Bool && f.name == "active" {
            values.insert("active".to_string(), "true".to_string());
        }
        if f.kind == Kind::Int && f.required {
            values.insert(f.name.to_string(), "1".to_string());
        }
    }
    let title = format!("{} · {}", chrome.lang.t(T::TITLE), chrome.lang.t("new"));
    let cancel = format!("/m/{}", T::SLUG);
    render(
        StatusCode::OK,
        &form_page::<T>(
            chrome,
            title,
            &values,
            &refs,
            &ValidationErrors::new(),
            0,
            cancel,
        ),
    )
}

async fn create<T: PageEntity>(
    State(s): State<AppState>,
    auth: PageAuth,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let PageAuth { ctx, chrome } = auth;
    if let Some(refused) = super::forged(&chrome, &form) {
        return refused;
    }
    let lang = chrome.lang;
    let result = match parse_form::<T>(&form, None) {
        Ok(data) => s.app.create(&ctx, data, None).await,
        Err(v) => Err(AppError::Invalid(v)),
    };
    match result {
        Ok(Created::New(rec)) => {
            Redirect::to(&format!("/m/{}/{}", T::SLUG, rec.id)).into_response()
        }
        Ok(Created::Replayed { .. }) => Redirect::to(&format!("/m/{}", T::SLUG)).into_response(),
        Err(e) => {
            redisplay::<T>(
                &s,
                &ctx,
                chrome,
                &form,
                e,
                0,
                format!("{} · {}", lang.t(T::TITLE), lang.t("new")),
                format!("/m/{}", T::SLUG),
            )
            .await
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn redisplay<T: PageEntity>(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    form: &HashMap<String, String>,
    e: AppError,
    version: i64,
    title: String,
    cancel: String,
) -> Response {
    let errors = match e {
        AppError::Invalid(v) => v,
        AppError::Duplicate { field, value } => {
            ValidationErrors::single(field, "duplicate", format!("'{value}' is already used"))
        }
        other => return error_page(chrome.lang, other),
    };
    let refs = Refs::load(s, ctx, T::fields()).await;
    render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &form_page::<T>(chrome, title, form, &refs, &errors, version, cancel),
    )
}

async fn edit_form<T: PageEntity>(
    State(s): State<AppState>,
    auth: PageAuth,
    Path(id): Path<i64>,
) -> Response {
    let PageAuth { ctx, chrome } = auth;
    if !ctx.actor.can(T::WRITE) {
        return error_page(chrome.lang, AppError::Forbidden(T::WRITE));
    }
    let rec = match s.app.get::<T>(&ctx, id).await {
        Ok(r) => r,
        Err(e) => return error_page(chrome.lang, e),
    };
    let values = values_of::<T>(&view(&ctx.actor, &rec));
    let refs = Refs::load(&s, &ctx, T::fields()).await;
    let title = format!(
        "{} {} · {}",
        chrome.lang.t(T::TITLE),
        rec.data.code(),
        chrome.lang.t("edit")
    );
    let cancel = format!("/m/{}/{id}", T::SLUG);
    render(
        StatusCode::OK,
        &form_page::<T>(
            chrome,
            title,
            &values,
            &refs,
            &ValidationErrors::new(),
            rec.version,
            cancel,
        ),
    )
}

async fn update<T: PageEntity>(
    State(s): State<AppState>,
    auth: PageAuth,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let PageAuth { ctx, chrome } = auth;
    if let Some(refused) = super::forged(&chrome, &form) {
        return refused;
    }
    let lang = chrome.lang;
    let version = form.get("_version").and_then(|v| v.parse::<i64>().ok());
    let stored = match s.app.get::<T>(&ctx, id).await {
        Ok(r) => serde_json::to_value(&r).ok(),
        Err(e) => return error_page(lang, e),
    };
    let result = match parse_form::<T>(&form, stored.as_ref()) {
        Ok(data) => s.app.update(&ctx, id, version, data).await,
        Err(v) => Err(AppError::Invalid(v)),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/m/{}/{id}", T::SLUG)).into_response(),
        Err(e) => {
            let title = format!("{} · {}", lang.t(T::TITLE), lang.t("edit"));
            redisplay::<T>(
                &s,
                &ctx,
                chrome,
                &form,
                e,
                version.unwrap_or(0),
                title,
                format!("/m/{}/{id}", T::SLUG),
            )
            .await
        }
    }
}

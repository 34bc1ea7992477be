//! The new and edit forms of master data: submitted text is read field by
//! field and each problem shown on its field.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kaidan_app::{AppError, Created, Ctx};
use kaidan_domain::{TaxRate, ValidationErrors};
use serde_json::Value;

use super::fields::{Kind, PageEntity};
use super::master::{Refs, label};
use super::{Chrome, OrPage, PageAuth, PageError, PageForm, PageResult, render};
use crate::json::view;
use crate::state::AppState;

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

pub(super) async fn new_form<T: PageEntity>(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
) -> PageResult {
    ctx.require(T::WRITE).or_page(chrome.lang)?;
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
    Ok(first_form::<T>(&s, &ctx, chrome, title, &values, 0, cancel).await)
}

/// A form as first shown, before anything was sent.
async fn first_form<T: PageEntity>(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    title: String,
    values: &HashMap<String, String>,
    version: i64,
    cancel: String,
) -> Response {
    let refs = Refs::load(s, ctx, T::fields()).await;
    let none = ValidationErrors::new();
    render(
        StatusCode::OK,
        &form_page::<T>(chrome, title, values, &refs, &none, version, cancel),
    )
}

pub(super) async fn create<T: PageEntity>(
    State(s): State<AppState>,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let lang = chrome.lang;
    let result = match parse_form::<T>(&form, None) {
        Ok(data) => s.app.create(&ctx, data, None).await,
        Err(v) => Err(AppError::Invalid(v)),
    };
    match result {
        Ok(Created::New(rec)) => {
            Ok(Redirect::to(&format!("/m/{}/{}", T::SLUG, rec.id)).into_response())
        }
        Ok(Created::Replayed { .. }) => {
            Ok(Redirect::to(&format!("/m/{}", T::SLUG)).into_response())
        }
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
) -> PageResult {
    let errors = match e {
        AppError::Invalid(v) => v,
        AppError::Duplicate { field, value } => {
            ValidationErrors::single(field, "duplicate", format!("'{value}' is already used"))
        }
        other => return Err(PageError::new(chrome.lang, other)),
    };
    let refs = Refs::load(s, ctx, T::fields()).await;
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &form_page::<T>(chrome, title, form, &refs, &errors, version, cancel),
    ))
}

pub(super) async fn edit_form<T: PageEntity>(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Path(id): Path<i64>,
) -> PageResult {
    ctx.require(T::WRITE).or_page(chrome.lang)?;
    let rec = s.app.get::<T>(&ctx, id).await.or_page(chrome.lang)?;
    let values = values_of::<T>(&view(&ctx.actor, &rec));
    let title = format!(
        "{} {} · {}",
        chrome.lang.t(T::TITLE),
        rec.data.code(),
        chrome.lang.t("edit")
    );
    let cancel = format!("/m/{}/{id}", T::SLUG);
    let form = first_form::<T>(&s, &ctx, chrome, title, &values, rec.version, cancel);
    Ok(form.await)
}

pub(super) async fn update<T: PageEntity>(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let lang = chrome.lang;
    let version = form.get("_version").and_then(|v| v.parse::<i64>().ok());
    let stored = s.app.get::<T>(&ctx, id).await.or_page(lang)?;
    let stored = serde_json::to_value(&stored).ok();
    let result = match parse_form::<T>(&form, stored.as_ref()) {
        Ok(data) => s.app.update(&ctx, id, version, data).await,
        Err(v) => Err(AppError::Invalid(v)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/m/{}/{id}", T::SLUG)).into_response()),
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

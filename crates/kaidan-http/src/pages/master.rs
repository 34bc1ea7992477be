//! List and detail (with audit history) pages for every kind of master
//! data, driven by the field lists in `fields.rs`; the new and edit forms
//! are in `master_forms.rs`.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use kaidan_app::ports::{EntityKind, Record};
use kaidan_app::transfers::can_read_transfers;
use kaidan_app::{AppError, Ctx, ListRequest};
use kaidan_domain::master::{PriceListData, RegionData};
use kaidan_domain::{Permission, TaxRate};
use serde_json::Value;

use super::customer_hold::{HoldBox, hold_box};
use super::fields::{Field, Kind, PageEntity};
use super::format::product_labels;
use super::history::{HistoryRow, history};
use super::master_forms as forms;
use super::table::{Section, search};
use super::{Chrome, Lang, OrPage, PageAuth, PageResult, render, status_of};
use crate::json::view;
use crate::state::AppState;

pub fn routes<T: PageEntity>() -> Router<AppState> {
    let base = format!("/m/{}", T::SLUG);
    Router::new()
        .route(&base, get(list::<T>))
        .route(
            &format!("{base}/new"),
            get(forms::new_form::<T>).post(forms::create::<T>),
        )
        .route(&format!("{base}/{{id}}"), get(detail::<T>))
        .route(
            &format!("{base}/{{id}}/edit"),
            get(forms::edit_form::<T>).post(forms::update::<T>),
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
pub(super) struct Refs(HashMap<(EntityKind, i64), String>);

impl Refs {
    pub(super) async fn load(s: &AppState, ctx: &Ctx, fields: &[Field]) -> Refs {
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

    pub(super) fn options(&self, kind: EntityKind) -> Vec<(String, String)> {
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

pub(super) fn label(lang: Lang, f: &Field) -> &'static str {
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
    PageAuth { ctx, chrome }: PageAuth,
    Query(params): Query<BTreeMap<String, String>>,
) -> PageResult {
    let lang = chrome.lang;
    let (q, req) = search(&params, 50);
    let page = s.app.list::<T>(&ctx, &req).await.or_page(lang)?;
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
    Ok(render(
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
    ))
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
    extra: Vec<Section>,
    /// (href, label) of pages that belong to the record.
    links: Vec<(String, &'static str)>,
    can_write: bool,
    /// A customer's finance hold (FIN-6).
    hold: Option<HoldBox>,
}

/// Lines that belong to the record: a store's stock position against its
/// safety stock, a region's replenishment plan, a price list's prices.
async fn extra_sections<T: PageEntity>(
    s: &AppState,
    ctx: &Ctx,
    lang: Lang,
    rec: &Record<T>,
) -> Result<Vec<Section>, AppError> {
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
    Ok(vec![Section {
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

async fn detail<T: PageEntity>(
    State(s): State<AppState>,
    auth: PageAuth,
    Path(id): Path<i64>,
) -> PageResult {
    detail_page::<T>(&s, auth, id, None).await
}

/// A record's page; a customer's with its finance hold box, showing
/// `hold_error` when a hold form was refused.
pub(super) async fn detail_page<T: PageEntity>(
    s: &AppState,
    PageAuth { ctx, chrome }: PageAuth,
    id: i64,
    hold_error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let s = s.clone();
    let rec: Record<T> = s.app.get::<T>(&ctx, id).await.or_page(lang)?;
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
    let history = history(&s, &ctx, T::KIND.as_str(), id)
        .await
        .or_page(lang)?;
    let extra = extra_sections(&s, &ctx, lang, &rec).await.or_page(lang)?;
    let status = status_of(&hold_error);
    let hold = match T::KIND {
        EntityKind::Customer => Some(hold_box(&s, &ctx, id, hold_error).await.or_page(lang)?),
        _ => None,
    };
    let code = rec.data.code().to_string();
    Ok(render(
        status,
        &DetailPage {
            title: format!("{} {}", lang.t(T::TITLE), code),
            slug: T::SLUG,
            id,
            fields,
            history,
            extra,
            links: record_links(T::KIND, id, &ctx, lang),
            can_write: ctx.actor.can(T::WRITE),
            hold,
            chrome,
        },
    ))
}

//! The shipment list (issue 21, SHP-2): the filters the API reads
//! (`ShipmentFilter`), sort by shipped time, cursor paging, the count of
//! matches, the Excel export of exactly what is filtered, the user's saved
//! filters, and the delivery notes of the chosen rows printed in one PDF.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use kaidan_app::fulfilment::shipment_list::{
    SHIPMENT_FILTER_PARAMS, ShipmentFilter, shipment_sort_name,
};
use kaidan_app::ports::{ShipmentRow, ShipmentSort, ShipmentSortKey};
use kaidan_app::saved_filters::SavedList;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::fulfilment::ShipmentStatus;
use kaidan_domain::{CustomerId, Permission, ValidationErrors};

use super::bulk_results::{SHIPMENTS, print_chosen};
use super::format::local_time;
use super::fulfilment::shipment_status;
use super::list_filters::{self, SavedLink, SortHeader, form_values, invalid_text, saved_links};
use super::orders::query_string;
use super::{Chrome, Lang, OrPage, PageAuth, PageError, PageForm, PageId, PageResult, render};
use crate::print::shipment_document;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/shipments", get(list))
        .route("/shipments/print", get(print_many))
        .route("/shipments/filters", post(save_filter))
        .route("/shipments/filters/{id}/delete", post(delete_filter))
}

const PAGE_SIZE: u32 = 50;

/// The most shipments one Excel export writes.
const MAX_EXPORT_SHIPMENTS: u32 = 50_000;

/// The most delivery notes one print takes.
const MAX_PRINT_SHIPMENTS: usize = 500;

/// One shipment in the list.
pub struct ShipmentItem {
    pub id: i64,
    pub number: String,
    pub order_id: i64,
    pub order_number: String,
    pub customer: String,
    pub warehouse: String,
    pub carrier: String,
    pub tracking_no: String,
    pub packages: i64,
    pub shipped: String,
    pub eta: String,
    pub status: &'static str,
    pub status_code: &'static str,
}

#[derive(Template)]
#[template(path = "shipment_list.html")]
struct ListPage {
    chrome: Chrome,
    title: String,
    items: Vec<ShipmentItem>,
    statuses: Vec<(&'static str, &'static str)>,
    warehouses: Vec<(String, String)>,
    form: BTreeMap<String, String>,
    sorts: Vec<SortHeader>,
    total: Option<u64>,
    query: String,
    saved: Vec<SavedLink>,
    error: Option<String>,
    next_cursor: Option<String>,
    first_page: bool,
}

impl ListPage {
    /// The filter form's value of `k` as the user typed it.
    fn v(&self, k: &str) -> &str {
        self.form.get(k).map_or("", String::as_str)
    }
}

/// Names the rows need: customers ("code name") and warehouse codes, as
/// far as the reader may read them (ids otherwise).
struct Names {
    customers: HashMap<CustomerId, String>,
    warehouses: HashMap<i64, String>,
}

impl Names {
    async fn of(s: &AppState, ctx: &Ctx, rows: &[ShipmentRow]) -> Result<Names, AppError> {
        let ids: Vec<CustomerId> = rows.iter().map(|r| r.customer_id).collect();
        let customers = if ctx.actor.can(Permission::CustomerRead) && !ids.is_empty() {
            s.app.customer_labels(ctx, &ids).await?
        } else {
            HashMap::new()
        };
        Ok(Names {
            customers,
            warehouses: warehouses(s, ctx).await?.into_iter().collect(),
        })
    }

    fn item(&self, lang: Lang, r: &ShipmentRow) -> ShipmentItem {
        ShipmentItem {
            id: r.id,
            number: r.number.clone(),
            order_id: r.order_id.get(),
            order_number: r
                .order_number
                .clone()
                .unwrap_or_else(|| format!("#{}", r.order_id)),
            customer: self
                .customers
                .get(&r.customer_id)
                .cloned()
                .unwrap_or_else(|| format!("#{}", r.customer_id)),
            warehouse: self
                .warehouses
                .get(&r.warehouse_id.get())
                .cloned()
                .unwrap_or_else(|| format!("#{}", r.warehouse_id)),
            carrier: r.carrier.clone(),
            tracking_no: r.tracking_no.clone(),
            packages: r.packages,
            shipped: local_time(r.shipped_at),
            eta: r.eta.to_string(),
            status: shipment_status(lang, r.status),
            status_code: r.status.as_str(),
        }
    }
}

/// The active warehouses `(id, code)`; none for a reader who may not read
/// them.
async fn warehouses(s: &AppState, ctx: &Ctx) -> Result<Vec<(i64, String)>, AppError> {
    match s.app.warehouse_choices(ctx).await {
        Ok(w) => Ok(w),
        Err(AppError::Forbidden(_)) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// GET /shipments: the shipment list; `format=xlsx` exports every
/// matching shipment.
async fn list(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(p): Query<BTreeMap<String, String>>,
) -> PageResult {
    if p.get("format").is_some_and(|f| f == "xlsx") {
        return export(&s, &ctx, chrome.lang, &p).await;
    }
    list_page(&s, &ctx, chrome, &p, None).await
}

async fn export(s: &AppState, ctx: &Ctx, lang: Lang, p: &BTreeMap<String, String>) -> PageResult {
    let filter =
        ShipmentFilter::parse(p).map_err(|e| PageError::new(lang, AppError::Invalid(e)))?;
    let rows = s
        .app
        .shipment_list_all(ctx, &filter, MAX_EXPORT_SHIPMENTS)
        .await
        .or_page(lang)?;
    let names = Names::of(s, ctx, &rows).await.or_page(lang)?;
    let header = [
        lang.pick("发货单号", "Delivery note"),
        lang.pick("订单号", "Order"),
        lang.pick("客户", "Customer"),
        lang.pick("仓库", "Warehouse"),
        lang.pick("承运商", "Carrier"),
        lang.pick("运单号", "Tracking number"),
        lang.pick("件数", "Packages"),
        lang.pick("发运时间", "Shipped"),
        lang.pick("预计到达", "ETA"),
        lang.pick("状态", "Status"),
        lang.pick("签收时间", "Delivered"),
        lang.pick("签收人", "Signed by"),
    ]
    .map(String::from)
    .to_vec();
    let rows = rows
        .iter()
        .map(|r| {
            let i = names.item(lang, r);
            vec![
                i.number,
                i.order_number,
                i.customer,
                i.warehouse,
                i.carrier,
                i.tracking_no,
                i.packages.to_string(),
                i.shipped,
                i.eta,
                i.status.to_string(),
                r.delivered_at.map(local_time).unwrap_or_default(),
                r.signed_by.clone().unwrap_or_default(),
            ]
        })
        .collect();
    super::finance::xlsx(lang, "shipments.xlsx", header, rows)
}

async fn list_page(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    p: &BTreeMap<String, String>,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let form = form_values(p, SHIPMENT_FILTER_PARAMS);
    let cursor = list_filters::cursor(p);
    let invalid = |e: &ValidationErrors| invalid_text(lang, e);
    let (filter, page, mut error) = match ShipmentFilter::parse(p) {
        Ok(f) => match s.app.shipment_list(ctx, &f, cursor, PAGE_SIZE, true).await {
            Ok(page) => (f, Some(page), error),
            Err(AppError::Invalid(e)) => (f, None, Some(invalid(&e))),
            Err(e) => return Err(PageError::new(lang, e)),
        },
        Err(e) => (ShipmentFilter::default(), None, Some(invalid(&e))),
    };
    let (rows, next_cursor, total) = match page {
        Some(p) => (p.rows, p.next_cursor, p.total),
        None => (Vec::new(), None, None),
    };
    let names = Names::of(s, ctx, &rows).await.or_page(lang)?;
    let items = rows.iter().map(|r| names.item(lang, r)).collect();
    let saved = saved_links(s, ctx, SavedList::Shipments, "/shipments", &mut error).await;
    let params = filter.to_params();
    let status_code = list_filters::status(&error, total);
    let mut warehouses: Vec<(i64, String)> = names.warehouses.into_iter().collect();
    warehouses.sort();
    Ok(render(
        status_code,
        &ListPage {
            title: lang.pick("发运", "Shipments").into(),
            items,
            statuses: ShipmentStatus::ALL
                .iter()
                .map(|st| (st.as_str(), shipment_status(lang, *st)))
                .collect(),
            warehouses: warehouses
                .into_iter()
                .map(|(id, code)| (id.to_string(), code))
                .collect(),
            form,
            sorts: sort_headers(lang, &params, filter.sort),
            total,
            query: query_string(&params),
            saved,
            error,
            next_cursor,
            first_page: cursor.is_none(),
            chrome,
        },
    ))
}

/// The shipped-time header: a click sorts by it, the next turns the
/// direction (latest first on the first click).
fn sort_headers(
    lang: Lang,
    params: &[(&'static str, String)],
    sort: ShipmentSort,
) -> Vec<SortHeader> {
    let mut pairs: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, _)| *k != "sort")
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    let current = sort.key == ShipmentSortKey::Shipped;
    let next = ShipmentSort {
        key: ShipmentSortKey::Shipped,
        descending: !(current && sort.descending),
    };
    pairs.push(("sort", shipment_sort_name(next)));
    vec![SortHeader {
        label: lang.pick("发运时间", "Shipped"),
        href: format!("/shipments?{}", query_string(&pairs)),
        arrow: match (current, sort.descending) {
            (false, _) => "",
            (true, true) => "▼",
            (true, false) => "▲",
        },
    }]
}

/// The shipments a print asks for: `ids=3,2,1` and the list's `s{id}`
/// check boxes, newest first, each once.
fn print_ids(p: &[(String, String)]) -> Result<Vec<i64>, ValidationErrors> {
    let mut ids = Vec::new();
    for (k, v) in p {
        let parsed: Result<Vec<i64>, _> = if k == "ids" {
            v.split(',')
                .filter(|t| !t.trim().is_empty())
                .map(|t| t.trim().parse::<i64>())
                .collect()
        } else if let Some(id) = k.strip_prefix('s') {
            id.parse::<i64>().map(|id| vec![id])
        } else {
            continue;
        };
        match parsed {
            Ok(more) if more.iter().all(|id| *id > 0) => ids.extend(more),
            _ => {
                return Err(ValidationErrors::single(
                    k.as_str(),
                    "invalid",
                    format!("'{v}' is not a list of shipment ids"),
                ));
            }
        }
    }
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_PRINT_SHIPMENTS {
        return Err(ValidationErrors::single(
            "ids",
            "out_of_range",
            format!("choose 1 to {MAX_PRINT_SHIPMENTS} shipments to print"),
        ));
    }
    Ok(ids)
}

/// GET /shipments/print?ids=3,2,1 (or the list's check boxes): the
/// delivery notes in one PDF. When some cannot be printed, a page names
/// each with its reason and offers the rest.
async fn print_many(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(p): Query<Vec<(String, String)>>,
) -> PageResult {
    let lang = chrome.lang;
    let ids = print_ids(&p).map_err(|e| PageError::new(lang, e.into()))?;
    let file = format!("delivery-notes-{}", ids.len());
    print_chosen(&s, chrome, SHIPMENTS, &ids, file, |id| {
        shipment_document(&s, &ctx, id)
    })
    .await
}

/// POST /shipments/filters: saves the list's current filter (`query`)
/// under `name` for the user.
async fn save_filter(
    State(s): State<AppState>,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let lang = chrome.lang;
    match list_filters::save(&s, &ctx, lang, &form, SavedList::Shipments, "/shipments").await? {
        Ok(done) => Ok(done),
        Err(r) => list_page(&s, &ctx, chrome, &r.params, Some(r.message)).await,
    }
}

/// POST /shipments/filters/{id}/delete
async fn delete_filter(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(PageAuth { ctx, chrome }, _form): PageForm,
) -> PageResult {
    list_filters::delete(&s, &ctx, chrome.lang, id, "/shipments").await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn print_takes_ids_and_check_boxes_each_once() {
        let ids = print_ids(&pairs(&[("ids", "3, 1"), ("s7", "1"), ("s3", "1")])).unwrap();
        assert_eq!(ids, [7, 3, 1]);
        assert!(print_ids(&pairs(&[])).is_err());
        assert!(print_ids(&pairs(&[("ids", "1,x")])).is_err());
        assert!(print_ids(&pairs(&[("s0", "1")])).is_err());
        let many = (1..=501)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        assert!(print_ids(&pairs(&[("ids", &many)])).is_err());
    }
}

//! The JSON API under /api/v1 (INT-1): each feature's module registers its
//! routes and their OpenAPI description together.

/// A feature's router: the handlers of one path (one per method) stand
/// together, the paths are separated by `;`.
macro_rules! api_routes {
    ($($($handler:ident),+);+ $(;)?) => {
        utoipa_axum::router::OpenApiRouter::new()
            $(.routes(utoipa_axum::routes!($($handler),+)))+
    };
}

pub mod admin;
pub mod allocation;
pub mod assessments;
pub mod bank;
pub mod calendar;
pub mod collection;
pub mod commissions;
pub mod complaints;
pub mod contracts;
pub mod customer_files;
pub mod customer_holds;
pub mod expenses;
pub mod figures;
pub mod finance;
pub mod fulfilment;
pub mod health;
pub mod import_export;
pub mod jobs;
pub mod master;
pub mod order_lists;
pub mod orders;
pub mod points;
pub mod portal;
pub mod purchasing;
pub(crate) mod query;
pub mod region_priorities;
pub mod returns;
pub mod safety_stock;
pub mod search;
pub mod session;
pub mod stock;
pub mod stock_counts;
pub mod surveys;
pub mod targets;
pub mod teams;
pub mod transfers;
pub mod visits;
pub mod webhooks;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kaidan_domain::master::{
    CustomerData, PriceListData, ProductData, RegionData, StoreData, WarehouseData,
};
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::openapi::MASTER;
use crate::state::AppState;

/// Every API route on top of `base`, the document's fixed parts; the
/// router's document then describes the fixed routes.
pub fn routes(base: OpenApi) -> OpenApiRouter<AppState> {
    let mut r = OpenApiRouter::with_openapi(base)
        .merge(health::routes())
        .merge(session::routes())
        .merge(admin::routes())
        .merge(region_priorities::routes())
        .merge(safety_stock::routes())
        .merge(calendar::routes())
        .merge(stock::routes())
        .merge(stock_counts::routes())
        .merge(import_export::routes())
        .merge(order_lists::routes())
        .merge(orders::routes())
        .merge(customer_holds::routes())
        .merge(finance::routes())
        .merge(collection::routes())
        .merge(bank::routes())
        .merge(purchasing::routes())
        .merge(jobs::routes())
        .merge(fulfilment::routes())
        .merge(allocation::routes())
        .merge(transfers::routes())
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
        .merge(commissions::routes())
        .merge(assessments::routes())
        .merge(customer_files::routes())
        .merge(expenses::routes())
        .merge(search::routes());
    for (path, tag) in MASTER {
        r = match *tag {
            "products" => master::mount::<ProductData>(r, path),
            "customers" => master::mount::<CustomerData>(r, path),
            "warehouses" => master::mount::<WarehouseData>(r, path),
            "regions" => master::mount::<RegionData>(r, path),
            "stores" => master::mount::<StoreData>(r, path),
            _ => master::mount::<PriceListData>(r, path),
        };
    }
    r
}

/// A file to download under the name `file`.
pub fn download(bytes: Vec<u8>, mime: &'static str, file: &str) -> Response {
    let mut res = (StatusCode::OK, bytes).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

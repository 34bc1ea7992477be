//! The JSON API under /api/v1 (INT-1).

pub mod admin;
pub mod allocation;
pub mod data;
pub mod fulfilment;
pub mod master;
pub mod orders;
pub mod purchasing;
pub mod session;
pub mod stock_counts;
pub mod transfers;

use axum::Router;
use axum::routing::{get, post, put};
use kaidan_domain::master::{
    CustomerData, PriceListData, ProductData, RegionData, StoreData, WarehouseData,
};

use crate::openapi::MASTER;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    let mut r = Router::new()
        .route("/api/v1/health", get(data::health))
        .route(
            "/api/v1/session",
            post(session::login).delete(session::logout),
        )
        .route("/api/v1/me", get(session::me))
        .route(
            "/api/v1/users",
            get(admin::list_users).post(admin::create_user),
        )
        .route("/api/v1/users/{id}/password", put(admin::set_password))
        .route("/api/v1/users/{id}/tokens", post(admin::add_token))
        .route("/api/v1/roles", get(admin::roles))
        .route(
            "/api/v1/roles/{role}/permissions",
            put(admin::set_role_permissions),
        )
        .route(
            "/api/v1/region-priorities/{season}",
            get(data::region_priorities).put(data::set_region_priorities),
        )
        .route(
            "/api/v1/stores/{id}/safety-stock",
            get(data::safety_stock).put(data::set_safety_stock),
        )
        .route("/api/v1/calendar", get(data::calendar))
        .route(
            "/api/v1/calendar/{date}",
            put(data::put_day).delete(data::delete_day),
        )
        .route("/api/v1/stock", get(data::stock))
        .route("/api/v1/stock/receipts", post(data::receive))
        .route("/api/v1/stock/accuracy", get(stock_counts::accuracy))
        .route("/api/v1/stock-counts", post(stock_counts::create))
        .route("/api/v1/stock-counts/{id}", get(stock_counts::read))
        .route(
            "/api/v1/stock-counts/{id}/post",
            post(stock_counts::post_count),
        )
        .route("/api/v1/import/{dataset}", post(data::import))
        .route("/api/v1/export/{dataset}", get(data::export))
        .route("/api/v1/orders", get(orders::list).post(orders::place))
        .route("/api/v1/orders/by-number/{number}", get(orders::by_number))
        .route("/api/v1/orders/{id}", get(orders::read))
        .route("/api/v1/orders/{id}/review", post(orders::review))
        .route(
            "/api/v1/orders/{id}/lines/{line_no}/approve-price",
            post(orders::approve_price),
        )
        .route(
            "/api/v1/orders/{id}/finance-review",
            post(orders::finance_review),
        )
        .route(
            "/api/v1/orders/{id}/joint-review",
            post(orders::joint_review),
        )
        .route("/api/v1/orders/{id}/reject", post(orders::reject))
        .route("/api/v1/orders/{id}/cancel", post(orders::cancel))
        .route(
            "/api/v1/orders/{id}/changes",
            get(orders::changes).post(orders::request_change),
        )
        .route("/api/v1/changes/{id}/decision", post(orders::decide_change))
        .route(
            "/api/v1/orders/{id}/shortages/{shortage_id}/choice",
            post(orders::shortage_choice),
        )
        .route("/api/v1/customers/{id}/account", get(orders::account))
        .route(
            "/api/v1/customers/{id}/account/entries",
            post(orders::post_entry),
        );
    r = r
        .merge(purchasing::routes())
        .merge(fulfilment::routes())
        .merge(allocation::routes())
        .merge(transfers::routes());
    for (path, tag) in MASTER {
        r = r.merge(match *tag {
            "products" => master::routes::<ProductData>(path),
            "customers" => master::routes::<CustomerData>(path),
            "warehouses" => master::routes::<WarehouseData>(path),
            "regions" => master::routes::<RegionData>(path),
            "stores" => master::routes::<StoreData>(path),
            _ => master::routes::<PriceListData>(path),
        });
    }
    r
}

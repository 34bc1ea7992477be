//! The catalogue a portal user orders from (INT-2): active products with
//! the customer's own price (its price list, else the list price) and an
//! availability level for the quantity it wants, never a stock figure.

use std::collections::HashMap;

use kaidan_domain::master::{CustomerData, ProductData};
use kaidan_domain::portal::Availability;
use kaidan_domain::{Money, ProductId};
use serde::Serialize;

use super::portal_customer;
use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::master::exists::get_record;
use crate::master::{ListRequest, Page};

/// Which part of the catalogue to show.
#[derive(Debug, Clone, Default)]
pub struct CatalogueQuery {
    /// SKU or name, as the product list searches.
    pub search: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
    /// The quantity wanted per product, for its availability (one when
    /// absent).
    pub wanted: HashMap<ProductId, i64>,
}

/// A product as its customer sees it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogueItem {
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    /// The customer's price: its price list's, else the list price.
    pub price: Money,
    pub availability: Availability,
}

impl App {
    /// The catalogue of the portal user's customer (INT-2, SEC-4).
    pub async fn portal_catalogue(
        &self,
        ctx: &Ctx,
        q: &CatalogueQuery,
    ) -> AppResult<Page<CatalogueItem>> {
        let customer = portal_customer(ctx)?;
        let mut req = ListRequest {
            search: q.search.clone(),
            cursor: q.cursor.clone(),
            limit: q.limit,
            filters: vec![("active".into(), "true".into())],
        };
        if req.search.as_deref().is_some_and(|s| s.trim().is_empty()) {
            req.search = None;
        }
        let page = self.list::<ProductData>(ctx, &req).await?;
        let ids: Vec<ProductId> = page.items.iter().map(|p| ProductId(p.id)).collect();
        let mut tx = self.store.read().await?;
        let data = get_record::<CustomerData>(&mut tx, customer.get())
            .await?
            .data;
        let book = self.price_book(&mut tx, &data, &ids).await?;
        let free: HashMap<ProductId, i64> = tx.stock_free_of(&ids).await?.into_iter().collect();
        let items = page
            .items
            .into_iter()
            .map(|p| {
                let id = ProductId(p.id);
                let wanted = q.wanted.get(&id).copied().unwrap_or(1);
                CatalogueItem {
                    product_id: id,
                    price: book
                        .reference_price(id)
                        .map_or(p.data.list_price, |(m, _)| m),
                    availability: Availability::of(free.get(&id).copied().unwrap_or(0), wanted),
                    sku: p.data.sku,
                    name: p.data.name,
                    spec: p.data.spec,
                    unit: p.data.unit,
                }
            })
            .collect();
        Ok(Page {
            items,
            next_cursor: page.next_cursor,
        })
    }
}

//! Filters each user saves under a name for a list (issue 21): the order
//! list's and the shipment list's. A saved filter is checked like the list's own
//! parameters when saved, so only a filter the list can read is kept.

use std::collections::BTreeMap;

use kaidan_domain::{Permission, ValidationErrors};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::fulfilment::shipment_list::ShipmentFilter;
use crate::orders::list::OrderFilter;
use crate::ports::SavedFilterRow;

/// The longest name of a saved filter.
pub const MAX_SAVED_FILTER_NAME_CHARS: usize = 60;
/// The most filters a user keeps per list.
pub const MAX_SAVED_FILTERS: usize = 50;

/// The lists whose filters can be saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SavedList {
    Orders,
    Shipments,
}

impl SavedList {
    pub fn as_str(self) -> &'static str {
        match self {
            SavedList::Orders => "orders",
            SavedList::Shipments => "shipments",
        }
    }

    fn permission(self) -> Permission {
        match self {
            SavedList::Orders => Permission::OrderRead,
            SavedList::Shipments => Permission::ShipmentRead,
        }
    }

    /// The list's filter parameters out of `params`, checked, in a stable
    /// order.
    fn checked_params(
        self,
        params: &BTreeMap<String, String>,
    ) -> Result<Vec<(String, String)>, ValidationErrors> {
        match self {
            SavedList::Orders => Ok(owned(OrderFilter::parse(params)?.to_params())),
            SavedList::Shipments => Ok(owned(ShipmentFilter::parse(params)?.to_params())),
        }
    }
}

impl std::str::FromStr for SavedList {
    type Err = ValidationErrors;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "orders" => Ok(SavedList::Orders),
            "shipments" => Ok(SavedList::Shipments),
            _ => Err(ValidationErrors::single(
                "list",
                "unknown",
                format!("'{s}' is not a list with saved filters (orders, shipments)"),
            )),
        }
    }
}

fn owned(params: Vec<(&'static str, String)>) -> Vec<(String, String)> {
    params
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

/// A saved filter as the pages and the API use it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedFilter {
    pub id: i64,
    pub name: String,
    /// The list's parameters, in order.
    pub params: Vec<(String, String)>,
}

fn from_row(r: SavedFilterRow) -> AppResult<SavedFilter> {
    let params = serde_json::from_str(&r.query).map_err(AppError::Json)?;
    Ok(SavedFilter {
        id: r.id,
        name: r.name,
        params,
    })
}

impl App {
    /// The caller's saved filters of `list`, by name.
    pub async fn saved_filters(&self, ctx: &Ctx, list: SavedList) -> AppResult<Vec<SavedFilter>> {
        ctx.require(list.permission())?;
        let mut tx = self.store.read().await?;
        tx.saved_filters(ctx.actor.user_id, list.as_str())
            .await?
            .into_iter()
            .map(from_row)
            .collect()
    }

    /// Saves the filter in `params` under `name` for the caller, replacing
    /// his filter of that name.
    pub async fn save_filter(
        &self,
        ctx: &Ctx,
        list: SavedList,
        name: &str,
        params: &BTreeMap<String, String>,
    ) -> AppResult<SavedFilter> {
        ctx.require(list.permission())?;
        let mut e = ValidationErrors::new();
        let name = e.text("name", name, MAX_SAVED_FILTER_NAME_CHARS);
        let params = match list.checked_params(params) {
            Ok(p) => p,
            Err(inner) => {
                e.merge(inner);
                Vec::new()
            }
        };
        e.into_result(())?;
        let query = serde_json::to_string(&params).map_err(AppError::Json)?;
        let mut tx = self.store.write().await?;
        let user = ctx.actor.user_id;
        let existing = tx.saved_filters(user, list.as_str()).await?;
        if existing.len() >= MAX_SAVED_FILTERS && !existing.iter().any(|f| f.name == name) {
            return Err(AppError::invalid(
                "name",
                "too_many",
                format!("at most {MAX_SAVED_FILTERS} saved filters per list: delete one first"),
            ));
        }
        let id = tx
            .saved_filter_put(user, list.as_str(), &name, &query, self.now())
            .await?;
        tx.commit().await?;
        Ok(SavedFilter { id, name, params })
    }

    /// Deletes one of the caller's saved filters.
    pub async fn delete_saved_filter(&self, ctx: &Ctx, id: i64) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        if !tx.saved_filter_delete(ctx.actor.user_id, id).await? {
            return Err(AppError::NotFound {
                what: "saved filter",
                id: id.to_string(),
            });
        }
        tx.commit().await?;
        Ok(())
    }
}

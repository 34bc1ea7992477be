//! The shipment list (issue 21, SHP-2): filters by status, order,
//! customer, warehouse, carrier and shipped dates; sort by shipped time
//! over cursors; the count of matches. The API and the page read the same
//! parameters through [`ShipmentFilter`].

use std::collections::BTreeMap;

use jiff::civil::Date;
use kaidan_domain::fulfilment::ShipmentStatus;
use kaidan_domain::{CustomerId, OrderId, Permission, ValidationErrors, WarehouseId};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::list_params::{
    FilteredPage, day, day_span, export_bound, filter_values, id, named, parse_cursor,
};
use crate::ports::{ShipmentQuery, ShipmentRow, ShipmentSort, ShipmentSortKey};

/// The parameters a shipment filter reads.
pub const SHIPMENT_FILTER_PARAMS: &[&str] = &[
    "status",
    "order_id",
    "customer",
    "customer_id",
    "warehouse_id",
    "carrier",
    "from",
    "to",
    "sort",
];

/// The sort names the list takes: newest (the default) and oldest by
/// delivery note, `shipped` / `-shipped` by the time the goods left.
pub const SHIPMENT_SORT_NAMES: &[&str] = &["newest", "oldest", "shipped", "-shipped"];

/// Which shipments a list shows and in what order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShipmentFilter {
    pub status: Option<ShipmentStatus>,
    pub order_id: Option<OrderId>,
    pub customer_id: Option<CustomerId>,
    /// A customer by its code, resolved when the list is read.
    pub customer_code: Option<String>,
    pub warehouse_id: Option<WarehouseId>,
    /// The carrier's name as written on the delivery note.
    pub carrier: Option<String>,
    /// Shipped on or after this day (company time).
    pub from: Option<Date>,
    /// Shipped on or before this day.
    pub to: Option<Date>,
    pub sort: ShipmentSort,
}

/// One page of the shipment list.
pub type ShipmentListPage = FilteredPage<ShipmentRow>;

impl ShipmentFilter {
    /// Reads the filter from a list's parameters; empty values do not
    /// filter, every bad value is named by its parameter.
    pub fn parse(params: &BTreeMap<String, String>) -> Result<ShipmentFilter, ValidationErrors> {
        let mut f = ShipmentFilter::default();
        let mut e = ValidationErrors::new();
        for (k, v) in filter_values(params, SHIPMENT_FILTER_PARAMS, &mut e) {
            match k {
                "status" => f.status = named(&mut e, k, v),
                "order_id" => f.order_id = id(&mut e, k, v).map(OrderId),
                "customer" => f.customer_code = Some(v.to_string()),
                "customer_id" => f.customer_id = id(&mut e, k, v).map(CustomerId),
                "warehouse_id" => f.warehouse_id = id(&mut e, k, v).map(WarehouseId),
                "carrier" => f.carrier = Some(v.to_string()),
                "from" => f.from = day(&mut e, k, v),
                "to" => f.to = day(&mut e, k, v),
                "sort" => match sort_named(v) {
                    Some(s) => f.sort = s,
                    None => e.add(
                        k,
                        "unknown",
                        format!("'{v}' is not one of {}", SHIPMENT_SORT_NAMES.join(", ")),
                    ),
                },
                _ => {}
            }
        }
        if let (Some(a), Some(b)) = (f.from, f.to)
            && a > b
        {
            e.add("to", "out_of_range", format!("{b} is before {a}"));
        }
        e.into_result(f)
    }

    /// The filter as list parameters, in a stable order.
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        let mut put = |k: &'static str, v: Option<String>| {
            if let Some(v) = v {
                p.push((k, v));
            }
        };
        put("status", self.status.map(|s| s.as_str().to_string()));
        put("order_id", self.order_id.map(|o| o.to_string()));
        put("customer", self.customer_code.clone());
        put("customer_id", self.customer_id.map(|c| c.to_string()));
        put("warehouse_id", self.warehouse_id.map(|w| w.to_string()));
        put("carrier", self.carrier.clone());
        put("from", self.from.map(|d| d.to_string()));
        put("to", self.to.map(|d| d.to_string()));
        if self.sort != ShipmentSort::default() {
            put("sort", Some(shipment_sort_name(self.sort).to_string()));
        }
        p
    }
}

fn sort_named(v: &str) -> Option<ShipmentSort> {
    SHIPMENT_SORT_NAMES
        .iter()
        .zip([
            (ShipmentSortKey::Newest, true),
            (ShipmentSortKey::Newest, false),
            (ShipmentSortKey::Shipped, false),
            (ShipmentSortKey::Shipped, true),
        ])
        .find(|(name, _)| **name == v)
        .map(|(_, (key, descending))| ShipmentSort { key, descending })
}

/// The name [`ShipmentFilter::parse`] reads back.
pub fn shipment_sort_name(s: ShipmentSort) -> &'static str {
    match (s.key, s.descending) {
        (ShipmentSortKey::Newest, true) => "newest",
        (ShipmentSortKey::Newest, false) => "oldest",
        (ShipmentSortKey::Shipped, false) => "shipped",
        (ShipmentSortKey::Shipped, true) => "-shipped",
    }
}

fn cursor_of(sort: ShipmentSort, row: &ShipmentRow) -> String {
    match sort.key {
        ShipmentSortKey::Newest => row.id.to_string(),
        ShipmentSortKey::Shipped => format!("{}_{}", row.shipped_at.as_microsecond(), row.id),
    }
}

impl App {
    /// A page of the shipment list. A portal user sees his own customer's
    /// shipments only, whatever the filter says.
    pub async fn shipment_list(
        &self,
        ctx: &Ctx,
        filter: &ShipmentFilter,
        cursor: Option<&str>,
        limit: u32,
        count: bool,
    ) -> AppResult<ShipmentListPage> {
        ctx.require(Permission::ShipmentRead)?;
        let limit = limit.clamp(1, self.config.max_page);
        let mut q = self.shipment_query(ctx, filter).await?;
        let mut tx = self.store.read().await?;
        let total = if count {
            Some(tx.shipment_count(&q).await?)
        } else {
            None
        };
        q.after = cursor
            .map(|c| parse_cursor(filter.sort.key != ShipmentSortKey::Newest, c))
            .transpose()
            .map_err(AppError::Invalid)?;
        q.limit = limit + 1;
        let rows = tx.shipment_list(&q).await?;
        Ok(FilteredPage::cut(rows, limit, total, |r| {
            cursor_of(filter.sort, r)
        }))
    }

    /// Every shipment the filter matches, up to `max` (an export):
    /// `Invalid` naming the count when there are more.
    pub async fn shipment_list_all(
        &self,
        ctx: &Ctx,
        filter: &ShipmentFilter,
        max: u32,
    ) -> AppResult<Vec<ShipmentRow>> {
        ctx.require(Permission::ShipmentRead)?;
        let mut q = self.shipment_query(ctx, filter).await?;
        let mut tx = self.store.read().await?;
        export_bound(tx.shipment_count(&q).await?, max, "shipments")?;
        q.limit = max.max(1);
        Ok(tx.shipment_list(&q).await?)
    }

    async fn shipment_query(&self, ctx: &Ctx, f: &ShipmentFilter) -> AppResult<ShipmentQuery> {
        let customer_id = self
            .list_customer(ctx, f.customer_code.as_deref(), f.customer_id)
            .await?;
        let (shipped_from, shipped_before) = day_span(f.from, f.to);
        Ok(ShipmentQuery {
            status: f.status,
            order_id: f.order_id,
            customer_id,
            warehouse_id: f.warehouse_id,
            carrier: f.carrier.clone(),
            shipped_from,
            shipped_before,
            sort: f.sort,
            after: None,
            limit: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_filter_reads_back_as_the_same_parameters() {
        let f = ShipmentFilter::parse(&params(&[
            ("status", "delivered"),
            ("order_id", "12"),
            ("customer", "C001"),
            ("warehouse_id", "2"),
            ("carrier", "顺丰"),
            ("from", "2026-11-01"),
            ("to", "2026-11-30"),
            ("sort", "-shipped"),
            ("cursor", "not a filter"),
        ]))
        .unwrap();
        let back: BTreeMap<String, String> = f
            .to_params()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert_eq!(ShipmentFilter::parse(&back).unwrap(), f);
        assert_eq!(back.len(), 8);
        for name in SHIPMENT_SORT_NAMES {
            assert_eq!(shipment_sort_name(sort_named(name).unwrap()), *name);
        }
    }

    #[test]
    fn every_bad_value_is_named() {
        let e = ShipmentFilter::parse(&params(&[
            ("status", "lost"),
            ("order_id", "0"),
            ("warehouse_id", "x"),
            ("from", "2026-02-30"),
            ("to", "1999-01-01"),
            ("sort", "amount"),
            ("carrier", &"顺".repeat(65)),
        ]))
        .unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "status",
            "order_id",
            "warehouse_id",
            "from",
            "to",
            "sort",
            "carrier",
        ] {
            assert!(fields.contains(&f), "{f} not named in {fields:?}");
        }
        let e = ShipmentFilter::parse(&params(&[("from", "2026-12-02"), ("to", "2026-12-01")]))
            .unwrap_err();
        assert_eq!(e.errors[0].field, "to");
    }
}

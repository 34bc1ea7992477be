//! Field- and line-level differences between two versions of a record, for
//! the audit trail (SEC-2). Records are compared through their JSON form, so
//! every field of every record type is covered without per-type code; list
//! elements are keyed by their id (e.g. `items[product_id=7].price`) so adding
//! one line does not show every later line as changed.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::WarehouseId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What changed from `before` to `after` (either may be absent: create,
/// delete). Fields that did not change are left out.
pub fn diff<T: Serialize>(before: Option<&T>, after: Option<&T>) -> Vec<FieldChange> {
    let b = before.map(flatten).unwrap_or_default();
    let a = after.map(flatten).unwrap_or_default();
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (bv, av) = (b.get(k), a.get(k));
            (bv != av).then(|| FieldChange {
                field: k.clone(),
                before: bv.cloned(),
                after: av.cloned(),
            })
        })
        .collect()
}

/// The field prefix under which a product's stock in `warehouse` changes
/// in the product's audit rows (`stock[warehouse_id=3]`): receipts and
/// count adjustments write it, the stock history reads by it.
pub fn stock_field(warehouse: WarehouseId) -> String {
    format!("stock[warehouse_id={warehouse}]")
}

fn flatten<T: Serialize>(value: &T) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    // A record that cannot be turned into JSON has no fields to compare; our
    // record types are plain data and always serialize.
    if let Ok(v) = serde_json::to_value(value) {
        walk("", &v, &mut out);
    }
    out
}

const KEY_FIELDS: &[&str] = &["id", "product_id", "line_no", "region_id", "date"];

fn walk(path: &str, v: &Value, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(&p, child, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let key = item
                    .as_object()
                    .and_then(|o| {
                        KEY_FIELDS
                            .iter()
                            .find_map(|f| o.get(*f).map(|v| format!("{f}={}", scalar(v))))
                    })
                    .unwrap_or_else(|| i.to_string());
                walk(&format!("{path}[{key}]"), item, out);
            }
        }
        Value::Null => {}
        other => {
            out.insert(path.to_string(), scalar(other));
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::master::{PriceListData, PriceListItem};
    use crate::{Money, ProductId};

    fn pl(items: &[(i64, i64)]) -> PriceListData {
        PriceListData {
            code: "PL1".into(),
            name: "标准价".into(),
            valid_from: None,
            valid_to: None,
            items: items
                .iter()
                .map(|(p, y)| PriceListItem {
                    product_id: ProductId(*p),
                    price: Money::yuan(*y),
                })
                .collect(),
        }
    }

    #[test]
    fn sec_2_diff_is_line_level() {
        let before = pl(&[(1, 10), (2, 20)]);
        let after = pl(&[(0, 5), (1, 10), (2, 25)]);
        let changes = diff(Some(&before), Some(&after));
        let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "items[product_id=0].price",
                "items[product_id=0].product_id",
                "items[product_id=2].price"
            ]
        );
        assert_eq!(changes[2].before.as_deref(), Some("20"));
        assert_eq!(changes[2].after.as_deref(), Some("25"));
    }

    #[test]
    fn sec_2_create_lists_every_field() {
        let changes = diff(None, Some(&pl(&[])));
        assert!(changes.iter().all(|c| c.before.is_none()));
        assert!(
            changes
                .iter()
                .any(|c| c.field == "name" && c.after.as_deref() == Some("标准价"))
        );
    }
}

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

impl FieldChange {
    /// One field's change, named by hand (a step, not a record's diff).
    pub fn new(field: &str, before: Option<String>, after: Option<String>) -> FieldChange {
        FieldChange {
            field: field.to_string(),
            before,
            after,
        }
    }
}

/// What changed from `before` to `after` (either may be absent: create,
/// delete). Fields that did not change are left out.
///
/// The two JSON trees are walked together and an equal subtree is skipped
/// whole: an order saved with one field changed costs a comparison, not
/// two maps of every field's path (this runs inside the single SQLite
/// writer's transaction, issue 17). The answer is the same as comparing
/// the two flattened maps (`flatten`), which is still what happens where
/// the two trees differ in shape.
pub fn diff<T: Serialize>(before: Option<&T>, after: Option<&T>) -> Vec<FieldChange> {
    // A record that cannot be turned into JSON has no fields to compare; our
    // record types are plain data and always serialize.
    let json = |v: Option<&T>| {
        v.and_then(|v| serde_json::to_value(v).ok())
            .unwrap_or(Value::Null)
    };
    let mut out = Changes::new();
    changes("", &json(before), &json(after), &mut out);
    out.into_iter()
        .map(|(field, (before, after))| FieldChange {
            field,
            before,
            after,
        })
        .collect()
}

type Changes = BTreeMap<String, (Option<String>, Option<String>)>;

fn changes(path: &str, b: &Value, a: &Value, out: &mut Changes) {
    if b == a {
        return;
    }
    match (b, a) {
        (Value::Object(bm), Value::Object(am)) => {
            for (k, bv) in bm {
                changes(&child(path, k), bv, am.get(k).unwrap_or(&Value::Null), out);
            }
            for (k, av) in am.iter().filter(|(k, _)| !bm.contains_key(*k)) {
                changes(&child(path, k), &Value::Null, av, out);
            }
        }
        (Value::Array(bi), Value::Array(ai)) => match (keyed(bi), keyed(ai)) {
            (Some(bk), Some(ak)) => {
                for (k, bv) in &bk {
                    let av = ak.get(k).copied().unwrap_or(&Value::Null);
                    changes(&format!("{path}[{k}]"), bv, av, out);
                }
                for (k, av) in ak.iter().filter(|(k, _)| !bk.contains_key(*k)) {
                    changes(&format!("{path}[{k}]"), &Value::Null, av, out);
                }
            }
            // Two elements with the same key: their fields share paths,
            // which only the flattened maps settle.
            _ => compare_flat(path, b, a, out),
        },
        (b, a) if is_leaf(b) && is_leaf(a) => {
            let (bs, as_) = (leaf(b), leaf(a));
            if bs != as_ {
                out.insert(path.to_string(), (bs, as_));
            }
        }
        // A field that changed its shape (absent, a value, an object, a
        // list): every field below it, flattened.
        _ => compare_flat(path, b, a, out),
    }
}

fn compare_flat(path: &str, b: &Value, a: &Value, out: &mut Changes) {
    let (mut bf, mut af) = (BTreeMap::new(), BTreeMap::new());
    walk(path, b, &mut bf);
    walk(path, a, &mut af);
    for (k, bv) in &bf {
        if af.get(k) != Some(bv) {
            out.insert(k.clone(), (Some(bv.clone()), af.get(k).cloned()));
        }
    }
    for (k, av) in af.into_iter().filter(|(k, _)| !bf.contains_key(k)) {
        out.insert(k, (None, Some(av)));
    }
}

fn is_leaf(v: &Value) -> bool {
    !matches!(v, Value::Object(_) | Value::Array(_))
}

fn leaf(v: &Value) -> Option<String> {
    (!v.is_null()).then(|| scalar(v))
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A list's elements by their key (`element_key`), or `None` when two
/// share one.
fn keyed(items: &[Value]) -> Option<BTreeMap<String, &Value>> {
    let mut by_key = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        if by_key.insert(element_key(i, item), item).is_some() {
            return None;
        }
    }
    Some(by_key)
}

/// `product_id=7` for an element with a key field, else its position.
fn element_key(i: usize, item: &Value) -> String {
    item.as_object()
        .and_then(|o| {
            KEY_FIELDS
                .iter()
                .find_map(|f| o.get(*f).map(|v| format!("{f}={}", scalar(v))))
        })
        .unwrap_or_else(|| i.to_string())
}

/// The field prefix under which a product's stock in `warehouse` changes
/// in the product's audit rows (`stock[warehouse_id=3]`): receipts and
/// count adjustments write it, the stock history reads by it.
pub fn stock_field(warehouse: WarehouseId) -> String {
    format!("stock[warehouse_id={warehouse}]")
}

/// Every field of a record by its path: the reference `diff` agrees with.
#[cfg(test)]
fn flatten<T: Serialize>(value: &T) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(v) = serde_json::to_value(value) {
        walk("", &v, &mut out);
    }
    out
}

const KEY_FIELDS: &[&str] = &["id", "product_id", "line_no", "region_id", "date"];

fn walk(path: &str, v: &Value, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                walk(&child(path, k), v, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(&format!("{path}[{}]", element_key(i, item)), item, out);
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

    /// The old way: both records flattened, every path compared.
    fn by_flattening(b: Option<&Value>, a: Option<&Value>) -> Vec<FieldChange> {
        let bf = b.map(flatten).unwrap_or_default();
        let af = a.map(flatten).unwrap_or_default();
        let mut keys: Vec<&String> = bf.keys().chain(af.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter(|k| bf.get(*k) != af.get(*k))
            .map(|k| FieldChange {
                field: k.clone(),
                before: bf.get(k).cloned(),
                after: af.get(k).cloned(),
            })
            .collect()
    }

    #[test]
    fn sec_2_walking_both_trees_agrees_with_flattening() {
        let docs = [
            serde_json::json!(null),
            serde_json::json!({"a": 1, "b": "x", "lines": [{"line_no": 1, "q": 2}, {"line_no": 2, "q": 3}]}),
            serde_json::json!({"a": 1, "b": "y", "lines": [{"line_no": 2, "q": 4}, {"line_no": 3, "q": 1}]}),
            serde_json::json!({"a": "1", "b": null, "c": {"d": [1, 2, {"e": true}]}, "lines": []}),
            serde_json::json!({"a": {"x": 1}, "c": {"d": [2, 1]}, "lines": {"line_no": 1}}),
            // Two elements with one key: the flattened maps decide.
            serde_json::json!({"lines": [{"id": 1, "q": 1}, {"id": 1, "q": 2, "r": 3}]}),
            serde_json::json!({"lines": [{"id": 1, "q": 5}], "a": [null, 1]}),
            serde_json::json!({"a": [], "b": {}, "lines": [{"product_id": 7, "p": "1.00"}]}),
        ];
        for b in &docs {
            for a in &docs {
                let bo = (!b.is_null()).then_some(b);
                let ao = (!a.is_null()).then_some(a);
                assert_eq!(diff(bo, ao), by_flattening(bo, ao), "{b} -> {a}");
            }
        }
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

//! Field-level confidentiality (SEC-4, ADR 0026): which fields of which
//! records reveal prices, amounts or credit, the permission that shows each,
//! and the one redaction every read path applies. A hidden field becomes
//! `null` (JSON) or an empty cell (pages, exports) — never 0, which would be
//! a lie.

use serde_json::Value;

use crate::access::{Actor, Permission};

/// A record type that carries confidential fields. Paths of its fields are
/// relative to the record, so a view embedding it (an order with its
/// shipments, a list page) redacts it under its own prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Record {
    /// A product's master record.
    Product,
    /// A customer's master record.
    Customer,
    /// An order's priced content (the document of an order).
    Order,
    /// A delivery note (shipment) with its lines.
    Shipment,
    /// A customer's funds and credit balance.
    AccountBalance,
    /// One entry of a customer's account ledger.
    AccountEntry,
    /// A funds task of an arrival notice (PUR-2).
    FundsTask,
    /// A change request of an order with its impact (CHG-1).
    OrderChange,
    /// What an event of an order's timeline records (its `data`).
    OrderEvent,
}

macro_rules! fields {
    ($($variant:ident => $record:ident, $path:literal, $perm:ident, $own:literal;)*) => {
        /// A confidential field: the record it belongs to, its path in the
        /// record's JSON and the permission that reveals it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Field { $($variant),* }

        impl Field {
            pub const ALL: &'static [Field] = &[$(Field::$variant),*];

            pub fn record(self) -> Record {
                match self { $(Field::$variant => Record::$record),* }
            }

            /// `a.b` walks objects, `a[]` every element of an array,
            /// `a[k=v]` the elements whose `k` is the text `v`; the last
            /// segment is the field set to null.
            pub fn path(self) -> &'static str {
                match self { $(Field::$variant => $path),* }
            }

            pub fn permission(self) -> Permission {
                match self { $(Field::$variant => Permission::$perm),* }
            }

            /// Whether a portal user sees the field on its own customer's
            /// records without the permission: the prices of its own
            /// orders and delivery notes are what it agreed to pay (ORD-5
            /// sends it the confirmation with them), and its account's credit
            /// limit and credit available (the portal's account, issue 18),
            /// unlike the catalogue's list prices, the reference price and
            /// its approval (internal) and the credit fields of the customer
            /// record and of the company's checks.
            pub fn own_customer_sees(self) -> bool {
                match self { $(Field::$variant => $own),* }
            }
        }
    };
}

// Prices and everything computed from them (amounts, taxes, the price an
// approval allowed) need `price.read`; so do credit limits and what is
// derived from them (ADR 0005 put credit limits under `price.read`;
// ADR 0026 keeps it so). The last column: whether a portal user sees the
// field on its own records anyway (see `Field::own_customer_sees`): its
// orders' prices, and its account's credit limit and credit available
// (issue 18 item 5, ADR 0035), not the customer record's.
// Purchase orders carry no prices or costs today, so no rule names them.
fields! {
    ProductListPrice => Product, "list_price", PriceRead, false;
    ProductCostPrice => Product, "cost_price", PriceRead, false;
    CustomerCreditLimit => Customer, "credit_limit", PriceRead, false;
    CustomerPriceList => Customer, "price_list_id", PriceRead, false;
    OrderUnitPrice => Order, "lines[].unit_price", PriceRead, true;
    OrderReferencePrice => Order, "lines[].reference_price", PriceRead, false;
    OrderPriceApproval => Order, "lines[].price_approval", PriceRead, false;
    OrderLineAmount => Order, "lines[].amount", PriceRead, true;
    OrderLineTax => Order, "lines[].tax", PriceRead, true;
    OrderLineNet => Order, "lines[].net", PriceRead, true;
    OrderTotalAmount => Order, "totals.amount", PriceRead, true;
    OrderTotalTax => Order, "totals.tax", PriceRead, true;
    OrderTotalNet => Order, "totals.net", PriceRead, true;
    ShipmentUnitPrice => Shipment, "lines[].unit_price", PriceRead, true;
    AccountCreditLimit => AccountBalance, "credit_limit", PriceRead, true;
    AccountAvailableCredit => AccountBalance, "available_credit", PriceRead, true;
    AccountTotalAvailable => AccountBalance, "total_available", PriceRead, false;
    AccountCreditLimitEntry => AccountEntry, "[kind=credit_limit].amount", PriceRead, false;
    FundsNeeded => FundsTask, "needed", PriceRead, false;
    FundsAvailable => FundsTask, "available", PriceRead, false;
    FundsShortfall => FundsTask, "shortfall", PriceRead, false;
    ChangeAmountBefore => OrderChange, "impact.amount_before", PriceRead, true;
    ChangeAmountAfter => OrderChange, "impact.amount_after", PriceRead, true;
    ChangeAmountDelta => OrderChange, "impact.amount_delta", PriceRead, true;
    ChangeCreditAvailable => OrderChange, "impact.credit_available", PriceRead, false;
    EventAmount => OrderEvent, "amount", PriceRead, true;
    EventCharged => OrderEvent, "charged", PriceRead, true;
    EventCredited => OrderEvent, "credited", PriceRead, true;
    EventApprovedPrice => OrderEvent, "price", PriceRead, false;
    EventCreditExposure => OrderEvent, "credit", PriceRead, false;
    // Described changes (`lines[…].unit_price: a → b`) may name prices.
    EventChanges => OrderEvent, "changes", PriceRead, true;
    // Review findings whose messages quote prices, amounts or the limit.
    EventPriceFinding => OrderEvent, "findings[rule=price_deviation].message", PriceRead, false;
    EventCreditFinding => OrderEvent, "findings[rule=credit_limit_exceeded].message", PriceRead, false;
    EventNearLimitFinding => OrderEvent, "findings[rule=credit_near_limit].message", PriceRead, false;
    EventAmountFinding => OrderEvent, "findings[rule=joint_review_amount].message", PriceRead, false;
}

/// What one actor may see: the fields hidden from it. Built once per
/// request from the actor's permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visibility {
    hidden: Vec<Field>,
}

impl Visibility {
    /// A portal user (an actor bound to a customer) reads only its own
    /// customer's records — the use cases see to that — so the fields its
    /// own customer sees are shown to it.
    pub fn of(actor: &Actor) -> Visibility {
        let portal = actor.customer_id.is_some();
        Visibility {
            hidden: Field::ALL
                .iter()
                .copied()
                .filter(|f| !(actor.can(f.permission()) || (portal && f.own_customer_sees())))
                .collect(),
        }
    }

    /// Whether the actor may see `field`.
    pub fn shows(&self, field: Field) -> bool {
        !self.hidden.contains(&field)
    }

    /// Whether every field of `record` is shown (e.g. to print a priced
    /// document at all).
    pub fn shows_all(&self, record: Record) -> bool {
        !self.hidden.iter().any(|f| f.record() == record)
    }

    /// The fields hidden from this actor.
    pub fn hidden(&self) -> &[Field] {
        &self.hidden
    }

    /// `value` if `field` is shown, None otherwise: what a page or an
    /// export prints in the cell.
    pub fn cell<T>(&self, field: Field, value: T) -> Option<T> {
        self.shows(field).then_some(value)
    }

    /// Sets every hidden field of the `record` found at `at` (a path as in
    /// [`Field::path`], "" for `value` itself) to null.
    pub fn redact(&self, record: Record, at: &str, value: &mut Value) {
        for f in self.hidden.iter().filter(|f| f.record() == record) {
            let path = if at.is_empty() {
                f.path().to_string()
            } else if f.path().starts_with('[') {
                format!("{at}{}", f.path())
            } else {
                format!("{at}.{}", f.path())
            };
            null_at(value, &segments(&path));
        }
    }
}

impl Visibility {
    /// Blanks the before and after of each audited change (SEC-2) of a
    /// `record` that names a hidden field: a history shows that a price
    /// changed, not what it was. Changes are flattened paths
    /// (`document.lines[product_id=5].unit_price`), matched by their
    /// field whatever the key in brackets or the prefix.
    pub fn redact_changes(&self, record: Record, changes: &mut [crate::audit::FieldChange]) {
        let rules: Vec<Field> = self
            .hidden
            .iter()
            .copied()
            .filter(|f| f.record() == record)
            .collect();
        if rules.is_empty() {
            return;
        }
        let values: Vec<(String, Option<String>)> = changes
            .iter()
            .map(|c| {
                (
                    c.field.clone(),
                    c.after.clone().or_else(|| c.before.clone()),
                )
            })
            .collect();
        for c in changes.iter_mut() {
            let field = unkeyed(&c.field);
            let hidden = rules.iter().any(|f| match segments(f.path()).first() {
                // `[k=v].leaf`: the entry itself is the record; its leaf
                // hides when its `k` change says `v`.
                Some(Step::Where(k, v)) => {
                    let leaf = f.path().rsplit('.').next().unwrap_or_default();
                    field == leaf
                        && values
                            .iter()
                            .any(|(name, val)| name == k && val.as_deref() == Some(*v))
                }
                _ => names(&field, f.path()),
            });
            if hidden {
                c.before = None;
                c.after = None;
            }
        }
    }
}

/// `a[x=1].b[2].c` as `a[].b[].c`: a change path without its keys.
fn unkeyed(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0;
    for ch in path.chars() {
        match ch {
            '[' => {
                depth += 1;
                if depth == 1 {
                    out.push('[');
                }
            }
            ']' => {
                depth -= 1;
                if depth == 0 {
                    out.push(']');
                }
            }
            _ if depth > 0 => {}
            _ => out.push(ch),
        }
    }
    out
}

/// Whether the unkeyed change path `field` is the rule's `path` or lies
/// inside it, under any prefix.
fn names(field: &str, path: &str) -> bool {
    let at_boundary = |i: usize| i == 0 || field[..i].ends_with('.');
    field.match_indices(path).any(|(i, _)| {
        let end = i + path.len();
        at_boundary(i) && (end == field.len() || field[end..].starts_with('.'))
    })
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step<'a> {
    Key(&'a str),
    Each,
    Where(&'a str, &'a str),
}

fn segments(path: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, rest) = match part.find('[') {
            Some(i) => (&part[..i], Some(&part[i + 1..])),
            None => (part, None),
        };
        if !key.is_empty() {
            out.push(Step::Key(key));
        }
        if let Some(rest) = rest {
            let inner = rest.trim_end_matches(']');
            match inner.split_once('=') {
                Some((k, v)) => out.push(Step::Where(k, v)),
                None => out.push(Step::Each),
            }
        }
    }
    out
}

fn null_at(value: &mut Value, path: &[Step<'_>]) {
    match path {
        [] => {}
        [Step::Key(k)] => {
            if let Some(obj) = value.as_object_mut()
                && obj.contains_key(*k)
            {
                obj.insert((*k).to_string(), Value::Null);
            }
        }
        [Step::Key(k), rest @ ..] => {
            if let Some(v) = value.get_mut(*k) {
                null_at(v, rest);
            }
        }
        [Step::Each, rest @ ..] => {
            if let Some(items) = value.as_array_mut() {
                for v in items {
                    null_at(v, rest);
                }
            }
        }
        [Step::Where(k, want), rest @ ..] => {
            if let Some(items) = value.as_array_mut() {
                for v in items {
                    if v.get(*k).and_then(Value::as_str) == Some(*want) {
                        null_at(v, rest);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;
    use serde_json::json;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: crate::UserId(1),
            username: "u".into(),
            roles: vec![role],
            permissions: role.default_permissions().to_vec(),
            customer_id: None,
        }
    }

    #[test]
    fn sec_4_hidden_fields_become_null_where_they_are_nested() {
        let mut order = json!({
            "id": 1,
            "lines": [{"unit_price": "1234.56", "quantity": 2, "amount": "2469.12"}],
            "totals": {"amount": "2469.12", "quantity": 2},
            "shipments": [{"lines": [{"unit_price": "1234.56", "quantity": 2}]}],
        });
        let v = Visibility::of(&actor(Role::Warehouse));
        v.redact(Record::Order, "", &mut order);
        v.redact(Record::Shipment, "shipments[]", &mut order);
        assert_eq!(order["lines"][0]["unit_price"], Value::Null);
        assert_eq!(order["lines"][0]["amount"], Value::Null);
        assert_eq!(order["lines"][0]["quantity"], 2);
        assert_eq!(order["totals"]["amount"], Value::Null);
        assert_eq!(order["totals"]["quantity"], 2);
        assert_eq!(order["shipments"][0]["lines"][0]["unit_price"], Value::Null);
        assert!(!order.to_string().contains("1234.56"), "{order}");
    }

    #[test]
    fn sec_4_a_field_absent_from_the_record_is_not_added() {
        let mut v = json!({"sku": "A"});
        Visibility::of(&actor(Role::Warehouse)).redact(Record::Product, "", &mut v);
        assert_eq!(v, json!({"sku": "A"}));
    }

    #[test]
    fn sec_4_filtered_entries_only_lose_the_matching_amounts() {
        let mut v = json!({"entries": [
            {"kind": "credit_limit", "amount": "50000"},
            {"kind": "deposit", "amount": "100"},
        ]});
        Visibility::of(&actor(Role::Customer)).redact(Record::AccountEntry, "entries", &mut v);
        assert_eq!(v["entries"][0]["amount"], Value::Null);
        assert_eq!(v["entries"][1]["amount"], "100");
    }

    #[test]
    fn sec_4_audited_changes_of_hidden_fields_lose_their_values() {
        use crate::audit::FieldChange;
        let ch = |f: &str, b: Option<&str>, a: Option<&str>| FieldChange {
            field: f.into(),
            before: b.map(Into::into),
            after: a.map(Into::into),
        };
        let mut order = vec![
            ch(
                "document.lines[product_id=5].unit_price",
                Some("1"),
                Some("2"),
            ),
            ch(
                "lines[product_id=5].price_approval.approved_price",
                None,
                Some("2"),
            ),
            ch("lines[product_id=5].quantity", Some("1"), Some("2")),
            ch("totals.amount", None, Some("3")),
            ch("totals.amount_note", None, Some("x")),
        ];
        let v = Visibility::of(&actor(Role::Warehouse));
        v.redact_changes(Record::Order, &mut order);
        assert_eq!(order[0].after, None);
        assert_eq!(order[1].after, None);
        assert_eq!(order[2].after.as_deref(), Some("2"));
        assert_eq!(order[3].after, None);
        assert_eq!(order[4].after.as_deref(), Some("x"));
        let mut limit = vec![
            ch("kind", None, Some("credit_limit")),
            ch("amount", None, Some("9")),
        ];
        let mut deposit = vec![
            ch("kind", None, Some("deposit")),
            ch("amount", None, Some("9")),
        ];
        v.redact_changes(Record::AccountEntry, &mut limit);
        v.redact_changes(Record::AccountEntry, &mut deposit);
        assert_eq!(limit[1].after, None);
        assert_eq!(deposit[1].after.as_deref(), Some("9"));
    }

    #[test]
    fn sec_4_price_read_shows_every_field_and_its_absence_hides_each() {
        let finance = Visibility::of(&actor(Role::Finance));
        assert!(finance.hidden().is_empty());
        for role in Role::ALL {
            let v = Visibility::of(&actor(*role));
            let can = role.default_permissions().contains(&Permission::PriceRead);
            for f in Field::ALL {
                assert_eq!(v.shows(*f), can, "{role} {f:?}");
            }
        }
    }

    #[test]
    fn sec_4_a_portal_user_sees_its_own_order_prices_and_account_credit_only() {
        let mut portal = actor(Role::Customer);
        portal.customer_id = Some(crate::CustomerId(7));
        let v = Visibility::of(&portal);
        assert!(v.shows(Field::OrderUnitPrice));
        assert!(v.shows(Field::ShipmentUnitPrice));
        assert!(!v.shows(Field::OrderReferencePrice));
        assert!(!v.shows(Field::ProductListPrice));
        // Its account's credit (issue 18 item 5, ADR 0035), not the
        // customer record's field nor what a change would leave.
        assert!(v.shows(Field::AccountCreditLimit));
        assert!(v.shows(Field::AccountAvailableCredit));
        assert!(!v.shows(Field::CustomerCreditLimit));
        assert!(!v.shows(Field::ChangeCreditAvailable));
        // Without a customer the same role sees no order prices.
        assert!(!Visibility::of(&actor(Role::Customer)).shows(Field::OrderUnitPrice));
    }
}

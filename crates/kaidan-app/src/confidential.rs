//! Where the confidential records sit inside each view the use cases
//! return (SEC-4, ADR 0026), so that its JSON can be redacted for the
//! reader with the one table of field rules (`kaidan_domain::field_rules`).

use kaidan_domain::field_rules::Record;
use kaidan_domain::orders::AccountBalance;
use serde::Serialize;

use crate::app::Ctx;
use crate::orders::OrderView;
use crate::ports::{ArrivalNoticeRow, ChangeRow, OrderRow, ShipmentRow};

/// A view that carries confidential fields: the records in it and the path
/// each is found at ("" for the view itself).
pub trait Confidential: Serialize {
    const PARTS: &'static [(Record, &'static str)];
}

impl Confidential for OrderView {
    // The order's content is flattened into the view.
    const PARTS: &'static [(Record, &'static str)] = &[
        (Record::Order, ""),
        (Record::Shipment, "shipments[]"),
        (Record::OrderEvent, "timeline[].data"),
    ];
}

impl Confidential for OrderRow {
    const PARTS: &'static [(Record, &'static str)] = &[(Record::Order, "document")];
}

impl Confidential for ShipmentRow {
    const PARTS: &'static [(Record, &'static str)] = &[(Record::Shipment, "")];
}

impl Confidential for AccountBalance {
    const PARTS: &'static [(Record, &'static str)] = &[(Record::AccountBalance, "")];
}

impl Confidential for ArrivalNoticeRow {
    const PARTS: &'static [(Record, &'static str)] = &[(Record::FundsTask, "content.funds[]")];
}

impl Confidential for ChangeRow {
    const PARTS: &'static [(Record, &'static str)] = &[(Record::OrderChange, "")];
}

impl OrderView {
    /// Blanks, in place, what the reader may not see in the timeline's
    /// event data (SEC-4), for pages that render the view itself.
    pub fn redact_timeline(&mut self, ctx: &Ctx) {
        let vis = ctx.visibility();
        for e in &mut self.timeline {
            vis.redact(Record::OrderEvent, "", &mut e.data);
        }
    }
}

impl<T: Confidential> Confidential for Vec<T> {
    // Only the prefixes of `T` matter; `shown` walks the list itself.
    const PARTS: &'static [(Record, &'static str)] = T::PARTS;
}

impl Ctx {
    /// `view` as JSON with every field this reader may not see set to null.
    pub fn shown<T: Confidential>(&self, view: &T) -> serde_json::Value {
        let mut v = serde_json::to_value(view).unwrap_or_default();
        let vis = self.visibility();
        if let Some(items) = v.as_array_mut() {
            for item in items {
                for (record, at) in T::PARTS {
                    vis.redact(*record, at, item);
                }
            }
        } else {
            for (record, at) in T::PARTS {
                vis.redact(*record, at, &mut v);
            }
        }
        v
    }
}

/// The record whose fields an audit row of `entity` changes, for the
/// entities with confidential fields.
pub fn audited_record(entity: &str) -> Option<Record> {
    match entity {
        "product" => Some(Record::Product),
        "customer" => Some(Record::Customer),
        "order" => Some(Record::Order),
        "account" => Some(Record::AccountEntry),
        _ => None,
    }
}

//! Picking, shipping and delivery (SHP-1..3): the states of pick lists and
//! shipments, and the checks on what the warehouse, the carrier and the
//! customer report. Pure: the use cases feed in what is stored.
//!
//! A pick list covers what one order has reserved in one warehouse. Picking
//! is confirmed with the quantity actually found per line; what was not found
//! is released from the reservation and becomes a backorder again, so no
//! stock stays stuck on a half-picked list. The picked goods ship as one
//! shipment (the delivery note); its proof of delivery says, per line, how
//! much the customer accepted and refused, why, and where refused goods go.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::access::string_enum;
use crate::validation::ValidationErrors;
use crate::{Money, ProductId, WarehouseId};

string_enum!(
    /// Where a pick list is.
    PickListStatus {
        /// Printed for the warehouse; its quantities are set aside.
        Open = "open",
        /// Picked and packed; waiting for the carrier.
        Picked = "picked",
        /// Handed to the carrier as a shipment.
        Shipped = "shipped",
        /// Nothing was found: the whole list went back to backorder.
        Cancelled = "cancelled",
    }
);

impl PickListStatus {
    /// Pick lists that hold goods of their lines: an open list its listed
    /// quantity ([`PickListStatus::LISTED`]), a picked one what was found.
    /// Those goods are not pickable again (SHP-1) and not free for an
    /// allocation run's pick lists.
    pub const COMMITTED: &'static [PickListStatus] =
        &[PickListStatus::Open, PickListStatus::Picked];

    /// The state in which a list commits its listed quantity rather than
    /// its picked one.
    pub const LISTED: PickListStatus = PickListStatus::Open;
}

string_enum!(
    /// Where a shipment (delivery note) is.
    ShipmentStatus {
        Shipped = "shipped",
        /// The proof of delivery is recorded.
        Delivered = "delivered",
    }
);

string_enum!(
    /// A step reported by the carrier (SHP-2).
    TrackingStatus {
        /// 已揽收
        PickedUp = "picked_up",
        /// 运输中
        InTransit = "in_transit",
        /// 到达网点
        Arrived = "arrived",
        /// 派送中
        OutForDelivery = "out_for_delivery",
        /// 已送达 (the carrier's word; the proof of delivery is separate)
        Delivered = "delivered",
        /// 异常: delay, damage, address problem
        Exception = "exception",
    }
);

impl TrackingStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            TrackingStatus::PickedUp => "已揽收",
            TrackingStatus::InTransit => "运输中",
            TrackingStatus::Arrived => "到达网点",
            TrackingStatus::OutForDelivery => "派送中",
            TrackingStatus::Delivered => "已送达",
            TrackingStatus::Exception => "异常",
        }
    }
}

string_enum!(
    /// Where refused goods go (SHP-3).
    Disposition {
        /// Back on the shelf of the warehouse that shipped them.
        Restock = "restock",
        /// To a quarantine warehouse for inspection.
        Quarantine = "quarantine",
    }
);

/// A line of a pick list as stored: the order line and what to pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PickLine {
    pub line_no: u32,
    pub product_id: ProductId,
    pub quantity: i64,
    /// Set once the pick is confirmed.
    pub picked: Option<i64>,
}

/// What the warehouse found for one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PickedInput {
    pub line_no: u32,
    pub picked: i64,
}

/// The outcome of a confirmed pick for one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PickOutcome {
    pub line_no: u32,
    pub product_id: ProductId,
    pub picked: i64,
    /// Not found: released from the reservation, back to backorder.
    pub short: i64,
}

/// The packing of a confirmed pick: at least one package when anything was
/// found. Whether anything was found (a pick that found nothing cancels
/// the document instead).
pub fn check_packages(outcome: &[PickOutcome], packages: i64) -> Result<bool, ValidationErrors> {
    let any_picked = outcome.iter().any(|o| o.picked > 0);
    if any_picked && packages < 1 {
        return Err(ValidationErrors::single(
            "packages",
            "invalid",
            "say how many packages were packed (at least 1)",
        ));
    }
    Ok(any_picked)
}

/// A confirmation that every line was found in full.
pub fn picked_in_full(lines: &[PickLine]) -> Vec<PickedInput> {
    lines
        .iter()
        .map(|l| PickedInput {
            line_no: l.line_no,
            picked: l.quantity,
        })
        .collect()
}

/// The line numbered `line_no` on the document; a number not on it is an
/// error at `{field}.line_no`.
fn listed<'a, T>(
    e: &mut ValidationErrors,
    field: &str,
    document: &'a [T],
    line_no_of: impl Fn(&T) -> u32,
    line_no: u32,
    what: &str,
) -> Option<&'a T> {
    let found = document.iter().find(|l| line_no_of(l) == line_no);
    if found.is_none() {
        e.add(
            format!("{field}.line_no"),
            "unknown_line",
            format!("line {line_no} is not on this {what}"),
        );
    }
    found
}

/// Checks a pick confirmation against the list: every line once, each with
/// 0 ≤ picked ≤ listed. Field names point into `lines[i]`.
pub fn confirm_pick(
    list: &[PickLine],
    input: &[PickedInput],
) -> Result<Vec<PickOutcome>, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let mut given: BTreeMap<u32, i64> = BTreeMap::new();
    for (i, p) in input.iter().enumerate() {
        let field = format!("lines[{i}]");
        let Some(line) = listed(&mut e, &field, list, |l| l.line_no, p.line_no, "pick list") else {
            continue;
        };
        if given.insert(p.line_no, p.picked).is_some() {
            e.duplicate(
                format!("{field}.line_no"),
                format!("line {} is given twice", p.line_no),
            );
        }
        if p.picked < 0 {
            e.negative(format!("{field}.picked"));
        } else if p.picked > line.quantity {
            e.add(
                format!("{field}.picked"),
                "over_list",
                format!(
                    "{} picked but only {} are on the list for line {}",
                    p.picked, line.quantity, line.line_no
                ),
            );
        }
    }
    for l in list {
        if !given.contains_key(&l.line_no) {
            e.add(
                "lines",
                "missing_line",
                format!("say how many were picked for line {}", l.line_no),
            );
        }
    }
    e.into_result(())?;
    Ok(list
        .iter()
        .map(|l| {
            let picked = given.get(&l.line_no).copied().unwrap_or(0);
            PickOutcome {
                line_no: l.line_no,
                product_id: l.product_id,
                picked,
                short: l.quantity - picked,
            }
        })
        .collect())
}

/// What the warehouse tells when the carrier takes the goods (SHP-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShipInput {
    pub carrier: String,
    /// Waybill or tracking number (运单号).
    pub tracking_no: String,
    /// Expected arrival at the customer.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub eta: Date,
    /// Parcels handed over; defaults to what packing recorded.
    #[serde(default)]
    pub packages: Option<i64>,
}

impl ShipInput {
    /// Trimmed and checked; the ETA may not lie before the ship date.
    pub fn validate(&self, ship_date: Date) -> Result<ShipInput, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let carrier = e.text("carrier", &self.carrier, 100);
        let tracking_no = e.text("tracking_no", &self.tracking_no, 100);
        if self.eta < ship_date {
            e.add(
                "eta",
                "before_ship_date",
                format!(
                    "the expected arrival {} is before the ship date {ship_date}",
                    self.eta
                ),
            );
        }
        if let Some(p) = self.packages
            && p < 1
        {
            e.add("packages", "invalid", "at least one package");
        }
        e.into_result(ShipInput {
            carrier,
            tracking_no,
            eta: self.eta,
            packages: self.packages,
        })
    }
}

/// A shipped line as the proof of delivery sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShippedLine {
    pub line_no: u32,
    pub product_id: ProductId,
    pub quantity: i64,
    pub unit_price: Money,
}

/// The customer's verdict on one shipped line (SHP-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeliveredLineInput {
    pub line_no: u32,
    pub accepted: i64,
    #[serde(default)]
    pub refused: i64,
    /// Why goods were refused (quantity or quality problem).
    #[serde(default)]
    pub reason: Option<String>,
    /// Where refused goods go; required when something is refused.
    #[serde(default)]
    pub disposition: Option<Disposition>,
}

/// A proof of delivery: who signed, when, each line's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeliveryInput {
    pub signed_by: String,
    #[serde(default)]
    pub note: Option<String>,
    pub lines: Vec<DeliveredLineInput>,
    /// Where quarantined goods go; required when a line says quarantine.
    #[serde(default)]
    pub quarantine_warehouse_id: Option<WarehouseId>,
}

/// One line of a checked proof of delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveredLine {
    pub line_no: u32,
    pub product_id: ProductId,
    pub accepted: i64,
    pub refused: i64,
    pub reason: Option<String>,
    pub disposition: Option<Disposition>,
    /// The value of the refused goods, credited back to the customer.
    pub refused_value: Money,
}

/// Checks a proof of delivery against the shipment: every shipped line
/// once, accepted + refused = shipped, a reason and a disposition for every
/// refusal, a quarantine warehouse when one is needed.
pub fn check_delivery(
    shipped: &[ShippedLine],
    input: &DeliveryInput,
) -> Result<Vec<DeliveredLine>, ValidationErrors> {
    let mut e = ValidationErrors::new();
    e.text("signed_by", &input.signed_by, 100);
    e.optional_text("note", input.note.as_deref(), 500);
    let mut out = Vec::with_capacity(shipped.len());
    let mut quarantine = false;
    for (i, l) in input.lines.iter().enumerate() {
        let field = format!("lines[{i}]");
        let Some(s) = listed(
            &mut e,
            &field,
            shipped,
            |s| s.line_no,
            l.line_no,
            "shipment",
        ) else {
            continue;
        };
        if out.iter().any(|d: &DeliveredLine| d.line_no == l.line_no) {
            e.duplicate(
                format!("{field}.line_no"),
                format!("line {} is given twice", l.line_no),
            );
            continue;
        }
        if l.accepted < 0 || l.refused < 0 {
            e.add(
                format!("{field}.accepted"),
                "negative",
                "accepted and refused must not be negative",
            );
        } else if l.accepted.checked_add(l.refused) != Some(s.quantity) {
            e.add(
                format!("{field}.accepted"),
                "does_not_add_up",
                format!(
                    "accepted {} + refused {} must equal the {} shipped on line {}",
                    l.accepted, l.refused, s.quantity, s.line_no
                ),
            );
        }
        let reason = e.optional_text(&format!("{field}.reason"), l.reason.as_deref(), 500);
        if l.refused > 0 {
            if reason.is_none() {
                e.add(
                    format!("{field}.reason"),
                    "required",
                    "say why goods were refused",
                );
            }
            match l.disposition {
                None => e.add(
                    format!("{field}.disposition"),
                    "required",
                    "say whether refused goods are restocked or quarantined",
                ),
                Some(Disposition::Quarantine) => quarantine = true,
                Some(Disposition::Restock) => {}
            }
        }
        out.push(DeliveredLine {
            line_no: l.line_no,
            product_id: s.product_id,
            accepted: l.accepted,
            refused: l.refused.max(0),
            reason,
            disposition: (l.refused > 0).then_some(l.disposition).flatten(),
            refused_value: s.unit_price.times(l.refused.max(0)).round_to_fen(),
        });
    }
    for s in shipped {
        if !input.lines.iter().any(|l| l.line_no == s.line_no) {
            e.add(
                "lines",
                "missing_line",
                format!("say what was accepted on line {}", s.line_no),
            );
        }
    }
    if quarantine && input.quarantine_warehouse_id.is_none() {
        e.add(
            "quarantine_warehouse_id",
            "required",
            "name the quarantine warehouse for quarantined goods",
        );
    }
    e.into_result(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> Vec<PickLine> {
        vec![
            PickLine {
                line_no: 1,
                product_id: ProductId(10),
                quantity: 5,
                picked: None,
            },
            PickLine {
                line_no: 2,
                product_id: ProductId(11),
                quantity: 3,
                picked: None,
            },
        ]
    }

    #[test]
    fn shp_1_partial_pick_reports_the_short_quantity() {
        let out = confirm_pick(
            &list(),
            &[
                PickedInput {
                    line_no: 1,
                    picked: 5,
                },
                PickedInput {
                    line_no: 2,
                    picked: 1,
                },
            ],
        )
        .unwrap();
        assert_eq!(out[0].short, 0);
        assert_eq!((out[1].picked, out[1].short), (1, 2));
    }

    #[test]
    fn shp_1_pick_over_the_list_or_missing_lines_are_refused_by_field() {
        let err = confirm_pick(
            &list(),
            &[
                PickedInput {
                    line_no: 1,
                    picked: 6,
                },
                PickedInput {
                    line_no: 9,
                    picked: 1,
                },
            ],
        )
        .unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["lines[0].picked", "lines[1].line_no", "lines"]);
    }

    #[test]
    fn shp_2_eta_before_ship_date_is_refused() {
        let d: Date = "2026-11-23".parse().unwrap();
        let input = ShipInput {
            carrier: " 顺丰 ".into(),
            tracking_no: "SF123".into(),
            eta: "2026-11-22".parse().unwrap(),
            packages: None,
        };
        let err = input.validate(d).unwrap_err();
        assert_eq!(err.errors[0].field, "eta");
        let ok = ShipInput { eta: d, ..input }.validate(d).unwrap();
        assert_eq!(ok.carrier, "顺丰");
    }

    fn shipped() -> Vec<ShippedLine> {
        vec![ShippedLine {
            line_no: 1,
            product_id: ProductId(10),
            quantity: 5,
            unit_price: Money::yuan(20),
        }]
    }

    #[test]
    fn shp_3_refusal_needs_reason_and_disposition_and_must_add_up() {
        let input = DeliveryInput {
            signed_by: "王店长".into(),
            note: None,
            lines: vec![DeliveredLineInput {
                line_no: 1,
                accepted: 3,
                refused: 1,
                reason: None,
                disposition: None,
            }],
            quarantine_warehouse_id: None,
        };
        let err = check_delivery(&shipped(), &input).unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "lines[0].accepted",
                "lines[0].reason",
                "lines[0].disposition"
            ]
        );
    }

    #[test]
    fn shp_3_quarantine_needs_a_warehouse_and_refused_value_is_priced() {
        let mut input = DeliveryInput {
            signed_by: "王店长".into(),
            note: None,
            lines: vec![DeliveredLineInput {
                line_no: 1,
                accepted: 3,
                refused: 2,
                reason: Some("外箱破损".into()),
                disposition: Some(Disposition::Quarantine),
            }],
            quarantine_warehouse_id: None,
        };
        let err = check_delivery(&shipped(), &input).unwrap_err();
        assert_eq!(err.errors[0].field, "quarantine_warehouse_id");
        input.quarantine_warehouse_id = Some(WarehouseId(3));
        let out = check_delivery(&shipped(), &input).unwrap();
        assert_eq!(out[0].refused_value, Money::yuan(40));
        assert_eq!(out[0].disposition, Some(Disposition::Quarantine));
    }

    #[test]
    fn shp_1_packages_are_needed_only_when_something_was_found() {
        let found = |picked| PickOutcome {
            line_no: 1,
            product_id: ProductId(1),
            picked,
            short: 2 - picked,
        };
        assert_eq!(check_packages(&[found(2)], 1), Ok(true));
        let err = check_packages(&[found(1)], 0).unwrap_err();
        assert_eq!(err.errors[0].field, "packages");
        assert_eq!(check_packages(&[found(0)], 0), Ok(false));
    }
}

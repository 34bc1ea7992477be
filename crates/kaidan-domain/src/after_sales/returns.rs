//! Returns and exchanges (退换货, AFS-1): what may come back, within which
//! period, who decides, and what the warehouse does with what came back.
//! Seed 001 (第十五条): no return or exchange without the sales manager's
//! approval; seed 003: warranty with free repair or replacement, per
//! product category.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::access::string_enum;
use crate::validation::ValidationErrors;
use crate::{Money, ProductId};

/// The longest description of what is wrong with the goods.
pub const MAX_RETURN_DESCRIPTION: usize = 2000;
/// Lines of one return request (one shipment's lines at most).
pub const MAX_RETURN_LINES: usize = 200;
/// Photos of one return request.
pub const MAX_RETURN_PHOTOS: usize = 6;
/// The longest return or warranty period a category may have (ten years).
pub const MAX_PERIOD_DAYS: u32 = 3650;

string_enum!(
    /// Why the goods come back.
    ReturnReason {
        /// The goods are faulty (质量问题).
        Quality = "quality",
        /// Not what was ordered (错发).
        WrongGoods = "wrong_goods",
        /// Damaged on the way, found after signing (运输损坏).
        TransitDamage = "transit_damage",
        /// The customer no longer wants them (客户原因).
        ChangedMind = "changed_mind",
        Other = "other",
    }
);

impl ReturnReason {
    pub fn label_zh(self) -> &'static str {
        match self {
            ReturnReason::Quality => "质量问题",
            ReturnReason::WrongGoods => "错发",
            ReturnReason::TransitDamage => "运输损坏",
            ReturnReason::ChangedMind => "客户原因",
            ReturnReason::Other => "其他",
        }
    }

    /// A fault of the goods or of the company, which the warranty covers.
    pub fn is_fault(self) -> bool {
        matches!(
            self,
            ReturnReason::Quality | ReturnReason::WrongGoods | ReturnReason::TransitDamage
        )
    }
}

string_enum!(
    /// What the customer gets for the goods.
    Remedy {
        /// 退货退款: a credit note on the original invoice (or a credit to
        /// the account for what was never invoiced).
        Refund = "refund",
        /// 换货: a replacement order, free of charge, that reserves and
        /// ships like any order.
        Exchange = "exchange",
        /// 维修: the customer's goods are repaired and sent back.
        Repair = "repair",
    }
);

impl Remedy {
    pub fn label_zh(self) -> &'static str {
        match self {
            Remedy::Refund => "退款",
            Remedy::Exchange => "换货",
            Remedy::Repair => "维修",
        }
    }
}

string_enum!(
    /// Where a return stands.
    ReturnStatus {
        /// Raised; waits for the sales manager.
        Requested = "requested",
        /// Approved with an RMA number; the warehouse expects the goods.
        Approved = "approved",
        /// The sales manager said no, with a reason.
        Rejected = "rejected",
        /// The requester withdrew it before a decision.
        Cancelled = "cancelled",
        /// The warehouse received and inspected the goods.
        Received = "received",
        /// Refunded, exchanged or repaired: nothing left to do.
        Closed = "closed",
    }
);

impl ReturnStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            ReturnStatus::Requested => "待审批",
            ReturnStatus::Approved => "已批准",
            ReturnStatus::Rejected => "已驳回",
            ReturnStatus::Cancelled => "已撤销",
            ReturnStatus::Received => "已收货",
            ReturnStatus::Closed => "已完结",
        }
    }

    /// The status a step leads to from this one, or `None` when the step
    /// does not apply here.
    pub fn after(self, step: ReturnStep) -> Option<ReturnStatus> {
        use ReturnStatus::*;
        match (self, step) {
            (Requested, ReturnStep::Approve) => Some(Approved),
            (Requested, ReturnStep::Reject) => Some(Rejected),
            (Requested, ReturnStep::Cancel) => Some(Cancelled),
            (Approved, ReturnStep::Receive) => Some(Received),
            (Received, ReturnStep::Complete) => Some(Closed),
            _ => None,
        }
    }
}

string_enum!(
    /// The steps of a return.
    ReturnStep {
        Approve = "approve",
        Reject = "reject",
        Cancel = "cancel",
        Receive = "receive",
        Complete = "complete",
    }
);

impl ReturnStep {
    /// The status a return must be in for this step, for the message that
    /// refuses it elsewhere.
    pub fn needs(self) -> ReturnStatus {
        match self {
            ReturnStep::Approve | ReturnStep::Reject | ReturnStep::Cancel => {
                ReturnStatus::Requested
            }
            ReturnStep::Receive => ReturnStatus::Approved,
            ReturnStep::Complete => ReturnStatus::Received,
        }
    }
}

/// How long goods of a product category may come back (seed 003): any
/// reason within `return_days` of delivery; a fault within
/// `warranty_days`, for an exchange or a repair only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AfterSalesPolicy {
    pub return_days: u32,
    pub warranty_days: u32,
}

impl Default for AfterSalesPolicy {
    /// Seven days to return (七天无理由), a year of warranty.
    fn default() -> Self {
        AfterSalesPolicy {
            return_days: 7,
            warranty_days: 365,
        }
    }
}

impl AfterSalesPolicy {
    /// Both periods within [`MAX_PERIOD_DAYS`], the warranty no shorter
    /// than the return period.
    pub fn check(self, field: &str) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        for (name, days) in [
            ("return_days", self.return_days),
            ("warranty_days", self.warranty_days),
        ] {
            if days > MAX_PERIOD_DAYS {
                e.add(
                    format!("{field}.{name}"),
                    "out_of_range",
                    format!("{days} days; at most {MAX_PERIOD_DAYS}"),
                );
            }
        }
        if self.warranty_days < self.return_days {
            e.add(
                format!("{field}.warranty_days"),
                "out_of_range",
                format!(
                    "the warranty ({} days) is shorter than the return period ({} days)",
                    self.warranty_days, self.return_days
                ),
            );
        }
        e.into_result(self)
    }
}

/// The company's periods (`[after_sales]` of `kaidan.toml`): a default,
/// and per product category (the product's `category`) its own.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AfterSalesSettings {
    #[serde(default, flatten)]
    pub default: AfterSalesPolicy,
    #[serde(default)]
    pub categories: BTreeMap<String, AfterSalesPolicy>,
}

impl AfterSalesSettings {
    /// The periods of a product category: its own, else the default.
    pub fn policy_for(&self, category: &str) -> AfterSalesPolicy {
        self.categories
            .get(category.trim())
            .copied()
            .unwrap_or(self.default)
    }

    /// Every policy within its bounds, named by where it is written.
    pub fn check(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if let Err(x) = self.default.check("after_sales") {
            e.merge(x);
        }
        for (name, p) in &self.categories {
            if let Err(x) = p.check(&format!("after_sales.categories.{name}")) {
                e.merge(x);
            }
        }
        e.into_result(())
    }
}

/// One line of a return request as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReturnLineInput {
    /// The shipment line the goods came on.
    pub line_no: u32,
    pub quantity: i64,
}

/// A return request as entered (AFS-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    /// The delivered shipment the goods came on.
    pub shipment_id: i64,
    pub reason: ReturnReason,
    pub remedy: Remedy,
    /// What is wrong, in the customer's words.
    #[serde(default)]
    pub description: String,
    pub lines: Vec<ReturnLineInput>,
}

/// What one delivered shipment line still allows to come back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Returnable {
    pub line_no: u32,
    pub product_id: ProductId,
    pub product_name: String,
    /// Accepted by the customer at delivery.
    pub delivered: i64,
    /// Already asked for by requests that were not rejected or withdrawn.
    pub claimed: i64,
    pub unit_price: Money,
    pub policy: AfterSalesPolicy,
}

/// A checked line of a return, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnLine {
    pub line_no: u32,
    pub product_id: ProductId,
    pub product_name: String,
    pub quantity: i64,
    pub unit_price: Money,
    /// What the warehouse found, once the goods came back.
    #[serde(default)]
    pub inspection: Option<Inspection>,
}

impl ReturnLine {
    /// The line's value at the price it was sold for.
    pub fn value(&self) -> Money {
        self.unit_price.times(self.quantity)
    }
}

/// Checks a return request against what was delivered, what was already
/// asked back, and the periods of the products' categories, counted from
/// the day of delivery. Every problem is named by its field.
pub fn check_return(
    input: &ReturnInput,
    delivered_on: Date,
    today: Date,
    returnable: &[Returnable],
) -> Result<(String, Vec<ReturnLine>), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let description = e.trimmed("description", &input.description, MAX_RETURN_DESCRIPTION);
    if input.lines.is_empty() {
        e.add("lines", "required", "name at least one shipment line");
    }
    if input.lines.len() > MAX_RETURN_LINES {
        e.add(
            "lines",
            "too_many",
            format!("{} lines; at most {MAX_RETURN_LINES}", input.lines.len()),
        );
    }
    e.once_each(
        input.lines.iter().map(|l| l.line_no),
        |i| format!("lines[{i}].line_no"),
        "shipment line",
    );
    // Date minus date is a span of whole days (its largest unit).
    let days = i64::from((today - delivered_on).get_days());
    let by_line: BTreeMap<u32, &Returnable> = returnable.iter().map(|r| (r.line_no, r)).collect();
    let mut lines = Vec::new();
    for (i, l) in input.lines.iter().enumerate() {
        let field = format!("lines[{i}]");
        let Some(r) = by_line.get(&l.line_no) else {
            e.add(
                format!("{field}.line_no"),
                "unknown_reference",
                format!("the shipment has no line {}", l.line_no),
            );
            continue;
        };
        let left = (r.delivered - r.claimed).max(0);
        if l.quantity < 1 {
            e.add(
                format!("{field}.quantity"),
                "out_of_range",
                "must be at least 1",
            );
        } else if l.quantity > left {
            e.add(
                format!("{field}.quantity"),
                "above_delivered",
                format!(
                    "{} of {} is more than may come back: {} delivered, {} already asked back",
                    l.quantity, r.product_name, r.delivered, r.claimed
                ),
            );
        }
        if let Some((code, message)) = outside_period(input.reason, input.remedy, days, r.policy) {
            e.add(
                format!("{field}.line_no"),
                code,
                format!("{}: {message}", r.product_name),
            );
        }
        lines.push(ReturnLine {
            line_no: r.line_no,
            product_id: r.product_id,
            product_name: r.product_name.clone(),
            quantity: l.quantity,
            unit_price: r.unit_price,
            inspection: None,
        });
    }
    e.into_result((description, lines))
}

/// Why goods delivered `days` ago may not come back for this reason and
/// remedy, or `None` when they may.
fn outside_period(
    reason: ReturnReason,
    remedy: Remedy,
    days: i64,
    policy: AfterSalesPolicy,
) -> Option<(&'static str, String)> {
    if days <= i64::from(policy.return_days) {
        return None;
    }
    if days > i64::from(policy.warranty_days) {
        return Some((
            "past_warranty",
            format!(
                "delivered {days} days ago, past the {}-day warranty",
                policy.warranty_days
            ),
        ));
    }
    if !reason.is_fault() || remedy == Remedy::Refund {
        return Some((
            "past_return_period",
            format!(
                "delivered {days} days ago, past the {}-day return period; within the {}-day warranty only faulty goods are exchanged or repaired",
                policy.return_days, policy.warranty_days
            ),
        ));
    }
    None
}

/// What the warehouse found when one line came back: how many go back on
/// the shelf, to quarantine, or are scrapped. For a repair, the goods stay
/// the customer's and none of them enter stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Inspection {
    #[serde(default)]
    pub restock: i64,
    #[serde(default)]
    pub quarantine: i64,
    #[serde(default)]
    pub scrap: i64,
}

/// The warehouse's receipt of a return: per line, what it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReceiveInput {
    /// Keyed by the return line's shipment line number. Not needed for a
    /// repair.
    #[serde(default)]
    pub lines: BTreeMap<u32, Inspection>,
    /// Where quarantined goods go; required when any are.
    #[serde(default)]
    pub quarantine_warehouse_id: Option<crate::WarehouseId>,
    #[serde(default)]
    pub note: String,
}

/// Checks an inspection: every line of the return accounted for, each
/// unit exactly once (restock + quarantine + scrap = the line's quantity).
/// Returns the trimmed note and the lines with what was found.
pub fn check_inspection(
    remedy: Remedy,
    lines: &[ReturnLine],
    input: &ReceiveInput,
) -> Result<(Option<String>, Vec<ReturnLine>), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let note = e.optional_text("note", Some(&input.note), crate::validation::MAX_REASON);
    if remedy == Remedy::Repair {
        if !input.lines.is_empty() {
            e.add(
                "lines",
                "invalid",
                "goods for repair stay the customer's: give no restock, quarantine or scrap",
            );
        }
        return e.into_result((note, lines.to_vec()));
    }
    for no in input.lines.keys() {
        if !lines.iter().any(|l| l.line_no == *no) {
            e.add(
                format!("lines.{no}"),
                "unknown_reference",
                format!("the return has no line {no}"),
            );
        }
    }
    let mut out = Vec::new();
    for l in lines {
        let field = format!("lines.{}", l.line_no);
        let Some(i) = input.lines.get(&l.line_no) else {
            e.add(
                field,
                "required",
                format!(
                    "say what became of the {} {} that came back",
                    l.quantity, l.product_name
                ),
            );
            continue;
        };
        if i.restock < 0 || i.quarantine < 0 || i.scrap < 0 {
            e.negative(&field);
        } else if i
            .restock
            .saturating_add(i.quarantine)
            .saturating_add(i.scrap)
            != l.quantity
        {
            e.add(
                field,
                "not_balanced",
                format!(
                    "restock {} + quarantine {} + scrap {} must be the {} returned",
                    i.restock, i.quarantine, i.scrap, l.quantity
                ),
            );
        }
        out.push(ReturnLine {
            inspection: Some(*i),
            ..l.clone()
        });
    }
    if out
        .iter()
        .any(|l| l.inspection.is_some_and(|i| i.quarantine > 0))
        && input.quarantine_warehouse_id.is_none()
    {
        e.add(
            "quarantine_warehouse_id",
            "required",
            "name the warehouse that takes the quarantined goods",
        );
    }
    e.into_result((note, out))
}

/// How a refund of `returned` units of a shipment line is paid: units
/// never invoiced are taken off what is left to invoice; the rest come
/// off the line's invoices with a credit note. Returns
/// `(not_to_invoice, to_credit)`.
pub fn refund_split(
    shipped: i64,
    refused: i64,
    invoiced: i64,
    returned_before: i64,
    returned: i64,
) -> (i64, i64) {
    let uninvoiced = (shipped - refused - invoiced - returned_before).max(0);
    let off = returned.min(uninvoiced).max(0);
    (off, returned - off)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn returnable(delivered: i64, claimed: i64) -> Returnable {
        Returnable {
            line_no: 1,
            product_id: ProductId(7),
            product_name: "夹克".into(),
            delivered,
            claimed,
            unit_price: Money::yuan(100),
            policy: AfterSalesPolicy::default(),
        }
    }

    fn input(reason: ReturnReason, remedy: Remedy, qty: i64) -> ReturnInput {
        ReturnInput {
            shipment_id: 1,
            reason,
            remedy,
            description: " 拉链坏了 ".into(),
            lines: vec![ReturnLineInput {
                line_no: 1,
                quantity: qty,
            }],
        }
    }

    fn day(d: &str) -> Date {
        d.parse().unwrap()
    }

    #[test]
    fn afs_1_never_more_than_delivered_less_claimed() {
        let ok = check_return(
            &input(ReturnReason::Quality, Remedy::Refund, 3),
            day("2026-11-01"),
            day("2026-11-03"),
            &[returnable(5, 2)],
        )
        .unwrap();
        assert_eq!(ok.0, "拉链坏了");
        assert_eq!(ok.1[0].value(), Money::yuan(300));
        let e = check_return(
            &input(ReturnReason::Quality, Remedy::Refund, 4),
            day("2026-11-01"),
            day("2026-11-03"),
            &[returnable(5, 2)],
        )
        .unwrap_err();
        assert_eq!(e.errors[0].field, "lines[0].quantity");
        assert_eq!(e.errors[0].code, "above_delivered");
        let zero = check_return(
            &input(ReturnReason::Quality, Remedy::Refund, 0),
            day("2026-11-01"),
            day("2026-11-03"),
            &[returnable(5, 0)],
        )
        .unwrap_err();
        assert_eq!(zero.errors[0].code, "out_of_range");
    }

    #[test]
    fn afs_1_periods_return_then_warranty_for_faults_only() {
        let r = [returnable(5, 0)];
        let delivered = day("2026-01-10");
        // Day 7: anything goes.
        assert!(
            check_return(
                &input(ReturnReason::ChangedMind, Remedy::Refund, 1),
                delivered,
                day("2026-01-17"),
                &r
            )
            .is_ok()
        );
        // Day 8: a change of mind is too late; a fault is exchanged.
        let late = check_return(
            &input(ReturnReason::ChangedMind, Remedy::Exchange, 1),
            delivered,
            day("2026-01-18"),
            &r,
        )
        .unwrap_err();
        assert_eq!(late.errors[0].code, "past_return_period");
        let refund = check_return(
            &input(ReturnReason::Quality, Remedy::Refund, 1),
            delivered,
            day("2026-01-18"),
            &r,
        )
        .unwrap_err();
        assert_eq!(refund.errors[0].code, "past_return_period");
        assert!(
            check_return(
                &input(ReturnReason::Quality, Remedy::Repair, 1),
                delivered,
                day("2026-06-18"),
                &r
            )
            .is_ok()
        );
        // Past the year of warranty: nothing.
        let gone = check_return(
            &input(ReturnReason::Quality, Remedy::Repair, 1),
            delivered,
            day("2027-01-11"),
            &r,
        )
        .unwrap_err();
        assert_eq!(gone.errors[0].code, "past_warranty");
    }

    #[test]
    fn afs_1_lines_named_once_and_known() {
        let mut i = input(ReturnReason::Quality, Remedy::Refund, 1);
        i.lines.push(ReturnLineInput {
            line_no: 1,
            quantity: 1,
        });
        i.lines.push(ReturnLineInput {
            line_no: 9,
            quantity: 1,
        });
        let e = check_return(
            &i,
            day("2026-11-01"),
            day("2026-11-02"),
            &[returnable(5, 0)],
        )
        .unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|x| x.field.as_str()).collect();
        assert!(fields.contains(&"lines[1].line_no"), "{fields:?}");
        assert!(fields.contains(&"lines[2].line_no"), "{fields:?}");
    }

    #[test]
    fn afs_1_inspection_accounts_for_every_unit() {
        let lines = check_return(
            &input(ReturnReason::Quality, Remedy::Refund, 3),
            day("2026-11-01"),
            day("2026-11-02"),
            &[returnable(5, 0)],
        )
        .unwrap()
        .1;
        let mut rx = ReceiveInput {
            lines: BTreeMap::from([(
                1,
                Inspection {
                    restock: 1,
                    quarantine: 0,
                    scrap: 1,
                },
            )]),
            quarantine_warehouse_id: None,
            note: String::new(),
        };
        let e = check_inspection(Remedy::Refund, &lines, &rx).unwrap_err();
        assert_eq!(e.errors[0].code, "not_balanced");
        rx.lines.insert(
            1,
            Inspection {
                restock: 1,
                quarantine: 1,
                scrap: 1,
            },
        );
        let e = check_inspection(Remedy::Refund, &lines, &rx).unwrap_err();
        assert_eq!(e.errors[0].field, "quarantine_warehouse_id");
        rx.quarantine_warehouse_id = Some(crate::WarehouseId(2));
        let ok = check_inspection(Remedy::Refund, &lines, &rx).unwrap().1;
        assert_eq!(ok[0].inspection.unwrap().scrap, 1);
        // A repair takes no dispositions.
        assert!(check_inspection(Remedy::Repair, &lines, &rx).is_err());
    }

    #[test]
    fn afs_1_steps_follow_the_status() {
        use ReturnStatus::*;
        assert_eq!(Requested.after(ReturnStep::Approve), Some(Approved));
        assert_eq!(Requested.after(ReturnStep::Receive), None);
        assert_eq!(Approved.after(ReturnStep::Receive), Some(Received));
        assert_eq!(Received.after(ReturnStep::Complete), Some(Closed));
        assert_eq!(Closed.after(ReturnStep::Cancel), None);
        assert_eq!(Rejected.after(ReturnStep::Approve), None);
    }

    #[test]
    fn afs_1_refund_takes_uninvoiced_units_first() {
        // 10 shipped, 1 refused, 4 invoiced: 5 never invoiced.
        assert_eq!(refund_split(10, 1, 4, 0, 3), (3, 0));
        assert_eq!(refund_split(10, 1, 4, 3, 3), (2, 1));
        assert_eq!(refund_split(10, 0, 10, 0, 2), (0, 2));
    }

    #[test]
    fn afs_1_policy_bounds() {
        assert!(AfterSalesPolicy::default().check("policy").is_ok());
        let e = AfterSalesPolicy {
            return_days: 30,
            warranty_days: 7,
        }
        .check("policy")
        .unwrap_err();
        assert_eq!(e.errors[0].field, "policy.warranty_days");
        assert!(
            AfterSalesPolicy {
                return_days: 7,
                warranty_days: 4000
            }
            .check("p")
            .is_err()
        );
    }
}

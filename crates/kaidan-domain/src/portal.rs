//! The customer portal's own rules (INT-2, SEC-1, ORD-5; issue 18): how
//! much of a product a customer may be told is available, and which of the
//! company's events become notices in the customer's inbox, with their
//! wording in Chinese and English.

use serde::Serialize;

use crate::orders::company_time_zone;

/// What a customer is told about a product's stock: never the figure
/// (SEC-4), only whether the quantity it wants can ship from stock.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    /// All of it is in stock now.
    InStock,
    /// Some of it is; the rest is backordered.
    Partly,
    /// None is; all of it waits for goods to arrive.
    OnOrder,
}

impl Availability {
    /// For `wanted` units (at least one is assumed) when `available` are
    /// free to reserve across the warehouses.
    pub fn of(available: i64, wanted: i64) -> Availability {
        let wanted = wanted.max(1);
        if available >= wanted {
            Availability::InStock
        } else if available > 0 {
            Availability::Partly
        } else {
            Availability::OnOrder
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Availability::InStock => "in_stock",
            Availability::Partly => "partly",
            Availability::OnOrder => "on_order",
        }
    }

    pub fn label(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Availability::InStock, true) => "有货",
            (Availability::Partly, true) => "部分有货",
            (Availability::OnOrder, true) => "需订货",
            (Availability::InStock, false) => "In stock",
            (Availability::Partly, false) => "Partly in stock",
            (Availability::OnOrder, false) => "On order",
        }
    }
}

/// The events a customer is told of in its inbox (ORD-5 confirmations,
/// CHG-2 changes, SHP-2 shipments and tracking, ALC-5 locks, FIN-1..4
/// invoices, receipts and dunning), with the notice's heading. Only
/// events of the customer's own records reach its inbox; which record an
/// event concerns is the store's to say.
const NOTICES: &[(&str, &str, &str)] = &[
    ("order.confirmation", "订单确认", "Order confirmed"),
    ("order.rejected", "订单未通过审核", "Order rejected"),
    ("order.cancelled", "订单已取消", "Order cancelled"),
    (
        "order.credit_hold",
        "订单待信用审核",
        "Order on credit hold",
    ),
    ("order.change_requested", "订单变更申请", "Change requested"),
    ("order.change_decision", "订单变更结果", "Change decided"),
    ("order.shipped", "订单已发货", "Order shipped"),
    ("order.tracking", "物流更新", "Tracking update"),
    ("order.delivered", "订单已签收", "Order delivered"),
    (
        "allocation.locked",
        "货品已锁定,待付款",
        "Goods locked for payment",
    ),
    ("allocation.lock_expired", "锁定已过期", "Lock expired"),
    ("invoice.issued", "发票已开具", "Invoice issued"),
    ("invoice.credited", "红字发票", "Credit note"),
    ("receipt.verified", "付款已确认", "Payment confirmed"),
    ("receipt.rejected", "付款未通过核实", "Payment not accepted"),
    ("receipt.reversed", "付款已冲回", "Payment reversed"),
    ("dunning.raised", "催款通知", "Payment reminder"),
];

/// The longest topic the inbox keeps (the outbox's topics are shorter).
pub const MAX_NOTICE_TOPIC: usize = 64;

/// Whether an event of `topic` becomes a notice in its customer's inbox.
pub fn notifies(topic: &str) -> bool {
    NOTICES.iter().any(|(t, _, _)| *t == topic)
}

/// The topics that become notices, for the documentation and the tests.
pub fn notice_topics() -> impl Iterator<Item = &'static str> {
    NOTICES.iter().map(|(t, _, _)| *t)
}

/// A notice's heading in the reader's language; an unknown topic (written
/// by a newer version) is shown as itself.
pub fn notice_heading(topic: &str, zh: bool) -> String {
    NOTICES
        .iter()
        .find(|(t, _, _)| *t == topic)
        .map(|(_, z, e)| if zh { *z } else { *e })
        .unwrap_or(topic)
        .to_string()
}

/// The line under a notice's heading: the facts of its payload a customer
/// needs (numbers, dates, amounts, tracking), in the reader's language.
/// Fields the customer may not see (cost, stock) are never in a notifying
/// event's payload; this picks only the named ones.
pub fn notice_detail(topic: &str, data: &serde_json::Value, zh: bool) -> String {
    let text = |k: &str| -> Option<String> {
        match data.get(k)? {
            // A moment (a promised shipping time) is told as the company's
            // calendar day it falls on.
            serde_json::Value::String(s) if s.parse::<jiff::Timestamp>().is_ok() => s
                .parse::<jiff::Timestamp>()
                .ok()
                .map(|t| t.to_zoned(company_time_zone()).date().to_string()),
            serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let pick = |zh_label: &str, en_label: &str, k: &str| {
        text(k).map(|v| format!("{}{}", if zh { zh_label } else { en_label }, v))
    };
    let parts: Vec<Option<String>> = match topic {
        "order.confirmation" => vec![
            pick("订单 ", "Order ", "number"),
            pick("金额 ¥", "amount ¥", "amount"),
            pick("承诺发货 ", "ships by ", "promised_ship_by"),
        ],
        "order.shipped" => vec![
            pick("订单 ", "Order ", "order_number"),
            pick("承运 ", "carrier ", "carrier"),
            pick("运单号 ", "tracking no. ", "tracking_no"),
            pick("预计到达 ", "ETA ", "eta"),
        ],
        "order.tracking" => vec![
            pick("运单号 ", "tracking no. ", "tracking_no"),
            pick("", "", "tracking_status"),
            pick("", "", "location"),
        ],
        "order.delivered" => vec![pick("签收人 ", "signed by ", "signed_by")],
        "order.rejected" | "order.cancelled" => vec![pick("原因 ", "reason ", "reason")],
        "allocation.locked" => vec![
            pick("金额 ¥", "amount ¥", "amount"),
            pick("请于 ", "pay by ", "expires_on"),
        ],
        "invoice.issued" | "invoice.credited" => vec![
            pick("发票 ", "Invoice ", "number"),
            pick("金额 ¥", "amount ¥", "amount"),
            pick("到期 ", "due ", "due_date"),
        ],
        "receipt.verified" | "receipt.rejected" | "receipt.reversed" => vec![
            pick("收款 ", "Receipt ", "number"),
            pick("金额 ¥", "amount ¥", "amount"),
            pick("原因 ", "reason ", "reason"),
        ],
        "dunning.raised" => vec![
            pick("逾期 ¥", "overdue ¥", "overdue"),
            pick("最长逾期天数 ", "oldest days ", "oldest_days"),
        ],
        _ => Vec::new(),
    };
    parts.into_iter().flatten().collect::<Vec<_>>().join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_2_availability_is_a_level_never_a_figure() {
        assert_eq!(Availability::of(10, 4), Availability::InStock);
        assert_eq!(Availability::of(4, 4), Availability::InStock);
        assert_eq!(Availability::of(3, 4), Availability::Partly);
        assert_eq!(Availability::of(0, 4), Availability::OnOrder);
        assert_eq!(Availability::of(-2, 4), Availability::OnOrder);
        // Asking for nothing is asking for one.
        assert_eq!(Availability::of(1, 0), Availability::InStock);
        assert_eq!(Availability::of(0, 0), Availability::OnOrder);
    }

    #[test]
    fn ord_5_confirmations_changes_shipments_locks_and_invoices_notify() {
        for t in [
            "order.confirmation",
            "order.change_decision",
            "order.shipped",
            "allocation.locked",
            "invoice.issued",
            "dunning.raised",
        ] {
            assert!(notifies(t), "{t}");
        }
        // Internal steps and the twin of a notifying event do not.
        for t in [
            "order.pick_list",
            "shipment.shipped",
            "po.sent",
            "order.reviewed",
        ] {
            assert!(!notifies(t), "{t}");
        }
        assert_eq!(notice_heading("order.shipped", true), "订单已发货");
        assert_eq!(notice_heading("order.shipped", false), "Order shipped");
        assert_eq!(notice_heading("x.y", true), "x.y");
    }

    #[test]
    fn ord_5_a_notice_names_its_numbers_and_leaves_out_the_rest() {
        let data = serde_json::json!({
            "order_number": "SO-1", "carrier": "顺丰", "tracking_no": "SF1", "charged": "99.00",
        });
        assert_eq!(
            notice_detail("order.shipped", &data, true),
            "订单 SO-1 · 承运 顺丰 · 运单号 SF1"
        );
        assert_eq!(
            notice_detail("order.shipped", &data, false),
            "Order SO-1 · carrier 顺丰 · tracking no. SF1"
        );
        assert_eq!(notice_detail("order.pick_list", &data, true), "");
        let confirmed = serde_json::json!({"number": "SO-2", "promised_ship_by": "2026-12-09T15:59:59.999999Z"});
        assert_eq!(
            notice_detail("order.confirmation", &confirmed, true),
            "订单 SO-2 · 承诺发货 2026-12-09"
        );
    }
}

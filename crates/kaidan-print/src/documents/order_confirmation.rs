//! 订单确认书, the order confirmation (DOC-1): the order's lines with
//! their prices, tax rates and amounts, the totals with and without VAT,
//! the requested delivery date and the payment terms.

use kaidan_app::orders::OrderView;
use kaidan_domain::master::CustomerData;

use super::{both, method_label, party, terms_label};
use crate::model::{Align, Column, Company, PrintDocument, Table};

/// What the order confirmation is printed from.
#[derive(Debug, Clone, Copy)]
pub struct OrderConfirmation<'a> {
    pub order: &'a OrderView,
    /// The customer's record, when the reader may see it.
    pub customer: Option<&'a CustomerData>,
}

/// The order confirmation of `input.order`, issued by `company`.
pub fn order_confirmation(company: &Company, input: OrderConfirmation<'_>) -> PrintDocument {
    let o = input.order;
    let d = &o.content;
    let number = o
        .number
        .clone()
        .unwrap_or_else(|| format!("ORDER-{}", o.id));
    let mut meta = vec![
        (both("订单日期", "Order date"), d.order_date.to_string()),
        (
            both("要求交货", "Delivery by"),
            d.requested_delivery_date
                .map(|x| x.to_string())
                .unwrap_or_else(|| both("尽快", "As soon as possible")),
        ),
        (
            both("付款条件", "Terms"),
            terms_label(d.payment_terms, input.customer.and_then(|c| c.net_days)),
        ),
        (both("付款方式", "Payment"), method_label(d.payment_method)),
        (
            both("订单状态", "Status"),
            format!("{} {}", o.status_zh, o.status.as_str()),
        ),
    ];
    if let Some(r) = d.customer_reference.as_ref().filter(|r| !r.is_empty()) {
        meta.push((both("客户单号", "Your ref."), r.clone()));
    }
    let contact = [d.contact_name.as_deref(), d.contact_phone.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let rows = d
        .lines
        .iter()
        .map(|l| {
            vec![
                l.line_no.to_string(),
                l.sku.clone(),
                if l.spec.is_empty() {
                    l.name.clone()
                } else {
                    format!("{} {}", l.name, l.spec)
                },
                l.unit.clone(),
                l.quantity.to_string(),
                l.unit_price.to_string(),
                l.tax_rate.to_string(),
                l.amount.to_string(),
            ]
        })
        .collect();
    let t = &d.totals;
    let mut notes = vec![
        "单价与金额均含增值税（人民币元）。Prices and amounts in CNY, VAT included.".to_string(),
    ];
    if let Some(n) = d.notes.as_ref().filter(|n| !n.trim().is_empty()) {
        notes.push(format!("备注 Notes：{n}"));
    }
    PrintDocument {
        company: company.clone(),
        title: "订单确认书".into(),
        subtitle: "Order confirmation".into(),
        number,
        meta,
        party: Some(party(
            &both("购货单位", "Buyer"),
            o.customer_id.get(),
            input.customer,
            &d.delivery_address,
            contact,
        )),
        table: Table {
            columns: vec![
                Column::new("行 No.", Align::Right, 0.6),
                Column::new("编码 Code", Align::Left, 1.8),
                Column::new("品名规格 Product", Align::Left, 2.8),
                Column::new("单位 Unit", Align::Center, 0.7),
                Column::new("数量 Qty", Align::Right, 0.8),
                Column::new("单价 Unit price", Align::Right, 1.1),
                Column::new("税率 VAT", Align::Right, 0.7),
                Column::new("金额 Amount", Align::Right, 1.2),
            ],
            rows,
        },
        totals: vec![
            (both("数量合计", "Total quantity"), t.quantity.to_string()),
            (both("不含税金额", "Net"), t.net.to_string()),
            (both("税额", "VAT"), t.tax.to_string()),
            (both("价税合计", "Total"), format!("¥{}", t.amount)),
        ],
        notes,
        signatures: vec![
            both("客户确认（签字盖章）", "Confirmed by"),
            both("日期", "Date"),
        ],
    }
}

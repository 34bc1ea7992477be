//! 发货单, the delivery note (DOC-1, SHP-2): what left the warehouse on one
//! shipment, with carrier, tracking number and packages, and the line the
//! consignee signs.

use std::collections::HashMap;

use kaidan_app::orders::OrderView;
use kaidan_app::ports::ShipmentRow;
use kaidan_domain::ProductId;
use kaidan_domain::master::CustomerData;

use super::{both, local_minute, party};
use crate::model::{Align, Column, Company, PrintDocument, Table};

/// What the delivery note is printed from.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryNote<'a> {
    pub shipment: &'a ShipmentRow,
    /// The order, when the reader may see it: names, specs, units and the
    /// delivery address of the lines.
    pub order: Option<&'a OrderView>,
    pub customer: Option<&'a CustomerData>,
    /// SKU and name by product, for lines the order does not name.
    pub products: &'a HashMap<ProductId, (String, String)>,
}

/// The delivery note of `input.shipment`, issued by `company`.
pub fn delivery_note(company: &Company, input: DeliveryNote<'_>) -> PrintDocument {
    let s = input.shipment;
    let order_lines: HashMap<u32, _> = input
        .order
        .map(|o| o.content.lines.iter().map(|l| (l.line_no, l)).collect())
        .unwrap_or_default();
    let delivered = s.delivered_at.is_some();
    let mut meta = vec![
        (
            both("订单号", "Order"),
            s.order_number.clone().unwrap_or_default(),
        ),
        (both("发货时间", "Shipped"), local_minute(s.shipped_at)),
        (both("承运商", "Carrier"), s.carrier.clone()),
        (both("运单号", "Tracking no."), s.tracking_no.clone()),
        (both("件数", "Packages"), s.packages.to_string()),
        (both("预计到达", "ETA"), s.eta.to_string()),
    ];
    if let (Some(at), Some(by)) = (s.delivered_at, s.signed_by.as_ref()) {
        meta.push((
            both("签收", "Delivered"),
            format!("{} {by}", local_minute(at)),
        ));
    }
    let mut columns = vec![
        Column::new("行 No.", Align::Right, 0.6),
        Column::new("编码 Code", Align::Left, 1.8),
        Column::new("品名规格 Product", Align::Left, 3.0),
        Column::new("单位 Unit", Align::Center, 0.7),
        Column::new("发货数量 Shipped", Align::Right, 1.1),
    ];
    if delivered {
        columns.push(Column::new("实收 Accepted", Align::Right, 1.0));
        columns.push(Column::new("拒收 Refused", Align::Right, 1.0));
    }
    let rows = s
        .lines
        .iter()
        .map(|l| {
            let (sku, name, unit) = match order_lines.get(&l.line_no) {
                Some(o) if o.product_id == l.product_id => (
                    o.sku.clone(),
                    if o.spec.is_empty() {
                        o.name.clone()
                    } else {
                        format!("{} {}", o.name, o.spec)
                    },
                    o.unit.clone(),
                ),
                _ => match input.products.get(&l.product_id) {
                    Some((sku, name)) => (sku.clone(), name.clone(), String::new()),
                    None => (format!("#{}", l.product_id), String::new(), String::new()),
                },
            };
            let mut row = vec![
                l.line_no.to_string(),
                sku,
                name,
                unit,
                l.quantity.to_string(),
            ];
            if delivered {
                row.push(l.accepted.map(|q| q.to_string()).unwrap_or_default());
                let refused = match (l.refused, &l.reason) {
                    (Some(q), Some(r)) if q > 0 && !r.is_empty() => format!("{q}（{r}）"),
                    (Some(q), _) => q.to_string(),
                    _ => String::new(),
                };
                row.push(refused);
            }
            row
        })
        .collect();
    let quantity: i64 = s.lines.iter().map(|l| l.quantity).sum();
    let address = input
        .order
        .map(|o| o.content.delivery_address.clone())
        .unwrap_or_default();
    let contact = input
        .order
        .map(|o| {
            [
                o.content.contact_name.as_deref(),
                o.content.contact_phone.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
        })
        .unwrap_or_default();
    let mut notes = vec![
        "请当面点清件数与数量，如有破损或短少请在签收时注明。Please check packages and quantities on receipt and note any damage or shortage when signing.".to_string(),
    ];
    if let Some(n) = s.delivery_note.as_ref().filter(|n| !n.trim().is_empty()) {
        notes.push(format!("签收备注 Delivery note：{n}"));
    }
    PrintDocument {
        company: company.clone(),
        title: "发货单".into(),
        subtitle: "Delivery note".into(),
        number: s.number.clone(),
        meta,
        party: Some(party(
            &both("收货单位", "Consignee"),
            s.customer_id.get(),
            input.customer,
            &address,
            contact,
        )),
        table: Table { columns, rows },
        totals: vec![
            (both("件数", "Packages"), s.packages.to_string()),
            (both("发货数量合计", "Total shipped"), quantity.to_string()),
        ],
        notes,
        signatures: vec![both("收货人签收", "Received by"), both("签收日期", "Date")],
    }
}

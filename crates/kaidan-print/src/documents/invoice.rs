//! 销售发票 and 红字发票, the invoice and the credit note (DOC-1, FIN-1): the
//! goods invoiced with their price, rate and tax exactly as the order line
//! had them, the totals with the amount in Chinese capitals, what is paid
//! and open. The official fapiao is issued in the tax system; this is the
//! company's invoice document (销货清单) that goes with it.

use kaidan_app::finance::InvoiceView;
use kaidan_domain::Money;
use kaidan_domain::finance::InvoiceDocKind;

use super::both;
use crate::model::{Align, Column, Company, Party, PrintDocument, Table};

/// The invoice or credit note of `v`, issued by `company`.
pub fn invoice(company: &Company, v: &InvoiceView) -> PrintDocument {
    let i = &v.invoice;
    let credit = i.kind == InvoiceDocKind::CreditNote;
    let mut meta = vec![
        (both("开票日期", "Date"), i.invoice_date.to_string()),
        (
            both("发票种类", "Fapiao kind"),
            i.fapiao_kind.label_zh().to_string(),
        ),
    ];
    if !credit {
        meta.push((both("到期日", "Due"), i.due_date.to_string()));
    }
    if let Some(n) = &i.fapiao_number {
        meta.push((
            both("发票号码", "Fapiao no."),
            format!("{n} {}", i.fapiao_code.clone().unwrap_or_default()),
        ));
    }
    if credit {
        if let Some(of) = v.related.first() {
            meta.push((both("原发票", "Corrects"), of.number.clone()));
        }
        if let Some(r) = i.credit_reason {
            meta.push((
                both("红字原因", "Reason"),
                format!("{} {}", r.label_zh(), i.note.clone().unwrap_or_default()),
            ));
        }
    }
    let rows = i
        .lines
        .iter()
        .map(|l| {
            vec![
                l.line_no.to_string(),
                l.order_number.clone(),
                l.sku.clone(),
                l.product_name.clone(),
                if l.quantity > 0 {
                    l.quantity.to_string()
                } else {
                    String::new()
                },
                l.unit_price.to_string(),
                format!("{}%", rate_percent(l.tax_rate.basis_points())),
                l.amount.round_to_fen().to_string(),
                l.tax.to_string(),
            ]
        })
        .collect();
    let table = Table {
        columns: vec![
            Column::new("行 No.", Align::Right, 0.5),
            Column::new("订单号 Order", Align::Left, 1.9),
            Column::new("编码 Code", Align::Left, 1.3),
            Column::new("品名 Product", Align::Left, 2.2),
            Column::new("数量 Qty", Align::Right, 0.8),
            Column::new("单价 Price", Align::Right, 1.0),
            Column::new("税率 Rate", Align::Right, 0.7),
            Column::new("金额(含税) Amount", Align::Right, 1.3),
            Column::new("税额 Tax", Align::Right, 1.0),
        ],
        rows,
    };
    let sign = if credit { "-" } else { "" };
    let mut totals = vec![
        (both("不含税金额", "Net"), format!("{sign}{}", fen(i.net))),
        (both("税额", "VAT"), format!("{sign}{}", fen(i.tax))),
        (
            both("价税合计", "Total"),
            format!("{sign}{}", fen(i.amount)),
        ),
        (
            both("大写", "In words"),
            format!(
                "{}{}",
                if credit { "负" } else { "" },
                rmb_in_words(i.amount)
            ),
        ),
    ];
    if !credit {
        if i.credited.is_positive() {
            totals.push((both("红字冲减", "Credited"), fen(i.credited)));
        }
        totals.push((both("已收款", "Paid"), fen(i.paid)));
        totals.push((both("未收款", "Open"), fen(v.open)));
    }
    let mut notes = vec![
        "本单为销货清单,增值税发票以税务系统开具为准。This list accompanies the official fapiao issued in the tax system."
            .to_string(),
    ];
    if !credit {
        notes.push(format!(
            "请于 {} 前付款,汇款时请注明发票号 {}。Please pay by {} quoting {}.",
            i.due_date, i.number, i.due_date, i.number
        ));
    }
    PrintDocument {
        company: company.clone(),
        title: if credit {
            "红字发票".into()
        } else {
            "销售发票".into()
        },
        subtitle: if credit {
            "Credit note".into()
        } else {
            "Invoice".into()
        },
        number: i.number.clone(),
        meta,
        party: Some(Party {
            label: both("购货单位", "Buyer"),
            name: format!("{} {}", v.customer_code, i.buyer.name),
            address: i.buyer.address.clone().unwrap_or_default(),
            tax_number: i.buyer.tax_number.clone().unwrap_or_default(),
            contact: i.buyer.bank.clone().unwrap_or_default(),
        }),
        table,
        totals,
        notes,
        signatures: vec![
            both("开票人", "Issued by"),
            both("复核", "Checked by"),
            both("购货单位签收", "Received by"),
        ],
    }
}

fn fen(m: Money) -> String {
    format!("{:.2}", m.round_to_fen().decimal())
}

fn rate_percent(bp: i64) -> String {
    if bp % 100 == 0 {
        (bp / 100).to_string()
    } else {
        format!("{}.{:02}", bp / 100, bp % 100)
            .trim_end_matches('0')
            .to_string()
    }
}

/// An amount in Chinese financial capitals (人民币大写), as invoices and
/// receipts write it: 壹仟贰佰叁拾肆元伍角陆分, 整 when there are no fen.
pub fn rmb_in_words(m: Money) -> String {
    const DIGITS: [&str; 10] = ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"];
    const SMALL: [&str; 4] = ["", "拾", "佰", "仟"];
    const BIG: [&str; 4] = ["", "万", "亿", "万亿"];
    let fen_total = m.round_to_fen().units().unsigned_abs() / 100;
    let yuan = fen_total / 100;
    let jiao = (fen_total / 10) % 10;
    let fen = fen_total % 10;
    let mut out = String::from("人民币");
    if yuan > 0 {
        let mut groups = Vec::new();
        let mut y = yuan;
        while y > 0 {
            groups.push(y % 10_000);
            y /= 10_000;
        }
        let mut zero = false;
        for (gi, g) in groups.iter().enumerate().rev() {
            if *g == 0 {
                zero = true;
                continue;
            }
            if zero || (gi + 1 < groups.len() && *g < 1000) {
                out.push_str(DIGITS[0]);
            }
            zero = false;
            let mut inner_zero = false;
            for pos in (0..4).rev() {
                let d = (g / 10u64.pow(pos as u32)) % 10;
                if d == 0 {
                    inner_zero = true;
                    continue;
                }
                if inner_zero && !out.ends_with('零') && !out.ends_with("人民币") {
                    out.push_str(DIGITS[0]);
                }
                inner_zero = false;
                out.push_str(DIGITS[d as usize]);
                out.push_str(SMALL[pos]);
            }
            out.push_str(BIG[gi.min(3)]);
        }
        out.push('元');
    }
    if jiao == 0 && fen == 0 {
        if yuan == 0 {
            out.push_str("零元");
        }
        out.push('整');
        return out;
    }
    if jiao > 0 {
        out.push_str(DIGITS[jiao as usize]);
        out.push('角');
    } else if yuan > 0 {
        out.push_str(DIGITS[0]);
    }
    if fen > 0 {
        out.push_str(DIGITS[fen as usize]);
        out.push('分');
    } else {
        out.push('整');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_1_amounts_in_chinese_capitals() {
        let w = |s: &str| rmb_in_words(s.parse().unwrap());
        assert_eq!(w("1234.56"), "人民币壹仟贰佰叁拾肆元伍角陆分");
        assert_eq!(w("298.5"), "人民币贰佰玖拾捌元伍角整");
        assert_eq!(w("100"), "人民币壹佰元整");
        assert_eq!(w("1005.07"), "人民币壹仟零伍元零柒分");
        assert_eq!(w("100000"), "人民币壹拾万元整");
        assert_eq!(w("10010000"), "人民币壹仟零壹万元整");
        assert_eq!(w("0.5"), "人民币伍角整");
        assert_eq!(w("0"), "人民币零元整");
    }
}

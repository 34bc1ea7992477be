//! 对账单, the statement of account (DOC-1, FIN-4): a customer's month from
//! the opening to the closing balance, every invoice, credit note, receipt
//! and reversal with the running balance, the ageing of what is open on the
//! month's last day, and the box where the customer confirms it.

use kaidan_domain::Money;
use kaidan_domain::finance::{Statement, StatementEntryKind};

use super::both;
use crate::model::{Align, Column, Company, Party, PrintDocument, Table};

fn kind_label(k: StatementEntryKind) -> String {
    match k {
        StatementEntryKind::Invoice => both("发票", "Invoice"),
        StatementEntryKind::CreditNote => both("红字发票", "Credit note"),
        StatementEntryKind::Receipt => both("收款", "Receipt"),
        StatementEntryKind::Reversal => both("收款冲销", "Reversal"),
    }
}

fn fen(m: Money) -> String {
    format!("{:.2}", m.round_to_fen().decimal())
}

/// The statement `s` of a customer, issued by `company`.
pub fn statement(company: &Company, s: &Statement) -> PrintDocument {
    let rows = s
        .entries
        .iter()
        .map(|e| {
            let signed = if e.kind.sign() < 0 {
                -e.amount
            } else {
                e.amount
            };
            vec![
                e.date.to_string(),
                kind_label(e.kind),
                e.number.clone(),
                fen(signed),
                fen(e.balance),
            ]
        })
        .collect();
    let table = Table {
        columns: vec![
            Column::new("日期 Date", Align::Left, 1.2),
            Column::new("类型 Kind", Align::Left, 1.6),
            Column::new("单号 Document", Align::Left, 2.0),
            Column::new("金额 Amount", Align::Right, 1.3),
            Column::new("余额 Balance", Align::Right, 1.3),
        ],
        rows,
    };
    let m = &s.movements;
    let mut totals = vec![
        (both("期初余额", "Opening"), fen(s.opening)),
        (both("本期开票", "Invoiced"), fen(m.invoiced)),
        (both("本期红字", "Credited"), fen(-m.credited)),
        (both("本期收款", "Received"), fen(-m.received)),
    ];
    if m.reversed.is_positive() {
        totals.push((both("收款冲销", "Reversed"), fen(m.reversed)));
    }
    totals.push((both("期末余额", "Closing"), fen(s.closing)));
    let ageing = s
        .ageing
        .columns
        .iter()
        .zip(&s.ageing.totals.buckets)
        .map(|(c, b)| {
            let label = if c == "not_due" {
                "未到期".to_string()
            } else {
                format!("{c} 天")
            };
            format!("{label} {}", fen(*b))
        })
        .collect::<Vec<_>>()
        .join(" · ");
    let mut notes = vec![
        format!("账龄(截至 {}): {ageing}", s.ageing.as_of),
        "请核对上述往来明细,如无异议请签字盖章后回传;如有差异请注明并联系我司财务部。Please check, sign and return; note any difference."
            .to_string(),
    ];
    if let Some(c) = &s.confirmation {
        notes.push(format!(
            "客户已{}: {}",
            if c.status == kaidan_domain::finance::ConfirmationStatus::Confirmed {
                "确认"
            } else {
                "提出异议"
            },
            c.note.clone().unwrap_or_default()
        ));
    }
    PrintDocument {
        company: company.clone(),
        title: "对账单".into(),
        subtitle: "Statement of account".into(),
        number: format!("ST-{}-{}", s.period, s.customer_id),
        meta: vec![
            (both("对账期间", "Period"), s.period.to_string()),
            (both("截止日期", "As of"), s.ageing.as_of.to_string()),
        ],
        party: Some(Party {
            label: both("客户", "Customer"),
            name: s.customer.clone(),
            address: String::new(),
            tax_number: String::new(),
            contact: String::new(),
        }),
        table,
        totals,
        notes,
        signatures: vec![both("客户确认(盖章)", "Confirmed by"), both("日期", "Date")],
    }
}

//! 销售合同, the sales contract (CON-1, DOC-1): the parties, the products
//! with their specifications, quantities and prices, the amount in Chinese
//! capitals, and seed 001's clauses in order — quality, payment and its
//! instalments, delivery, after-sales and warranty, liability for breach
//! with the late-payment interest, dispute resolution, the collection
//! period — then the signed supplementary agreements and the signatures.

use std::collections::HashMap;

use kaidan_app::contracts::ContractView;
use kaidan_domain::ProductId;
use kaidan_domain::contracts::{ContractStatus, Dispute, SupplementStatus};
use kaidan_domain::master::CustomerData;

use super::{both, party, rmb_in_words};
use crate::model::{Align, Column, Company, PrintDocument, Table};

/// What the contract prints: the view, the buyer's record if the reader
/// may see it, and each product's code and name.
pub struct ContractPrint<'a> {
    pub view: &'a ContractView,
    pub customer: Option<&'a CustomerData>,
    pub products: &'a HashMap<ProductId, (String, String)>,
}

/// The chinese ordinal of a clause: 第一条 … 第十二条.
fn clause_no(n: usize) -> String {
    const DIGITS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let tens = match n / 10 {
        0 => String::new(),
        1 => "十".to_string(),
        t => format!("{}十", DIGITS[t % 10]),
    };
    format!("第{tens}{}条", DIGITS[n % 10])
}

/// The contract of `p`, issued by `company` as the seller.
pub fn contract(company: &Company, p: ContractPrint<'_>) -> PrintDocument {
    let c = &p.view.contract;
    let t = &c.terms;
    let mut meta = vec![
        (both("合同名称", "Title"), t.title.clone()),
        (
            both("状态", "Status"),
            match c.status {
                ContractStatus::Draft | ContractStatus::InReview => {
                    format!("{} (未经审批,不得签署 not approved)", c.status.label_zh())
                }
                s => s.label_zh().to_string(),
            },
        ),
        (
            both("条款版本", "Terms version"),
            c.terms_version.to_string(),
        ),
    ];
    if let Some(d) = c.signed_on {
        meta.push((both("签订日期", "Signed"), d.to_string()));
    }
    if let (Some(s), Some(e)) = (t.starts_on, t.ends_on) {
        meta.push((both("合同期限", "Term"), format!("{s} — {e}")));
    }
    let rows = t
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let (sku, name) = p
                .products
                .get(&l.product_id)
                .cloned()
                .unwrap_or_else(|| (format!("#{}", l.product_id), String::new()));
            vec![
                (i + 1).to_string(),
                sku,
                name,
                l.spec.clone(),
                l.quantity.to_string(),
                l.unit_price.to_string(),
                l.unit_price.times(l.quantity).round_to_fen().to_string(),
            ]
        })
        .collect();
    let table = Table {
        columns: vec![
            Column::new("行 No.", Align::Right, 0.5),
            Column::new("编码 Code", Align::Left, 1.2),
            Column::new("品名 Product", Align::Left, 2.2),
            Column::new("规格 Spec", Align::Left, 1.4),
            Column::new("数量 Qty", Align::Right, 0.9),
            Column::new("单价(含税) Price", Align::Right, 1.2),
            Column::new("金额 Amount", Align::Right, 1.3),
        ],
        rows,
    };
    let amount = c.amount.round_to_fen();
    let totals = vec![
        (both("合同总金额", "Amount"), amount.to_string()),
        (both("大写", "In words"), rmb_in_words(amount)),
    ];
    let instalments = if t.instalments.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = t
            .instalments
            .iter()
            .map(|i| format!("签订后{}天内付{}%", i.due_days, i.percent))
            .collect();
        format!(" 分期付款:{}。", parts.join(";"))
    };
    let dispute = match t.dispute {
        Dispute::Arbitration => format!(
            "协商不成的,提交{}仲裁,仲裁裁决为终局裁决。",
            t.dispute_venue
        ),
        Dispute::Court => format!("协商不成的,向{}提起诉讼。", t.dispute_venue),
    };
    let interest = if t.late_interest_bp > 0 {
        format!(
            " 逾期付款的,按逾期金额每日万分之{}计付违约金。",
            t.late_interest_bp
        )
    } else {
        String::new()
    };
    let clauses = [
        ("产品质量标准", t.quality_standard.clone()),
        ("付款方式", format!("{}{instalments}", t.payment_terms)),
        ("交货", t.delivery_terms.clone()),
        ("售后服务与质量保证", t.after_sales.clone()),
        ("违约责任", format!("{}{interest}", t.breach_liability)),
        ("争议解决", dispute),
        (
            "回款期限",
            format!(
                "买方应于合同签订之日起{}日内付清全部货款{}。",
                t.collection_days,
                c.collect_by
                    .map(|d| format!("(即{d}前)"))
                    .unwrap_or_default()
            ),
        ),
    ];
    let mut notes: Vec<String> = clauses
        .iter()
        .enumerate()
        .map(|(i, (head, text))| format!("{} {head}:{text}", clause_no(i + 1)))
        .collect();
    let signed: Vec<String> = p
        .view
        .supplements
        .iter()
        .filter(|s| s.status == SupplementStatus::Signed)
        .map(|s| {
            format!(
                "{} {} ({}签订):{}",
                s.number,
                s.content.kind.label_zh(),
                s.signed_on.map(|d| d.to_string()).unwrap_or_default(),
                s.content.clauses
            )
        })
        .collect();
    if !signed.is_empty() {
        notes.push(format!(
            "补充协议 Supplementary agreements:{}",
            signed.join(" ")
        ));
    }
    notes.push(format!(
        "{} 本合同一式两份,双方各执一份,经双方签字盖章后生效。",
        clause_no(clauses.len() + 1)
    ));
    PrintDocument {
        company: company.clone(),
        title: "销售合同".into(),
        subtitle: "Sales contract".into(),
        number: c.number.clone(),
        meta,
        party: Some(party(
            "买方 Buyer",
            c.customer_id.get(),
            p.customer,
            "",
            String::new(),
        )),
        table,
        totals,
        notes,
        signatures: vec![
            "买方(盖章) Buyer".into(),
            "授权代表 Representative".into(),
            "日期 Date".into(),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::clause_no;

    #[test]
    fn con_1_clauses_are_numbered_in_chinese() {
        assert_eq!(clause_no(1), "第一条");
        assert_eq!(clause_no(8), "第八条");
        assert_eq!(clause_no(10), "第十条");
        assert_eq!(clause_no(12), "第十二条");
        assert_eq!(clause_no(21), "第二十一条");
    }
}

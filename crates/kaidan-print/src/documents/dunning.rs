//! 催款函, the dunning letter (DOC-1, FIN-4): a month-end notice put in
//! writing to the customer — its invoices overdue on the period's last
//! day with the days overdue and what is open, the total in Chinese
//! capitals, a day to pay by, where to pay, and wording that hardens with
//! the level (a reminder, the sales manager's demand, legal's last notice).

use jiff::civil::Date;
use kaidan_app::ports::DunningNotice;
use kaidan_domain::Money;
use kaidan_domain::finance::DunningLevel;
use kaidan_domain::master::CustomerData;

use super::{both, party, rmb_in_words};
use crate::model::{Align, Column, Company, PrintDocument, Table};

/// What the letter is, by level.
fn grade(level: DunningLevel) -> String {
    match level {
        DunningLevel::Reminder => both("付款提醒", "Payment reminder"),
        DunningLevel::Manager => both("正式催告", "Formal demand"),
        DunningLevel::Legal => both("最后催告(法务)", "Final notice (legal)"),
    }
}

/// The letter's body, by level.
fn body(level: DunningLevel, as_of: Date, pay_by: Date) -> String {
    match level {
        DunningLevel::Reminder => format!(
            "截至 {as_of},贵司以下款项已超过约定付款期限,或因事务繁忙未及安排。\
             敬请核对,并于 {pay_by} 前安排付款;如已付款,请忽略本函并告知我司。"
        ),
        DunningLevel::Manager => format!(
            "截至 {as_of},贵司以下款项逾期未付,我司销售代表此前已多次提醒,至今仍未收到款项。\
             请贵司务必于 {pay_by} 前付清全部逾期款项;逾期未付,我司将暂停向贵司发货并调整信用额度。"
        ),
        DunningLevel::Legal => format!(
            "截至 {as_of},贵司以下款项逾期已久,经我司多次催告仍未支付。现正式函告:请于 {pay_by} \
             前付清全部逾期款项;逾期仍未支付,我司将通过法律途径追收欠款,并保留追究逾期付款利息及\
             相关费用的权利。"
        ),
    }
}

fn fen(m: Money) -> String {
    format!("{:.2}", m.round_to_fen().decimal())
}

/// The dunning letter of notice `n`, printed on `printed_on` by `company`
/// to the customer (`customer` when the reader may see its record).
pub fn dunning_letter(
    company: &Company,
    n: &DunningNotice,
    customer: Option<&CustomerData>,
    printed_on: Date,
) -> PrintDocument {
    let pay_by = n.level.pay_by(printed_on);
    let rows = n
        .invoices
        .iter()
        .map(|i| {
            vec![
                i.number.clone(),
                i.invoice_date.map(|d| d.to_string()).unwrap_or_default(),
                i.due_date.to_string(),
                i.days_overdue.to_string(),
                fen(i.open),
            ]
        })
        .collect();
    let table = Table {
        columns: vec![
            Column::new("发票号 Invoice", Align::Left, 2.0),
            Column::new("开票日期 Date", Align::Left, 1.3),
            Column::new("到期日 Due", Align::Left, 1.3),
            Column::new("逾期天数 Days overdue", Align::Right, 1.2),
            Column::new("未付金额 Open", Align::Right, 1.4),
        ],
        rows,
    };
    let mut party = party(
        &both("致", "To"),
        n.customer_id.get(),
        customer,
        "",
        String::new(),
    );
    if customer.is_none() {
        party.name = n.customer.clone();
    }
    let mut notes = vec![body(n.level, n.as_of, pay_by)];
    if !company.bank.trim().is_empty() {
        notes.push(format!(
            "请汇至 Pay to: {} {}(汇款时请注明发票号 Please quote the invoice numbers)",
            company.name, company.bank
        ));
    }
    notes.push(
        "如对上述款项有异议,请于收到本函后三日内与我司财务部联系。Please contact our finance department within three days if you dispute any item."
            .to_string(),
    );
    let mut meta = vec![
        (both("日期", "Date"), printed_on.to_string()),
        (both("催款期间", "Period"), n.period.to_string()),
        (both("逾期截至", "Overdue as of"), n.as_of.to_string()),
        (both("函件级别", "Level"), grade(n.level)),
        (both("付款期限", "Pay by"), pay_by.to_string()),
    ];
    if let Some(rep) = n.sales_rep.as_deref().filter(|r| !r.trim().is_empty()) {
        meta.push((both("销售代表", "Sales rep"), rep.to_string()));
    }
    PrintDocument {
        company: company.clone(),
        title: "催款函".into(),
        subtitle: "Dunning letter".into(),
        number: format!("DUN-{}-{}", n.period, n.customer_id),
        meta,
        party: Some(party),
        table,
        totals: vec![
            (both("逾期合计", "Total due"), fen(n.overdue)),
            (both("大写", "In words"), rmb_in_words(n.overdue)),
        ],
        notes,
        signatures: vec![both("财务部", "Finance"), both("客户签收", "Received by")],
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use jiff::civil::date;
    use kaidan_domain::finance::{NoticeInvoice, Period};
    use kaidan_domain::{CustomerId, UserId};

    fn notice(level: DunningLevel) -> DunningNotice {
        DunningNotice {
            id: 1,
            customer_id: CustomerId(7),
            customer: "FR-7 加盟商七号".into(),
            period: Period::parse("period", "2026-11").unwrap(),
            as_of: date(2026, 11, 30),
            level,
            overdue: "1234.56".parse().unwrap(),
            oldest_days: 95,
            sales_rep_id: Some(UserId(3)),
            sales_rep: Some("李销售".into()),
            escalated_to: level.escalated_to().to_vec(),
            invoices: vec![NoticeInvoice {
                invoice_id: 9,
                number: "INV-20260801-000009".into(),
                invoice_date: Some(date(2026, 7, 28)),
                due_date: date(2026, 8, 27),
                open: "1234.56".parse().unwrap(),
                days_overdue: 95,
            }],
            raised_at: jiff::Timestamp::UNIX_EPOCH,
            raised_by_name: "system".into(),
        }
    }

    #[test]
    fn fin_4_doc_1_the_letter_hardens_with_the_level() {
        let company = crate::Company {
            bank: "工行 1001".into(),
            ..crate::Company::default()
        };
        let printed = date(2026, 12, 4);
        let legal = dunning_letter(&company, &notice(DunningLevel::Legal), None, printed);
        assert_eq!(legal.title, "催款函");
        assert!(legal.notes[0].contains("法律途径"), "{:?}", legal.notes);
        assert!(legal.notes[0].contains("2026-12-09"), "{:?}", legal.notes);
        assert!(legal.notes[1].contains("工行 1001"), "{:?}", legal.notes);
        assert_eq!(legal.party.as_ref().unwrap().name, "FR-7 加盟商七号");
        assert_eq!(
            legal.table.rows[0],
            [
                "INV-20260801-000009",
                "2026-07-28",
                "2026-08-27",
                "95",
                "1234.56"
            ]
        );
        assert_eq!(legal.totals[1].1, "人民币壹仟贰佰叁拾肆元伍角陆分");
        let reminder = dunning_letter(
            &crate::Company::default(),
            &notice(DunningLevel::Reminder),
            None,
            printed,
        );
        assert!(
            reminder.notes[0].contains("如已付款"),
            "{:?}",
            reminder.notes
        );
        assert!(!reminder.notes[0].contains("法律途径"));
        // No bank in the settings: no line telling where to pay.
        assert!(!reminder.notes.iter().any(|n| n.contains("请汇至")));
        let manager = dunning_letter(&company, &notice(DunningLevel::Manager), None, printed);
        assert!(
            manager.notes[0].contains("暂停向贵司发货"),
            "{:?}",
            manager.notes
        );
    }
}

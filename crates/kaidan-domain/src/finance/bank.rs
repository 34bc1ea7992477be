//! Bank statement lines (FIN-3, ADR 0023): the rows of a bank's CSV or
//! Excel export (银行流水), read by their column headers (the Chinese and
//! English ones banks use), checked and bounded; each money-in row's
//! identity, so the same row imported again is recognised; and the rule
//! that finds the customer who paid (an invoice number in the memo, else
//! the customer's code, else the payer's name or tax number).
//!
//! All of it is pure: the app reads the file into cells, looks up invoices
//! and customers, and writes.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{MAX_DOCUMENT_YUAN, MAX_RECEIPT_AGE_DAYS, max_document_amount};
use crate::access::string_enum;
use crate::validation::ValidationErrors;
use crate::{CustomerId, Money, UserId};

/// The most rows one statement file may hold (a busy month of one account).
pub const MAX_STATEMENT_ROWS: usize = 5_000;
/// Longest payer name (as a receipt's payer).
pub const MAX_PAYER: usize = 200;
/// Longest account number (ours or the payer's), reference of the bank.
pub const MAX_ACCOUNT: usize = 64;
pub const MAX_REFERENCE: usize = 100;
/// Longest memo (摘要 and 附言 together; as a receipt's note).
pub const MAX_MEMO: usize = 500;
/// Longest file name kept with the lines.
pub const MAX_FILE_NAME: usize = 200;

string_enum!(
    /// Where a line of a bank statement is.
    BankLineStatus {
        /// Its customer was found at import: it became a verified receipt.
        Matched = "matched",
        /// Waits for finance to assign it to a customer or ignore it.
        Unmatched = "unmatched",
        /// Finance assigned it to a customer: it became a verified receipt.
        Assigned = "assigned",
        /// Finance decided it is no customer's payment (interest, a refund
        /// from a supplier …), with the reason.
        Ignored = "ignored",
    }
);

impl BankLineStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            BankLineStatus::Matched => "已自动匹配",
            BankLineStatus::Unmatched => "待认领",
            BankLineStatus::Assigned => "已指定客户",
            BankLineStatus::Ignored => "已忽略",
        }
    }
}

string_enum!(
    /// How a line's customer was found.
    MatchRule {
        /// An invoice number (IV-YYYYMMDD-NNNN) in the memo or reference.
        Invoice = "invoice",
        /// The customer's code in the memo or reference.
        CustomerCode = "customer_code",
        /// The payer's name is the customer's name.
        PayerName = "payer_name",
        /// The customer's tax number is the payer or is in the memo.
        TaxNumber = "tax_number",
        /// Finance chose the customer.
        Manual = "manual",
    }
);

/// What a statement column is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankField {
    Date,
    /// Money in (贷方/收入), or a signed amount when there is no debit column.
    Amount,
    /// Money out (借方/支出).
    Debit,
    Payer,
    PayerAccount,
    Reference,
    Memo,
    /// The account of ours the statement is of.
    OurAccount,
    /// Money in or out (借贷标志) beside a single amount column.
    Direction,
}

/// The headers each field is known by, compared without spaces, without a
/// unit in brackets (`贷方金额(元)`) and ignoring case.
const HEADERS: &[(BankField, &[&str])] = &[
    (
        BankField::Date,
        &[
            "交易日期",
            "记账日期",
            "入账日期",
            "交易时间",
            "日期",
            "date",
            "booking_date",
            "value_date",
        ],
    ),
    (
        BankField::Amount,
        &[
            "贷方金额",
            "收入金额",
            "贷方发生额",
            "收入",
            "金额",
            "交易金额",
            "amount",
            "credit",
        ],
    ),
    (
        BankField::Debit,
        &["借方金额", "支出金额", "借方发生额", "支出", "debit"],
    ),
    (
        BankField::Payer,
        &[
            "对方户名",
            "付款人",
            "付款人名称",
            "对方名称",
            "对方账户名称",
            "payer",
            "payer_name",
        ],
    ),
    (
        BankField::PayerAccount,
        &["对方账号", "付款人账号", "对方账户", "payer_account"],
    ),
    (
        BankField::Reference,
        &[
            "流水号",
            "交易流水号",
            "凭证号",
            "交易参考号",
            "reference",
            "bank_reference",
        ],
    ),
    (
        BankField::Memo,
        &["摘要", "附言", "用途", "备注", "memo", "remark", "purpose"],
    ),
    (
        BankField::OurAccount,
        &["本方账号", "我方账号", "账号", "our_account", "account"],
    ),
    (
        BankField::Direction,
        &[
            "借贷标志",
            "借贷方向",
            "收支方向",
            "收支标志",
            "借贷",
            "direction",
            "dc",
        ],
    ),
];

/// The words of a direction column for money out and money in.
const OUT_WORDS: &[&str] = &["借", "借方", "支出", "支", "出", "d", "dr", "debit", "out"];
const IN_WORDS: &[&str] = &["贷", "贷方", "收入", "收", "入", "c", "cr", "credit", "in"];

fn normalise_header(h: &str) -> String {
    let mut s: String = h.chars().filter(|c| !c.is_whitespace()).collect();
    for (open, close) in [('(', ')'), ('（', '）')] {
        if let (Some(a), Some(b)) = (s.find(open), s.rfind(close))
            && a < b
        {
            s.replace_range(a..b + close.len_utf8(), "");
        }
    }
    s.to_lowercase()
}

/// Which column of the file holds which field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BankColumns {
    pub date: String,
    pub amount: String,
    pub debit: Option<String>,
    pub payer: Option<String>,
    pub payer_account: Option<String>,
    pub reference: Option<String>,
    /// Every memo-like column (摘要 and 附言 may both be there), joined.
    pub memo: Vec<String>,
    pub our_account: Option<String>,
    /// The direction column (借贷标志), when money in and out share one
    /// amount column.
    pub direction: Option<String>,
}

impl BankColumns {
    /// The columns of a statement's header; the date and the amount are
    /// required. Unknown columns (balance, currency …) are left alone.
    /// Errors are `(column, message)` of the header row.
    pub fn detect(header: &[String]) -> Result<BankColumns, Vec<(String, String)>> {
        let mut found: Vec<(BankField, &String)> = Vec::new();
        for h in header {
            let n = normalise_header(h);
            if n.is_empty() {
                continue;
            }
            if let Some((field, _)) = HEADERS
                .iter()
                .find(|(_, names)| names.iter().any(|x| normalise_header(x) == n))
            {
                found.push((*field, h));
            }
        }
        let mut errors = Vec::new();
        let mut one = |field: BankField, what: &str| -> Option<String> {
            let all: Vec<&String> = found
                .iter()
                .filter(|(f, _)| *f == field)
                .map(|(_, h)| *h)
                .collect();
            match all.as_slice() {
                [] => None,
                [h] => Some((*h).clone()),
                [h, rest @ ..] => {
                    errors.push((
                        (*h).clone(),
                        format!(
                            "the {what} is in more than one column ({}); keep one",
                            std::iter::once(*h)
                                .chain(rest.iter().copied())
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                    None
                }
            }
        };
        let date = one(BankField::Date, "booking date");
        let amount = one(BankField::Amount, "amount");
        let debit = one(BankField::Debit, "money-out amount");
        let payer = one(BankField::Payer, "payer");
        let payer_account = one(BankField::PayerAccount, "payer's account");
        let reference = one(BankField::Reference, "bank reference");
        let our_account = one(BankField::OurAccount, "own account");
        let direction = one(BankField::Direction, "direction (借贷标志)");
        let memo = found
            .iter()
            .filter(|(f, _)| *f == BankField::Memo)
            .map(|(_, h)| (*h).clone())
            .collect();
        if date.is_none() && errors.is_empty() {
            errors.push((
                "交易日期".into(),
                "no column of the booking date (交易日期, 记账日期 or date)".into(),
            ));
        }
        if amount.is_none() && errors.is_empty() {
            errors.push((
                "贷方金额".into(),
                "no column of the amount received (贷方金额, 收入金额, 金额 or amount)".into(),
            ));
        }
        match (date, amount) {
            (Some(date), Some(amount)) if errors.is_empty() => Ok(BankColumns {
                date,
                amount,
                debit,
                payer,
                payer_account,
                reference,
                memo,
                our_account,
                direction,
            }),
            _ => Err(errors),
        }
    }
}

/// One row's cells by field, as the file has them (trimmed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BankCells {
    pub date: String,
    pub amount: String,
    pub debit: String,
    pub payer: String,
    pub payer_account: String,
    pub reference: String,
    pub memo: Vec<String>,
    pub our_account: String,
    pub direction: String,
}

/// A line of money received, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankLine {
    pub our_account: Option<String>,
    pub booking_date: Date,
    pub amount: Money,
    pub payer: Option<String>,
    pub payer_account: Option<String>,
    pub reference: Option<String>,
    pub memo: Option<String>,
}

/// What one row of a statement is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BankRow {
    In(BankLine),
    /// Money paid out: not a receipt, skipped (and counted).
    Out,
}

/// A booking date as banks write it: `2026-12-01`, `2026/12/01`,
/// `2026.12.01` or `20261201`, possibly followed by a time.
pub fn parse_bank_date(v: &str) -> Option<Date> {
    let day = v.split([' ', 'T']).next().unwrap_or("").trim();
    if day.len() == 8 && day.bytes().all(|b| b.is_ascii_digit()) {
        let s = format!("{}-{}-{}", &day[..4], &day[4..6], &day[6..]);
        return s.parse().ok();
    }
    let parts: Vec<&str> = day.split(['-', '/', '.']).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let (y, m, d) = (
        y.parse::<i16>().ok()?,
        m.parse::<i8>().ok()?,
        d.parse::<i8>().ok()?,
    );
    Date::new(y, m, d).ok()
}

/// An amount cell: `1,234.50`, `¥1234.5`, `-300`; `None` when empty.
fn amount_cell(e: &mut ValidationErrors, field: &str, v: &str) -> Option<Money> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    match v.replace(['¥', '￥'], "").parse::<Money>() {
        Ok(m) if m != m.round_to_fen() => {
            e.add(
                field,
                "too_precise",
                format!("'{v}': money is received in fen (two decimals)"),
            );
            None
        }
        Ok(m) if m.decimal().abs() > max_document_amount().decimal() => {
            e.add(
                field,
                "out_of_range",
                format!("'{v}': at most {MAX_DOCUMENT_YUAN} yuan"),
            );
            None
        }
        Ok(m) => Some(m),
        Err(_) => {
            e.add(
                field,
                "invalid",
                format!("'{v}' is not an amount (e.g. 1234.50)"),
            );
            None
        }
    }
}

impl BankCells {
    /// Checks one row; the errors name the file's columns. A row with money
    /// out (a debit, or a negative signed amount) is `Out` whatever else it
    /// holds, once its date and amounts read.
    pub fn check(&self, cols: &BankColumns, today: Date) -> Result<BankRow, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let date = if self.date.is_empty() {
            e.add(&cols.date, "required", "is required");
            None
        } else {
            match parse_bank_date(&self.date) {
                None => {
                    e.add(
                        &cols.date,
                        "invalid",
                        format!("'{}' is not a date (e.g. 2026-12-01)", self.date),
                    );
                    None
                }
                Some(d) if d > today => {
                    e.add(
                        &cols.date,
                        "in_future",
                        format!("{d} is after today ({today})"),
                    );
                    None
                }
                Some(d) if (today - d).get_days() > MAX_RECEIPT_AGE_DAYS => {
                    e.add(
                        &cols.date,
                        "too_old",
                        format!("{d} is more than {MAX_RECEIPT_AGE_DAYS} days ago"),
                    );
                    None
                }
                Some(d) => Some(d),
            }
        };
        let credit = amount_cell(&mut e, &cols.amount, &self.amount);
        let debit = cols
            .debit
            .as_deref()
            .and_then(|c| amount_cell(&mut e, c, &self.debit));
        let our_account = e.optional_text(
            cols.our_account.as_deref().unwrap_or("our_account"),
            Some(&self.our_account),
            MAX_ACCOUNT,
        );
        let payer = e.optional_text(
            cols.payer.as_deref().unwrap_or("payer"),
            Some(&self.payer),
            MAX_PAYER,
        );
        let payer_account = e.optional_text(
            cols.payer_account.as_deref().unwrap_or("payer_account"),
            Some(&self.payer_account),
            MAX_ACCOUNT,
        );
        let reference = e.optional_text(
            cols.reference.as_deref().unwrap_or("reference"),
            Some(&self.reference),
            MAX_REFERENCE,
        );
        let memo_text = self
            .memo
            .iter()
            .map(|m| m.trim())
            .filter(|m| !m.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let memo = e.optional_text(
            cols.memo.first().map(String::as_str).unwrap_or("memo"),
            Some(&memo_text),
            MAX_MEMO,
        );
        let flag = self.direction.trim().to_lowercase();
        let flagged_out = match cols.direction.as_deref() {
            Some(_) if flag.is_empty() => false,
            Some(_) if OUT_WORDS.contains(&flag.as_str()) => true,
            Some(_) if IN_WORDS.contains(&flag.as_str()) => false,
            Some(c) => {
                e.add(
                    c,
                    "invalid",
                    format!(
                        "'{}' is neither 借/D (money out) nor 贷/C (money in)",
                        self.direction
                    ),
                );
                false
            }
            None => false,
        };
        if !e.is_empty() {
            return Err(e);
        }
        let Some(date) = date else {
            return Err(e);
        };
        if flagged_out {
            return Ok(BankRow::Out);
        }
        let out = debit.is_some_and(|d| !d.is_zero());
        match credit {
            _ if out && credit.is_none_or(|c| c.is_zero()) => Ok(BankRow::Out),
            Some(c) if c.is_negative() => Ok(BankRow::Out),
            Some(c) if c.is_positive() => {
                if out {
                    e.add(
                        &cols.amount,
                        "both_sides",
                        "a row has money in or money out, not both",
                    );
                    return Err(e);
                }
                Ok(BankRow::In(BankLine {
                    our_account,
                    booking_date: date,
                    amount: c,
                    payer,
                    payer_account,
                    reference,
                    memo,
                }))
            }
            Some(_) => {
                e.add(&cols.amount, "not_positive", "the amount is zero");
                Err(e)
            }
            None => {
                e.add(&cols.amount, "required", "is required");
                Err(e)
            }
        }
    }
}

impl BankLine {
    /// The line's identity: what stays the same when the bank exports the
    /// same transaction again (our account, date, amount, reference,
    /// payer's account; the payer's name and memo too when the bank gives
    /// no reference). The app hashes it.
    pub fn identity(&self) -> String {
        let opt = |s: &Option<String>| s.clone().unwrap_or_default();
        let mut key = format!(
            "{}|{}|{}|{}|{}",
            opt(&self.our_account),
            self.booking_date,
            self.amount.units(),
            opt(&self.reference),
            opt(&self.payer_account)
        );
        if self.reference.is_none() {
            key.push_str(&format!("|{}|{}", opt(&self.payer), opt(&self.memo)));
        }
        key
    }

    /// Where invoice numbers and customer codes are looked for.
    fn texts(&self) -> String {
        format!(
            "{} {}",
            self.memo.as_deref().unwrap_or(""),
            self.reference.as_deref().unwrap_or("")
        )
    }

    /// The invoice numbers (IV-YYYYMMDD-NNNN) the memo or reference names,
    /// in order, as Kaidan writes them: banks often drop the dashes or
    /// change the case (`iv202612010001`).
    pub fn invoice_numbers(&self) -> Vec<String> {
        invoice_numbers_in(&self.texts())
    }
}

/// Invoice numbers in a text; see [`BankLine::invoice_numbers`].
pub fn invoice_numbers_in(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i + 2 <= chars.len() {
        let starts = chars[i].eq_ignore_ascii_case(&'i')
            && chars[i + 1].eq_ignore_ascii_case(&'v')
            && (i == 0 || !chars[i - 1].is_ascii_alphanumeric());
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i + 2;
        let skip_dash = |j: &mut usize| {
            if chars.get(*j) == Some(&'-') {
                *j += 1;
            }
        };
        skip_dash(&mut j);
        let day: String = chars.iter().skip(j).take(8).collect();
        if day.len() != 8 || !day.chars().all(|c| c.is_ascii_digit()) {
            i += 1;
            continue;
        }
        j += 8;
        skip_dash(&mut j);
        let seq: String = chars
            .iter()
            .skip(j)
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if seq.len() < 4 {
            i += 1;
            continue;
        }
        let n = format!("IV-{day}-{seq}");
        if !out.contains(&n) {
            out.push(n);
        }
        i = j + seq.len();
    }
    out
}

/// A customer as the matching rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerKey {
    pub id: CustomerId,
    pub code: String,
    pub name: String,
    pub tax_number: Option<String>,
}

/// An invoice the memo named, as found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedInvoice {
    pub id: i64,
    pub number: String,
    pub customer_id: CustomerId,
}

/// Whose money a line is, and how that was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identified {
    pub customer_id: CustomerId,
    pub rule: MatchRule,
    /// The invoice the memo named (of that customer), to pay first.
    pub invoice: Option<NamedInvoice>,
}

/// `needle` stands alone in `hay` (not part of a longer code: `FR-1` is not
/// found in `FR-10`).
fn stands_alone(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let part = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let hay_l = hay.to_lowercase();
    let needle_l = needle.to_lowercase();
    let mut from = 0;
    while let Some(at) = hay_l[from..].find(&needle_l) {
        let start = from + at;
        let end = start + needle_l.len();
        let before = hay_l[..start].chars().next_back();
        let after = hay_l[end..].chars().next();
        if !before.is_some_and(part) && !after.is_some_and(part) {
            return true;
        }
        from = start + needle_l.chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// The one item of a rule, or none when no or several customers fit (a
/// guess would post money to the wrong account: finance decides).
fn only<T: Clone>(hits: &[T]) -> Option<T> {
    match hits {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// The matching rule: the customer of the invoice the memo or reference
/// names (the first one of a known number); else the one customer whose
/// code is in the memo or reference; else the one whose name is the
/// payer's; else the one whose tax number is the payer or in the memo.
/// `invoices` are the named invoices that exist.
pub fn identify(
    line: &BankLine,
    invoices: &[NamedInvoice],
    customers: &[CustomerKey],
) -> Option<Identified> {
    if let Some(inv) = invoices.first() {
        return Some(Identified {
            customer_id: inv.customer_id,
            rule: MatchRule::Invoice,
            invoice: Some(inv.clone()),
        });
    }
    let text = line.texts();
    let by_code: Vec<CustomerId> = customers
        .iter()
        .filter(|c| stands_alone(&text, c.code.trim()))
        .map(|c| c.id)
        .collect();
    let payer = line.payer.as_deref().unwrap_or("").trim();
    let by_name: Vec<CustomerId> = customers
        .iter()
        .filter(|c| !payer.is_empty() && c.name.trim() == payer)
        .map(|c| c.id)
        .collect();
    let by_tax: Vec<CustomerId> = customers
        .iter()
        .filter(|c| {
            c.tax_number
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .is_some_and(|t| payer.eq_ignore_ascii_case(t) || stands_alone(&text, t))
        })
        .map(|c| c.id)
        .collect();
    [
        (by_code, MatchRule::CustomerCode),
        (by_name, MatchRule::PayerName),
        (by_tax, MatchRule::TaxNumber),
    ]
    .into_iter()
    .find(|(hits, _)| !hits.is_empty())
    .and_then(|(hits, rule)| {
        only(&hits).map(|customer_id| Identified {
            customer_id,
            rule,
            invoice: None,
        })
    })
}

/// A statement line as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BankStatementLine {
    pub id: i64,
    /// The hash of the line's identity: the same row imported again is
    /// recognised by it.
    pub line_hash: String,
    pub our_account: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub booking_date: Date,
    pub amount: Money,
    pub payer: Option<String>,
    pub payer_account: Option<String>,
    pub reference: Option<String>,
    pub memo: Option<String>,
    pub status: BankLineStatus,
    pub customer_id: Option<CustomerId>,
    pub receipt_id: Option<i64>,
    /// How the customer was found (matched or assigned lines).
    pub rule: Option<MatchRule>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub imported_at: Timestamp,
    pub imported_by: UserId,
    pub import_file: String,
    /// Why finance ignored it, or how it was matched.
    pub note: Option<String>,
}

/// Finance assigns an unmatched line to a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    pub customer_id: CustomerId,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use jiff::civil::date;

    fn cols(header: &[&str]) -> BankColumns {
        BankColumns::detect(&header.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn cells(date: &str, amount: &str, debit: &str) -> BankCells {
        BankCells {
            date: date.into(),
            amount: amount.into(),
            debit: debit.into(),
            payer: "上海某加盟店".into(),
            memo: vec!["货款 IV-20261201-0001".into()],
            ..Default::default()
        }
    }

    #[test]
    fn fin_3_chinese_and_english_headers_are_recognised() {
        let c = cols(&[
            "交易日期",
            "贷方金额(元)",
            "借方金额（元）",
            "对方户名",
            "对方账号",
            "交易流水号",
            "摘要",
            "附言",
            "余额",
        ]);
        assert_eq!(
            (c.date.as_str(), c.amount.as_str()),
            ("交易日期", "贷方金额(元)")
        );
        assert_eq!(c.debit.as_deref(), Some("借方金额（元）"));
        assert_eq!(c.memo, ["摘要", "附言"]);
        let c = cols(&["Date", "Amount", "Payer", "Reference", "Memo"]);
        assert_eq!(
            (c.payer.as_deref(), c.reference.as_deref()),
            (Some("Payer"), Some("Reference"))
        );
        let e = BankColumns::detect(&["对方户名".to_string()]).unwrap_err();
        assert!(e[0].1.contains("booking date"), "{e:?}");
        let e = BankColumns::detect(&["交易日期".into(), "记账日期".into(), "金额".into()])
            .unwrap_err();
        assert_eq!(e[0].0, "交易日期");
    }

    #[test]
    fn fin_3_rows_are_money_in_money_out_or_refused_by_column() {
        let today = date(2026, 12, 4);
        let c = cols(&["交易日期", "贷方金额", "借方金额", "对方户名", "摘要"]);
        let BankRow::In(line) = cells("2026/12/01 10:22:01", "1,234.50", "")
            .check(&c, today)
            .unwrap()
        else {
            panic!("money in")
        };
        assert_eq!(
            (line.booking_date, line.amount),
            (date(2026, 12, 1), "1234.5".parse().unwrap())
        );
        assert_eq!(
            cells("20261201", "", "300").check(&c, today).unwrap(),
            BankRow::Out
        );
        assert_eq!(
            cells("2026-12-01", "0.00", "300").check(&c, today).unwrap(),
            BankRow::Out
        );
        let flagged = cols(&["日期", "交易金额", "借贷标志"]);
        let mut c2 = cells("2026-12-01", "300", "");
        c2.direction = "借".into();
        assert_eq!(c2.check(&flagged, today).unwrap(), BankRow::Out);
        c2.direction = "C".into();
        assert!(matches!(c2.check(&flagged, today).unwrap(), BankRow::In(_)));
        c2.direction = "?".into();
        assert_eq!(
            c2.check(&flagged, today).unwrap_err().errors[0].field,
            "借贷标志"
        );
        let signed = cols(&["日期", "金额"]);
        assert_eq!(
            cells("2026-12-01", "-300", "")
                .check(&signed, today)
                .unwrap(),
            BankRow::Out
        );
        let e = cells("2026-13-01", "abc", "").check(&c, today).unwrap_err();
        let fields: Vec<_> = e
            .errors
            .iter()
            .map(|x| (x.field.as_str(), x.code))
            .collect();
        assert_eq!(fields, [("交易日期", "invalid"), ("贷方金额", "invalid")]);
        let e = cells("2026-12-05", "1.001", "")
            .check(&c, today)
            .unwrap_err();
        let codes: Vec<_> = e.errors.iter().map(|x| x.code).collect();
        assert_eq!(codes, ["in_future", "too_precise"]);
        assert_eq!(
            cells("2026-12-01", "", "")
                .check(&c, today)
                .unwrap_err()
                .errors[0]
                .code,
            "required"
        );
        assert_eq!(
            cells("2026-12-01", "10000000001", "")
                .check(&c, today)
                .unwrap_err()
                .errors[0]
                .code,
            "out_of_range"
        );
        assert_eq!(
            cells("2020-01-01", "1", "")
                .check(&c, today)
                .unwrap_err()
                .errors[0]
                .code,
            "too_old"
        );
        let mut long = cells("2026-12-01", "1", "");
        long.payer = "户".repeat(MAX_PAYER + 1);
        assert_eq!(
            long.check(&c, today).unwrap_err().errors[0].field,
            "对方户名"
        );
    }

    fn line(payer: &str, memo: &str, reference: Option<&str>) -> BankLine {
        BankLine {
            our_account: None,
            booking_date: date(2026, 12, 1),
            amount: Money::yuan(100),
            payer: Some(payer.into()),
            payer_account: Some("6222 0001".into()),
            reference: reference.map(str::to_string),
            memo: Some(memo.into()),
        }
    }

    #[test]
    fn fin_3_the_same_row_has_the_same_identity() {
        let a = line("甲", "货款", Some("TX1"));
        let mut b = a.clone();
        b.memo = Some("memo changed by the bank's export".into());
        assert_eq!(a.identity(), b.identity());
        b.amount = Money::yuan(101);
        assert_ne!(a.identity(), b.identity());
        // Without a reference, the payer and memo tell two transfers apart.
        let (c, d) = (line("甲", "一", None), line("乙", "一", None));
        assert_ne!(c.identity(), d.identity());
    }

    #[test]
    fn fin_3_invoice_numbers_are_found_with_or_without_dashes() {
        assert_eq!(
            invoice_numbers_in("付IV-20261201-0007及iv202612020012,XIV-20261201-0001"),
            ["IV-20261201-0007", "IV-20261202-0012"]
        );
        assert!(invoice_numbers_in("IV-2026-01").is_empty());
    }

    #[test]
    fn fin_3_the_customer_is_found_by_invoice_code_name_or_tax_number() {
        let customers = vec![
            CustomerKey {
                id: CustomerId(1),
                code: "FR-1".into(),
                name: "加盟商一号".into(),
                tax_number: Some("91440300MA5F".into()),
            },
            CustomerKey {
                id: CustomerId(2),
                code: "FR-10".into(),
                name: "加盟商十号".into(),
                tax_number: None,
            },
        ];
        let inv = NamedInvoice {
            id: 9,
            number: "IV-20261201-0001".into(),
            customer_id: CustomerId(2),
        };
        let l = line("无关", "付款 FR-1", None);
        assert_eq!(
            identify(&l, std::slice::from_ref(&inv), &customers)
                .unwrap()
                .rule,
            MatchRule::Invoice
        );
        let by_code = identify(&l, &[], &customers).unwrap();
        assert_eq!(
            (by_code.customer_id, by_code.rule),
            (CustomerId(1), MatchRule::CustomerCode)
        );
        let by_name = identify(&line("加盟商十号", "货款", None), &[], &customers).unwrap();
        assert_eq!(
            (by_name.customer_id, by_name.rule),
            (CustomerId(2), MatchRule::PayerName)
        );
        let by_tax = identify(&line("某公司", "税号91440300MA5F", None), &[], &customers).unwrap();
        assert_eq!(by_tax.rule, MatchRule::TaxNumber);
        assert!(identify(&line("陌生人", "货款", None), &[], &customers).is_none());
        // Two customers' codes: finance decides.
        assert!(identify(&line("x", "FR-1 FR-10", None), &[], &customers).is_none());
        // A code next to Chinese text is found; inside a longer code it is not.
        assert_eq!(
            identify(&line("x", "付款FR-1货款", None), &[], &customers)
                .unwrap()
                .customer_id,
            CustomerId(1)
        );
        assert_eq!(
            identify(&line("x", "FR-10", None), &[], &customers)
                .unwrap()
                .customer_id,
            CustomerId(2)
        );
    }
}

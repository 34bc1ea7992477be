//! Receipts (FIN-3): money a customer paid, with its voucher (the photo or
//! PDF of the transfer slip, 汇款底单). A receipt a sales rep registers
//! counts for nothing until finance verifies it; finance may reject it with
//! a reason. A verified receipt is never edited: it is reversed, with a
//! reason, by a reversing entry.
//!
//! ```text
//! registered ──verify──► verified ──reverse──► reversed
//!     └──────reject────► rejected
//! ```

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{MAX_DOCUMENT_YUAN, max_document_amount};
use crate::access::string_enum;
use crate::master::PaymentMethod;
use crate::validation::ValidationErrors;
use crate::{CustomerId, Money, UserId};

string_enum!(
    /// Where a receipt is.
    ReceiptStatus {
        /// Entered (by a rep or finance), waiting for finance to verify.
        Registered = "registered",
        /// Finance saw the money arrive: it counts.
        Verified = "verified",
        Rejected = "rejected",
        /// Verified, then taken back by a reversing entry.
        Reversed = "reversed",
    }
);

impl ReceiptStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            ReceiptStatus::Registered => "待核实",
            ReceiptStatus::Verified => "已核实",
            ReceiptStatus::Rejected => "已驳回",
            ReceiptStatus::Reversed => "已冲销",
        }
    }
}

/// How far back a receipt may be dated (two years).
pub const MAX_RECEIPT_AGE_DAYS: i32 = 731;

/// What a rep or finance enters for money received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReceiptInput {
    pub customer_id: CustomerId,
    /// Who paid (the account holder on the slip), at most 200 characters.
    pub payer: String,
    pub method: PaymentMethod,
    /// More than zero, at most ten billion yuan, in fen.
    pub amount: Money,
    /// The day the money was paid; not in the future.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub received_on: Date,
    /// The bank's reference of the transfer, at most 100 characters.
    #[serde(default)]
    pub bank_reference: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A receipt input after its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidReceipt {
    pub customer_id: CustomerId,
    pub payer: String,
    pub method: PaymentMethod,
    pub amount: Money,
    pub received_on: Date,
    pub bank_reference: Option<String>,
    pub note: Option<String>,
}

impl ReceiptInput {
    pub fn validate(&self, today: Date) -> Result<ValidReceipt, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let payer = e.text("payer", &self.payer, 200);
        if !self.amount.is_positive() {
            e.add("amount", "not_positive", "must be greater than zero");
        } else if self.amount > max_document_amount() {
            e.add(
                "amount",
                "out_of_range",
                format!("at most {MAX_DOCUMENT_YUAN} yuan"),
            );
        } else if self.amount != self.amount.round_to_fen() {
            e.add(
                "amount",
                "too_precise",
                "money is received in fen (two decimals)",
            );
        }
        if self.received_on > today {
            e.add(
                "received_on",
                "in_future",
                format!("{} is after today ({today})", self.received_on),
            );
        } else if (today - self.received_on).get_days() > MAX_RECEIPT_AGE_DAYS {
            e.add(
                "received_on",
                "too_old",
                format!("more than {MAX_RECEIPT_AGE_DAYS} days ago"),
            );
        }
        let bank_reference = e.optional_text("bank_reference", self.bank_reference.as_deref(), 100);
        let note = e.optional_text("note", self.note.as_deref(), 500);
        e.into_result(ValidReceipt {
            customer_id: self.customer_id,
            payer,
            method: self.method,
            amount: self.amount,
            received_on: self.received_on,
            bank_reference,
            note,
        })
    }
}

/// The largest voucher Kaidan keeps: 5 MiB (a phone photo of a slip).
pub const MAX_VOUCHER_BYTES: usize = 5 * 1024 * 1024;

string_enum!(
    /// The file types a voucher may be.
    VoucherType {
        Png = "image/png",
        Jpeg = "image/jpeg",
        Pdf = "application/pdf",
    }
);

impl VoucherType {
    /// The type the bytes are, by their signature; None when none of ours.
    pub fn sniff(bytes: &[u8]) -> Option<VoucherType> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(VoucherType::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(VoucherType::Jpeg)
        } else if bytes.starts_with(b"%PDF-") {
            Some(VoucherType::Pdf)
        } else {
            None
        }
    }
}

/// Checks an uploaded voucher: not empty, not over [`MAX_VOUCHER_BYTES`],
/// a PNG, JPEG or PDF by its content (a declared type that disagrees with
/// the content is refused), a file name of at most 200 characters.
pub fn check_voucher(
    file_name: &str,
    declared: Option<&str>,
    bytes: &[u8],
) -> Result<(String, VoucherType), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let name = e.text("voucher.file_name", file_name, 200);
    if name
        .chars()
        .any(|c| c.is_control() || c == '/' || c == '\\')
    {
        e.add(
            "voucher.file_name",
            "invalid",
            "a file name without slashes or control characters",
        );
    }
    let sniffed = VoucherType::sniff(bytes);
    if bytes.is_empty() {
        e.add("voucher", "empty", "the file is empty");
    } else if bytes.len() > MAX_VOUCHER_BYTES {
        e.add(
            "voucher",
            "too_large",
            format!(
                "{} bytes; a voucher may have at most {MAX_VOUCHER_BYTES} bytes (5 MiB)",
                bytes.len()
            ),
        );
    } else if sniffed.is_none() {
        e.add(
            "voucher",
            "wrong_type",
            "a voucher is a PNG or JPEG photo or a PDF",
        );
    }
    if let (Some(d), Some(s)) = (declared.map(str::trim).filter(|d| !d.is_empty()), sniffed)
        && d != "application/octet-stream"
        && d != s.as_str()
    {
        e.add(
            "voucher",
            "wrong_type",
            format!("the file is declared {d} but its content is {s}"),
        );
    }
    match sniffed {
        Some(t) if e.is_empty() => Ok((name, t)),
        _ => Err(e),
    }
}

/// The voucher kept with a receipt (its bytes are fetched on their own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoucherInfo {
    pub file_name: String,
    pub content_type: VoucherType,
    pub size: i64,
}

/// A receipt as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Receipt {
    pub id: i64,
    pub number: String,
    pub customer_id: CustomerId,
    pub payer: String,
    pub method: PaymentMethod,
    pub amount: Money,
    /// Matched to invoices (核销); the rest is the customer's funds.
    pub applied: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub received_on: Date,
    pub bank_reference: Option<String>,
    pub note: Option<String>,
    pub status: ReceiptStatus,
    pub registered_by: UserId,
    pub registered_by_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub registered_at: Timestamp,
    /// Who verified, rejected or reversed it, when, and (reject, reverse)
    /// why.
    pub decided_by_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub decided_at: Option<Timestamp>,
    pub decision_note: Option<String>,
    pub voucher: Option<VoucherInfo>,
}

impl Receipt {
    /// Money of a verified receipt not yet matched to an invoice.
    pub fn unapplied(&self) -> Money {
        if self.status == ReceiptStatus::Verified {
            (self.amount - self.applied).max(Money::ZERO)
        } else {
            Money::ZERO
        }
    }
}

/// A reason finance gives to reject or reverse (required).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn input() -> ReceiptInput {
        ReceiptInput {
            customer_id: CustomerId(1),
            payer: "上海某加盟店".into(),
            method: PaymentMethod::BankTransfer,
            amount: Money::yuan(1000),
            received_on: date(2026, 11, 30),
            bank_reference: Some("TX123".into()),
            note: None,
        }
    }

    #[test]
    fn fin_3_receipts_in_the_future_or_of_no_money_are_refused() {
        let today = date(2026, 12, 1);
        assert!(input().validate(today).is_ok());
        let mut bad = input();
        bad.received_on = date(2026, 12, 2);
        bad.amount = Money::ZERO;
        let e = bad.validate(today).unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["amount", "received_on"]);
        let mut huge = input();
        huge.amount = Money::yuan(MAX_DOCUMENT_YUAN + 1);
        assert_eq!(
            huge.validate(today).unwrap_err().errors[0].code,
            "out_of_range"
        );
    }

    #[test]
    fn fin_3_vouchers_are_checked_by_content_and_size() {
        let png = b"\x89PNG\r\n\x1a\nrest";
        assert_eq!(
            check_voucher("slip.png", Some("image/png"), png).unwrap().1,
            VoucherType::Png
        );
        assert!(check_voucher("slip.pdf", None, b"%PDF-1.7 ...").is_ok());
        let wrong = check_voucher("slip.exe", Some("image/png"), b"MZ\x90\x00").unwrap_err();
        assert_eq!(wrong.errors[0].code, "wrong_type");
        let lying = check_voucher("slip.png", Some("application/pdf"), png).unwrap_err();
        assert_eq!(lying.errors[0].code, "wrong_type");
        let big = vec![0xFFu8; MAX_VOUCHER_BYTES + 1];
        assert_eq!(
            check_voucher("big.jpg", None, &big).unwrap_err().errors[0].code,
            "too_large"
        );
        assert!(check_voucher("a/b.png", None, png).is_err());
    }
}

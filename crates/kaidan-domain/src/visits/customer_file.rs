//! A rep's customer file (客户档案, SAL-2; seed 001: 《客户记录表》 at the
//! first contact — name, contact, the inquiry, the day — and the file with
//! the product categories, payment method, deposits and payment dates).
//! What the rep writes is here; what the ledger says is read beside it.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::ValidationErrors;
use crate::validation::MAX_REASON;

/// As long as a contact's name or phone may be.
pub const MAX_CONTACT: usize = 100;

/// What the rep records of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomerFileInput {
    /// 来访日期: the first contact.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub first_contact: Date,
    /// 联系人, 联系方式.
    pub contact: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// 咨询事项: what the customer asked about at first.
    pub inquiry: String,
    /// The contact's birthday as `MM-DD` (节日、客户生日须表示祝福).
    #[serde(default)]
    pub birthday: Option<String>,
    /// 产品类别: what the customer buys or asks for.
    #[serde(default)]
    pub interests: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// `MM-DD` as (month, day), a day that exists in a leap year.
pub fn month_day(s: &str) -> Option<(i8, i8)> {
    let (m, d) = s.trim().split_once('-')?;
    let (m, d): (i8, i8) = (m.parse().ok()?, d.parse().ok()?);
    jiff::civil::Date::new(2024, m, d).ok().map(|_| (m, d))
}

impl CustomerFileInput {
    /// Checks the file as of `today`: the first contact not in the future.
    pub fn validate(mut self, today: Date) -> Result<CustomerFileInput, ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.first_contact > today || self.first_contact.year() < 2000 {
            e.add(
                "first_contact",
                "out_of_range",
                format!("the first contact is a day from 2000 to {today}"),
            );
        }
        self.contact = e.text("contact", &self.contact, MAX_CONTACT);
        self.phone = e.optional_text("phone", self.phone.as_deref(), MAX_CONTACT);
        self.inquiry = e.text("inquiry", &self.inquiry, MAX_REASON);
        self.birthday = e.optional_text("birthday", self.birthday.as_deref(), 5);
        if let Some(b) = &self.birthday
            && month_day(b).is_none()
        {
            e.add(
                "birthday",
                "invalid",
                format!("'{b}' is not a day of the year (MM-DD)"),
            );
        }
        self.interests = e.optional_text("interests", self.interests.as_deref(), MAX_REASON);
        self.note = e.optional_text("note", self.note.as_deref(), MAX_REASON);
        e.into_result(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn input() -> CustomerFileInput {
        CustomerFileInput {
            first_contact: date(2026, 3, 2),
            contact: " 陈经理 ".into(),
            phone: Some("13800000000".into()),
            inquiry: "秋冬新品订货会".into(),
            birthday: Some("02-29".into()),
            interests: Some("羽绒服、童装".into()),
            note: None,
        }
    }

    #[test]
    fn sal_2_a_customer_file_is_checked() {
        let f = input().validate(date(2026, 12, 1)).unwrap();
        assert_eq!(
            (f.contact.as_str(), f.birthday.as_deref()),
            ("陈经理", Some("02-29"))
        );
        let mut bad = input();
        bad.first_contact = date(2026, 12, 2);
        bad.contact = " ".into();
        bad.birthday = Some("13-01".into());
        let e = bad.validate(date(2026, 12, 1)).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["first_contact", "contact", "birthday"]);
        assert_eq!(month_day("12-31"), Some((12, 31)));
        assert_eq!(month_day("02-30"), None);
    }
}

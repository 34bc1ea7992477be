//! What was done about a missed monthly target (seed 001 第十一条: 未完成
//! 销售目标的销售人员,公司将进行约谈,并要求其制定改进计划;连续两个月未完成
//! ……给予警告或调整岗位): recorded against the rep or team and the month.

use serde::{Deserialize, Serialize};

use super::plan::TargetSubject;
use crate::ValidationErrors;
use crate::access::string_enum;

/// The longest text of a follow-up.
pub const MAX_FOLLOW_UP_NOTE: usize = 2000;

string_enum!(
    /// What was done.
    FollowUpKind {
        /// 约谈: the manager talked it through with the rep.
        Interview = "interview",
        /// 改进计划: the rep's written plan to catch up.
        ImprovementPlan = "improvement_plan",
        /// 警告: after two months in a row.
        Warning = "warning",
        /// 调整岗位: after two months in a row.
        PostChange = "post_change",
    }
);

impl FollowUpKind {
    /// Whether the seed asks for it only from the second miss running.
    pub fn is_for_a_second_miss(self) -> bool {
        matches!(self, FollowUpKind::Warning | FollowUpKind::PostChange)
    }
}

/// A follow-up as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FollowUpInput {
    /// A rep or a team.
    pub subject: TargetSubject,
    /// The missed month, 1–12.
    pub month: i8,
    pub kind: FollowUpKind,
    pub note: String,
}

impl FollowUpInput {
    /// Checks the text and the month; `streak` is how many months in a row
    /// the subject had missed by `month` (0 when it did not miss it).
    pub fn validate(self, streak: u8) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        if !matches!(
            self.subject,
            TargetSubject::Rep { .. } | TargetSubject::Team { .. }
        ) {
            e.add("subject", "invalid", "a follow-up is for a rep or a team");
        }
        if !(1..=12).contains(&self.month) {
            e.add("month", "out_of_range", "a month is 1 to 12");
        } else if streak == 0 {
            e.add(
                "month",
                "invalid",
                format!(
                    "{} did not miss its target in month {}",
                    self.subject, self.month
                ),
            );
        } else if self.kind.is_for_a_second_miss() && streak < 2 {
            e.add(
                "kind",
                "invalid",
                "a warning or a change of post follows the second month missed in a row",
            );
        }
        let note = e.text("note", &self.note, MAX_FOLLOW_UP_NOTE);
        e.into_result(FollowUpInput { note, ..self })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UserId;

    fn input(kind: FollowUpKind, month: i8) -> FollowUpInput {
        FollowUpInput {
            subject: TargetSubject::Rep { id: UserId(3) },
            month,
            kind,
            note: " 约谈，制定三月改进计划 ".into(),
        }
    }

    #[test]
    fn sal_1_a_follow_up_answers_a_miss_and_a_warning_a_second_one() {
        let ok = input(FollowUpKind::Interview, 2).validate(1).unwrap();
        assert_eq!(ok.note, "约谈，制定三月改进计划");
        assert!(input(FollowUpKind::Warning, 3).validate(2).is_ok());
        let e = input(FollowUpKind::Warning, 2).validate(1).unwrap_err();
        assert_eq!(e.errors[0].field, "kind");
        let e = input(FollowUpKind::Interview, 2).validate(0).unwrap_err();
        assert!(e.errors[0].message.contains("did not miss"), "{e}");
        let e = input(FollowUpKind::Interview, 13).validate(1).unwrap_err();
        assert_eq!(e.errors[0].field, "month");
        let mut company = input(FollowUpKind::Interview, 2);
        company.subject = TargetSubject::Company;
        company.note = String::new();
        let e = company.validate(1).unwrap_err();
        let f: Vec<&str> = e.errors.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(f, ["subject", "note"]);
    }
}

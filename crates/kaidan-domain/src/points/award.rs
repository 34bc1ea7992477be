//! Extra points (SAL-4; seed 001 第六条: 完成销售目标、客户满意度调查得分高、
//! 获得客户表扬、培训成绩优异、合理化建议被采纳、其他突出贡献): entered by the
//! sales manager with a reason, approved by the general manager before they
//! count (ADR 0041).

use serde::{Deserialize, Serialize};

use crate::access::string_enum;
use crate::validation::MAX_REASON;
use crate::{UserId, ValidationErrors};

/// The most points one award gives.
pub const MAX_AWARD_POINTS: i64 = 1_000_000;

string_enum!(
    /// Why extra points are given (seed 001 第六条 1–6).
    AwardReason {
        /// 完成月度、季度、年度销售目标
        TargetMet = "target_met",
        /// 客户满意度调查得分高
        Satisfaction = "satisfaction",
        /// 获得客户表扬或奖励
        Praise = "praise",
        /// 参与公司组织的培训、活动并取得优异成绩
        Training = "training",
        /// 提出合理化建议并被采纳
        Suggestion = "suggestion",
        /// 其他对公司有突出贡献的行为
        Other = "other",
    }
);

string_enum!(
    /// Where an award is in its approval.
    AwardStatus {
        Proposed = "proposed",
        Approved = "approved",
        Rejected = "rejected",
    }
);

/// An award as proposed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PointsAwardInput {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub rep_id: UserId,
    pub reason_kind: AwardReason,
    pub points: i64,
    /// What was done: the target, the survey, the praise, the course.
    pub reason: String,
}

impl PointsAwardInput {
    pub fn validate(self) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        if !(1..=MAX_AWARD_POINTS).contains(&self.points) {
            e.add(
                "points",
                "out_of_range",
                format!("an award gives 1 to {MAX_AWARD_POINTS} points"),
            );
        }
        let reason = e.text("reason", &self.reason, MAX_REASON);
        e.into_result(PointsAwardInput { reason, ..self })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sal_4_an_award_has_points_and_a_reason() {
        let ok = PointsAwardInput {
            rep_id: UserId(4),
            reason_kind: AwardReason::Praise,
            points: 200,
            reason: " 客户来信表扬 ".into(),
        };
        assert_eq!(ok.clone().validate().unwrap().reason, "客户来信表扬");
        let bad = PointsAwardInput {
            points: 0,
            reason: String::new(),
            ..ok
        };
        let e = bad.validate().unwrap_err();
        let f: Vec<&str> = e.errors.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(f, ["points", "reason"]);
    }
}

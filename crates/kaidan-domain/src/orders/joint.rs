//! Joint review (会审, ORD-4): an order above the configured amount, or
//! flagged special, is approved by sales, finance, warehouse/production and
//! logistics. It is approved when every required department has approved;
//! one rejection rejects it.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::access::string_enum;
use crate::validation::is_blank;
use crate::{Role, UserId};

string_enum!(
    /// A department that reviews orders and changes.
    Department {
        Sales = "sales",
        Finance = "finance",
        /// Warehouse and production (总仓 / 生产).
        Warehouse = "warehouse",
        Logistics = "logistics",
    }
);

impl Department {
    /// The role that decides for the department.
    pub fn role(self) -> Role {
        match self {
            Department::Sales => Role::SalesManager,
            Department::Finance => Role::Finance,
            Department::Warehouse => Role::Warehouse,
            Department::Logistics => Role::Logistics,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Department::Sales => "销售部",
            Department::Finance => "财务部",
            Department::Warehouse => "仓库/生产",
            Department::Logistics => "物流部",
        }
    }
}

string_enum!(
    /// One department's decision.
    Decision {
        Approve = "approve",
        Reject = "reject",
    }
);

/// A department's decision on an order in joint review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JointDecision {
    pub department: Department,
    pub by: UserId,
    pub role: Role,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub decision: Decision,
    /// Required for a rejection: why.
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JointReviewError {
    #[error("{0} is not asked to review this order")]
    NotRequired(Department),
    #[error("a {role} cannot decide for {department}; a {} must", department.role())]
    WrongRole { department: Department, role: Role },
    #[error("{0} has already decided")]
    AlreadyDecided(Department),
    #[error("the joint review is already {0}")]
    Closed(JointStatus),
    #[error("a rejection needs a comment saying why")]
    CommentRequired,
}

string_enum!(
    /// Where a joint review stands.
    JointStatus {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
    }
);

/// The joint review of one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JointReview {
    pub required: Vec<Department>,
    pub decisions: Vec<JointDecision>,
}

/// The departments a joint review asks by default.
pub const ALL_DEPARTMENTS: &[Department] = Department::ALL;

impl JointReview {
    pub fn new(required: impl IntoIterator<Item = Department>) -> Self {
        let mut required: Vec<Department> = required.into_iter().collect();
        required.sort();
        required.dedup();
        JointReview {
            required,
            decisions: Vec::new(),
        }
    }

    /// Records a decision: the department must be asked, the person must act
    /// in its role, each department decides once, and a closed review takes
    /// no more decisions.
    pub fn record(&mut self, d: JointDecision) -> Result<JointStatus, JointReviewError> {
        let status = self.status();
        if status != JointStatus::Pending {
            return Err(JointReviewError::Closed(status));
        }
        if !self.required.contains(&d.department) {
            return Err(JointReviewError::NotRequired(d.department));
        }
        if d.role != d.department.role() {
            return Err(JointReviewError::WrongRole {
                department: d.department,
                role: d.role,
            });
        }
        if self.decisions.iter().any(|x| x.department == d.department) {
            return Err(JointReviewError::AlreadyDecided(d.department));
        }
        if d.decision == Decision::Reject && is_blank(d.comment.as_deref()) {
            return Err(JointReviewError::CommentRequired);
        }
        self.decisions.push(d);
        Ok(self.status())
    }

    /// Rejected as soon as one department rejects; approved when every
    /// required department approved; pending otherwise.
    pub fn status(&self) -> JointStatus {
        if self
            .decisions
            .iter()
            .any(|d| d.decision == Decision::Reject)
        {
            JointStatus::Rejected
        } else if self.waiting_for().is_empty() {
            JointStatus::Approved
        } else {
            JointStatus::Pending
        }
    }

    /// Required departments that have not decided yet.
    pub fn waiting_for(&self) -> Vec<Department> {
        self.required
            .iter()
            .copied()
            .filter(|r| !self.decisions.iter().any(|d| d.department == *r))
            .collect()
    }

    /// The rejection that decided the review, if any.
    pub fn rejection(&self) -> Option<&JointDecision> {
        self.decisions
            .iter()
            .find(|d| d.decision == Decision::Reject)
    }
}

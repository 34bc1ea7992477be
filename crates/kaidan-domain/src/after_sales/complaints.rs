//! Complaints and feedback (投诉与反馈, AFS-2): from any channel, answered
//! within 24 hours, routed to the department concerned, owned by one
//! person, tracked to a resolution the customer confirms, and called back
//! (回访, seed 001) once resolved.
//!
//! The 24 hours are clock hours from the moment the complaint was
//! received, weekends and holidays included: a customer who complains on
//! a Friday evening is answered by Saturday evening (ADR 0036).

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::access::string_enum;
use crate::validation::ValidationErrors;
use crate::{CustomerId, OrderId};

/// How long the company has to acknowledge a complaint.
pub const ACK_WITHIN: SignedDuration = SignedDuration::from_hours(24);
/// Left of the 24 hours when the clock turns to a warning.
pub const ACK_WARNING: SignedDuration = SignedDuration::from_hours(4);
pub const MAX_SUBJECT: usize = 200;
pub const MAX_COMPLAINT_TEXT: usize = 4000;
pub const MAX_STEP_NOTE: usize = 2000;

string_enum!(
    /// Where the complaint came in.
    ComplaintChannel {
        Phone = "phone",
        Portal = "portal",
        Email = "email",
        Visit = "visit",
        Other = "other",
    }
);

impl ComplaintChannel {
    pub fn label_zh(self) -> &'static str {
        match self {
            ComplaintChannel::Phone => "电话",
            ComplaintChannel::Portal => "客户门户",
            ComplaintChannel::Email => "邮件",
            ComplaintChannel::Visit => "拜访",
            ComplaintChannel::Other => "其他",
        }
    }
}

string_enum!(
    /// The department a complaint is routed to.
    ComplaintDepartment {
        Sales = "sales",
        Warehouse = "warehouse",
        Logistics = "logistics",
        Quality = "quality",
        Finance = "finance",
    }
);

impl ComplaintDepartment {
    pub fn label_zh(self) -> &'static str {
        match self {
            ComplaintDepartment::Sales => "销售部",
            ComplaintDepartment::Warehouse => "仓储",
            ComplaintDepartment::Logistics => "物流",
            ComplaintDepartment::Quality => "质量",
            ComplaintDepartment::Finance => "财务",
        }
    }
}

string_enum!(
    /// Where a complaint stands.
    ComplaintStatus {
        /// Received; the 24-hour clock runs.
        Open = "open",
        /// Acknowledged to the customer; being worked on by its owner.
        Acknowledged = "acknowledged",
        /// A resolution is proposed; waits for the customer's word.
        Resolved = "resolved",
        /// The customer confirmed the resolution.
        Closed = "closed",
    }
);

impl ComplaintStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            ComplaintStatus::Open => "待受理",
            ComplaintStatus::Acknowledged => "处理中",
            ComplaintStatus::Resolved => "待客户确认",
            ComplaintStatus::Closed => "已关闭",
        }
    }

    /// The status a step leads to from this one, or `None` when the step
    /// does not apply here.
    pub fn after(self, step: ComplaintStep) -> Option<ComplaintStatus> {
        use ComplaintStatus::*;
        match (self, step) {
            (Open, ComplaintStep::Acknowledge) => Some(Acknowledged),
            // Routing to another department or person keeps the status.
            (Open | Acknowledged, ComplaintStep::Assign) => Some(self),
            (Acknowledged, ComplaintStep::Resolve) => Some(Resolved),
            (Resolved, ComplaintStep::Confirm) => Some(Closed),
            // The customer is not satisfied: back to its owner.
            (Resolved, ComplaintStep::Reopen) => Some(Acknowledged),
            (Closed, ComplaintStep::Callback) => Some(Closed),
            _ => None,
        }
    }
}

string_enum!(
    /// The steps of a complaint.
    ComplaintStep {
        Acknowledge = "acknowledge",
        Assign = "assign",
        Resolve = "resolve",
        Confirm = "confirm",
        Reopen = "reopen",
        Callback = "callback",
    }
);

string_enum!(
    /// Where the 24-hour acknowledgement stands.
    AckState {
        /// Not yet acknowledged, more than four hours left.
        Running = "running",
        /// Not yet acknowledged, four hours or less left.
        DueSoon = "due_soon",
        /// Not acknowledged and past the 24 hours.
        Overdue = "overdue",
        /// Acknowledged within the 24 hours.
        Met = "met",
        /// Acknowledged, but after the 24 hours.
        Late = "late",
    }
);

impl AckState {
    pub fn label_zh(self) -> &'static str {
        match self {
            AckState::Running => "计时中",
            AckState::DueSoon => "即将超时",
            AckState::Overdue => "已超时",
            AckState::Met => "按时受理",
            AckState::Late => "超时受理",
        }
    }
}

/// The 24-hour clock of a complaint: its due time and its state now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AckClock {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub due_at: Timestamp,
    pub state: AckState,
    /// Whole minutes left (negative: past due) while not acknowledged.
    pub minutes_left: Option<i64>,
}

/// The clock of a complaint received at `received_at`, acknowledged at
/// `acknowledged_at` (if it was), seen at `now`.
pub fn ack_clock(
    received_at: Timestamp,
    acknowledged_at: Option<Timestamp>,
    now: Timestamp,
) -> AckClock {
    let due_at = received_at
        .checked_add(ACK_WITHIN)
        .unwrap_or(Timestamp::MAX);
    let (state, minutes_left) = match acknowledged_at {
        Some(at) if at <= due_at => (AckState::Met, None),
        Some(_) => (AckState::Late, None),
        None => {
            let left = due_at.duration_since(now);
            let state = if left.is_negative() {
                AckState::Overdue
            } else if left <= ACK_WARNING {
                AckState::DueSoon
            } else {
                AckState::Running
            };
            (state, Some(left.as_secs().div_euclid(60)))
        }
    };
    AckClock {
        due_at,
        state,
        minutes_left,
    }
}

/// A complaint as entered: from a customer, by any channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ComplaintInput {
    pub customer_id: CustomerId,
    pub channel: ComplaintChannel,
    pub department: ComplaintDepartment,
    pub subject: String,
    #[serde(default)]
    pub detail: String,
    /// The order, shipment or return it concerns, if any.
    #[serde(default)]
    pub order_id: Option<OrderId>,
    #[serde(default)]
    pub shipment_id: Option<i64>,
    #[serde(default)]
    pub return_id: Option<i64>,
    /// Who owns it from the start (else whoever acknowledges it).
    #[serde(default)]
    pub owner_id: Option<crate::UserId>,
    /// When it was received, if earlier than it is entered (a voicemail
    /// heard in the morning): the clock runs from then. Not in the future.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(default)]
    pub received_at: Option<Timestamp>,
}

impl ComplaintInput {
    /// The trimmed subject and detail, and when the clock starts.
    pub fn check(&self, now: Timestamp) -> Result<(String, String, Timestamp), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let subject = e.text("subject", &self.subject, MAX_SUBJECT);
        let detail = e.trimmed("detail", &self.detail, MAX_COMPLAINT_TEXT);
        let received_at = self.received_at.unwrap_or(now);
        if received_at > now + SignedDuration::from_mins(5) {
            e.add(
                "received_at",
                "in_future",
                format!("{received_at} is in the future"),
            );
        }
        if received_at < now - SignedDuration::from_hours(24 * 30) {
            e.add(
                "received_at",
                "out_of_range",
                format!("{received_at} is more than 30 days ago; enter the complaint with today's time and say when it came in the detail"),
            );
        }
        e.into_result((subject, detail, received_at))
    }
}

/// One step of a complaint's course, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplaintLogEntry {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub by: String,
    pub step: String,
    pub note: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn afs_2_the_clock_runs_24_hours_and_warns_in_the_last_four() {
        let received = at("2026-12-01T02:00:00Z");
        let c = ack_clock(received, None, at("2026-12-01T10:00:00Z"));
        assert_eq!(
            (c.state, c.minutes_left),
            (AckState::Running, Some(16 * 60))
        );
        assert_eq!(c.due_at, at("2026-12-02T02:00:00Z"));
        let c = ack_clock(received, None, at("2026-12-01T23:00:00Z"));
        assert_eq!(c.state, AckState::DueSoon);
        let c = ack_clock(received, None, at("2026-12-02T02:00:01Z"));
        assert_eq!((c.state, c.minutes_left), (AckState::Overdue, Some(-1)));
    }

    #[test]
    fn afs_2_acknowledged_in_time_or_late() {
        let received = at("2026-12-01T02:00:00Z");
        let now = at("2026-12-09T00:00:00Z");
        assert_eq!(
            ack_clock(received, Some(at("2026-12-02T01:59:59Z")), now).state,
            AckState::Met
        );
        assert_eq!(
            ack_clock(received, Some(at("2026-12-02T02:00:00Z")), now).state,
            AckState::Met
        );
        assert_eq!(
            ack_clock(received, Some(at("2026-12-02T02:00:01Z")), now).state,
            AckState::Late
        );
    }

    #[test]
    fn afs_2_a_weekend_does_not_stop_the_clock() {
        // Friday 18:00 in Shanghai (10:00 UTC) is due Saturday 18:00;
        // on Monday morning it is overdue.
        let friday = at("2026-12-04T10:00:00Z");
        let c = ack_clock(friday, None, at("2026-12-07T01:00:00Z"));
        assert_eq!(c.due_at, at("2026-12-05T10:00:00Z"));
        assert_eq!(c.state, AckState::Overdue);
    }

    #[test]
    fn afs_2_steps_follow_the_status() {
        use ComplaintStatus::*;
        assert_eq!(Open.after(ComplaintStep::Acknowledge), Some(Acknowledged));
        assert_eq!(Open.after(ComplaintStep::Resolve), None);
        assert_eq!(
            Acknowledged.after(ComplaintStep::Assign),
            Some(Acknowledged)
        );
        assert_eq!(Resolved.after(ComplaintStep::Reopen), Some(Acknowledged));
        assert_eq!(Resolved.after(ComplaintStep::Confirm), Some(Closed));
        assert_eq!(Closed.after(ComplaintStep::Callback), Some(Closed));
        assert_eq!(Open.after(ComplaintStep::Callback), None);
    }

    #[test]
    fn afs_2_input_is_checked() {
        let now = at("2026-12-01T02:00:00Z");
        let input = ComplaintInput {
            customer_id: CustomerId(1),
            channel: ComplaintChannel::Phone,
            department: ComplaintDepartment::Logistics,
            subject: "  ".into(),
            detail: String::new(),
            order_id: None,
            shipment_id: None,
            return_id: None,
            owner_id: None,
            received_at: Some(at("2026-12-02T02:00:00Z")),
        };
        let e = input.check(now).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["subject", "received_at"]);
    }
}

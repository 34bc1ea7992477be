//! The allocation run (分货), seed 003 §6.4: a pure, deterministic function
//! from [`RunInput`] to [`RunResult`]. The rules are in
//! `/work/shared/ALLOCATION.md`; how Kaidan applies them, with worked examples
//! and the scenario format, is in `docs/allocation.md`.
//!
//! ```
//! use kaidan_domain::allocation::run_scenario_json;
//! let scenario = r#"{
//!   "settings": { "run_date": "2024-04-02" },
//!   "products": [ { "id": 1, "launch_priority": 1 } ],
//!   "supply": [ { "product": 1, "quantity": 5 } ],
//!   "franchisees": [ { "id": 7, "priority_rank": 1, "funds_balance": "100" } ],
//!   "order_lines": [ { "order_id": 1, "line_id": 1, "franchisee": 7, "product": 1,
//!                      "open_quantity": 8, "unit_price": "30", "order_date": "2024-03-01" } ]
//! }"#;
//! let result = run_scenario_json(scenario).unwrap();
//! assert!(result.contains(r#""bound": "money_exhausted""#)); // 100 / 30 → 3 units
//! ```

mod engine;
mod input;
mod lock;
mod order;
mod output;
mod reason;
mod scenario;
mod validate;

pub use engine::run;
pub use input::{
    DEFAULT_LOCK_PERIOD_DAYS, DEFAULT_SPRING_SUMMER_MONTHS, DEFAULT_TIME_ZONE, Franchisee,
    FranchiseeOrdering, OrderLine, Product, ProductSeason, Region, RegionNeed, RegionPriority,
    RunInput, Season, Settings, Store, StoreOperation, StoreStock, Supply, Tier,
};
pub use lock::LockStatus;

use crate::ValidationErrors;
pub use output::{
    Allocation, FranchiseeLineAllocation, FranchiseeLineShort, FranchiseeSummary, ProductSummary,
    RegionAllocation, RegionOrder, RegionShort, RunResult, StoreAllocation, StoreShort, Unserved,
};
pub use reason::{Bound, Group, Rank, Reason, Rule};
pub use scenario::{FormatErrors, FormatProblem, SCENARIO_SCHEMA};
pub use validate::{InputError, Issue, Location, MAX_LOCK_PERIOD_DAYS, Problem};

/// `[allocation]` of `kaidan.toml`: how a company runs its allocation
/// (ALC-3: franchisees by priority or by funds; ALC-5: the lock period).
/// Keys left out keep their defaults; unknown keys are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AllocationPolicy {
    pub franchisee_ordering: FranchiseeOrdering,
    pub lock_period_days: i64,
    /// How many days before a run a franchisee's orders count towards its
    /// cumulative ordered quantity (ALC-3). The seeds name no period; a
    /// year covers both seasons (ADR 0017).
    pub cumulative_period_days: i64,
}

/// The default of [`AllocationPolicy::cumulative_period_days`].
pub const DEFAULT_CUMULATIVE_PERIOD_DAYS: i64 = 365;
/// Ten years: the most history a ranking fact may look back on.
pub const MAX_CUMULATIVE_PERIOD_DAYS: i64 = 3_660;

impl Default for AllocationPolicy {
    fn default() -> Self {
        AllocationPolicy {
            franchisee_ordering: FranchiseeOrdering::Priority,
            lock_period_days: DEFAULT_LOCK_PERIOD_DAYS,
            cumulative_period_days: DEFAULT_CUMULATIVE_PERIOD_DAYS,
        }
    }
}

impl AllocationPolicy {
    /// Checks the bounds of the settings a run does not check itself.
    pub fn check(&self) -> Result<(), ValidationErrors> {
        if (1..=MAX_CUMULATIVE_PERIOD_DAYS).contains(&self.cumulative_period_days) {
            Ok(())
        } else {
            Err(ValidationErrors::single(
                "allocation.cumulative_period_days",
                "out_of_range",
                format!(
                    "must be between 1 and {MAX_CUMULATIVE_PERIOD_DAYS} days, not {}",
                    self.cumulative_period_days
                ),
            ))
        }
    }

    /// The start of the period whose orders make up the cumulative ordered
    /// quantity of a run at `now`: `cumulative_period_days` whole days
    /// before it.
    pub fn cumulative_since(
        &self,
        now: jiff::Timestamp,
    ) -> Result<jiff::Timestamp, ValidationErrors> {
        self.check()?;
        let span = jiff::SignedDuration::from_hours(self.cumulative_period_days * 24);
        now.checked_sub(span).map_err(|_| {
            ValidationErrors::single(
                "allocation.cumulative_period_days",
                "out_of_range",
                "reaches before the earliest time there is",
            )
        })
    }

    /// The settings of a run on `run_date` under this policy.
    pub fn settings(&self, run_date: jiff::civil::Date) -> Settings {
        Settings {
            franchisee_ordering: self.franchisee_ordering,
            lock_period_days: self.lock_period_days,
            ..Settings::new(run_date)
        }
    }
}

/// A scenario file could not be run.
///
/// No variant has a `source`: each message already contains its cause, and
/// a cause given twice shows twice in an error chain (`anyhow`'s `{:#}`).
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// Not JSON at all; the message has line and column.
    #[error("the scenario is not valid JSON: {0}")]
    Parse(serde_json::Error),
    /// JSON, but not in the scenario format: every problem, with its path.
    #[error(transparent)]
    Format(FormatErrors),
    /// The scenario parsed, but its content is not acceptable.
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("the result could not be written as JSON: {0}")]
    Write(serde_json::Error),
}

/// Reads a scenario document: JSON, checked against the scenario format
/// with every problem collected (see [`SCENARIO_SCHEMA`]).
pub fn parse_scenario(text: &str) -> Result<RunInput, ScenarioError> {
    let document: serde_json::Value = serde_json::from_str(text).map_err(ScenarioError::Parse)?;
    scenario::read(document).map_err(ScenarioError::Format)
}

/// Parses a scenario document, runs it and returns the result as pretty JSON
/// with a trailing newline. Byte-identical for identical scenarios.
pub fn run_scenario_json(text: &str) -> Result<String, ScenarioError> {
    let input = parse_scenario(text)?;
    let result = run(&input)?;
    result_json(&result)
}

/// The canonical JSON text of a result: pretty, with a trailing newline.
pub fn result_json(result: &RunResult) -> Result<String, ScenarioError> {
    let mut text = serde_json::to_string_pretty(result).map_err(ScenarioError::Write)?;
    text.push('\n');
    Ok(text)
}

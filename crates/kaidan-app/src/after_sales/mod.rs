//! After-sales use cases (AFS-1..3): satisfaction surveys (`surveys.rs`),
//! complaints (`complaints.rs`) and return and exchange requests raised by a
//! rep, a clerk or the customer, approved by the sales manager, received
//! and inspected by the warehouse, and closed by a refund, a replacement
//! order or a repair. Every step is audited, on the original order's
//! timeline, and an outbox event (`return.*`).

mod complaints;
mod handling;
mod requests;
mod surveys;

pub use complaints::{ComplaintStepInput, ComplaintView};
pub use handling::CompleteReturnInput;
pub use requests::{ReturnableLine, ReturnableView};
pub use surveys::{SatisfactionReport, SentSurvey, SurveyGroup};

use kaidan_domain::Permission;
use kaidan_domain::after_sales::{ReturnStatus, ReturnStep};

use crate::app::Ctx;
use crate::error::{AppError, AppResult};
use crate::ports::{ReturnRow, Tx};

fn return_not_found(id: i64) -> AppError {
    AppError::NotFound {
        what: "return",
        id: id.to_string(),
    }
}

/// A return the actor may see: staff with `return.read`, a portal user
/// its own customer's (another customer's is "not found").
async fn return_in(tx: &mut Box<dyn Tx>, ctx: &Ctx, id: i64) -> AppResult<ReturnRow> {
    ctx.require(Permission::ReturnRead)?;
    let r = tx
        .return_get(id)
        .await?
        .ok_or_else(|| return_not_found(id))?;
    if ctx.actor.customer_id.is_some_and(|c| c != r.customer_id) {
        return Err(return_not_found(id));
    }
    Ok(r)
}

/// The status a step leads to, or the refusal that names where the return
/// stands and where the step needs it.
fn next_status(r: &ReturnRow, step: ReturnStep) -> AppResult<ReturnStatus> {
    r.status.after(step).ok_or_else(|| {
        AppError::invalid(
            "status",
            "illegal_transition",
            format!(
                "return {} is {} ({}); to {step} it must be {} ({})",
                r.number,
                r.status,
                r.status.label_zh(),
                step.needs(),
                step.needs().label_zh()
            ),
        )
    })
}

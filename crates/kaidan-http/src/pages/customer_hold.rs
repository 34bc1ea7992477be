//! The finance hold box of the customer page (FIN-6): the hold in force
//! (who, when, why) and the past ones, and for finance a small form to set
//! a hold with its reason or to release it.

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::customer_hold::{CustomerHold, HoldInput};
use kaidan_domain::{CustomerId, Permission};

use super::format::local_time;
use super::master::detail_page;
use super::{Lang, PageForm, PageId, PageResult, after_post};
use crate::state::AppState;
use kaidan_domain::master::CustomerData;

pub fn routes() -> Router<AppState> {
    Router::new().route("/m/customers/{id}/hold", post(post_hold))
}

/// One hold as the page shows it.
pub struct HoldLine {
    pub reason: String,
    pub held_by: String,
    pub held_at: String,
    /// Who released it and when; empty while it holds.
    pub released: String,
}

/// What the customer page shows of its holds.
pub struct HoldBox {
    pub on_hold: bool,
    pub current: Option<HoldLine>,
    pub history: Vec<HoldLine>,
    /// The form (finance: `customer.hold`).
    pub can_hold: bool,
    /// A refused form post, shown above the form.
    pub error: Option<String>,
}

fn line(h: &CustomerHold) -> HoldLine {
    HoldLine {
        reason: h.reason.clone(),
        held_by: h.held_by_name.clone(),
        held_at: local_time(h.held_at),
        released: match (&h.released_by_name, h.released_at) {
            (Some(by), Some(at)) => format!("{by} {}", local_time(at)),
            _ => String::new(),
        },
    }
}

/// The box of customer `id`, for a user who may read the customer.
pub async fn hold_box(
    s: &AppState,
    ctx: &Ctx,
    id: i64,
    error: Option<String>,
) -> Result<HoldBox, AppError> {
    let view = s.app.customer_hold(ctx, CustomerId(id)).await?;
    Ok(HoldBox {
        on_hold: view.on_hold,
        current: view.current.as_ref().map(line),
        history: view.history.iter().map(line).collect(),
        can_hold: ctx.actor.can(Permission::CustomerHold),
        error,
    })
}

/// POST /m/customers/{id}/hold: `action` = `hold` (with `reason`) or
/// `release`; back to the customer page, or the page again with the
/// refusal.
async fn post_hold(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let lang: Lang = auth.chrome.lang;
    let customer = CustomerId(id);
    let outcome = match form.get("action").map(String::as_str) {
        Some("release") => s.app.release_customer_hold(&auth.ctx, customer).await,
        _ => {
            let input = HoldInput {
                reason: form.get("reason").cloned().unwrap_or_default(),
            };
            s.app.hold_customer(&auth.ctx, customer, input).await
        }
    };
    after_post(
        lang,
        outcome,
        |_| format!("/m/customers/{id}"),
        |message| detail_page::<CustomerData>(&s, auth, id, Some(message)),
    )
    .await
}

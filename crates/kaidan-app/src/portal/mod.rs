//! The customer portal (INT-2, SEC-1, ORD-5; issue 18, ADR 0035): what a
//! customer's own users see and do beyond the order and account use cases
//! they share with staff (those already restrict a portal user to its own
//! customer): the catalogue with its price list and availability levels,
//! the goods locked for it, its inbox of notices, its signed contracts and
//! its own users.

mod catalogue;
mod contracts;
mod home;
mod inbox;
mod users;

pub use catalogue::{CatalogueItem, CatalogueQuery};
pub use contracts::PortalContract;
pub use home::{PortalHome, PortalLock};
pub use inbox::{Notice, NoticePage};
pub use users::PortalUserInput;

use kaidan_domain::CustomerId;

use crate::app::Ctx;
use crate::error::{AppError, AppResult};

/// The customer of a portal user. Staff have no portal: the portal's use
/// cases answer them as a forbidden step, never with some customer's data.
pub(crate) fn portal_customer(ctx: &Ctx) -> AppResult<CustomerId> {
    ctx.actor
        .customer_id
        .ok_or(AppError::Forbidden(kaidan_domain::Permission::PortalPay))
}

//! Dunning and collection (催款, FIN-4; ADR 0022): the month-end notices to
//! the sales reps of overdue customers, escalated by days overdue
//! (`dunning`, also the `dunning` job), collection actions and the
//! collection report (`actions`), and statements of account with the
//! customer's confirmation (`statements`).
//!
//! Who sees what is order to cash's reach (`finance::Reach`): finance and
//! managers every customer, a sales rep his own, a portal user its own.
//! Recording an action or a confirmation needs `receipt.register` (the rep
//! who collects, or finance) within that reach; running dunning needs
//! `invoice.write`.

mod actions;
mod dunning;
mod statements;

pub use dunning::DunningRun;

use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_domain::orders::company_time_zone;

/// The first moment of `day` in the company's time zone.
pub(crate) fn start_of(day: Date) -> Timestamp {
    day.to_zoned(company_time_zone())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::MIN)
}

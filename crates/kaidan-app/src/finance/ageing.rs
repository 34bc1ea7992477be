//! Receivables ageing (账龄分析, FIN-4) as of any day, for finance and
//! managers (`invoice.read` with `account.read`).

use jiff::civil::Date;
use kaidan_domain::Permission;
use kaidan_domain::finance::{AgeingGroup, AgeingReport, age};

use crate::app::{App, Ctx};
use crate::error::AppResult;

impl App {
    /// The open invoices as of `as_of` (default today) in the configured
    /// buckets of days past due, one row per `group`.
    pub async fn ageing(
        &self,
        ctx: &Ctx,
        as_of: Option<Date>,
        group: AgeingGroup,
    ) -> AppResult<AgeingReport> {
        ctx.require(Permission::InvoiceRead)?;
        ctx.require(Permission::AccountRead)?;
        let today = self.today();
        let as_of = as_of.unwrap_or(today);
        let mut tx = self.store.read().await?;
        // Nothing is dated after today: today's open amounts are kept.
        let items = if as_of >= today {
            tx.ageing_items_now(group).await?
        } else {
            tx.ageing_items(as_of, group).await?
        };
        Ok(age(
            &items,
            as_of,
            group,
            &self.config.finance.ageing_buckets,
        ))
    }
}

//! Month-end dunning notices (FIN-4): for every customer with invoices
//! overdue on a period's last day, one notice to its sales rep with the
//! level of the oldest (escalated to the sales manager, then legal). Raised
//! by the `dunning` job once the month has ended, or by finance for a
//! period; a customer's notice of a period is stored once (the store skips
//! a second one), so two nodes or a job and finance at once raise it once.

use std::collections::BTreeMap;

use kaidan_domain::audit::FieldChange;
use kaidan_domain::finance::{DunningLevel, Period, ReceivableItem, notice_of};
use kaidan_domain::{CustomerId, Permission};
use serde::Serialize;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::finance::Reach;
use crate::ports::{DunningNotice, NoticeFilter, Tx};

/// What a run of dunning did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DunningRun {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-03"))]
    pub period: Period,
    /// Notices this run raised (those raised before are not raised again).
    pub raised: u32,
    /// Every notice of the period.
    pub notices: Vec<DunningNotice>,
}

impl App {
    /// Raises the notices of `period` in `tx`; how many were new.
    pub(crate) async fn raise_dunning_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        period: Period,
    ) -> AppResult<u32> {
        let items = tx.receivables_as_of(period.last_day(), None).await?;
        let mut by_customer: BTreeMap<CustomerId, Vec<ReceivableItem>> = BTreeMap::new();
        for it in items {
            by_customer.entry(it.customer_id).or_default().push(it);
        }
        let thresholds = self.config.finance.dunning;
        let mut raised = 0u32;
        for (customer, items) in by_customer {
            let rep = items.first().and_then(|i| i.sales_rep_id);
            let Some(draft) = notice_of(customer, rep, period, &items, &thresholds) else {
                continue;
            };
            let Some(id) = tx
                .dunning_notice_insert(&draft, self.now(), &ctx.actor.username)
                .await?
            else {
                continue;
            };
            raised += 1;
            let summary = format!(
                "{} {} {} ({} days)",
                period, draft.level, draft.overdue, draft.oldest_days
            );
            self.audit(
                tx,
                ctx,
                "customer",
                customer.get(),
                "dunning_raised",
                vec![FieldChange {
                    field: "dunning_notice".into(),
                    before: None,
                    after: Some(summary),
                }],
            )
            .await?;
            self.publish(
                tx,
                "dunning.raised",
                "dunning_notice",
                id,
                serde_json::json!({
                    "id": id,
                    "customer_id": customer,
                    "period": period,
                    "level": draft.level,
                    "overdue": draft.overdue,
                    "oldest_days": draft.oldest_days,
                    "sales_rep_id": draft.sales_rep_id,
                    "escalated_to": draft.escalated_to,
                    "invoices": draft.invoices.iter().map(|i| i.invoice_id).collect::<Vec<_>>(),
                }),
            )
            .await?;
        }
        Ok(raised)
    }

    /// Finance runs dunning for a period that has ended, now (idempotent:
    /// notices raised before stay as they were).
    pub async fn run_dunning(&self, ctx: &Ctx, period: Period) -> AppResult<DunningRun> {
        ctx.require(Permission::InvoiceWrite)?;
        ctx.require(Permission::AccountRead)?;
        let today = self.today();
        if period.last_day() >= today {
            return Err(AppError::invalid(
                "period",
                "not_ended",
                format!("{period} has not ended yet (today is {today})"),
            ));
        }
        let mut tx = self.store.write().await?;
        let raised = self.raise_dunning_in(&mut tx, ctx, period).await?;
        tx.commit().await?;
        let notices = self
            .dunning_notices(
                ctx,
                NoticeFilter {
                    period: Some(period),
                    limit: 10_000,
                    ..NoticeFilter::default()
                },
            )
            .await?;
        Ok(DunningRun {
            period,
            raised,
            notices,
        })
    }

    /// Dunning notices: finance and managers every customer's, a sales rep
    /// those of his customers, a portal user its own, and a role a level
    /// escalates to (legal) every notice of that level (FIN-4).
    pub async fn dunning_notices(
        &self,
        ctx: &Ctx,
        mut filter: NoticeFilter,
    ) -> AppResult<Vec<DunningNotice>> {
        notices_within_reach(ctx, &mut filter)?;
        filter.limit = filter.limit.clamp(1, 10_000);
        let mut tx = self.store.read().await?;
        Ok(tx.dunning_notices(&filter).await?)
    }

    /// One dunning notice, for its letter (DOC-1), within the same reach
    /// as the list: one that exists but lies outside it is refused, an
    /// unknown one not found.
    pub async fn dunning_notice(&self, ctx: &Ctx, id: i64) -> AppResult<DunningNotice> {
        let mut filter = NoticeFilter {
            id: Some(id),
            limit: 1,
            ..NoticeFilter::default()
        };
        notices_within_reach(ctx, &mut filter)?;
        let mut tx = self.store.read().await?;
        if let Some(notice) = tx.dunning_notices(&filter).await?.pop() {
            return Ok(notice);
        }
        let unknown = tx
            .dunning_notices(&NoticeFilter {
                id: Some(id),
                limit: 1,
                ..NoticeFilter::default()
            })
            .await?
            .is_empty();
        Err(if unknown {
            AppError::NotFound {
                what: "dunning notice",
                id: id.to_string(),
            }
        } else {
            AppError::Forbidden(Permission::InvoiceRead)
        })
    }
}

/// Narrows `filter` to the notices `ctx` may see. Someone who reads no
/// invoices but holds a role that dunning escalates to (legal) sees the
/// notices of those levels for every customer: they are given to him.
pub(crate) fn notices_within_reach(ctx: &Ctx, filter: &mut NoticeFilter) -> AppResult<()> {
    let escalated = DunningLevel::escalated_to_any(&ctx.actor.roles);
    if ctx.actor.customer_id.is_none()
        && !ctx.actor.can(Permission::InvoiceRead)
        && !escalated.is_empty()
    {
        filter.levels = escalated;
        return Ok(());
    }
    match Reach::of(ctx)? {
        Reach::All => {}
        Reach::Rep(u) => filter.sales_rep = Some(u),
        Reach::Customer(c) => filter.customer = Some(c),
    }
    Ok(())
}

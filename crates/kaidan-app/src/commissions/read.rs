//! Reading commissions: a month's statements within reach with their
//! totals, one statement with its lines, and the card of a home page.

use kaidan_domain::Money;
use kaidan_domain::Permission;
use kaidan_domain::commissions::StatementStatus;
use kaidan_domain::visits::month_start;
use serde::Serialize;

use super::no_statement;
use crate::ports::{CommissionStatement, CommissionStatementRow};
use crate::visits::month_key;
use crate::{App, AppResult, Ctx};

/// A month's statements within reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommissionMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub statements: Vec<CommissionStatementRow>,
    pub base: Money,
    pub commission: Money,
}

/// What a home page shows of commissions: the statements waiting for the
/// reader's step, and his own latest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommissionCard {
    /// Computed statements of his team (a sales manager) or reviewed ones
    /// (finance).
    pub waiting: i64,
    pub own: Option<CommissionStatementRow>,
}

impl App {
    pub async fn commission_month(&self, ctx: &Ctx, month: &str) -> AppResult<CommissionMonth> {
        let key = month_key(month_start(month)?);
        let reach = self.commission_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        let statements = tx
            .commission_statements(Some(&key), reach.as_deref())
            .await?;
        // Each statement is within the bound; a month of them sums in i128
        // and is shown at most at the bound.
        let total = |f: fn(&CommissionStatementRow) -> Money| {
            Money::checked_sum(statements.iter().map(f)).unwrap_or(Money::MAX)
        };
        Ok(CommissionMonth {
            base: total(|s| s.base),
            commission: total(|s| s.commission),
            month: key,
            statements,
        })
    }

    /// A statement with its lines, within reach.
    pub async fn commission_statement(&self, ctx: &Ctx, id: i64) -> AppResult<CommissionStatement> {
        let reach = self.commission_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        let s = tx
            .commission_statement(id)
            .await?
            .ok_or_else(|| no_statement(id))?;
        if reach.as_ref().is_some_and(|r| !r.contains(&s.head.rep_id)) {
            return Err(no_statement(id));
        }
        Ok(s)
    }

    /// A rep's statements, the newest month first.
    pub async fn commission_history(&self, ctx: &Ctx) -> AppResult<Vec<CommissionStatementRow>> {
        let reach = self.commission_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        Ok(tx.commission_statements(None, reach.as_deref()).await?)
    }

    /// None for one who works with no commissions.
    pub async fn commission_card(&self, ctx: &Ctx) -> AppResult<Option<CommissionCard>> {
        let a = &ctx.actor;
        let Ok(reach) = self.commission_reach(ctx).await else {
            return Ok(None);
        };
        let waiting_for = if a.can(Permission::CommissionsFinance) {
            Some(StatementStatus::Reviewed)
        } else if a.can(Permission::CommissionsWrite) {
            Some(StatementStatus::Computed)
        } else {
            None
        };
        let mut tx = self.store.read().await?;
        let all = tx.commission_statements(None, reach.as_deref()).await?;
        let waiting = waiting_for.map_or(0, |w| {
            all.iter()
                .filter(|s| s.status == w && s.rep_id != a.user_id)
                .count()
        });
        Ok(Some(CommissionCard {
            waiting: i64::try_from(waiting).unwrap_or(i64::MAX),
            own: all.into_iter().find(|s| s.rep_id == a.user_id),
        }))
    }
}

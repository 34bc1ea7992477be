//! The customer's own contracts in the portal (CON-2): those signed with
//! it — signed, in force, completed or terminated; never a draft or one in
//! review — with what was ordered against each and what remains, and the
//! day its money is due. Staff read contracts through the contracts use
//! cases; a portal user only here, and only its own.

use kaidan_domain::contracts::{ContractProgress, ContractStatus};
use serde::Serialize;

use super::portal_customer;
use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::ports::{ContractFilter, ContractRow};

/// A contract as its customer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalContract {
    pub contract: ContractRow,
    pub progress: ContractProgress,
}

impl App {
    /// The portal user's customer's signed contracts, newest first.
    pub async fn portal_contracts(&self, ctx: &Ctx) -> AppResult<Vec<PortalContract>> {
        let customer = portal_customer(ctx)?;
        let mut tx = self.store.read().await?;
        let rows = tx
            .contracts(&ContractFilter {
                customer: Some(customer),
                limit: self.config.max_page,
                ..ContractFilter::default()
            })
            .await?;
        let mut out = Vec::new();
        for c in rows.into_iter().filter(|c| {
            matches!(
                c.status,
                ContractStatus::Signed
                    | ContractStatus::InForce
                    | ContractStatus::Completed
                    | ContractStatus::Terminated
            )
        }) {
            let f = tx.contract_figures(c.id).await?;
            let progress =
                ContractProgress::new(&c.terms, &f.units, f.ordered, f.shipped, f.invoiced, f.paid);
            out.push(PortalContract {
                contract: c,
                progress,
            });
        }
        Ok(out)
    }
}

//! What order entry shows beside the form once a customer is chosen: its
//! terms, what it may still spend and its open orders (issue 21), so the
//! clerk sees a credit problem before the review does.

use jiff::Timestamp;
use kaidan_domain::field_rules::Field;
use kaidan_domain::master::{CustomerData, PaymentMethod, PaymentTerms};
use kaidan_domain::orders::OrderStatus;
use kaidan_domain::{CustomerId, Money, OrderId, Permission};
use serde::Serialize;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::master::typed_record;
use crate::ports::EntityKind;

/// How many open orders the overview lists (the count covers them all).
const NEWEST_OPEN: u32 = 5;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenOrder {
    pub id: OrderId,
    /// Given at approval; absent before.
    pub number: Option<String>,
    pub status: OrderStatus,
    pub amount: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub received_at: Timestamp,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerOverview {
    pub customer_id: CustomerId,
    pub code: String,
    pub name: String,
    pub payment_method: PaymentMethod,
    pub payment_terms: PaymentTerms,
    /// Days to pay for net-days terms.
    pub net_days: Option<u32>,
    /// Absent for callers who may not read it (SEC-4).
    pub credit_limit: Option<Money>,
    /// Funds and credit not yet spoken for: what a new order may use (for
    /// readers of the account and whoever enters orders; FIN-5).
    pub available: Option<Money>,
    /// Orders received and not yet shipped in full, cancelled or refused.
    pub open_orders: u64,
    pub open_amount: Money,
    /// The newest open orders, at most five.
    pub newest_open: Vec<OpenOrder>,
}

/// Open for the clerk: received and not yet shipped in full, cancelled,
/// refused or finished.
fn open_statuses() -> Vec<OrderStatus> {
    OrderStatus::ALL
        .iter()
        .copied()
        .filter(|s| !s.is_final() && !matches!(s, OrderStatus::Rejected | OrderStatus::Shipped))
        .collect()
}

impl App {
    pub async fn customer_overview(
        &self,
        ctx: &Ctx,
        customer: CustomerId,
    ) -> AppResult<CustomerOverview> {
        let own = ctx.actor.customer_id == Some(customer);
        if !own {
            if ctx.actor.customer_id.is_some() {
                return Err(AppError::NotFound {
                    what: "customer",
                    id: customer.to_string(),
                });
            }
            ctx.require(Permission::CustomerRead)?;
        }
        let (counted, amount, newest, data) = {
            let mut tx = self.store.read().await?;
            let Some(rec) = tx.master_get(EntityKind::Customer, customer.get()).await? else {
                return Err(AppError::NotFound {
                    what: "customer",
                    id: customer.to_string(),
                });
            };
            let data = typed_record::<CustomerData>(rec)?.data;
            let (n, amount, rows) = tx
                .customer_open_orders(customer, &open_statuses(), NEWEST_OPEN)
                .await?;
            (n, amount, rows, data)
        };
        // Whoever enters orders sees what the customer may still spend,
        // as the review will judge it; the limit itself stays confidential
        // (SEC-4).
        let sees_available =
            Self::may_read_account(ctx, customer).is_ok() || ctx.actor.can(Permission::OrderCreate);
        let (credit_limit, available) = if sees_available {
            let (balance, _) = self.account_of(customer).await?;
            let limit = if own {
                Some(balance.credit_limit)
            } else {
                ctx.visibility()
                    .cell(Field::CustomerCreditLimit, balance.credit_limit)
            };
            (limit, Some(balance.total_available))
        } else {
            (None, None)
        };
        Ok(CustomerOverview {
            customer_id: customer,
            code: data.code,
            name: data.name,
            payment_method: data.payment_method,
            payment_terms: data.payment_terms,
            net_days: data.net_days,
            credit_limit,
            available,
            open_orders: counted,
            open_amount: amount,
            newest_open: newest
                .into_iter()
                .map(|r| OpenOrder {
                    id: r.id,
                    number: r.number,
                    status: r.status,
                    amount: r.amount,
                    received_at: r.received_at,
                })
                .collect(),
        })
    }
}

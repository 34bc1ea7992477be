//! The portal's first page (INT-2): the customer's account at a glance,
//! whether it is on hold, the goods locked for it and waiting for payment
//! (ALC-5), its latest orders and how many notices it has not read.

use std::collections::HashMap;

use jiff::civil::Date;
use kaidan_domain::allocation::LockStatus;
use kaidan_domain::master::{CustomerData, ProductData};
use kaidan_domain::orders::AccountBalance;
use kaidan_domain::{Money, OrderId, ProductId};
use serde::Serialize;

use super::portal_customer;
use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::master::exists::get_record;
use crate::master::typed_record;
use crate::ports::{EntityKind, OrderQuery, OrderRow};

/// Goods allocated to the customer and held until it pays (ALC-5).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortalLock {
    pub order_id: OrderId,
    pub order_number: String,
    pub sku: String,
    pub product_name: String,
    pub quantity: i64,
    pub amount: Money,
    /// The last day: unpaid after it, the goods go back to supply.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub expires_on: Date,
}

/// The portal's home page.
#[derive(Debug, Clone, PartialEq)]
pub struct PortalHome {
    pub code: String,
    pub name: String,
    pub balance: AccountBalance,
    /// The reason of the finance hold in force, if any (FIN-6).
    pub hold: Option<String>,
    pub locks: Vec<PortalLock>,
    pub recent_orders: Vec<OrderRow>,
    pub unread: i64,
}

impl App {
    /// The goods locked for the portal user's customer, last day first.
    pub async fn portal_locks(&self, ctx: &Ctx) -> AppResult<Vec<PortalLock>> {
        let customer = portal_customer(ctx)?;
        let mut tx = self.store.read().await?;
        let locks: Vec<_> = tx
            .locks(Some(LockStatus::Active))
            .await?
            .into_iter()
            .filter(|l| l.customer_id == customer)
            .collect();
        let mut ids: Vec<i64> = locks.iter().map(|l| l.product_id.get()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut products: HashMap<ProductId, ProductData> = HashMap::new();
        for rec in tx.master_get_many(EntityKind::Product, &ids).await? {
            let r = typed_record::<ProductData>(rec)?;
            products.insert(ProductId(r.id), r.data);
        }
        let mut numbers: HashMap<OrderId, String> = HashMap::new();
        let mut out = Vec::with_capacity(locks.len());
        for l in locks {
            let order_number = match numbers.get(&l.order_id) {
                Some(n) => n.clone(),
                None => {
                    let n = tx
                        .order_get(l.order_id)
                        .await?
                        .and_then(|o| o.number)
                        .unwrap_or_else(|| format!("#{}", l.order_id));
                    numbers.insert(l.order_id, n.clone());
                    n
                }
            };
            let p = products.get(&l.product_id);
            out.push(PortalLock {
                order_id: l.order_id,
                order_number,
                sku: p.map(|p| p.sku.clone()).unwrap_or_default(),
                product_name: p.map(|p| p.name.clone()).unwrap_or_default(),
                quantity: l.quantity,
                amount: l.unit_price.times(l.quantity),
                expires_on: l.expires_on,
            });
        }
        out.sort_by(|a, b| {
            a.expires_on
                .cmp(&b.expires_on)
                .then(a.order_id.cmp(&b.order_id))
        });
        Ok(out)
    }

    /// The portal's home page of the portal user's customer.
    pub async fn portal_home(&self, ctx: &Ctx) -> AppResult<PortalHome> {
        let customer = portal_customer(ctx)?;
        let (balance, _) = self.account(ctx, customer).await?;
        let hold = self
            .customer_hold(ctx, customer)
            .await?
            .current
            .map(|h| h.reason);
        let locks = self.portal_locks(ctx).await?;
        let recent_orders = self
            .orders(
                ctx,
                OrderQuery {
                    limit: 5,
                    ..OrderQuery::default()
                },
            )
            .await?
            .into_iter()
            .take(5)
            .collect();
        let mut tx = self.store.read().await?;
        let data = get_record::<CustomerData>(&mut tx, customer.get())
            .await?
            .data;
        let unread = tx.notices_unread(customer).await?;
        Ok(PortalHome {
            code: data.code,
            name: data.name,
            balance,
            hold,
            locks,
            recent_orders,
            unread,
        })
    }
}

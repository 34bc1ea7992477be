//! Reading, pricing and writing one order inside a transaction: the helpers
//! every order use case shares (load, price book, timeline event, save).

use kaidan_domain::audit::diff;
use kaidan_domain::master::{CustomerData, PriceListData, ProductData};
use kaidan_domain::orders::{
    CustomerDefaults, OrderInput, OrderStatus, PriceBook, PricedOrder, ProductFacts,
    company_time_zone, price_order,
};
use kaidan_domain::{CustomerId, OrderId, Role};
use serde::Serialize;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::master::typed_record;
use crate::ports::{EntityKind, OrderEventRow, OrderRow, Tx};

use super::*;

impl App {
    pub(crate) fn today(&self) -> jiff::civil::Date {
        self.now().to_zoned(company_time_zone()).date()
    }

    /// Portal users only ever see and act on their own customer's orders.
    pub(super) fn check_customer(ctx: &Ctx, customer: CustomerId) -> AppResult<()> {
        if ctx.actor.has_role(Role::Customer) && ctx.actor.customer_id != Some(customer) {
            return Err(AppError::NotFound {
                what: "customer",
                id: customer.to_string(),
            });
        }
        Ok(())
    }

    pub(crate) async fn load_order(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        id: OrderId,
    ) -> AppResult<OrderRow> {
        let row = tx.order_get(id).await?.ok_or_else(|| not_found(id))?;
        if ctx.actor.has_role(Role::Customer) && ctx.actor.customer_id != Some(row.customer_id) {
            return Err(not_found(id));
        }
        Ok(row)
    }

    /// The catalogue facts of `products` and the customer's price list.
    pub(crate) async fn price_book(
        &self,
        tx: &mut Box<dyn Tx>,
        customer: &CustomerData,
        products: &[kaidan_domain::ProductId],
    ) -> AppResult<PriceBook> {
        let mut ids: Vec<i64> = products.iter().map(|p| p.get()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut facts = Vec::with_capacity(ids.len());
        for rec in tx.master_get_many(EntityKind::Product, &ids).await? {
            let id = kaidan_domain::ProductId(rec.id);
            facts.push(ProductFacts::from_master(
                id,
                &typed_record::<ProductData>(rec)?.data,
            ));
        }
        Ok(PriceBook::new(
            facts,
            self.price_list_items(tx, customer).await?,
        ))
    }

    /// The items of the customer's price list; none when it has none.
    pub(crate) async fn price_list_items(
        &self,
        tx: &mut Box<dyn Tx>,
        customer: &CustomerData,
    ) -> AppResult<Vec<kaidan_domain::master::PriceListItem>> {
        Ok(match customer.price_list_id {
            Some(pl) => match tx.master_get(EntityKind::PriceList, pl.get()).await? {
                Some(rec) => typed_record::<PriceListData>(rec)?.data.items,
                None => Vec::new(),
            },
            None => Vec::new(),
        })
    }

    /// Prices an order from the catalogue and the customer's price list.
    pub(crate) async fn price(
        &self,
        tx: &mut Box<dyn Tx>,
        input: &OrderInput,
    ) -> AppResult<(PricedOrder, CustomerData)> {
        let valid = input.validate(self.today())?;
        let customer = match tx
            .master_get(EntityKind::Customer, valid.customer_id.get())
            .await?
        {
            Some(rec) => typed_record::<CustomerData>(rec)?.data,
            None => {
                return Err(AppError::invalid(
                    "customer_id",
                    "unknown_reference",
                    format!("no customer with id {}", valid.customer_id),
                ));
            }
        };
        if !customer.active {
            return Err(AppError::invalid(
                "customer_id",
                "inactive",
                "the customer is inactive",
            ));
        }
        let products: Vec<kaidan_domain::ProductId> =
            valid.lines.iter().map(|l| l.product_id).collect();
        let book = self.price_book(tx, &customer, &products).await?;
        let book = self
            .with_contract_prices(tx, valid.contract_id, book)
            .await?;
        let priced = price_order(&valid, &book, &CustomerDefaults::from_master(&customer))?;
        let given = valid
            .lines
            .iter()
            .filter_map(|l| l.unit_price.map(|p| (l.line_no, p)))
            .collect();
        self.check_contract_order(tx, valid.customer_id, &priced, &given, None)
            .await?;
        Ok((priced, customer))
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn event(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        id: OrderId,
        kind: &str,
        from: Option<OrderStatus>,
        to: Option<OrderStatus>,
        note: &str,
        data: serde_json::Value,
    ) -> AppResult<()> {
        tx.order_event_append(
            id,
            &OrderEventRow {
                at: self.now(),
                actor_id: ctx.actor.user_id,
                actor_name: ctx.actor.username.clone(),
                kind: kind.to_string(),
                from_status: from,
                to_status: to,
                note: note.to_string(),
                data: data.clone(),
            },
        )
        .await?;
        let mut payload = data;
        if let Some(obj) = payload.as_object_mut() {
            obj.insert("order_id".into(), id.get().into());
            if let Some(t) = to {
                obj.insert("status".into(), t.as_str().into());
            }
        }
        self.publish(tx, &format!("order.{kind}"), "order", id.get(), payload)
            .await
    }

    /// A timeline entry that leaves the order's status as it is.
    pub(crate) async fn order_note(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        order: &OrderRow,
        kind: &str,
        note: &str,
        data: serde_json::Value,
    ) -> AppResult<()> {
        let status = Some(order.status);
        self.event(tx, ctx, order.id, kind, status, status, note, data)
            .await
    }

    /// The timeline entry of the order's move from `before` to `after`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn order_moved(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        before: &OrderRow,
        after: &OrderRow,
        kind: &str,
        note: &str,
        data: serde_json::Value,
    ) -> AppResult<()> {
        let (from, to) = (Some(before.status), Some(after.status));
        self.event(tx, ctx, before.id, kind, from, to, note, data)
            .await
    }

    /// Saves the order after a change of state, with its audit row.
    pub(crate) async fn save(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        before: &OrderRow,
        after: &OrderRow,
    ) -> AppResult<()> {
        let lines_changed = before.document.lines != after.document.lines;
        if !tx.order_save(after, before.version, lines_changed).await? {
            return Err(AppError::VersionConflict {
                what: "order",
                id: before.id.get(),
                current: before.version + 1,
            });
        }
        #[derive(Serialize)]
        struct Audited<'a> {
            status: OrderStatus,
            number: &'a Option<String>,
            document: &'a PricedOrder,
        }
        let changes = diff(
            Some(&Audited {
                status: before.status,
                number: &before.number,
                document: &before.document,
            }),
            Some(&Audited {
                status: after.status,
                number: &after.number,
                document: &after.document,
            }),
        );
        if !changes.is_empty() {
            self.audit(tx, ctx, "order", after.id.get(), "update", changes)
                .await?;
        }
        Ok(())
    }
}

//! Finance holds on customers in SQL (FIN-6): one row per hold, the open
//! one without a release (a partial unique index keeps it to one).

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{HoldsTx, StoreError};
use kaidan_domain::customer_hold::CustomerHold;
use kaidan_domain::{CustomerId, UserId};

use crate::row::{RowExt, from_micros, micros};
use crate::tx::{DbTx, exec, fetch_all, fetch_as, fetch_opt};

const HOLD_COLS: &str = "id, customer_id, reason, held_by, held_by_name, held_at, \
     released_by, released_by_name, released_at";

fn hold_from(r: &impl RowExt) -> Result<CustomerHold, StoreError> {
    Ok(CustomerHold {
        id: r.i64("id")?,
        customer_id: CustomerId(r.i64("customer_id")?),
        reason: r.text("reason")?,
        held_by: UserId(r.i64("held_by")?),
        held_by_name: r.text("held_by_name")?,
        held_at: r.ts("held_at")?,
        released_by: r.opt_i64("released_by")?.map(UserId),
        released_by_name: r.opt_text("released_by_name")?,
        released_at: r.opt_i64("released_at")?.map(from_micros).transpose()?,
    })
}

#[async_trait]
impl HoldsTx for DbTx {
    async fn customer_hold_open(
        &mut self,
        customer: CustomerId,
    ) -> Result<Option<CustomerHold>, StoreError> {
        let sql = format!(
            "SELECT {HOLD_COLS} FROM customer_holds \
             WHERE customer_id = $1 AND released_at IS NULL"
        );
        Ok(fetch_opt!(self, &sql, [customer.get()], hold_from))
    }

    async fn customer_holds(
        &mut self,
        customer: CustomerId,
        limit: u32,
    ) -> Result<Vec<CustomerHold>, StoreError> {
        let sql = format!(
            "SELECT {HOLD_COLS} FROM customer_holds WHERE customer_id = $1 \
             ORDER BY id DESC LIMIT $2"
        );
        Ok(fetch_all!(
            self,
            &sql,
            [customer.get(), i64::from(limit)],
            hold_from
        ))
    }

    async fn customer_hold_insert(&mut self, hold: &CustomerHold) -> Result<i64, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO customer_holds (customer_id, reason, held_by, held_by_name, held_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            [
                hold.customer_id.get(),
                &hold.reason,
                hold.held_by.get(),
                &hold.held_by_name,
                micros(hold.held_at)
            ]
        ))
    }

    async fn customer_hold_release(
        &mut self,
        id: i64,
        by: UserId,
        by_name: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE customer_holds SET released_by = $1, released_by_name = $2, released_at = $3 \
             WHERE id = $4 AND released_at IS NULL",
            [by.get(), by_name, micros(at), id]
        );
        Ok(n == 1)
    }
}

//! Saved list filters in SQL (issue 21).

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{SavedFilterRow, SavedFiltersTx, StoreError};
use kaidan_domain::UserId;

use crate::row::{RowExt, micros};
use crate::tx::{DbTx, exec, fetch_all, fetch_as};

#[async_trait]
impl SavedFiltersTx for DbTx {
    async fn saved_filters(
        &mut self,
        user: UserId,
        list: &str,
    ) -> Result<Vec<SavedFilterRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT id, name, query FROM saved_filters WHERE user_id = $1 AND list = $2 ORDER BY name",
            [user.get(), list],
            |r| Ok(SavedFilterRow {
                id: r.i64("id")?,
                name: r.text("name")?,
                query: r.text("query")?,
            })
        ))
    }

    async fn saved_filter_put(
        &mut self,
        user: UserId,
        list: &str,
        name: &str,
        query: &str,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO saved_filters (user_id, list, name, query, created_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (user_id, list, name) DO UPDATE SET query = excluded.query, \
             created_at = excluded.created_at RETURNING id",
            [user.get(), list, name, query, micros(at)]
        ))
    }

    async fn saved_filter_delete(&mut self, user: UserId, id: i64) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "DELETE FROM saved_filters WHERE id = $1 AND user_id = $2",
            [id, user.get()]
        );
        Ok(n > 0)
    }
}

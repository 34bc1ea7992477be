//! The portal's inbox (ORD-5, issue 18 item 4): the notices the relay
//! wrote for the customer, newest first, with their wording in the
//! reader's language; read for all its users once one has read them.

use jiff::Timestamp;
use kaidan_domain::ValidationErrors;
use kaidan_domain::portal::{notice_detail, notice_heading};
use serde::Serialize;

use super::portal_customer;
use crate::app::{App, Ctx};
use crate::error::AppResult;
use crate::ports::{NoticeQuery, NoticeRow};

/// A notice as the portal shows it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    pub id: i64,
    /// The outbox event's id: the same as a webhook delivery of it carries.
    pub event_id: i64,
    pub topic: String,
    pub heading: String,
    pub detail: String,
    pub entity: String,
    pub entity_id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub read: bool,
}

/// One page of the inbox.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoticePage {
    pub items: Vec<Notice>,
    pub unread: i64,
    /// Pass as `before` for the older notices.
    pub next_cursor: Option<i64>,
}

fn notice(row: NoticeRow, zh: bool) -> Notice {
    // The outbox holds JSON written by the use cases; a row that were not
    // would still be shown, by its text.
    let data = serde_json::from_str(&row.payload).unwrap_or(serde_json::Value::String(row.payload));
    Notice {
        id: row.id,
        event_id: row.event_id,
        heading: notice_heading(&row.topic, zh),
        detail: notice_detail(&row.topic, &data, zh),
        topic: row.topic,
        entity: row.entity,
        entity_id: row.entity_id,
        data,
        at: row.created_at,
        read: row.read_at.is_some(),
    }
}

impl App {
    /// The portal user's inbox, newest first, `limit` (1..=max page) at a
    /// time, older than `before` when given.
    pub async fn notices(
        &self,
        ctx: &Ctx,
        unread_only: bool,
        before: Option<i64>,
        limit: Option<u32>,
        zh: bool,
    ) -> AppResult<NoticePage> {
        let customer = portal_customer(ctx)?;
        let limit = limit.unwrap_or(50);
        if limit == 0 || limit > self.config.max_page {
            return Err(ValidationErrors::single(
                "limit",
                "out_of_range",
                format!("must be between 1 and {}", self.config.max_page),
            )
            .into());
        }
        let mut tx = self.store.read().await?;
        let mut rows = tx
            .notices(&NoticeQuery {
                customer,
                unread_only,
                before,
                limit: limit + 1,
            })
            .await?;
        let next_cursor = crate::master::cut_page(&mut rows, limit).map(|r| r.id);
        let unread = tx.notices_unread(customer).await?;
        Ok(NoticePage {
            items: rows.into_iter().map(|r| notice(r, zh)).collect(),
            unread,
            next_cursor,
        })
    }

    /// Marks the portal user's notices `ids` read, or all of them when
    /// None; another customer's ids change nothing. Returns how many did.
    pub async fn mark_notices_read(&self, ctx: &Ctx, ids: Option<&[i64]>) -> AppResult<u64> {
        let customer = portal_customer(ctx)?;
        if let Some(ids) = ids
            && ids.len() > self.config.max_page as usize
        {
            return Err(ValidationErrors::single(
                "ids",
                "too_many",
                format!("at most {} at a time", self.config.max_page),
            )
            .into());
        }
        let mut tx = self.store.write().await?;
        let n = tx
            .notices_mark_read(customer, ids, self.now(), ctx.actor.user_id)
            .await?;
        tx.commit().await?;
        Ok(n)
    }
}

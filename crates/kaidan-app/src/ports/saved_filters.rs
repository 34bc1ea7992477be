//! Filters a user saved under a name for a list (issue 21).

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_domain::UserId;

use super::StoreError;

/// A saved filter: its name and the list's parameters as a query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedFilterRow {
    pub id: i64,
    pub name: String,
    pub query: String,
}

#[async_trait]
pub trait SavedFiltersTx {
    /// The user's filters of `list`, by name.
    async fn saved_filters(
        &mut self,
        user: UserId,
        list: &str,
    ) -> Result<Vec<SavedFilterRow>, StoreError>;
    /// Saves under `name`, replacing the user's filter of that name.
    async fn saved_filter_put(
        &mut self,
        user: UserId,
        list: &str,
        name: &str,
        query: &str,
        at: Timestamp,
    ) -> Result<i64, StoreError>;
    /// Deletes the user's filter `id`; false when he has none of that id.
    async fn saved_filter_delete(&mut self, user: UserId, id: i64) -> Result<bool, StoreError>;
}

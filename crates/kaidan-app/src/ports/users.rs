//! Ports of users (SEC-1): accounts, roles and permissions, tokens,
//! sessions and login throttling.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_domain::{Permission, Role, UserId};
use serde::Serialize;

use super::*;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRecord {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub roles: Vec<Role>,
    pub customer_id: Option<kaidan_domain::CustomerId>,
    pub active: bool,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub roles: Vec<Role>,
    pub customer_id: Option<kaidan_domain::CustomerId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub user_id: UserId,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: UserId,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// Users, roles, permissions, tokens, sessions, login throttling.
#[async_trait]
pub trait UsersTx: Send {
    async fn user_insert(&mut self, user: &NewUser, at: Timestamp) -> Result<UserId, StoreError>;
    async fn user_get(&mut self, id: UserId) -> Result<Option<UserRecord>, StoreError>;
    async fn user_by_name(&mut self, username: &str) -> Result<Option<UserRecord>, StoreError>;
    async fn user_list(&mut self) -> Result<Vec<UserRecord>, StoreError>;
    async fn user_set_password(&mut self, id: UserId, hash: &str) -> Result<(), StoreError>;
    async fn permissions_of(&mut self, roles: &[Role]) -> Result<Vec<Permission>, StoreError>;
    async fn role_permissions(&mut self) -> Result<Vec<(Role, Permission)>, StoreError>;
    /// Permissions whose defaults were already granted.
    async fn known_permissions(&mut self) -> Result<Vec<String>, StoreError>;
    /// Grants a new permission to its default roles and records it as known;
    /// `false` (and nothing granted) when another transaction recorded it
    /// first.
    async fn permission_introduce(
        &mut self,
        permission: Permission,
        roles: &[Role],
    ) -> Result<bool, StoreError>;
    async fn role_permissions_set(
        &mut self,
        role: Role,
        permissions: &[Permission],
    ) -> Result<(), StoreError>;
    async fn token_insert(
        &mut self,
        user: UserId,
        name: &str,
        hash: &str,
        at: Timestamp,
    ) -> Result<i64, StoreError>;
    async fn token_user(&mut self, hash: &str) -> Result<Option<UserId>, StoreError>;
    async fn token_list(&mut self, user: UserId) -> Result<Vec<TokenRow>, StoreError>;
    async fn session_insert(
        &mut self,
        hash: &str,
        row: &SessionRow,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    async fn session_get(&mut self, hash: &str) -> Result<Option<SessionRow>, StoreError>;
    async fn session_delete(&mut self, hash: &str) -> Result<(), StoreError>;
    async fn login_failures_since(
        &mut self,
        username: &str,
        since: Timestamp,
    ) -> Result<i64, StoreError>;
    async fn login_failure_add(&mut self, username: &str, at: Timestamp) -> Result<(), StoreError>;
    async fn login_failures_clear(&mut self, username: &str) -> Result<(), StoreError>;
}

//! Port of the sales teams: written, listed with their members, a user
//! moved into or out of one, and whom a manager's figures reach.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_domain::UserId;
use kaidan_domain::teams::TeamInput;
use serde::Serialize;

use super::*;

/// A member of a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMember {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
}

/// A team with its manager and members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub manager_id: Option<UserId>,
    pub manager: Option<String>,
    pub members: Vec<TeamMember>,
}

#[async_trait]
pub trait TeamsTx: Send {
    async fn team_insert(&mut self, t: &TeamInput, at: Timestamp) -> Result<i64, StoreError>;
    /// Every team by code, with its members by username.
    async fn teams(&mut self) -> Result<Vec<TeamRow>, StoreError>;
    /// Puts `user` in `team`, or in none; false when the user does not
    /// exist.
    async fn team_member_set(
        &mut self,
        user: UserId,
        team: Option<i64>,
    ) -> Result<bool, StoreError>;
    /// The members of the teams `manager` leads.
    async fn team_reach(&mut self, manager: UserId) -> Result<Vec<UserId>, StoreError>;
}

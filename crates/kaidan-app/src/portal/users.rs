//! A customer's own users (SEC-1, issue 18 item 5): its administrator
//! (role `customer_admin`, permission `portal.admin`) lists them, adds
//! users of its own customer only, and sets their passwords. Staff manage
//! every user through `users` with `user.admin`.

use kaidan_domain::{Permission, Role, UserId};
use serde::Deserialize;

use super::portal_customer;
use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::UserRecord;
use crate::users::NewUserInput;

/// A new user of the administrator's own customer.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalUserInput {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    pub password: String,
    /// Also an administrator of the customer's users.
    #[serde(default)]
    pub admin: bool,
}

impl App {
    /// The users of the portal administrator's customer.
    pub async fn portal_users(&self, ctx: &Ctx) -> AppResult<Vec<UserRecord>> {
        let customer = portal_customer(ctx)?;
        ctx.require(Permission::PortalAdmin)?;
        let mut tx = self.store.read().await?;
        Ok(tx
            .user_list()
            .await?
            .into_iter()
            .filter(|u| u.customer_id == Some(customer))
            .collect())
    }

    /// Adds a user to the portal administrator's customer.
    pub async fn create_portal_user(
        &self,
        ctx: &Ctx,
        input: PortalUserInput,
    ) -> AppResult<UserRecord> {
        let customer = portal_customer(ctx)?;
        ctx.require(Permission::PortalAdmin)?;
        let mut roles = vec![Role::Customer];
        if input.admin {
            roles.push(Role::CustomerAdmin);
        }
        self.create_user_in(
            ctx,
            NewUserInput {
                username: input.username,
                display_name: input.display_name,
                password: input.password,
                roles,
                customer_id: Some(customer),
            },
        )
        .await
    }

    /// Sets the password of a user of the portal administrator's customer;
    /// any other user is not found.
    pub async fn set_portal_password(
        &self,
        ctx: &Ctx,
        user: UserId,
        password: &str,
    ) -> AppResult<()> {
        let customer = portal_customer(ctx)?;
        ctx.require(Permission::PortalAdmin)?;
        let mut tx = self.store.read().await?;
        let own = tx
            .user_get(user)
            .await?
            .is_some_and(|u| u.customer_id == Some(customer));
        drop(tx);
        if !own {
            return Err(AppError::NotFound {
                what: "user",
                id: user.to_string(),
            });
        }
        self.set_password_in(ctx, user, password).await
    }
}

//! User administration (SEC-1): accounts, roles, permissions, API tokens.

pub(crate) mod auth;
mod teams;

use kaidan_domain::audit::FieldChange;
use kaidan_domain::validation::ValidationErrors;
use kaidan_domain::{CustomerId, Permission, Role, UserId};
use serde::Deserialize;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::{EntityKind, NewUser, TokenRow, UserRecord};
use crate::users::auth::{MAX_USERNAME, hash_password, random_secret, secret_hash};

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUserInput {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    pub password: String,
    pub roles: Vec<Role>,
    /// For customer-portal users: the customer whose records they see.
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
}

/// A new API token: the secret is shown once and never stored.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, serde::Serialize)]
pub struct IssuedToken {
    pub id: i64,
    pub name: String,
    pub token: String,
}

pub(crate) fn change(field: &str, after: impl Into<String>) -> FieldChange {
    FieldChange {
        field: field.to_string(),
        before: None,
        after: Some(after.into()),
    }
}

impl App {
    /// Grants each permission this version knows and the database does not
    /// yet to the roles whose defaults include it (all of them on a new
    /// database). Later edits by an administrator are kept.
    pub async fn bootstrap(&self) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        let known = tx.known_permissions().await?;
        let mut changed = false;
        for p in Permission::ALL {
            if known.iter().any(|k| k == p.as_str()) {
                continue;
            }
            let roles: Vec<Role> = Role::ALL
                .iter()
                .copied()
                .filter(|r| r.default_permissions().contains(p))
                .collect();
            changed |= tx.permission_introduce(*p, &roles).await?;
        }
        if changed {
            tx.commit().await?;
        }
        Ok(())
    }

    pub async fn create_user(&self, ctx: &Ctx, input: NewUserInput) -> AppResult<UserRecord> {
        ctx.require(Permission::UserAdmin)?;
        self.create_user_in(ctx, input).await
    }

    /// Checks and writes a new user, audited and published; the caller
    /// has checked who may.
    pub(crate) async fn create_user_in(
        &self,
        ctx: &Ctx,
        input: NewUserInput,
    ) -> AppResult<UserRecord> {
        let mut e = ValidationErrors::new();
        let username = e.code("username", &input.username, MAX_USERNAME);
        let display_name = match input.display_name.trim() {
            "" => username.clone(),
            d => d.to_string(),
        };
        if input.roles.is_empty() {
            e.add("roles", "required", "give the user at least one role");
        }
        let is_customer = input.roles.contains(&Role::Customer);
        if is_customer && input.customer_id.is_none() {
            e.add(
                "customer_id",
                "required",
                "a customer-portal user needs its customer",
            );
        }
        let portal_roles = [Role::Customer, Role::CustomerAdmin];
        if is_customer && input.roles.iter().any(|r| !portal_roles.contains(r)) {
            e.add(
                "roles",
                "invalid",
                "a customer-portal user has no staff roles",
            );
        }
        if !is_customer && input.roles.contains(&Role::CustomerAdmin) {
            e.add(
                "roles",
                "invalid",
                "customer_admin goes with the customer role",
            );
        }
        if !is_customer && input.customer_id.is_some() {
            e.add(
                "customer_id",
                "invalid",
                "only customer-portal users belong to a customer",
            );
        }
        let password_hash = match hash_password(&input.password) {
            Ok(h) => h,
            Err(AppError::Invalid(v)) => {
                e.errors.extend(v.errors);
                String::new()
            }
            Err(other) => return Err(other),
        };
        e.into_result(())?;
        let mut tx = self.store.write().await?;
        if let Some(c) = input.customer_id
            && tx
                .master_get(EntityKind::Customer, c.get())
                .await?
                .is_none()
        {
            return Err(AppError::invalid(
                "customer_id",
                "unknown_reference",
                format!("customer {c} does not exist"),
            ));
        }
        let mut roles = input.roles.clone();
        roles.sort();
        roles.dedup();
        let new = NewUser {
            username,
            display_name,
            password_hash,
            roles,
            customer_id: input.customer_id,
        };
        let id = tx.user_insert(&new, self.now()).await?;
        let mut changes = vec![
            change("username", &new.username),
            change("display_name", &new.display_name),
            change(
                "roles",
                new.roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        ];
        if let Some(c) = new.customer_id {
            changes.push(change("customer_id", c.to_string()));
        }
        self.audit(&mut tx, ctx, "user", id.get(), "create", changes)
            .await?;
        self.publish(
            &mut tx,
            "user.created",
            "user",
            id.get(),
            serde_json::json!({"id": id, "username": new.username}),
        )
        .await?;
        let user = tx.user_get(id).await?.ok_or(AppError::NotFound {
            what: "user",
            id: id.to_string(),
        })?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn list_users(&self, ctx: &Ctx) -> AppResult<Vec<UserRecord>> {
        ctx.require(Permission::UserAdmin)?;
        let mut tx = self.store.read().await?;
        Ok(tx.user_list().await?)
    }

    pub async fn user_by_name(&self, ctx: &Ctx, username: &str) -> AppResult<UserRecord> {
        ctx.require(Permission::UserAdmin)?;
        let mut tx = self.store.read().await?;
        tx.user_by_name(username).await?.ok_or(AppError::NotFound {
            what: "user",
            id: username.to_string(),
        })
    }

    pub async fn set_password(&self, ctx: &Ctx, user: UserId, password: &str) -> AppResult<()> {
        if ctx.actor.user_id != user {
            ctx.require(Permission::UserAdmin)?;
        }
        self.set_password_in(ctx, user, password).await
    }

    /// Sets a user's password, audited; the caller has checked who may.
    pub(crate) async fn set_password_in(
        &self,
        ctx: &Ctx,
        user: UserId,
        password: &str,
    ) -> AppResult<()> {
        let hash = hash_password(password)?;
        let mut tx = self.store.write().await?;
        if tx.user_get(user).await?.is_none() {
            return Err(AppError::NotFound {
                what: "user",
                id: user.to_string(),
            });
        }
        tx.user_set_password(user, &hash).await?;
        // The audit says that the password changed, never what it is.
        self.audit(
            &mut tx,
            ctx,
            "user",
            user.get(),
            "set_password",
            vec![change("password", "(changed)")],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_token(&self, ctx: &Ctx, user: UserId, name: &str) -> AppResult<IssuedToken> {
        if ctx.actor.user_id != user {
            ctx.require(Permission::UserAdmin)?;
        }
        let name = ValidationErrors::single_text("name", name, 100)?;
        let token = random_secret("kd_");
        let mut tx = self.store.write().await?;
        if tx.user_get(user).await?.is_none() {
            return Err(AppError::NotFound {
                what: "user",
                id: user.to_string(),
            });
        }
        let id = tx
            .token_insert(user, &name, &secret_hash(&token), self.now())
            .await?;
        self.audit(
            &mut tx,
            ctx,
            "user",
            user.get(),
            "add_token",
            vec![change("token", &name)],
        )
        .await?;
        tx.commit().await?;
        Ok(IssuedToken { id, name, token })
    }

    pub async fn list_tokens(&self, ctx: &Ctx, user: UserId) -> AppResult<Vec<TokenRow>> {
        if ctx.actor.user_id != user {
            ctx.require(Permission::UserAdmin)?;
        }
        let mut tx = self.store.read().await?;
        Ok(tx.token_list(user).await?)
    }

    pub async fn role_permissions(&self, ctx: &Ctx) -> AppResult<Vec<(Role, Permission)>> {
        ctx.require(Permission::UserAdmin)?;
        let mut tx = self.store.read().await?;
        Ok(tx.role_permissions().await?)
    }

    /// Replaces what a role may do (permissions are data, SEC-1).
    pub async fn set_role_permissions(
        &self,
        ctx: &Ctx,
        role: Role,
        permissions: &[Permission],
    ) -> AppResult<()> {
        ctx.require(Permission::UserAdmin)?;
        if role == Role::Admin && !permissions.contains(&Permission::UserAdmin) {
            return Err(AppError::invalid(
                "permissions",
                "invalid",
                "the admin role must keep user.admin, or nobody could manage users",
            ));
        }
        let mut tx = self.store.write().await?;
        let before: Vec<String> = tx
            .role_permissions()
            .await?
            .into_iter()
            .filter(|(r, _)| *r == role)
            .map(|(_, p)| p.as_str().to_string())
            .collect();
        let mut after: Vec<Permission> = permissions.to_vec();
        after.sort();
        after.dedup();
        tx.role_permissions_set(role, &after).await?;
        let after_s: Vec<String> = after.iter().map(|p| p.as_str().to_string()).collect();
        self.audit(
            &mut tx,
            ctx,
            "role",
            0,
            "set_permissions",
            vec![FieldChange {
                field: format!("{}.permissions", role.as_str()),
                before: Some(before.join(",")),
                after: Some(after_s.join(",")),
            }],
        )
        .await?;
        tx.commit().await?;
        // After the commit, so no request can cache the old permissions again.
        self.actors.clear();
        Ok(())
    }
}

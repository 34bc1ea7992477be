use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{NewUser, SessionRow, StoreError, TokenRow, UserRecord, UsersTx};
use kaidan_domain::{CustomerId, Permission, Role, UserId};

use crate::error::corrupt;
use crate::row::{RowExt, Val, micros};
use crate::tx::{DbTx, exec, fetch_all, fetch_as, fetch_opt};

const USER_COLS: &str = "id, username, display_name, password_hash, customer_id, active, version";

fn user_from_row(r: &impl RowExt, roles: Vec<Role>) -> Result<UserRecord, StoreError> {
    Ok(UserRecord {
        id: UserId(r.i64("id")?),
        username: r.text("username")?,
        display_name: r.text("display_name")?,
        password_hash: r.text("password_hash")?,
        roles,
        customer_id: r.opt_i64("customer_id")?.map(CustomerId),
        active: r.bool("active")?,
        version: r.i64("version")?,
    })
}

impl DbTx {
    async fn roles_of(&mut self, user: UserId) -> Result<Vec<Role>, StoreError> {
        let names: Vec<String> = fetch_as!(
            self,
            query_scalar.fetch_all,
            "SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role",
            [user.get()]
        );
        names
            .iter()
            .map(|n| n.parse::<Role>().map_err(corrupt))
            .collect()
    }

    async fn user_where(
        &mut self,
        clause: &str,
        key: Val,
    ) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE {clause}");
        let key = [key];
        let Some(mut user) = fetch_opt!(self, &sql, key, |r| user_from_row(r, Vec::new())) else {
            return Ok(None);
        };
        user.roles = self.roles_of(user.id).await?;
        Ok(Some(user))
    }
}

#[async_trait]
impl UsersTx for DbTx {
    async fn user_insert(&mut self, user: &NewUser, at: Timestamp) -> Result<UserId, StoreError> {
        let id: i64 = fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO users (username, display_name, password_hash, customer_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            [
                &user.username,
                &user.display_name,
                &user.password_hash,
                user.customer_id.map(|c| c.get()),
                micros(at),
            ]
        );
        for role in &user.roles {
            exec!(
                self,
                "INSERT INTO user_roles (user_id, role) VALUES ($1, $2)",
                [id, role.as_str()]
            );
        }
        Ok(UserId(id))
    }

    async fn user_get(&mut self, id: UserId) -> Result<Option<UserRecord>, StoreError> {
        self.user_where("id = $1", Val::I(id.get())).await
    }

    async fn user_by_name(&mut self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        self.user_where("username = $1", Val::T(username.to_string()))
            .await
    }

    async fn user_list(&mut self) -> Result<Vec<UserRecord>, StoreError> {
        let sql = format!("SELECT {USER_COLS} FROM users ORDER BY username");
        let mut users = fetch_all!(self, &sql, [], |r| user_from_row(r, Vec::new()));
        let pairs: Vec<(i64, String)> = fetch_as!(
            self,
            query_as.fetch_all,
            "SELECT user_id, role FROM user_roles ORDER BY user_id, role",
            []
        );
        for u in &mut users {
            u.roles = pairs
                .iter()
                .filter(|(id, _)| *id == u.id.get())
                .map(|(_, r)| r.parse::<Role>().map_err(corrupt))
                .collect::<Result<_, _>>()?;
        }
        Ok(users)
    }

    async fn user_set_password(&mut self, id: UserId, hash: &str) -> Result<(), StoreError> {
        exec!(
            self,
            "UPDATE users SET password_hash = $1, version = version + 1 WHERE id = $2",
            [hash, id.get()]
        );
        Ok(())
    }

    async fn permissions_of(&mut self, roles: &[Role]) -> Result<Vec<Permission>, StoreError> {
        let all = self.role_permissions().await?;
        let mut out: Vec<Permission> = all
            .into_iter()
            .filter(|(r, _)| roles.contains(r))
            .map(|(_, p)| p)
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }

    async fn role_permissions(&mut self) -> Result<Vec<(Role, Permission)>, StoreError> {
        let pairs: Vec<(String, String)> = fetch_as!(
            self,
            query_as.fetch_all,
            "SELECT role, permission FROM role_permissions ORDER BY role, permission",
            []
        );
        // A permission name this version does not know (written by a newer
        // version, or removed) grants nothing rather than failing logins.
        Ok(pairs
            .iter()
            .filter_map(|(r, p)| Some((r.parse().ok()?, p.parse().ok()?)))
            .collect())
    }

    async fn known_permissions(&mut self) -> Result<Vec<String>, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_all,
            "SELECT permission FROM known_permissions ORDER BY permission",
            []
        ))
    }

    async fn permission_introduce(
        &mut self,
        permission: Permission,
        roles: &[Role],
    ) -> Result<bool, StoreError> {
        // The known row first: of several nodes starting at once on a new
        // database, one inserts it and grants; the others wait for its
        // commit on the key, find it there and grant nothing (issue 24).
        let inserted = exec!(
            self,
            "INSERT INTO known_permissions (permission) VALUES ($1) \
             ON CONFLICT (permission) DO NOTHING",
            [permission.as_str()]
        );
        if inserted == 0 {
            return Ok(false);
        }
        for role in roles {
            exec!(
                self,
                "INSERT INTO role_permissions (role, permission) VALUES ($1, $2) \
                 ON CONFLICT (role, permission) DO NOTHING",
                [role.as_str(), permission.as_str()]
            );
        }
        Ok(true)
    }

    async fn role_permissions_set(
        &mut self,
        role: Role,
        permissions: &[Permission],
    ) -> Result<(), StoreError> {
        exec!(
            self,
            "DELETE FROM role_permissions WHERE role = $1",
            [role.as_str()]
        );
        for p in permissions {
            exec!(
                self,
                "INSERT INTO role_permissions (role, permission) VALUES ($1, $2)",
                [role.as_str(), p.as_str()]
            );
        }
        Ok(())
    }

    async fn token_insert(
        &mut self,
        user: UserId,
        name: &str,
        hash: &str,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
            [user.get(), name, hash, micros(at)]
        ))
    }

    async fn token_user(&mut self, hash: &str) -> Result<Option<UserId>, StoreError> {
        let id: Option<i64> = fetch_as!(
            self,
            query_scalar.fetch_optional,
            "SELECT t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND NOT t.revoked AND u.active",
            [hash]
        );
        Ok(id.map(UserId))
    }

    async fn token_list(&mut self, user: UserId) -> Result<Vec<TokenRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT id, user_id, name, created_at FROM api_tokens \
             WHERE user_id = $1 AND NOT revoked ORDER BY id",
            [user.get()],
            |r| Ok(TokenRow {
                id: r.i64("id")?,
                user_id: UserId(r.i64("user_id")?),
                name: r.text("name")?,
                created_at: r.ts("created_at")?,
            })
        ))
    }

    async fn session_insert(
        &mut self,
        hash: &str,
        row: &SessionRow,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        exec!(
            self,
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
            [
                hash,
                row.user_id.get(),
                &row.csrf_token,
                micros(at),
                micros(row.expires_at),
            ]
        );
        Ok(())
    }

    async fn session_get(&mut self, hash: &str) -> Result<Option<SessionRow>, StoreError> {
        Ok(fetch_opt!(
            self,
            "SELECT s.user_id, s.csrf_token, s.expires_at FROM sessions s \
             JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND u.active",
            [hash],
            |r| Ok(SessionRow {
                user_id: UserId(r.i64("user_id")?),
                csrf_token: r.text("csrf_token")?,
                expires_at: r.ts("expires_at")?,
            })
        ))
    }

    async fn session_delete(&mut self, hash: &str) -> Result<(), StoreError> {
        exec!(self, "DELETE FROM sessions WHERE token_hash = $1", [hash]);
        Ok(())
    }

    async fn login_failures_since(
        &mut self,
        username: &str,
        since: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "SELECT COUNT(*) FROM login_failures WHERE username = $1 AND at >= $2",
            [username, micros(since)]
        ))
    }

    async fn login_failure_add(&mut self, username: &str, at: Timestamp) -> Result<(), StoreError> {
        exec!(
            self,
            "INSERT INTO login_failures (username, at) VALUES ($1, $2)",
            [username, micros(at)]
        );
        Ok(())
    }

    async fn login_failures_clear(&mut self, username: &str) -> Result<(), StoreError> {
        exec!(
            self,
            "DELETE FROM login_failures WHERE username = $1",
            [username]
        );
        Ok(())
    }
}

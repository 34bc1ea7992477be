use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{NewUser, SessionRow, StoreError, TokenRow, UserRecord, UsersTx};
use kaidan_domain::{CustomerId, Permission, Role, UserId};

use crate::error::{corrupt, map};
use crate::row::{RowExt, micros};
use crate::tx::{DbTx, on};

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
        let names: Vec<String> = on!(self, c => {
            sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role")
                .bind(user.get())
                .fetch_all(&mut *c)
                .await
                .map_err(map)?
        });
        names
            .iter()
            .map(|n| n.parse::<Role>().map_err(corrupt))
            .collect()
    }

    async fn user_where(
        &mut self,
        clause: &str,
        bind: UserKey<'_>,
    ) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE {clause}");
        let user = on!(self, c => {
            let q = sqlx::query(&sql);
            let q = match bind {
                UserKey::Id(id) => q.bind(id),
                UserKey::Name(n) => q.bind(n),
            };
            match q.fetch_optional(&mut *c).await.map_err(map)? {
                Some(r) => Some(user_from_row(&r, Vec::new())?),
                None => None,
            }
        });
        match user {
            Some(mut u) => {
                u.roles = self.roles_of(u.id).await?;
                Ok(Some(u))
            }
            None => Ok(None),
        }
    }
}

enum UserKey<'a> {
    Id(i64),
    Name(&'a str),
}

#[async_trait]
impl UsersTx for DbTx {
    async fn user_insert(&mut self, user: &NewUser, at: Timestamp) -> Result<UserId, StoreError> {
        let id: i64 = on!(self, c => {
            sqlx::query_scalar(
                "INSERT INTO users (username, display_name, password_hash, customer_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(&user.username)
            .bind(&user.display_name)
            .bind(&user.password_hash)
            .bind(user.customer_id.map(|c| c.get()))
            .bind(micros(at))
            .fetch_one(&mut *c)
            .await
            .map_err(map)?
        });
        for role in &user.roles {
            on!(self, c => {
                sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                    .bind(id)
                    .bind(role.as_str())
                    .execute(&mut *c)
                    .await
                    .map_err(map)?;
            });
        }
        Ok(UserId(id))
    }

    async fn user_get(&mut self, id: UserId) -> Result<Option<UserRecord>, StoreError> {
        self.user_where("id = $1", UserKey::Id(id.get())).await
    }

    async fn user_by_name(&mut self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        self.user_where("username = $1", UserKey::Name(username))
            .await
    }

    async fn user_list(&mut self) -> Result<Vec<UserRecord>, StoreError> {
        let sql = format!("SELECT {USER_COLS} FROM users ORDER BY username");
        let mut users = on!(self, c => {
            let rows = sqlx::query(&sql).fetch_all(&mut *c).await.map_err(map)?;
            rows.iter()
                .map(|r| user_from_row(r, Vec::new()))
                .collect::<Result<Vec<_>, _>>()?
        });
        let pairs: Vec<(i64, String)> = on!(self, c => {
            sqlx::query_as("SELECT user_id, role FROM user_roles ORDER BY user_id, role")
                .fetch_all(&mut *c)
                .await
                .map_err(map)?
        });
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
        on!(self, c => {
            sqlx::query("UPDATE users SET password_hash = $1, version = version + 1 WHERE id = $2")
                .bind(hash)
                .bind(id.get())
                .execute(&mut *c)
                .await
                .map_err(map)?;
        });
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
        let pairs: Vec<(String, String)> = on!(self, c => {
            sqlx::query_as("SELECT role, permission FROM role_permissions ORDER BY role, permission")
                .fetch_all(&mut *c)
                .await
                .map_err(map)?
        });
        // A permission name this version does not know (written by a newer
        // version, or removed) grants nothing rather than failing logins.
        Ok(pairs
            .iter()
            .filter_map(|(r, p)| Some((r.parse().ok()?, p.parse().ok()?)))
            .collect())
    }

    async fn known_permissions(&mut self) -> Result<Vec<String>, StoreError> {
        Ok(on!(self, c => {
            sqlx::query_scalar("SELECT permission FROM known_permissions ORDER BY permission")
                .fetch_all(&mut *c)
                .await
                .map_err(map)?
        }))
    }

    async fn permission_introduce(
        &mut self,
        permission: Permission,
        roles: &[Role],
    ) -> Result<(), StoreError> {
        for role in roles {
            on!(self, c => {
                sqlx::query(
                    "INSERT INTO role_permissions (role, permission) VALUES ($1, $2) \
                     ON CONFLICT (role, permission) DO NOTHING",
                )
                .bind(role.as_str())
                .bind(permission.as_str())
                .execute(&mut *c)
                .await
                .map_err(map)?;
            });
        }
        on!(self, c => {
            sqlx::query("INSERT INTO known_permissions (permission) VALUES ($1)")
                .bind(permission.as_str())
                .execute(&mut *c)
                .await
                .map_err(map)?;
        });
        Ok(())
    }

    async fn role_permissions_set(
        &mut self,
        role: Role,
        permissions: &[Permission],
    ) -> Result<(), StoreError> {
        on!(self, c => {
            sqlx::query("DELETE FROM role_permissions WHERE role = $1")
                .bind(role.as_str())
                .execute(&mut *c)
                .await
                .map_err(map)?;
        });
        for p in permissions {
            on!(self, c => {
                sqlx::query("INSERT INTO role_permissions (role, permission) VALUES ($1, $2)")
                    .bind(role.as_str())
                    .bind(p.as_str())
                    .execute(&mut *c)
                    .await
                    .map_err(map)?;
            });
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
        Ok(on!(self, c => {
            sqlx::query_scalar(
                "INSERT INTO api_tokens (user_id, name, token_hash, created_at) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(user.get())
            .bind(name)
            .bind(hash)
            .bind(micros(at))
            .fetch_one(&mut *c)
            .await
            .map_err(map)?
        }))
    }

    async fn token_user(&mut self, hash: &str) -> Result<Option<UserId>, StoreError> {
        let id: Option<i64> = on!(self, c => {
            sqlx::query_scalar(
                "SELECT t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id \
                 WHERE t.token_hash = $1 AND NOT t.revoked AND u.active",
            )
            .bind(hash)
            .fetch_optional(&mut *c)
            .await
            .map_err(map)?
        });
        Ok(id.map(UserId))
    }

    async fn token_list(&mut self, user: UserId) -> Result<Vec<TokenRow>, StoreError> {
        on!(self, c => {
            let rows = sqlx::query(
                "SELECT id, user_id, name, created_at FROM api_tokens \
                 WHERE user_id = $1 AND NOT revoked ORDER BY id",
            )
            .bind(user.get())
            .fetch_all(&mut *c)
            .await
            .map_err(map)?;
            rows.iter()
                .map(|r| {
                    Ok(TokenRow {
                        id: r.i64("id")?,
                        user_id: UserId(r.i64("user_id")?),
                        name: r.text("name")?,
                        created_at: r.ts("created_at")?,
                    })
                })
                .collect()
        })
    }

    async fn session_insert(
        &mut self,
        hash: &str,
        row: &SessionRow,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        on!(self, c => {
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(hash)
            .bind(row.user_id.get())
            .bind(&row.csrf_token)
            .bind(micros(at))
            .bind(micros(row.expires_at))
            .execute(&mut *c)
            .await
            .map_err(map)?;
        });
        Ok(())
    }

    async fn session_get(&mut self, hash: &str) -> Result<Option<SessionRow>, StoreError> {
        on!(self, c => {
            let row = sqlx::query(
                "SELECT s.user_id, s.csrf_token, s.expires_at FROM sessions s \
                 JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND u.active",
            )
            .bind(hash)
            .fetch_optional(&mut *c)
            .await
            .map_err(map)?;
            match row {
                Some(r) => Ok(Some(SessionRow {
                    user_id: UserId(r.i64("user_id")?),
                    csrf_token: r.text("csrf_token")?,
                    expires_at: r.ts("expires_at")?,
                })),
                None => Ok(None),
            }
        })
    }

    async fn session_delete(&mut self, hash: &str) -> Result<(), StoreError> {
        on!(self, c => {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(hash)
                .execute(&mut *c)
                .await
                .map_err(map)?;
        });
        Ok(())
    }

    async fn login_failures_since(
        &mut self,
        username: &str,
        since: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(on!(self, c => {
            sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE username = $1 AND at >= $2")
                .bind(username)
                .bind(micros(since))
                .fetch_one(&mut *c)
                .await
                .map_err(map)?
        }))
    }

    async fn login_failure_add(&mut self, username: &str, at: Timestamp) -> Result<(), StoreError> {
        on!(self, c => {
            sqlx::query("INSERT INTO login_failures (username, at) VALUES ($1, $2)")
                .bind(username)
                .bind(micros(at))
                .execute(&mut *c)
                .await
                .map_err(map)?;
        });
        Ok(())
    }

    async fn login_failures_clear(&mut self, username: &str) -> Result<(), StoreError> {
        on!(self, c => {
            sqlx::query("DELETE FROM login_failures WHERE username = $1")
                .bind(username)
                .execute(&mut *c)
                .await
                .map_err(map)?;
        });
        Ok(())
    }
}

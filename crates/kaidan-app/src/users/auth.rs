//! Logging in, sessions, API tokens, and turning either into an `Actor`
//! (SEC-1). Secrets are random bytes shown once; only their SHA-256 is
//! stored. Passwords are argon2id hashes.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use jiff::{Span, Timestamp};
use kaidan_domain::{Actor, UserId, ValidationErrors, text_problem};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::ports::{SessionRow, UserRecord};

/// A fresh page session: the cookie value and the CSRF token of its forms.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub actor: Actor,
    pub expires_at: Timestamp,
}

pub(crate) fn random_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

pub(crate) fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The longest user name (a code: letters, digits, `-`, `_`, `.`).
pub(crate) const MAX_USERNAME: usize = 64;

/// The longest password, in bytes: hashing cost grows with it.
const MAX_PASSWORD_BYTES: usize = 1024;

pub(crate) fn hash_password(password: &str) -> AppResult<String> {
    let mut e = ValidationErrors::new();
    if password.chars().count() < 8 {
        e.add("password", "too_short", "must be at least 8 characters");
    }
    if password.len() > MAX_PASSWORD_BYTES {
        e.add("password", "too_long", "must be at most 1024 bytes");
    }
    e.into_result(())?;
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal {
            what: "password hashing",
            source: Box::new(e),
        })
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so that a wrong
/// user name takes as long as a wrong password (no user enumeration).
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("kaidan-dummy-password").unwrap_or_default())
}

impl App {
    /// Checks user name and password; throttles repeated failures per user.
    pub async fn login(&self, username: &str, password: &str) -> AppResult<NewSession> {
        // Checked before anything is looked up: a name no user can have is
        // refused plainly (it would also exceed an index row's limit).
        let mut e = ValidationErrors::new();
        if let Some((code, message)) = text_problem(username, MAX_USERNAME) {
            e.add("username", code, message);
        }
        if password.len() > MAX_PASSWORD_BYTES {
            e.add("password", "too_long", "must be at most 1024 bytes");
        }
        e.into_result(())?;
        let now = self.now();
        let window_start = now - Span::new().minutes(self.config.throttle_minutes);
        let mut tx = self.store.write().await?;
        let failures = tx.login_failures_since(username, window_start).await?;
        if failures >= self.config.max_login_failures {
            let secs = u64::try_from(self.config.throttle_minutes * 60).unwrap_or(900);
            return Err(AppError::Throttled {
                retry_after_secs: secs,
            });
        }
        let user = tx.user_by_name(username).await?;
        let ok = match &user {
            Some(u) => verify_password(password, &u.password_hash) && u.active,
            None => {
                verify_password(password, dummy_hash());
                false
            }
        };
        let Some(user) = user.filter(|_| ok) else {
            tx.login_failure_add(username, now).await?;
            tx.commit().await?;
            return Err(AppError::Unauthenticated);
        };
        tx.login_failures_clear(username).await?;
        let token = random_secret("ks_");
        let csrf_token = random_secret("");
        let expires_at = now + Span::new().hours(self.config.session_hours);
        tx.session_insert(
            &secret_hash(&token),
            &SessionRow {
                user_id: user.id,
                csrf_token: csrf_token.clone(),
                expires_at,
            },
            now,
        )
        .await?;
        let actor = self.actor_of(&mut tx, user).await?;
        tx.commit().await?;
        tracing::info!(user = %actor.username, "login");
        Ok(NewSession {
            token,
            csrf_token,
            actor,
            expires_at,
        })
    }

    pub async fn logout(&self, session_token: &str) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        tx.session_delete(&secret_hash(session_token)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The actor behind a session cookie, and the session's CSRF token.
    pub async fn session_actor(&self, session_token: &str) -> AppResult<(Actor, String)> {
        let mut tx = self.store.read().await?;
        let row = tx
            .session_get(&secret_hash(session_token))
            .await?
            .filter(|s| s.expires_at > self.now())
            .ok_or(AppError::Unauthenticated)?;
        let user = tx
            .user_get(row.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok((self.actor_of(&mut tx, user).await?, row.csrf_token))
    }

    /// The actor behind a bearer API token. Integrations call many times a
    /// second with the same token, so a found actor is kept for
    /// `AppConfig::token_cache_seconds` (see `ActorCache`).
    pub async fn token_actor(&self, token: &str) -> AppResult<Actor> {
        let key = secret_hash(token);
        if let Some(actor) = self.actors.get(&key, self.config.token_cache_seconds) {
            return Ok(actor);
        }
        let mut tx = self.store.read().await?;
        let user_id = tx
            .token_user(&key)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let user = tx
            .user_get(user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let actor = self.actor_of(&mut tx, user).await?;
        self.actors.put(key, actor.clone());
        Ok(actor)
    }

    pub(crate) async fn actor_of(
        &self,
        tx: &mut Box<dyn crate::ports::Tx>,
        user: UserRecord,
    ) -> AppResult<Actor> {
        if !user.active {
            return Err(AppError::Unauthenticated);
        }
        let permissions = tx.permissions_of(&user.roles).await?;
        Ok(Actor {
            user_id: user.id,
            username: user.username,
            roles: user.roles,
            permissions,
            customer_id: user.customer_id,
        })
    }

    /// The actor of a user id (for the command line acting as a user).
    pub async fn actor_by_id(&self, id: UserId) -> AppResult<Actor> {
        let mut tx = self.store.read().await?;
        let user = tx.user_get(id).await?.ok_or(AppError::NotFound {
            what: "user",
            id: id.to_string(),
        })?;
        self.actor_of(&mut tx, user).await
    }
}

/// Actors found by API token, for a few seconds. A change of roles or
/// permissions made through this process clears it at once; one made on
/// another node (or by the command line) is seen within the cache's
/// lifetime. Page sessions are never cached, so logging out ends a session
/// immediately.
#[derive(Debug, Default)]
pub(crate) struct ActorCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, Actor)>>,
}

/// More distinct tokens than this in one lifetime and the cache starts
/// over, so it cannot grow without bound.
const ACTOR_CACHE_MAX: usize = 10_000;

impl ActorCache {
    fn get(&self, key: &str, seconds: u64) -> Option<Actor> {
        if seconds == 0 {
            return None;
        }
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(at, _)| at.elapsed().as_secs() < seconds)
            .map(|(_, actor)| actor.clone())
    }

    fn put(&self, key: String, actor: Actor) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= ACTOR_CACHE_MAX {
                entries.clear();
            }
            entries.insert(key, (std::time::Instant::now(), actor));
        }
    }

    pub(crate) fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

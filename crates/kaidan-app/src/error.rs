//! What a use case can answer besides success. The HTTP layer maps each
//! variant to one status and an RFC 9457 problem document in one place
//! (`kaidan-http/src/problem.rs`); the command line prints the message.

use kaidan_domain::{Permission, ValidationErrors};

use crate::ports::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input is wrong; every bad field is named. Nothing was written.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("not allowed: needs permission '{0}'")]
    Forbidden(Permission),
    #[error("not logged in, or the session or token is no longer valid")]
    Unauthenticated,
    #[error("too many failed logins for this user; try again in {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    /// The record changed since the caller read it (optimistic concurrency).
    #[error("{what} {id} was changed by someone else (now version {current}); reload and retry")]
    VersionConflict {
        what: &'static str,
        id: i64,
        current: i64,
    },
    /// A unique business key is already taken.
    #[error("{field} '{value}' is already used")]
    Duplicate { field: String, value: String },
    /// An order looks like one already received (ORD-3): the caller must
    /// confirm before it is created.
    #[error("possible duplicate of {}; confirm to create it anyway", .0.join(", "))]
    PossibleDuplicate(Vec<String>),
    #[error("Idempotency-Key '{0}' was already used for a different request")]
    IdempotencyMismatch(String),
    #[error("{0}")]
    Store(StoreError),
    /// Data the use case made or stored could not be written or read as
    /// JSON (an event, a run's record); a bug, not the caller's fault.
    #[error("JSON of an event or a stored record: {0}")]
    Json(#[source] serde_json::Error),
    /// A step that cannot fail on good data failed (hashing a password,
    /// formatting a number, a worker thread); `what` says which, the cause
    /// is kept.
    #[error("{what} failed: {source}")]
    Internal {
        what: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// An import file had bad rows; nothing from it was written.
    #[error("{} problem(s) in the file; nothing was imported: {}", .0.len(), .0.iter().take(5).map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    ImportRejected(Vec<crate::import_export::RowError>),
    /// A file to import is unreadable as a whole (not a row problem), or a
    /// table cannot be written as a file; the adapter's error is kept.
    #[error("{0}")]
    File(Box<dyn std::error::Error + Send + Sync>),
    /// The server lacks a setting this use case needs (the events key of
    /// webhook secrets); the message says which and where to set it.
    #[error("{0}")]
    NotConfigured(String),
}

impl AppError {
    /// A refusal that names the field at fault, its code and why.
    pub fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid(ValidationErrors::single(field, code, message))
    }

    /// The answer to a write guarded by the version read: `saved`, or the
    /// record moved on since (somebody else took a step first).
    pub(crate) fn unless_saved(
        saved: bool,
        what: &'static str,
        id: i64,
        version: i64,
    ) -> AppResult<()> {
        if saved {
            Ok(())
        } else {
            Err(AppError::VersionConflict {
                what,
                id,
                current: version,
            })
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate { field, value } => AppError::Duplicate { field, value },
            StoreError::MissingReference { detail } => AppError::Invalid(ValidationErrors::single(
                "reference",
                "unknown_reference",
                format!("refers to a record that does not exist ({detail})"),
            )),
            // The caller's numbers made a stored one leave its bound: a
            // refusal of the input, named by the column it would break.
            StoreError::OutOfBounds {
                table,
                column,
                limit,
            } => AppError::invalid(
                &column,
                "too_large",
                format!("{table}.{column} would be out of range ({limit})"),
            ),
            other => AppError::Store(other),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

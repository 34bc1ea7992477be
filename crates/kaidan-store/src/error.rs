use kaidan_app::ports::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("unsupported database URL '{0}': use sqlite:PATH or postgres://...")]
    UnsupportedUrl(String),
    #[error("cannot create the data folder {path}: {message}")]
    DataDir { path: String, message: String },
    #[error("cannot open the database: {0}")]
    Open(String),
    #[error("migration failed: {0}")]
    Migrate(String),
}

/// Turns a driver error into a store error that names the broken rule.
/// Both engines' messages are understood: SQLite says
/// `UNIQUE constraint failed: products.sku`, PostgreSQL says
/// `Key (sku)=(X) already exists`.
pub(crate) fn map(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::Database(db) => {
            let message = db.message().to_string();
            // A bound of migration 0018 (ADR 0024), before the kinds: on
            // SQLite a trigger's refusal has no kind sqlx names.
            if let Some(e) = crate::bounds::from_sqlite(&message)
                .or_else(|| crate::bounds::from_pg(db.table(), db.constraint()))
            {
                return e;
            }
            let pg_detail = db
                .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .and_then(|p| p.detail().map(str::to_string));
            let code = db.code().map(|c| c.to_string()).unwrap_or_default();
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => unique(&message, pg_detail.as_deref()),
                sqlx::error::ErrorKind::ForeignKeyViolation => {
                    let detail = pg_detail.unwrap_or(message);
                    if detail.contains("still referenced") || detail.contains("is still") {
                        StoreError::StillReferenced { detail }
                    } else {
                        StoreError::MissingReference { detail }
                    }
                }
                sqlx::error::ErrorKind::CheckViolation => {
                    StoreError::CheckViolation { detail: message }
                }
                _ if code == "40001" || code == "40P01" => StoreError::Conflict,
                // character_not_in_repertoire (NUL), untranslatable_character,
                // string_data_right_truncation, program_limit_exceeded (an
                // index row too large).
                _ if matches!(code.as_str(), "22021" | "22P05" | "22001" | "54000") => {
                    StoreError::ValueRefused { detail: message }
                }
                // PostgreSQL: a sum beyond 64 bits ("bigint out of range").
                _ if code == "22003" => StoreError::OutOfBounds {
                    table: db.table().unwrap_or("?").to_string(),
                    column: pg_column(&*db).unwrap_or("value").to_string(),
                    limit: "a 64-bit whole number".to_string(),
                },
                // SQLITE_BUSY / SQLITE_LOCKED
                _ if code == "5" || code == "6" || code == "517" => StoreError::Conflict,
                _ => StoreError::Database(Box::new(sqlx::Error::Database(db))),
            }
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            StoreError::Unavailable(e.to_string())
        }
        other => StoreError::Database(Box::new(other)),
    }
}

/// The column PostgreSQL names in an error, when it names one.
fn pg_column(db: &dyn sqlx::error::DatabaseError) -> Option<&str> {
    db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
        .and_then(|p| p.column())
}

pub(crate) fn unique(message: &str, pg_detail: Option<&str>) -> StoreError {
    if let Some(detail) = pg_detail {
        // Key (sku)=(A-1) already exists.
        if let Some(rest) = detail.strip_prefix("Key (")
            && let Some((cols, tail)) = rest.split_once(")=(")
        {
            let value = tail
                .rsplit_once(") already exists")
                .map(|(v, _)| v)
                .unwrap_or(tail);
            return StoreError::Duplicate {
                field: cols.rsplit(", ").next().unwrap_or(cols).to_string(),
                value: value.rsplit(", ").next().unwrap_or(value).to_string(),
            };
        }
    }
    // UNIQUE constraint failed: products.sku
    let field = message
        .rsplit_once(": ")
        .map(|(_, cols)| cols.split(", ").last().unwrap_or(cols))
        .and_then(|c| c.rsplit_once('.').map(|(_, f)| f))
        .unwrap_or("value");
    StoreError::Duplicate {
        field: field.to_string(),
        value: String::new(),
    }
}

pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

//! The bounds of stored numbers (issue 16, item 1; ADR 0024): which columns
//! hold quantities or amounts, how the database says a bound was broken, and
//! the words for it. Migration 0018 writes the rules; the tests below check
//! that it covers every integer column and every column listed here.

use kaidan_app::ports::StoreError;
use kaidan_domain::{MAX_AMOUNT_YUAN, Quantity};

/// What SQLite's triggers of migration 0018, and the names of the check
/// constraints of migration 0020, say before `<table>.<column>`.
const SQLITE_PREFIX: &str = "kaidan-bound: ";
/// What SQLite says before the name of a check constraint that failed.
const SQLITE_CHECK_FAILED: &str = "CHECK constraint failed: ";
/// How migration 0018 names a PostgreSQL bound: `bound_<column>`.
const PG_PREFIX: &str = "bound_";

/// The kind of number a bounded column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// Units of goods, within ±[`Quantity::MAX`] (ledger deltas may be
    /// negative; the tables' own checks keep balances at zero or above).
    Quantity,
    /// Money in 1/10,000 yuan, within ±[`MAX_AMOUNT_YUAN`] yuan.
    Amount,
}

/// Every column with a bound, as migration 0018 writes it.
const BOUNDED: &[(&str, &str, Bound)] = &[
    ("account_entries", "amount", Bound::Amount),
    ("allocation_locks", "quantity", Bound::Quantity),
    ("allocation_locks", "unit_price", Bound::Amount),
    ("bank_statement_lines", "amount", Bound::Amount),
    ("collection_actions", "promise_amount", Bound::Amount),
    ("commission_lines", "base", Bound::Amount),
    ("commission_lines", "commission", Bound::Amount),
    ("commission_statements", "actual", Bound::Amount),
    ("commission_statements", "base", Bound::Amount),
    ("commission_statements", "commission", Bound::Amount),
    ("commission_statements", "target", Bound::Amount),
    ("contracts", "amount", Bound::Amount),
    ("customers", "credit_limit", Bound::Amount),
    ("dunning_notices", "overdue", Bound::Amount),
    ("expense_budgets", "amount", Bound::Amount),
    ("figure_month_cells", "amount", Bound::Amount),
    ("figure_month_cells", "cost", Bound::Amount),
    ("expense_claims", "total", Bound::Amount),
    ("expense_lines", "amount", Bound::Amount),
    ("invoice_lines", "quantity", Bound::Quantity),
    ("invoice_lines", "unit_price", Bound::Amount),
    ("invoice_lines", "amount", Bound::Amount),
    ("invoice_lines", "tax", Bound::Amount),
    ("invoice_lines", "net", Bound::Amount),
    ("invoices", "amount", Bound::Amount),
    ("invoices", "tax", Bound::Amount),
    ("invoices", "net", Bound::Amount),
    ("invoices", "credited", Bound::Amount),
    ("invoices", "paid", Bound::Amount),
    ("order_lines", "quantity", Bound::Quantity),
    ("order_lines", "reserved", Bound::Quantity),
    ("order_lines", "backordered", Bound::Quantity),
    ("order_lines", "shipped", Bound::Quantity),
    ("order_lines", "invoiced", Bound::Quantity),
    ("order_lines", "unit_price", Bound::Amount),
    ("order_lines", "amount", Bound::Amount),
    ("orders", "amount", Bound::Amount),
    ("payment_matches", "amount", Bound::Amount),
    ("pick_list_lines", "quantity", Bound::Quantity),
    ("pick_list_lines", "picked", Bound::Quantity),
    ("points_ledger", "sales", Bound::Amount),
    ("price_list_items", "price", Bound::Amount),
    ("products", "list_price", Bound::Amount),
    ("products", "cost_price", Bound::Amount),
    ("purchase_order_lines", "quantity", Bound::Quantity),
    ("purchase_order_lines", "received", Bound::Quantity),
    ("receipts", "amount", Bound::Amount),
    ("receipts", "applied", Bound::Amount),
    ("region_needs", "quantity", Bound::Quantity),
    ("replenishment_requests", "quantity", Bound::Quantity),
    ("shipment_lines", "quantity", Bound::Quantity),
    ("shipment_lines", "accepted", Bound::Quantity),
    ("shipment_lines", "refused", Bound::Quantity),
    ("shipment_lines", "invoiced", Bound::Quantity),
    ("shipment_lines", "return_claimed", Bound::Quantity),
    ("shipment_lines", "returned", Bound::Quantity),
    ("shipment_lines", "unit_price", Bound::Amount),
    ("statement_confirmations", "closing", Bound::Amount),
    ("stock_balances", "on_hand", Bound::Quantity),
    ("stock_balances", "reserved", Bound::Quantity),
    ("stock_balances", "picked", Bound::Quantity),
    ("stock_count_lines", "system_qty", Bound::Quantity),
    ("stock_count_lines", "counted_qty", Bound::Quantity),
    ("stock_moves", "on_hand_delta", Bound::Quantity),
    ("stock_moves", "reserved_delta", Bound::Quantity),
    ("stock_moves", "picked_delta", Bound::Quantity),
    ("store_safety_stock", "quantity", Bound::Quantity),
    ("target_lines", "amount", Bound::Amount),
    ("stock_move_month_cells", "shipped", Bound::Quantity),
    ("stock_move_month_cells", "on_hand", Bound::Quantity),
    ("target_month_cells", "amount", Bound::Amount),
    ("target_month_cells", "quantity", Bound::Quantity),
    ("target_quantities", "quantity", Bound::Quantity),
    ("transfer_lines", "quantity", Bound::Quantity),
    ("transfer_lines", "picked", Bound::Quantity),
    ("visit_plan_lines", "expense", Bound::Amount),
];

/// The refusal of a value that breaks the rule of `table.column`.
pub(crate) fn out_of_bounds(table: &str, column: &str) -> StoreError {
    let limit = match BOUNDED
        .iter()
        .find(|(t, c, _)| *t == table && *c == column)
        .map(|(_, _, b)| *b)
    {
        Some(Bound::Quantity) => format!("at most {} units", Quantity::MAX),
        Some(Bound::Amount) => format!("at most {MAX_AMOUNT_YUAN} yuan either way"),
        None => "a whole number".to_string(),
    };
    StoreError::OutOfBounds {
        table: table.to_string(),
        column: column.to_string(),
        limit,
    }
}

/// SQLite: `kaidan-bound: stock_balances.on_hand`, raised by a trigger of
/// migration 0018, or `CHECK constraint failed: kaidan-bound: …`, a
/// constraint of migration 0020 (the busiest tables).
pub(crate) fn from_sqlite(message: &str) -> Option<StoreError> {
    let message = message.strip_prefix(SQLITE_CHECK_FAILED).unwrap_or(message);
    let (table, column) = message.strip_prefix(SQLITE_PREFIX)?.split_once('.')?;
    Some(out_of_bounds(table, column))
}

/// PostgreSQL: the check constraint `bound_<column>` of `table`.
pub(crate) fn from_pg(table: Option<&str>, constraint: Option<&str>) -> Option<StoreError> {
    let column = constraint?.strip_prefix(PG_PREFIX)?;
    Some(out_of_bounds(table.unwrap_or("?"), column))
}

/// The largest quantity a balance may reach, as the store binds it.
pub(crate) fn max_quantity() -> i64 {
    Quantity::MAX.get()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::testing;
    use sqlx::Connection;

    const QUANTITY_RULE: &str = "1000000000000";
    const AMOUNT_RULE: &str = "10000000000000000";

    fn bound_text(b: Bound) -> &'static str {
        match b {
            Bound::Quantity => QUANTITY_RULE,
            Bound::Amount => AMOUNT_RULE,
        }
    }

    /// The numbers written in the migration are the domain's.
    #[test]
    fn hardening_1_the_migration_uses_the_domain_bounds() {
        assert_eq!(QUANTITY_RULE, Quantity::MAX.to_string());
        assert_eq!(
            AMOUNT_RULE,
            kaidan_domain::Money::yuan(MAX_AMOUNT_YUAN)
                .units()
                .to_string()
        );
    }

    #[test]
    fn hardening_1_refusals_are_recognised() {
        for message in [
            "kaidan-bound: stock_balances.on_hand",
            "CHECK constraint failed: kaidan-bound: stock_balances.on_hand",
        ] {
            let e = from_sqlite(message).unwrap();
            assert!(
                matches!(&e, StoreError::OutOfBounds { table, column, limit }
                    if table == "stock_balances" && column == "on_hand" && limit.contains("1000000000000")),
                "{e:?}"
            );
        }
        let e = from_pg(Some("products"), Some("bound_list_price")).unwrap();
        assert!(
            matches!(&e, StoreError::OutOfBounds { column, limit, .. }
                if column == "list_price" && limit.contains("yuan")),
            "{e:?}"
        );
        assert!(from_sqlite("CHECK constraint failed: on_hand >= 0").is_none());
        assert!(from_pg(Some("products"), Some("products_list_price_check")).is_none());
    }

    /// Runs `sql` on `conn` and gives the store's reading of its error.
    async fn refusal<C>(conn: &mut C, sql: &str) -> StoreError
    where
        for<'c> &'c mut C: sqlx::Executor<'c>,
    {
        match sqlx::raw_sql(sql).execute(&mut *conn).await {
            Ok(_) => panic!("{sql}: was accepted"),
            Err(e) => crate::error::map(e),
        }
    }

    #[track_caller]
    fn assert_bound(e: &StoreError, table: &str, column: &str) {
        assert!(
            matches!(e, StoreError::OutOfBounds { table: t, column: c, .. } if t == table && c == column),
            "{e:?}"
        );
    }

    const SEED: &str = "INSERT INTO products (id, sku, name, unit, season, launch_priority, list_price, tax_rate_bp, updated_at) \
        VALUES (1, 'P', 'P', 'x', 'none', 1, 0, 1300, 0); \
        INSERT INTO warehouses (id, code, name, updated_at) VALUES (1, 'W', 'W', 0); \
        INSERT INTO stock_balances (product_id, warehouse_id, on_hand, reserved) VALUES (1, 1, 1000000000000, 0)";

    /// Hardening issue 16, item 1 (d): what the issue saw (a balance that
    /// overflowed into a floating-point number) and its kin are refused by
    /// the database itself, and the store reads the refusal as a bound
    /// broken, not as a failure of its own.
    #[tokio::test]
    async fn hardening_1_d_the_database_refuses_reals_and_values_past_a_bound() {
        for backend in testing::backends() {
            let t = testing::fresh(backend).await.unwrap();
            if backend == "sqlite" {
                let mut conn = sqlx::SqliteConnection::connect(&t.url).await.unwrap();
                sqlx::raw_sql(SEED).execute(&mut conn).await.unwrap();
                for sql in [
                    // The overflow: SQLite would store a REAL.
                    "UPDATE stock_balances SET on_hand = on_hand + 9223372036854775807",
                    "UPDATE stock_balances SET on_hand = 1.5",
                    "UPDATE stock_balances SET on_hand = '12 units'",
                    "INSERT INTO stock_balances (product_id, warehouse_id, on_hand, reserved) VALUES (1, 1, 2.5e0, 0)",
                    "UPDATE stock_balances SET on_hand = 1000000000001",
                ] {
                    let e = refusal(&mut conn, sql).await;
                    assert_bound(&e, "stock_balances", "on_hand");
                }
                // A column without a bound still refuses what is not an
                // integer; an amount has its own bound.
                let e = refusal(&mut conn, "UPDATE products SET updated_at = 1e300").await;
                assert_bound(&e, "products", "updated_at");
                let e = refusal(
                    &mut conn,
                    "UPDATE products SET list_price = 10000000000000001",
                )
                .await;
                assert_bound(&e, "products", "list_price");
                let e = refusal(
                    &mut conn,
                    "INSERT INTO stock_moves (at, product_id, warehouse_id, kind, on_hand_delta, reserved_delta, source) \
                     VALUES (0, 1, 1, 'x', -1000000000001, 0, 's')",
                )
                .await;
                assert_bound(&e, "stock_moves", "on_hand_delta");
                let kept: (String, i64) =
                    sqlx::query_as("SELECT typeof(on_hand), on_hand FROM stock_balances")
                        .fetch_one(&mut conn)
                        .await
                        .unwrap();
                assert_eq!(kept, ("integer".to_string(), 1_000_000_000_000));
                // The largest values themselves are accepted.
                sqlx::query("UPDATE products SET list_price = 10000000000000000")
                    .execute(&mut conn)
                    .await
                    .unwrap();
            } else {
                let mut conn = sqlx::PgConnection::connect(&t.url).await.unwrap();
                sqlx::raw_sql(SEED).execute(&mut conn).await.unwrap();
                let e = refusal(
                    &mut conn,
                    "UPDATE stock_balances SET on_hand = 1000000000001",
                )
                .await;
                assert_bound(&e, "stock_balances", "on_hand");
                let e = refusal(
                    &mut conn,
                    "UPDATE products SET list_price = 10000000000000001",
                )
                .await;
                assert_bound(&e, "products", "list_price");
                // A sum past 64 bits: a refusal too, not a failure.
                let e = refusal(
                    &mut conn,
                    "UPDATE stock_balances SET on_hand = on_hand + 9223372036854775807",
                )
                .await;
                assert!(matches!(e, StoreError::OutOfBounds { .. }), "{e:?}");
                let kept: i64 = sqlx::query_scalar("SELECT on_hand FROM stock_balances")
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
                assert_eq!(kept, 1_000_000_000_000);
            }
            t.db.close().await;
        }
    }

    /// Hardening issue 16, item 1 (and what keeps it so): on SQLite every
    /// integer column of every table, including tables of later
    /// migrations, is guarded on insert and on update, and every bounded
    /// column with its bound; on PostgreSQL every bounded column has its
    /// constraint and no other `bound_` constraint exists.
    #[tokio::test]
    async fn hardening_1_every_integer_column_is_guarded() {
        for backend in testing::backends() {
            let t = testing::fresh(backend).await.unwrap();
            if backend == "sqlite" {
                let mut conn = sqlx::SqliteConnection::connect(&t.url).await.unwrap();
                let pool = &mut conn;
                let columns: Vec<(String, String, String, i64)> = sqlx::query_as(
                    "SELECT m.name, p.name, p.type, p.pk FROM sqlite_master m, pragma_table_info(m.name) p \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name != '_sqlx_migrations' \
                     ORDER BY m.name, p.cid",
                )
                .fetch_all(&mut *pool)
                .await
                .unwrap();
                let mut checked = 0;
                for (table, column, ty, pk) in columns {
                    if !ty.to_uppercase().contains("INT") || (ty == "INTEGER" && pk == 1) {
                        continue;
                    }
                    // Migration 0020: a named check constraint instead
                    // of the two triggers.
                    let table_sql: String = sqlx::query_scalar(
                        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1",
                    )
                    .bind(&table)
                    .fetch_one(&mut *pool)
                    .await
                    .unwrap();
                    let constraint = format!(
                        "CONSTRAINT \"kaidan-bound: {table}.{column}\" CHECK (typeof({column}) IN ('integer', 'null')"
                    );
                    if let Some(at) = table_sql.find(&constraint) {
                        // SQLite writes a column added later (ALTER TABLE
                        // ADD COLUMN) after the last constraint on its line.
                        let rule = table_sql[at + constraint.len()..]
                            .split(",\n")
                            .next()
                            .and_then(|r| r.split("), ").next())
                            .unwrap_or_default();
                        if let Some((_, _, b)) =
                            BOUNDED.iter().find(|(t, c, _)| *t == table && *c == column)
                        {
                            let n = bound_text(*b);
                            assert_eq!(
                                rule.trim_end_matches([')', '\n']),
                                format!(" AND {column} BETWEEN -{n} AND {n}"),
                                "{table}.{column} is not bounded by {n}"
                            );
                        } else {
                            assert_eq!(rule.trim_end_matches([')', '\n']), "", "{table}.{column}");
                        }
                        checked += 1;
                        continue;
                    }
                    for event in ["insert", "update"] {
                        let name = format!("{table}_numbers_{event}");
                        let sql: Option<String> = sqlx::query_scalar(
                            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = $1",
                        )
                        .bind(&name)
                        .fetch_optional(&mut *pool)
                        .await
                        .unwrap();
                        let sql = sql.unwrap_or_else(|| {
                            panic!(
                                "{table}.{column}: no trigger {name}; add one like migration 0018's"
                            )
                        });
                        let rule = format!("typeof(NEW.{column}) NOT IN ('integer', 'null')");
                        assert!(
                            sql.contains(&rule)
                                && sql.contains(&format!("'kaidan-bound: {table}.{column}'")),
                            "{name} does not guard {column}"
                        );
                        if event == "update" {
                            let of = sql.split(" ON ").next().unwrap_or_default();
                            assert!(
                                of.split(|c: char| c == ',' || c.is_whitespace())
                                    .any(|w| w == column),
                                "{name} does not fire on an update of {column}"
                            );
                        }
                        if let Some((_, _, b)) =
                            BOUNDED.iter().find(|(t, c, _)| *t == table && *c == column)
                        {
                            let n = bound_text(*b);
                            assert!(
                                sql.contains(&format!("NEW.{column} > {n} OR NEW.{column} < -{n}")),
                                "{name} does not bound {column} by {n}"
                            );
                        }
                    }
                    checked += 1;
                }
                assert!(checked > 200, "only {checked} integer columns seen");
            } else {
                let mut conn = sqlx::PgConnection::connect(&t.url).await.unwrap();
                let found: Vec<(String, String, String)> = sqlx::query_as(
                    "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) \
                     FROM pg_constraint c WHERE c.conname LIKE 'bound\\_%' ORDER BY 1, 2",
                )
                .fetch_all(&mut conn)
                .await
                .unwrap();
                for (table, column, b) in BOUNDED {
                    let n = bound_text(*b);
                    let def = found
                        .iter()
                        .find(|(t, c, _)| t == table && *c == format!("bound_{column}"))
                        .map(|(_, _, d)| d.as_str())
                        .unwrap_or_else(|| panic!("{table}.{column}: no bound_{column}"));
                    assert!(
                        def.contains(&format!("{column} >= '-{n}'"))
                            && def.contains(&format!("{column} <= '{n}'")),
                        "{table}.bound_{column} is {def}"
                    );
                }
                assert_eq!(found.len(), BOUNDED.len(), "{found:?}");
            }
            t.db.close().await;
        }
    }
}

//! Sales contracts in SQL (CON-1, CON-2; migration 0028): the contract
//! with its terms and reviews as JSON, each version of the terms with its
//! changes, and the signed copy; the archive search over number, title,
//! terms, status, customer, signing days and amount.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{
    ContractFilter, ContractRow, ContractVersion, ContractsTx, StoreError, VoucherFile,
};
use kaidan_domain::audit::FieldChange;
use kaidan_domain::contracts::ContractTerms;
use kaidan_domain::{CustomerId, Money, UserId};

use crate::error::corrupt;
use crate::row::{RowExt, Val, from_micros, micros, where_all};
use crate::tx::{DbTx, exec, fetch_all, fetch_as, fetch_opt};

const COLS: &str = "k.id, k.number, k.customer_id, c.name AS customer_name, k.status, k.awaiting, \
     k.terms_version, k.terms, k.amount, k.drafted_by, COALESCE(u.display_name, 'system') AS drafted_by_name, \
     k.drafted_at, k.reviews, k.signed_on, k.in_force_at, k.updated_at, k.version, \
     (SELECT f.file_name FROM contract_files f WHERE f.contract_id = k.id ORDER BY f.id DESC LIMIT 1) AS signed_copy";

const FROM: &str = "contracts k JOIN customers c ON c.id = k.customer_id \
     LEFT JOIN users u ON u.id = k.drafted_by";

fn json<T: serde::de::DeserializeOwned>(col: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(format!("contracts.{col}: {e}")))
}

fn contract_from(r: &impl RowExt) -> Result<ContractRow, StoreError> {
    Ok(ContractRow {
        id: r.i64("id")?,
        number: r.text("number")?,
        customer_id: CustomerId(r.i64("customer_id")?),
        customer_name: r.text("customer_name")?,
        status: r.parsed("status")?,
        awaiting: r.opt_parsed("awaiting")?,
        terms_version: r.i64("terms_version")?,
        terms: json("terms", &r.text("terms")?)?,
        amount: Money::from_units(r.i64("amount")?),
        drafted_by: UserId(r.i64("drafted_by")?),
        drafted_by_name: r.text("drafted_by_name")?,
        drafted_at: r.ts("drafted_at")?,
        reviews: json("reviews", &r.text("reviews")?)?,
        signed_on: r.opt_parsed("signed_on")?,
        in_force_at: r.opt_i64("in_force_at")?.map(from_micros).transpose()?,
        signed_copy: r.opt_text("signed_copy")?,
        updated_at: r.ts("updated_at")?,
        version: r.i64("version")?,
    })
}

#[async_trait]
impl ContractsTx for DbTx {
    async fn contract_insert(&mut self, x: &ContractRow) -> Result<i64, StoreError> {
        let terms = serde_json::to_string(&x.terms).map_err(corrupt)?;
        let reviews = serde_json::to_string(&x.reviews).map_err(corrupt)?;
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO contracts (number, customer_id, title, status, awaiting, terms_version, terms, amount, \
             drafted_by, drafted_at, reviews, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            [
                x.number.as_str(),
                x.customer_id.get(),
                x.terms.title.as_str(),
                x.status.as_str(),
                x.awaiting.map(|a| a.as_str()),
                x.terms_version,
                terms.as_str(),
                x.amount.units(),
                x.drafted_by.get(),
                micros(x.drafted_at),
                reviews.as_str(),
                micros(x.updated_at),
                x.version
            ]
        ))
    }

    async fn contract_get(&mut self, id: i64) -> Result<Option<ContractRow>, StoreError> {
        let sql = format!("SELECT {COLS} FROM {FROM} WHERE k.id = $1");
        Ok(fetch_opt!(self, &sql, [id], contract_from))
    }

    async fn contract_save(&mut self, x: &ContractRow) -> Result<bool, StoreError> {
        let terms = serde_json::to_string(&x.terms).map_err(corrupt)?;
        let reviews = serde_json::to_string(&x.reviews).map_err(corrupt)?;
        let signed_on = x.signed_on.map(|d| d.to_string());
        let n = exec!(
            self,
            "UPDATE contracts SET customer_id = $1, title = $2, status = $3, awaiting = $4, terms_version = $5, \
             terms = $6, amount = $7, reviews = $8, signed_on = $9, in_force_at = $10, updated_at = $11, \
             version = $12 WHERE id = $13 AND version = $14",
            [
                x.terms.customer_id.get(),
                x.terms.title.as_str(),
                x.status.as_str(),
                x.awaiting.map(|a| a.as_str()),
                x.terms_version,
                terms.as_str(),
                x.amount.units(),
                reviews.as_str(),
                signed_on.as_deref(),
                x.in_force_at.map(micros),
                micros(x.updated_at),
                x.version,
                x.id,
                x.version - 1
            ]
        );
        Ok(n == 1)
    }

    async fn contracts(&mut self, f: &ContractFilter) -> Result<Vec<ContractRow>, StoreError> {
        let mut vals = Vec::new();
        let mut clauses = Vec::new();
        let mut push = |vals: &mut Vec<Val>, v: Val, clause: &str| {
            vals.push(v);
            clauses.push(clause.replace('?', &format!("${}", vals.len())));
        };
        if let Some(c) = f.customer {
            push(&mut vals, Val::I(c.get()), "k.customer_id = ?");
        }
        if let Some(s) = f.status {
            push(&mut vals, Val::T(s.as_str().into()), "k.status = ?");
        }
        if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            // `%` and `_` typed by a user match themselves: they are dropped.
            let like = format!("%{}%", t.replace(['%', '_'], "").to_lowercase());
            push(
                &mut vals,
                Val::T(like),
                "(LOWER(k.number) LIKE ? OR LOWER(k.title) LIKE ? OR LOWER(k.terms) LIKE ?)",
            );
        }
        if let Some(d) = f.signed_from {
            push(&mut vals, Val::T(d.to_string()), "k.signed_on >= ?");
        }
        if let Some(d) = f.signed_to {
            push(&mut vals, Val::T(d.to_string()), "k.signed_on <= ?");
        }
        if let Some(m) = f.min_amount {
            push(&mut vals, Val::I(m.units()), "k.amount >= ?");
        }
        if let Some(m) = f.max_amount {
            push(&mut vals, Val::I(m.units()), "k.amount <= ?");
        }
        if let Some(b) = f.before {
            push(&mut vals, Val::I(b), "k.id < ?");
        }
        vals.push(Val::I(i64::from(f.limit)));
        let sql = format!(
            "SELECT {COLS} FROM {FROM} {} ORDER BY k.id DESC LIMIT ${}",
            where_all(&clauses),
            vals.len()
        );
        Ok(fetch_all!(self, &sql, vals, contract_from))
    }

    async fn contract_version_insert(
        &mut self,
        contract: i64,
        terms_version: i64,
        terms: &ContractTerms,
        changes: &[FieldChange],
        at: Timestamp,
        by: UserId,
    ) -> Result<(), StoreError> {
        let terms = serde_json::to_string(terms).map_err(corrupt)?;
        let changes = serde_json::to_string(changes).map_err(corrupt)?;
        exec!(
            self,
            "INSERT INTO contract_versions (contract_id, terms_version, terms, changes, at, by_user) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            [
                contract,
                terms_version,
                terms.as_str(),
                changes.as_str(),
                micros(at),
                by.get()
            ]
        );
        Ok(())
    }

    async fn contract_versions(
        &mut self,
        contract: i64,
    ) -> Result<Vec<ContractVersion>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT v.terms_version, v.changes, v.at, COALESCE(u.display_name, 'system') AS by_name \
             FROM contract_versions v LEFT JOIN users u ON u.id = v.by_user \
             WHERE v.contract_id = $1 ORDER BY v.terms_version",
            [contract],
            |r| Ok(ContractVersion {
                terms_version: r.i64("terms_version")?,
                changes: json("changes", &r.text("changes")?)?,
                at: r.ts("at")?,
                by_name: r.text("by_name")?,
            })
        ))
    }

    async fn contract_file_put(
        &mut self,
        contract: i64,
        file: &VoucherFile,
        at: Timestamp,
        by: UserId,
    ) -> Result<(), StoreError> {
        exec!(
            self,
            "INSERT INTO contract_files (contract_id, file_name, content_type, bytes, added_at, added_by) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            [
                contract,
                file.file_name.as_str(),
                file.content_type.as_str(),
                file.bytes.as_slice(),
                micros(at),
                by.get()
            ]
        );
        Ok(())
    }

    async fn contract_file(&mut self, contract: i64) -> Result<Option<VoucherFile>, StoreError> {
        Ok(fetch_opt!(
            self,
            "SELECT file_name, content_type, bytes FROM contract_files WHERE contract_id = $1 \
             ORDER BY id DESC LIMIT 1",
            [contract],
            |r| Ok(VoucherFile {
                file_name: r.text("file_name")?,
                content_type: r.parsed("content_type")?,
                bytes: r.opt_bytes("bytes")?.unwrap_or_default(),
            })
        ))
    }
}

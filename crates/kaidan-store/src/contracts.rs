//! Sales contracts in SQL (CON-1, CON-2; migration 0028): the contract
//! with its terms and reviews as JSON, each version of the terms with its
//! changes, and the signed copy; the archive search over number, title,
//! terms, status, customer, signing days and amount; supplementary
//! agreements, loans of the paper original and the sums of the orders
//! placed against a contract (migration 0029).

use std::collections::BTreeMap;

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kaidan_app::ports::{
    ContractFigures, ContractFilter, ContractOrder, ContractRow, ContractVersion, ContractsTx,
    LoanRow, StoreError, SupplementRow, VoucherFile,
};
use kaidan_domain::audit::FieldChange;
use kaidan_domain::contracts::ContractTerms;
use kaidan_domain::{CustomerId, Money, OrderId, ProductId, UserId};

use crate::error::corrupt;
use crate::row::{RowExt, Val, from_micros, micros, where_all};
use crate::tx::{DbTx, exec, fetch_all, fetch_as, fetch_opt};

const COLS: &str = "k.id, k.number, k.customer_id, c.name AS customer_name, k.status, k.awaiting, \
     k.terms_version, k.terms, k.amount, k.drafted_by, COALESCE(u.display_name, 'system') AS drafted_by_name, \
     k.drafted_at, k.reviews, k.signed_on, k.collect_by, k.in_force_at, k.updated_at, k.version, \
     (SELECT f.file_name FROM contract_files f WHERE f.contract_id = k.id ORDER BY f.id DESC LIMIT 1) AS signed_copy";

const FROM: &str = "contracts k JOIN customers c ON c.id = k.customer_id \
     LEFT JOIN users u ON u.id = k.drafted_by";

fn json<T: serde::de::DeserializeOwned>(col: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(format!("contracts.{col}: {e}")))
}

const SUPPLEMENT_COLS: &str = "s.id, s.contract_id, s.number, s.status, s.awaiting, s.content, s.reviews, \
     s.drafted_by, COALESCE(u.display_name, 'system') AS drafted_by_name, s.drafted_at, s.signed_on, \
     s.file_name, s.updated_at, s.version \
     FROM contract_supplements s LEFT JOIN users u ON u.id = s.drafted_by";

fn supplement_from(r: &impl RowExt) -> Result<SupplementRow, StoreError> {
    Ok(SupplementRow {
        id: r.i64("id")?,
        contract_id: r.i64("contract_id")?,
        number: r.text("number")?,
        status: r.parsed("status")?,
        awaiting: r.opt_parsed("awaiting")?,
        content: json("content", &r.text("content")?)?,
        reviews: json("reviews", &r.text("reviews")?)?,
        drafted_by: UserId(r.i64("drafted_by")?),
        drafted_by_name: r.text("drafted_by_name")?,
        drafted_at: r.ts("drafted_at")?,
        signed_on: r.opt_parsed("signed_on")?,
        signed_copy: r.opt_text("file_name")?,
        updated_at: r.ts("updated_at")?,
        version: r.i64("version")?,
    })
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
        collect_by: r.opt_parsed("collect_by")?,
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
        let collect_by = x.collect_by.map(|d| d.to_string());
        let n = exec!(
            self,
            "UPDATE contracts SET customer_id = $1, title = $2, status = $3, awaiting = $4, terms_version = $5, \
             terms = $6, amount = $7, reviews = $8, signed_on = $9, in_force_at = $10, updated_at = $11, \
             version = $12, collect_by = $15 WHERE id = $13 AND version = $14",
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
                x.version - 1,
                collect_by.as_deref()
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

    async fn supplement_insert(&mut self, x: &SupplementRow) -> Result<i64, StoreError> {
        let content = serde_json::to_string(&x.content).map_err(corrupt)?;
        let reviews = serde_json::to_string(&x.reviews).map_err(corrupt)?;
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO contract_supplements (contract_id, number, kind, status, awaiting, content, reviews, \
             drafted_by, drafted_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            [
                x.contract_id,
                x.number.as_str(),
                x.content.kind.as_str(),
                x.status.as_str(),
                x.awaiting.map(|a| a.as_str()),
                content.as_str(),
                reviews.as_str(),
                x.drafted_by.get(),
                micros(x.drafted_at),
                micros(x.updated_at),
                x.version
            ]
        ))
    }

    async fn supplement_get(&mut self, id: i64) -> Result<Option<SupplementRow>, StoreError> {
        let sql = format!("SELECT {SUPPLEMENT_COLS} WHERE s.id = $1");
        Ok(fetch_opt!(self, &sql, [id], supplement_from))
    }

    async fn supplement_save(
        &mut self,
        x: &SupplementRow,
        copy: Option<&VoucherFile>,
    ) -> Result<bool, StoreError> {
        let content = serde_json::to_string(&x.content).map_err(corrupt)?;
        let reviews = serde_json::to_string(&x.reviews).map_err(corrupt)?;
        let signed_on = x.signed_on.map(|d| d.to_string());
        let n = exec!(
            self,
            "UPDATE contract_supplements SET status = $1, awaiting = $2, content = $3, reviews = $4, \
             signed_on = $5, updated_at = $6, version = $7 WHERE id = $8 AND version = $9",
            [
                x.status.as_str(),
                x.awaiting.map(|a| a.as_str()),
                content.as_str(),
                reviews.as_str(),
                signed_on.as_deref(),
                micros(x.updated_at),
                x.version,
                x.id,
                x.version - 1
            ]
        );
        if n == 1
            && let Some(f) = copy
        {
            exec!(
                self,
                "UPDATE contract_supplements SET file_name = $1, content_type = $2, bytes = $3 WHERE id = $4",
                [
                    f.file_name.as_str(),
                    f.content_type.as_str(),
                    f.bytes.as_slice(),
                    x.id
                ]
            );
        }
        Ok(n == 1)
    }

    async fn supplements_of(&mut self, contract: i64) -> Result<Vec<SupplementRow>, StoreError> {
        let sql = format!("SELECT {SUPPLEMENT_COLS} WHERE s.contract_id = $1 ORDER BY s.id");
        Ok(fetch_all!(self, &sql, [contract], supplement_from))
    }

    async fn supplement_file(&mut self, id: i64) -> Result<Option<VoucherFile>, StoreError> {
        Ok(fetch_opt!(
            self,
            "SELECT file_name, content_type, bytes FROM contract_supplements \
             WHERE id = $1 AND file_name IS NOT NULL",
            [id],
            |r| Ok(VoucherFile {
                file_name: r.text("file_name")?,
                content_type: r.parsed("content_type")?,
                bytes: r.opt_bytes("bytes")?.unwrap_or_default(),
            })
        ))
    }

    async fn loan_insert(
        &mut self,
        contract: i64,
        borrower: UserId,
        purpose: &str,
        due_back: Date,
        at: Timestamp,
    ) -> Result<Option<i64>, StoreError> {
        // The unique index on open loans stops a second one that slipped
        // past this check at the same moment.
        let id: Option<i64> = fetch_as!(
            self,
            query_scalar.fetch_optional,
            "INSERT INTO contract_loans (contract_id, borrower, purpose, due_back, lent_at) \
             SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS \
             (SELECT 1 FROM contract_loans WHERE contract_id = $1 AND returned_at IS NULL) RETURNING id",
            [
                contract,
                borrower.get(),
                purpose,
                due_back.to_string(),
                micros(at)
            ]
        );
        Ok(id)
    }

    async fn loan_return(
        &mut self,
        contract: i64,
        at: Timestamp,
        by: UserId,
    ) -> Result<Option<i64>, StoreError> {
        let id: Option<i64> = fetch_as!(
            self,
            query_scalar.fetch_optional,
            "UPDATE contract_loans SET returned_at = $1, received_by = $2 \
             WHERE contract_id = $3 AND returned_at IS NULL RETURNING id",
            [micros(at), by.get(), contract]
        );
        Ok(id)
    }

    async fn loans_of(&mut self, contract: i64) -> Result<Vec<LoanRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT l.id, l.contract_id, l.borrower, COALESCE(b.display_name, '') AS borrower_name, l.purpose, \
             l.due_back, l.lent_at, l.returned_at, r.display_name AS received_by_name \
             FROM contract_loans l LEFT JOIN users b ON b.id = l.borrower \
             LEFT JOIN users r ON r.id = l.received_by WHERE l.contract_id = $1 ORDER BY l.id DESC",
            [contract],
            |r| Ok(LoanRow {
                id: r.i64("id")?,
                contract_id: r.i64("contract_id")?,
                borrower: UserId(r.i64("borrower")?),
                borrower_name: r.text("borrower_name")?,
                purpose: r.text("purpose")?,
                due_back: r.parsed("due_back")?,
                lent_at: r.ts("lent_at")?,
                returned_at: r.opt_i64("returned_at")?.map(from_micros).transpose()?,
                received_by_name: r.opt_text("received_by_name")?,
            })
        ))
    }

    async fn contract_ordered(
        &mut self,
        contract: i64,
        except: Option<OrderId>,
    ) -> Result<BTreeMap<ProductId, i64>, StoreError> {
        let rows: Vec<(i64, i64)> = fetch_all!(
            self,
            "SELECT ol.product_id, CAST(SUM(ol.quantity) AS BIGINT) AS q \
             FROM order_lines ol JOIN orders o ON o.id = ol.order_id \
             WHERE o.contract_id = $1 AND o.id <> $2 AND o.status NOT IN ('cancelled', 'rejected') \
             GROUP BY ol.product_id",
            [contract, except.map_or(0, |o| o.get())],
            |r| Ok((r.i64("product_id")?, r.i64("q")?))
        );
        Ok(rows.into_iter().map(|(p, q)| (ProductId(p), q)).collect())
    }

    async fn contract_lock(&mut self, contract: i64) -> Result<(), StoreError> {
        exec!(
            self,
            "UPDATE contracts SET version = version WHERE id = $1",
            [contract]
        );
        Ok(())
    }

    async fn contract_figures(&mut self, contract: i64) -> Result<ContractFigures, StoreError> {
        let rows: Vec<(i64, i64, i64, i64, i64)> = fetch_all!(
            self,
            "SELECT ol.product_id, CAST(SUM(ol.quantity) AS BIGINT) AS q, CAST(SUM(ol.shipped) AS BIGINT) AS s, \
             CAST(SUM(ol.amount) AS BIGINT) AS a, CAST(SUM(ol.shipped * ol.unit_price) AS BIGINT) AS sa \
             FROM order_lines ol JOIN orders o ON o.id = ol.order_id \
             WHERE o.contract_id = $1 AND o.status NOT IN ('cancelled', 'rejected') \
             GROUP BY ol.product_id",
            [contract],
            |r| Ok((
                r.i64("product_id")?,
                r.i64("q")?,
                r.i64("s")?,
                r.i64("a")?,
                r.i64("sa")?
            ))
        );
        // Invoices never mix contracts (invoicing groups by contract), so
        // an invoice with a line of the contract's orders is the contract's.
        let money: Option<(i64, i64)> = fetch_opt!(
            self,
            "SELECT CAST(COALESCE(SUM(i.amount - i.credited), 0) AS BIGINT) AS invoiced, \
             CAST(COALESCE(SUM(i.paid), 0) AS BIGINT) AS paid FROM invoices i \
             WHERE i.kind = 'invoice' AND i.id IN (SELECT il.invoice_id FROM invoice_lines il \
             JOIN orders o ON o.id = il.order_id WHERE o.contract_id = $1)",
            [contract],
            |r| Ok((r.i64("invoiced")?, r.i64("paid")?))
        );
        let (invoiced, paid) = money.unwrap_or((0, 0));
        let mut f = ContractFigures {
            invoiced: Money::from_units(invoiced),
            paid: Money::from_units(paid),
            ..ContractFigures::default()
        };
        for (p, q, s, a, sa) in rows {
            f.units.insert(ProductId(p), (q, s));
            f.ordered += Money::from_units(a);
            f.shipped += Money::from_units(sa);
        }
        Ok(f)
    }

    async fn contract_orders(&mut self, contract: i64) -> Result<Vec<ContractOrder>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT id, number, status, amount, received_at FROM orders WHERE contract_id = $1 ORDER BY id DESC",
            [contract],
            |r| Ok(ContractOrder {
                order_id: OrderId(r.i64("id")?),
                number: r.opt_text("number")?,
                status: r.parsed("status")?,
                amount: Money::from_units(r.i64("amount")?),
                received_at: r.ts("received_at")?,
            })
        ))
    }
}

//! The reps' customer files in SQL (migration 0037): `customer_files`, one
//! a customer; the payments, open invoices and categories bought are read
//! from `receipts`, `invoices` and the orders.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{
    CategoryLine, CustomerFileRecord, CustomerFileRow, CustomerFilesTx, DueLine, PaymentLine,
    StoreError,
};
use kaidan_domain::visits::CustomerFileInput;
use kaidan_domain::{Money, UserId};

use crate::figures::Binds;
use crate::row::{RowExt, micros};
use crate::tx::{DbTx, exec, fetch_all};
use crate::visits::{opt_ts, reps_clause};

/// An order that is a sale (as the figures count it).
const SOLD: &str = "'approved', 'partly_shipped', 'shipped', 'delivered', 'closed'";

#[async_trait]
impl CustomerFilesTx for DbTx {
    async fn customer_file(
        &mut self,
        customer: i64,
    ) -> Result<Option<CustomerFileRecord>, StoreError> {
        let mut v: Vec<CustomerFileRecord> = fetch_all!(
            self,
            "SELECT f.first_contact, f.contact, f.phone, f.inquiry, f.birthday, f.interests, f.note, \
                    u.display_name AS written_by, f.written_at \
             FROM customer_files f JOIN users u ON u.id = f.written_by WHERE f.customer_id = $1",
            [customer],
            |r| Ok(CustomerFileRecord {
                file: CustomerFileInput {
                    first_contact: r.parsed("first_contact")?,
                    contact: r.text("contact")?,
                    phone: r.opt_text("phone")?,
                    inquiry: r.text("inquiry")?,
                    birthday: r.opt_text("birthday")?,
                    interests: r.opt_text("interests")?,
                    note: r.opt_text("note")?,
                },
                written_by: r.text("written_by")?,
                written_at: r.ts("written_at")?,
            })
        );
        Ok(v.pop())
    }

    async fn customer_file_put(
        &mut self,
        customer: i64,
        f: &CustomerFileInput,
        by: UserId,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        exec!(
            self,
            "INSERT INTO customer_files (customer_id, first_contact, contact, phone, inquiry, birthday, interests, note, \
               written_by, written_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (customer_id) DO UPDATE SET first_contact = excluded.first_contact, contact = excluded.contact, \
               phone = excluded.phone, inquiry = excluded.inquiry, birthday = excluded.birthday, \
               interests = excluded.interests, note = excluded.note, written_by = excluded.written_by, \
               written_at = excluded.written_at",
            [
                customer,
                f.first_contact.to_string(),
                f.contact.as_str(),
                f.phone.as_deref(),
                f.inquiry.as_str(),
                f.birthday.as_deref(),
                f.interests.as_deref(),
                f.note.as_deref(),
                by.get(),
                micros(at)
            ]
        );
        Ok(())
    }

    async fn customer_files(
        &mut self,
        reps: Option<&[UserId]>,
    ) -> Result<Vec<CustomerFileRow>, StoreError> {
        let mut b = Binds::default();
        let reps = reps_clause("c.sales_rep_id", reps, &mut b);
        let sql = format!(
            "SELECT c.id, c.code, c.name, c.sales_rep_id, u.display_name AS rep, f.first_contact, f.contact, f.birthday, \
                    (SELECT o.received_at FROM orders o WHERE o.customer_id = c.id AND o.status <> 'draft' \
                     ORDER BY o.received_at DESC LIMIT 1) AS last_order \
             FROM customers c LEFT JOIN users u ON u.id = c.sales_rep_id LEFT JOIN customer_files f ON f.customer_id = c.id \
             WHERE 1 = 1{reps} ORDER BY c.code"
        );
        let vals = b.0;
        Ok(fetch_all!(self, &sql, vals, |r| Ok(CustomerFileRow {
            customer_id: r.i64("id")?,
            code: r.text("code")?,
            name: r.text("name")?,
            rep_id: r.opt_i64("sales_rep_id")?.map(UserId),
            rep: r.opt_text("rep")?,
            first_contact: r.opt_parsed("first_contact")?,
            contact: r.opt_text("contact")?,
            birthday: r.opt_text("birthday")?,
            last_order: opt_ts(r.opt_i64("last_order")?)?,
        })))
    }

    async fn customer_payments(
        &mut self,
        customer: i64,
        limit: i64,
    ) -> Result<Vec<PaymentLine>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT received_on, amount, method FROM receipts WHERE customer_id = $1 AND status = 'verified' \
             ORDER BY received_on DESC, id DESC LIMIT $2",
            [customer, limit],
            |r| Ok(PaymentLine {
                on: r.parsed("received_on")?,
                amount: Money::from_units(r.i64("amount")?),
                method: r.text("method")?,
            })
        ))
    }

    async fn customer_dues(&mut self, customer: i64) -> Result<Vec<DueLine>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT id, number, due_date, amount - credited - paid AS open FROM invoices \
             WHERE customer_id = $1 AND kind = 'invoice' AND amount - credited - paid > 0 ORDER BY due_date, id",
            [customer],
            |r| Ok(DueLine {
                invoice_id: r.i64("id")?,
                number: r.text("number")?,
                due: r.parsed("due_date")?,
                open: Money::from_units(r.i64("open")?),
            })
        ))
    }

    async fn customer_categories(
        &mut self,
        customer: i64,
        since: Timestamp,
    ) -> Result<Vec<CategoryLine>, StoreError> {
        let sql = format!(
            "SELECT p.category, CAST(SUM(ol.amount) AS BIGINT) AS amount, CAST(COUNT(DISTINCT o.id) AS BIGINT) AS orders \
             FROM orders o JOIN order_lines ol ON ol.order_id = o.id JOIN products p ON p.id = ol.product_id \
             WHERE o.customer_id = $1 AND o.received_at >= $2 AND o.status IN ({SOLD}) \
             GROUP BY p.category ORDER BY 2 DESC, 1"
        );
        Ok(fetch_all!(self, &sql, [customer, micros(since)], |r| Ok(
            CategoryLine {
                category: r.text("category")?,
                amount: Money::from_units(r.i64("amount")?),
                orders: r.i64("orders")?,
            }
        )))
    }
}

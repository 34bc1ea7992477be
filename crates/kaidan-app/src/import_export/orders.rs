//! Batch intake of orders from CSV or Excel (ORD-1..3, INT-4): one row per
//! order line; rows with the same customer code and customer reference make
//! one order. All or nothing: every bad row is reported (file, row, column,
//! reason) and then no order of the file is written.

use std::collections::BTreeMap;

use kaidan_domain::field_rules::Field;
use kaidan_domain::orders::{Channel, OrderInput, OrderLineInput, find_duplicates};
use kaidan_domain::{CustomerId, Money, Permission, ProductId};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::import_export::Table;
use crate::import_export::{Cells, CodeIds, Dataset, ImportReport, RowError, codes_by_id};
use crate::ports::{EntityKind, OrderCursor, OrderQuery};

/// One order being assembled from its rows.
struct Pending {
    input: OrderInput,
    /// The file row of each line, in line order; the first is the header row.
    rows: Vec<usize>,
}

/// Which column a field error of the order input belongs to.
fn column_of(field: &str) -> &str {
    let leaf = field.rsplit('.').next().unwrap_or(field);
    match leaf {
        "product_id" => "sku",
        "customer_id" => "customer_code",
        "customer_reference"
        | "order_date"
        | "channel"
        | "quantity"
        | "unit_price"
        | "requested_delivery_date"
        | "delivery_address"
        | "contact_name"
        | "notes" => leaf,
        _ => "customer_code",
    }
}

/// The file row of a field error: `lines[2].quantity` is the third line's row.
fn row_of(field: &str, rows: &[usize]) -> usize {
    field
        .strip_prefix("lines[")
        .and_then(|r| r.split(']').next())
        .and_then(|i| i.parse::<usize>().ok())
        .and_then(|i| rows.get(i).copied())
        .unwrap_or_else(|| rows.first().copied().unwrap_or(1))
}

impl App {
    pub(crate) async fn import_orders(&self, ctx: &Ctx, table: &Table) -> AppResult<ImportReport> {
        ctx.require(Permission::OrderCreate)?;
        let file = table.file.clone();
        let mut errors: Vec<RowError> = Vec::new();
        let calendar = self.business_calendar().await?;
        let mut tx = self.store.write().await?;
        let mut ids = CodeIds::default();
        let mut orders: BTreeMap<(String, String), Pending> = BTreeMap::new();
        for row in &table.rows {
            let mut c = Cells::new(table, row);
            let code = c.text("customer_code");
            let reference = c.text("customer_reference");
            let sku = c.text("sku");
            let customer = ids
                .get(&mut tx, EntityKind::Customer, &code)
                .await?
                .map(CustomerId);
            if customer.is_none() && !code.is_empty() {
                c.err("customer_code", format!("no customer with code '{code}'"));
            }
            let product = ids
                .get(&mut tx, EntityKind::Product, &sku)
                .await?
                .map(ProductId);
            if product.is_none() && !sku.is_empty() {
                c.err("sku", format!("no product with SKU '{sku}'"));
            }
            let order_date = c.parse::<jiff::civil::Date>("order_date");
            let channel = c.parse::<Channel>("channel");
            let quantity = c.parse::<i64>("quantity");
            let unit_price = c.parse_opt::<Money>("unit_price");
            let requested = c.parse_opt::<jiff::civil::Date>("requested_delivery_date");
            let priority = c.flag("priority", false);
            if let (
                Some(customer),
                Some(product),
                Some(order_date),
                Some(channel),
                Some(quantity),
            ) = (customer, product, order_date, channel, quantity)
            {
                let line = OrderLineInput {
                    product_id: product,
                    quantity,
                    unit_price,
                    note: None,
                };
                match orders.get_mut(&(code.clone(), reference.clone())) {
                    Some(p) => {
                        if p.input.order_date != order_date || p.input.channel != channel {
                            c.err(
                                "order_date",
                                format!("differs from row {} of the same order", p.rows[0]),
                            );
                        }
                        p.input.lines.push(line);
                        p.rows.push(row.line);
                    }
                    None => {
                        orders.insert(
                            (code, reference.clone()),
                            Pending {
                                input: OrderInput {
                                    contact_name: c.opt("contact_name"),
                                    customer_reference: Some(reference),
                                    requested_delivery_date: requested,
                                    delivery_address: c.opt("delivery_address"),
                                    priority,
                                    notes: c.opt("notes"),
                                    ..OrderInput::new(customer, channel, order_date, vec![line])
                                },
                                rows: vec![row.line],
                            },
                        );
                    }
                }
            }
            errors.append(&mut c.errors);
        }
        let mut priced = Vec::new();
        for p in orders.values() {
            match self.price(&mut tx, &p.input).await {
                Ok((order, _)) => priced.push((p, order)),
                Err(AppError::Invalid(v)) => {
                    for e in v.errors {
                        errors.push(RowError {
                            file: file.clone(),
                            row: row_of(&e.field, &p.rows),
                            column: Some(column_of(&e.field).to_string()),
                            message: e.message,
                        });
                    }
                }
                Err(other) => return Err(other),
            }
        }
        // An order already received with the same customer reference is a
        // duplicate, not a new order (ORD-3).
        let since = self.now() - jiff::Span::new().hours(self.config.duplicate_window_hours);
        for (p, _) in &priced {
            let valid = p.input.validate(p.input.order_date)?;
            let mut prints = Vec::new();
            for (id, doc) in tx.recent_orders(p.input.customer_id, since).await? {
                if let Ok(v) = doc.to_input().validate(doc.order_date) {
                    prints.push(v.fingerprint(id));
                }
            }
            if let Some(m) = find_duplicates(&valid, &prints).first() {
                errors.push(RowError {
                    file: file.clone(),
                    row: p.rows[0],
                    column: Some("customer_reference".into()),
                    message: format!(
                        "order {} was already received with this content or reference",
                        m.order_id
                    ),
                });
            }
        }
        if !errors.is_empty() {
            errors.sort_by(|a, b| (a.row, &a.column).cmp(&(b.row, &b.column)));
            return Err(AppError::ImportRejected(errors));
        }
        let mut lines = 0;
        for (p, order) in priced {
            lines += p.rows.len();
            self.insert_order_in(&mut tx, ctx, order, &calendar).await?;
        }
        tx.commit().await?;
        Ok(ImportReport {
            file,
            dataset: Dataset::Orders,
            rows: lines,
            created: orders.len(),
            updated: 0,
            unchanged: 0,
        })
    }

    /// Every order line in the import layout.
    pub(crate) async fn export_orders(&self, ctx: &Ctx, table: &mut Table) -> AppResult<()> {
        ctx.require(Permission::OrderRead)?;
        let mut tx = self.store.read().await?;
        let codes = codes_by_id(&mut tx, EntityKind::Customer).await?;
        let skus = codes_by_id(&mut tx, EntityKind::Product).await?;
        let vis = ctx.visibility();
        let mut after = None;
        loop {
            let page = tx
                .order_list(&OrderQuery {
                    after,
                    limit: 500,
                    ..Default::default()
                })
                .await?;
            let Some(last) = page.last() else { break };
            after = Some(OrderCursor {
                key: 0,
                id: last.id.get(),
            });
            for o in &page {
                let d = &o.document;
                for l in &d.lines {
                    table.push(vec![
                        codes.get(&o.customer_id.get()).cloned().unwrap_or_default(),
                        d.customer_reference
                            .clone()
                            .unwrap_or_else(|| o.number.clone().unwrap_or_default()),
                        d.order_date.to_string(),
                        d.channel.as_str().to_string(),
                        skus.get(&l.product_id.get()).cloned().unwrap_or_default(),
                        l.quantity.to_string(),
                        vis.cell(Field::OrderUnitPrice, l.unit_price.to_string())
                            .unwrap_or_default(),
                        d.requested_delivery_date
                            .map(|x| x.to_string())
                            .unwrap_or_default(),
                        d.delivery_address.clone(),
                        d.contact_name.clone().unwrap_or_default(),
                        if d.priority {
                            "true".into()
                        } else {
                            "false".into()
                        },
                        d.notes.clone().unwrap_or_default(),
                    ]);
                }
            }
        }
        Ok(())
    }
}

//! Products found by what the clerk types, and pasted rows resolved to
//! products, each with the price the customer would pay.

use std::collections::HashMap;

use kaidan_domain::field_rules::Field;
use kaidan_domain::master::CustomerData;
use kaidan_domain::orders::pasted_lines::{PasteProblem, parse_pasted_lines};
use kaidan_domain::orders::{PriceBook, ProductFacts};
use kaidan_domain::{CustomerId, Money, Permission, ProductId, TaxRate};
use serde::Serialize;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::master::typed_record;
use crate::ports::{EntityKind, ProductHit, Tx};

use super::everything::search_text;

/// The most matches one search answers.
pub const MAX_PRODUCT_MATCHES: u32 = 50;

/// The most words a product search combines.
const MAX_WORDS: usize = 5;

/// A product as order entry offers it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductMatch {
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    pub spec: String,
    pub barcode: String,
    pub unit: String,
    /// What the customer would pay a unit (VAT included): its price list's
    /// price, else the list price; the list price when no customer is
    /// named. Absent for callers who may not read prices (SEC-4).
    pub price: Option<Money>,
    pub tax_rate: TaxRate,
}

/// One pasted row that became a line.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PastedMatch {
    /// The row in the pasted text, 1 = first.
    pub row: usize,
    pub product: ProductMatch,
    pub quantity: i64,
    /// The price pasted with the row, if any.
    pub unit_price: Option<Money>,
}

/// A paste read: the rows that became lines and what is wrong with the
/// others.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PasteResult {
    pub lines: Vec<PastedMatch>,
    pub problems: Vec<PasteProblem>,
}

impl App {
    /// Order entry's product field: active products whose SKU, name or
    /// spec hold every typed word, or whose bar code is the text; exact
    /// codes first. Reads at most `limit` rows (1..=50).
    pub async fn search_products(
        &self,
        ctx: &Ctx,
        text: &str,
        customer: Option<CustomerId>,
        limit: u32,
    ) -> AppResult<Vec<ProductMatch>> {
        Self::may_search_products(ctx)?;
        let text = search_text("q", text)?;
        if !(1..=MAX_PRODUCT_MATCHES).contains(&limit) {
            return Err(AppError::invalid(
                "limit",
                "out_of_range",
                format!("limit must be within 1..={MAX_PRODUCT_MATCHES}"),
            ));
        }
        // `%` and `_` are not wildcards for a person: a word of nothing else
        // finds nothing rather than everything.
        let words: Vec<String> = text
            .split_whitespace()
            .map(|w| w.replace(['%', '_', '\\'], ""))
            .filter(|w| !w.is_empty())
            .take(MAX_WORDS)
            .collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.store.read().await?;
        let hits = tx.product_search(&words, limit).await?;
        self.priced_matches(ctx, &mut tx, customer, hits).await
    }

    /// A spreadsheet's rows (SKU or bar code, quantity, price) as order
    /// lines for `customer`; every row that cannot be a line is named.
    /// `first_row` numbers the text's first line (a later part of a long
    /// paste).
    pub async fn paste_order_lines(
        &self,
        ctx: &Ctx,
        customer: Option<CustomerId>,
        text: &str,
        first_row: usize,
    ) -> AppResult<PasteResult> {
        let (rows, mut problems) = parse_pasted_lines(text, first_row);
        let codes: Vec<String> = rows.iter().map(|r| r.code.clone()).collect();
        let by_code = self.products_by_code(ctx, customer, &codes).await?;
        let mut lines = Vec::with_capacity(rows.len());
        for r in rows {
            match by_code.get(r.code.as_str()) {
                Some(m) => lines.push(PastedMatch {
                    row: r.row,
                    product: m.clone(),
                    quantity: r.quantity,
                    unit_price: r.unit_price,
                }),
                None => problems.push(PasteProblem::new(
                    r.row,
                    "code",
                    "unknown_reference",
                    format!("no active product has SKU or bar code '{}'", r.code),
                )),
            }
        }
        problems.sort_by_key(|p| p.row);
        Ok(PasteResult { lines, problems })
    }

    /// The active products with these SKUs or bar codes, by the code as
    /// given, with the customer's prices; unknown codes are left out.
    pub async fn products_by_code(
        &self,
        ctx: &Ctx,
        customer: Option<CustomerId>,
        codes: &[String],
    ) -> AppResult<HashMap<String, ProductMatch>> {
        Self::may_search_products(ctx)?;
        let mut codes: Vec<String> = codes.to_vec();
        codes.sort_unstable();
        codes.dedup();
        let mut tx = self.store.read().await?;
        let hits = tx.products_by_code(&codes).await?;
        let matches = self.priced_matches(ctx, &mut tx, customer, hits).await?;
        let mut by_code = HashMap::new();
        for m in matches {
            if !m.barcode.is_empty() && codes.binary_search(&m.barcode).is_ok() {
                by_code.insert(m.barcode.clone(), m.clone());
            }
            // A SKU wins over another product's equal bar code.
            by_code.insert(m.sku.clone(), m);
        }
        Ok(by_code)
    }

    fn may_search_products(ctx: &Ctx) -> AppResult<()> {
        if ctx.actor.can(Permission::ProductRead) || ctx.actor.can(Permission::OrderCreate) {
            Ok(())
        } else {
            Err(AppError::Forbidden(Permission::ProductRead))
        }
    }

    /// The active ones of `hits` with the customer's prices. A portal user
    /// always prices for his own customer.
    async fn priced_matches(
        &self,
        ctx: &Ctx,
        tx: &mut Box<dyn Tx>,
        customer: Option<CustomerId>,
        hits: Vec<ProductHit>,
    ) -> AppResult<Vec<ProductMatch>> {
        let customer = match (ctx.actor.customer_id, customer) {
            (Some(own), Some(asked)) if own != asked => {
                return Err(AppError::NotFound {
                    what: "customer",
                    id: asked.to_string(),
                });
            }
            (Some(own), _) => Some(own),
            (None, asked) => asked,
        };
        let hits: Vec<ProductHit> = hits.into_iter().filter(|h| h.active).collect();
        // The hits are the catalogue facts pricing needs: only the price
        // list is read.
        let book = match customer {
            Some(c) => {
                let Some(rec) = tx.master_get(EntityKind::Customer, c.get()).await? else {
                    return Err(AppError::NotFound {
                        what: "customer",
                        id: c.to_string(),
                    });
                };
                let data = typed_record::<CustomerData>(rec)?.data;
                let items = self.price_list_items(tx, &data).await?;
                Some(PriceBook::new(hits.iter().map(facts), items))
            }
            None => None,
        };
        let shows_prices =
            ctx.actor.customer_id.is_some() || ctx.visibility().shows(Field::ProductListPrice);
        Ok(hits
            .into_iter()
            .map(|h| {
                let price = shows_prices.then(|| price_of(book.as_ref(), &h));
                ProductMatch {
                    product_id: h.id,
                    sku: h.sku,
                    name: h.name,
                    spec: h.spec,
                    barcode: h.barcode,
                    unit: h.unit,
                    price,
                    tax_rate: h.tax_rate,
                }
            })
            .collect())
    }
}

fn facts(h: &ProductHit) -> ProductFacts {
    ProductFacts {
        product_id: h.id,
        sku: h.sku.clone(),
        name: h.name.clone(),
        spec: h.spec.clone(),
        unit: h.unit.clone(),
        active: h.active,
        list_price: h.list_price,
        tax_rate: h.tax_rate,
    }
}

fn price_of(book: Option<&PriceBook>, h: &ProductHit) -> Money {
    book.and_then(|b| b.reference_price(h.id))
        .map(|(p, _)| p)
        .unwrap_or(h.list_price)
}

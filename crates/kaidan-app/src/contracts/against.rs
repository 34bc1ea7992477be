//! Orders placed against a contract (CON-2): priced at the contract's
//! prices, refused unless the contract is in force, is the customer's and
//! has enough left of each product. The contract's row is held while the
//! order is checked and written, so two orders at once cannot both take
//! what remains.

use std::collections::BTreeMap;

use kaidan_domain::contracts::{ContractStatus, OrderedLine, check_against};
use kaidan_domain::orders::{PriceBook, PricedOrder};
use kaidan_domain::{CustomerId, Money, OrderId};

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::ports::Tx;

impl App {
    /// `book` with the prices of contract `contract`, if the order names one.
    pub(crate) async fn with_contract_prices(
        &self,
        tx: &mut Box<dyn Tx>,
        contract: Option<i64>,
        book: PriceBook,
    ) -> AppResult<PriceBook> {
        let Some(id) = contract else { return Ok(book) };
        let Some(c) = tx.contract_get(id).await? else {
            return Err(unknown_contract(id));
        };
        Ok(book.with_contract(c.terms.lines.iter().map(|l| (l.product_id, l.unit_price))))
    }

    /// CON-2: refuses `order` (priced; `given` the prices typed on its
    /// lines) against its contract when the contract is not in force, is
    /// another customer's, or has not enough left; `except` is the order
    /// itself when it is being changed.
    pub(crate) async fn check_contract_order(
        &self,
        tx: &mut Box<dyn Tx>,
        customer: CustomerId,
        order: &PricedOrder,
        given: &BTreeMap<u32, Money>,
        except: Option<OrderId>,
    ) -> AppResult<()> {
        let Some(id) = order.contract_id else {
            return Ok(());
        };
        tx.contract_lock(id).await?;
        let c = tx
            .contract_get(id)
            .await?
            .ok_or_else(|| unknown_contract(id))?;
        if c.customer_id != customer {
            return Err(AppError::invalid(
                "contract_id",
                "not_allowed",
                // Neither its number nor its customer: the caller may be a
                // portal user probing ids.
                format!("contract {id} is not this customer's"),
            ));
        }
        if c.status != ContractStatus::InForce {
            return Err(AppError::invalid(
                "contract_id",
                "not_in_force",
                format!(
                    "contract {} is {} ({}); orders are placed only against a contract in force",
                    c.number,
                    c.status,
                    c.status.label_zh()
                ),
            ));
        }
        let ordered = tx.contract_ordered(id, except).await?;
        let lines: Vec<OrderedLine> = order
            .lines
            .iter()
            .map(|l| OrderedLine {
                product_id: l.product_id,
                quantity: l.quantity.get(),
                given_price: given.get(&l.line_no).copied(),
            })
            .collect();
        let e = check_against(&c.number, &c.terms, &ordered, &lines);
        e.into_result(()).map_err(AppError::from)
    }
}

fn unknown_contract(id: i64) -> AppError {
    AppError::invalid(
        "contract_id",
        "unknown_reference",
        format!("there is no contract {id}"),
    )
}

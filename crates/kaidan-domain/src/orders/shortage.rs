//! What an order's content becomes when the customer answers a shortage
//! (INV-2, ADR 0019): a substitute product for the short quantity (a change
//! request, CHG-1/2) or the short quantity cancelled. Pure rules; the use
//! cases move stock, credit and requests.

use crate::validation::ValidationErrors;
use crate::{Money, ProductId, Quantity};

use super::intake::{MAX_LINES, ValidLine};
use super::pricing::{PriceBook, PricedOrder, price_line};

/// Moves `quantity` units of the line at index `li` to `product_id`,
/// priced from `book` (a substitute for a shortage). The line keeps the
/// rest and the substitute becomes a new line after the last one; when the
/// whole line moves, the line's product changes instead. `done` is what of
/// the line has been shipped or invoiced: those units never move (CHG-3).
/// Refusals are added at `at(field)`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn substitute(
    next: &mut PricedOrder,
    li: usize,
    done: Quantity,
    product_id: ProductId,
    quantity: i64,
    book: &PriceBook,
    at: &dyn Fn(&str) -> String,
    e: &mut ValidationErrors,
) {
    let Some(old) = next.lines.get(li).cloned() else {
        return;
    };
    let Ok(qty) = Quantity::positive(quantity) else {
        // Bounds are refused by `ChangeRequest::validate`.
        return;
    };
    let open = old.quantity.saturating_sub(done);
    if qty > open {
        e.add(
            at("quantity"),
            "not_open",
            format!(
                "line {}: only {open} of {} are not shipped or invoiced; {qty} cannot move to another product",
                old.line_no, old.quantity
            ),
        );
        return;
    }
    if next.lines.iter().any(|l| l.product_id == product_id) {
        e.duplicate(
            at("product_id"),
            format!("product {product_id} is already on the order; change that line's quantity"),
        );
        return;
    }
    let whole = qty == old.quantity;
    if !whole && next.lines.len() >= MAX_LINES {
        e.add(
            at("product_id"),
            "too_many",
            format!("at most {MAX_LINES} lines per order"),
        );
        return;
    }
    let line_no = if whole {
        old.line_no
    } else {
        next.lines.iter().map(|l| l.line_no).max().unwrap_or(0) + 1
    };
    let valid = ValidLine {
        line_no,
        product_id,
        quantity: qty,
        unit_price: None,
        note: old.note.clone(),
    };
    let mut line_errors = ValidationErrors::new();
    let Some(priced) = price_line(&valid, book, &mut line_errors) else {
        for err in line_errors.errors {
            e.add(at("product_id"), err.code, err.message);
        }
        return;
    };
    if whole {
        if let Some(slot) = next.lines.get_mut(li) {
            *slot = priced;
        }
        return;
    }
    let rest = old.quantity.saturating_sub(qty);
    match next.lines.get_mut(li).map(|l| l.set_quantity(rest)) {
        Some(Ok(())) => next.lines.push(priced),
        _ => e.add(
            at("quantity"),
            "out_of_range",
            "the line amount is too large",
        ),
    }
}

/// The order after `short` units of line `line_no` are cancelled (the
/// customer does not want the short quantity), with the amount that is no
/// longer owed. The line must keep at least one unit: a line with nothing
/// reserved or shipped is cancelled as a whole by a change request.
pub fn cut_short(
    order: &PricedOrder,
    line_no: u32,
    short: i64,
) -> Result<(PricedOrder, Money), ValidationErrors> {
    let refuse = |code, msg: String| Err(ValidationErrors::single("choice", code, msg));
    let Some(li) = order.lines.iter().position(|l| l.line_no == line_no) else {
        return refuse("no_such_line", format!("the order has no line {line_no}"));
    };
    let Some(line) = order.lines.get(li) else {
        return refuse("no_such_line", format!("the order has no line {line_no}"));
    };
    if short <= 0 {
        return refuse(
            "nothing_short",
            format!("nothing of line {line_no} is short any more"),
        );
    }
    let rest = match Quantity::new(line.quantity.get() - short) {
        Ok(q) if !q.is_zero() => q,
        _ => {
            return refuse(
                "whole_line",
                format!(
                    "all of line {line_no} is short; cancel the line with a change request (CHG-1) instead"
                ),
            );
        }
    };
    let mut next = order.clone();
    let set = next.lines.get_mut(li).map(|l| l.set_quantity(rest));
    if !matches!(set, Some(Ok(()))) || next.recompute_totals().is_err() {
        return refuse("out_of_range", "the line amount is out of range".into());
    }
    let released = order.totals.amount - next.totals.amount;
    Ok((next, released))
}

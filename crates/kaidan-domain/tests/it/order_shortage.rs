//! INV-2: what the customer's answer to a shortage does to the order's
//! content — a substitute product for the short quantity (a change request,
//! CHG-1/2, priced from the price list) or the short quantity cancelled.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::order_support::*;

use kaidan_domain::master::PriceListItem;
use kaidan_domain::orders::changes::Change;
use kaidan_domain::orders::{
    ChangeOutcome, ChangeRequest, LineProgress, PriceBook, PricedOrder, apply_change, cut_short,
};
use kaidan_domain::purchasing::ShortageChoice;
use kaidan_domain::{ProductId, Quantity, ValidationErrors};

/// The fixture's book plus 4: 风衣 399.00, 349.00 on the price list.
fn book_with_substitute() -> PriceBook {
    PriceBook::new(
        [
            product(1, "TS-M", "T恤", "99", true),
            product(2, "JK-L", "夹克", "299", true),
            product(3, "OLD-1", "旧款", "10", false),
            product(4, "TC-L", "风衣", "399", true),
        ],
        [
            PriceListItem {
                product_id: ProductId(1),
                price: m("89"),
            },
            PriceListItem {
                product_id: ProductId(4),
                price: m("349"),
            },
        ],
    )
}

fn substitute(
    line_no: u32,
    product: i64,
    quantity: i64,
    shipped: i64,
) -> Result<PricedOrder, ValidationErrors> {
    let request = ChangeRequest {
        cause: Default::default(),
        reason: "缺货替代".into(),
        changes: vec![Change::Substitute {
            line_no,
            product_id: ProductId(product),
            quantity,
        }],
    };
    let progress = [LineProgress {
        line_no,
        shipped: Quantity::new(shipped).unwrap(),
        invoiced: Quantity::ZERO,
    }];
    match apply_change(
        &priced(),
        &request,
        &progress,
        &book_with_substitute(),
        TODAY,
    )? {
        ChangeOutcome::NewVersion { order } => Ok(*order),
        ChangeOutcome::CancelOrder => panic!("unexpected cancellation"),
    }
}

#[test]
fn inv_2_a_substitute_takes_the_short_units_at_the_price_list_price() {
    // 2 of the 3 jackets (280.00 each) are short: they become 2 trench
    // coats at the customer's price-list price, 349.00.
    let after = substitute(2, 4, 2, 0).unwrap();
    assert_eq!(after.lines.len(), 3);
    assert_eq!(
        after.lines[1].quantity.get(),
        1,
        "the jacket keeps the rest"
    );
    let new = &after.lines[2];
    assert_eq!(
        (new.line_no, new.product_id, new.quantity.get()),
        (3, ProductId(4), 2)
    );
    assert_eq!(new.unit_price, m("349"));
    // The price difference: 2 × (349 − 280).
    assert_eq!(after.totals.amount - priced().totals.amount, m("138"));

    // All of a line moves: its product changes, no new line.
    let whole = substitute(2, 4, 3, 0).unwrap();
    assert_eq!(whole.lines.len(), 2);
    assert_eq!(whole.lines[1].product_id, ProductId(4));
    assert_eq!(whole.lines[1].quantity.get(), 3);
}

#[test]
fn inv_2_chg_3_a_substitute_never_takes_shipped_units_or_a_product_twice() {
    let e = substitute(2, 4, 3, 1).unwrap_err();
    assert_eq!(e.errors[0].field, "changes[0].quantity");
    assert_eq!(e.errors[0].code, "not_open");
    let e = substitute(2, 1, 1, 0).unwrap_err();
    assert_eq!(e.errors[0].code, "duplicate");
    let e = substitute(2, 3, 1, 0).unwrap_err();
    assert_eq!(e.errors[0].field, "changes[0].product_id");
    assert_eq!(e.errors[0].code, "inactive");
    let e = substitute(2, 4, 0, 0).unwrap_err();
    assert_eq!(e.errors[0].code, "not_positive");
}

#[test]
fn inv_2_cutting_the_short_quantity_reduces_the_line_and_what_is_owed() {
    let order = priced();
    // 4 of the 10 T恤 at 89.00 are not wanted any more.
    let (after, released) = cut_short(&order, 1, 4).unwrap();
    assert_eq!(after.lines[0].quantity.get(), 6);
    assert_eq!(released, m("356"));
    assert_eq!(after.totals.amount, order.totals.amount - m("356"));
    let code = |r: Result<(PricedOrder, _), ValidationErrors>| r.unwrap_err().errors[0].code;
    assert_eq!(code(cut_short(&order, 1, 10)), "whole_line");
    assert_eq!(code(cut_short(&order, 9, 1)), "no_such_line");
    assert_eq!(code(cut_short(&order, 1, 0)), "nothing_short");
}

#[test]
fn inv_2_only_the_wait_choice_holds_a_line_back() {
    assert_eq!(ShortageChoice::DEFAULT, ShortageChoice::Partial);
    let waiting: Vec<_> = ShortageChoice::ALL
        .iter()
        .filter(|c| c.waits_complete())
        .collect();
    assert_eq!(waiting, [&ShortageChoice::Backorder]);
    assert_eq!(
        "cancel".parse::<ShortageChoice>().unwrap(),
        ShortageChoice::Cancel
    );
}

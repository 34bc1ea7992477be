//! The catalogue points are redeemed from (SAL-4; seed 001 第九条: 礼品、优惠券、
//! 培训机会): items with their cost in points, and a redemption of some of
//! one item (ADR 0041).

use serde::{Deserialize, Serialize};

use crate::ValidationErrors;
use crate::access::string_enum;
use crate::validation::MAX_REASON;

/// The most points one item costs, and the most of one item redeemed at once.
pub const MAX_ITEM_COST: i64 = 10_000_000;
pub const MAX_REDEEM_QUANTITY: i64 = 100;
pub const MAX_ITEM_CODE: usize = 32;
pub const MAX_ITEM_NAME: usize = 100;

string_enum!(
    /// What an item is.
    ItemKind {
        /// 礼品
        Gift = "gift",
        /// 优惠券
        Coupon = "coupon",
        /// 培训机会
        Training = "training",
    }
);

/// An item as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PointsItemInput {
    pub code: String,
    pub name: String,
    pub kind: ItemKind,
    /// Points one of it costs.
    pub cost: i64,
    /// Whether it can be redeemed now (an item once redeemed is never
    /// deleted, only withdrawn).
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub note: Option<String>,
}

fn yes() -> bool {
    true
}

impl PointsItemInput {
    pub fn validate(self) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let code = e.code("code", &self.code, MAX_ITEM_CODE);
        let name = e.text("name", &self.name, MAX_ITEM_NAME);
        if !(1..=MAX_ITEM_COST).contains(&self.cost) {
            e.add(
                "cost",
                "out_of_range",
                format!("an item costs 1 to {MAX_ITEM_COST} points"),
            );
        }
        let note = e.optional_text("note", self.note.as_deref(), MAX_REASON);
        e.into_result(PointsItemInput {
            code,
            name,
            note,
            ..self
        })
    }
}

/// A rep redeems some of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RedemptionInput {
    pub item_id: i64,
    #[serde(default = "one")]
    pub quantity: i64,
}

fn one() -> i64 {
    1
}

impl RedemptionInput {
    /// The points it costs at `cost` each.
    pub fn cost(self, cost: i64) -> Result<i64, ValidationErrors> {
        if !(1..=MAX_REDEEM_QUANTITY).contains(&self.quantity) {
            return Err(ValidationErrors::single(
                "quantity",
                "out_of_range",
                format!("one redemption takes 1 to {MAX_REDEEM_QUANTITY} of an item"),
            ));
        }
        // Both are bounded: at most 10^7 × 100.
        Ok(cost.saturating_mul(self.quantity))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sal_4_an_item_has_a_code_a_name_and_a_cost() {
        let item = PointsItemInput {
            code: "GIFT-TEA".into(),
            name: " 茶叶礼盒 ".into(),
            kind: ItemKind::Gift,
            cost: 800,
            active: true,
            note: None,
        };
        assert_eq!(item.clone().validate().unwrap().name, "茶叶礼盒");
        let e = PointsItemInput {
            code: "tea box".into(),
            cost: 0,
            ..item
        }
        .validate()
        .unwrap_err();
        let f: Vec<&str> = e.errors.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(f, ["code", "cost"]);
        let r = RedemptionInput {
            item_id: 1,
            quantity: 3,
        };
        assert_eq!(r.cost(800).unwrap(), 2400);
        let e = RedemptionInput {
            item_id: 1,
            quantity: 0,
        }
        .cost(800)
        .unwrap_err();
        assert_eq!(e.errors[0].field, "quantity");
    }
}

//! Supplementary agreements (补充协议, CON-2): once a contract is signed, a
//! change of its terms, its termination or a breach is recorded only by a
//! written agreement, reviewed like the contract and signed.

use serde::{Deserialize, Serialize};

use super::{ContractTerms, MAX_CLAUSE};
use crate::Money;
use crate::access::string_enum;
use crate::validation::ValidationErrors;

string_enum!(
    /// What a supplementary agreement records.
    SupplementKind {
        /// 变更: the terms as they read from its signing.
        Change = "change",
        /// 终止: the contract ends on its signing.
        Termination = "termination",
        /// 违约: a breach by one party and the penalty agreed.
        Breach = "breach",
    }
);

impl SupplementKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            SupplementKind::Change => "合同变更",
            SupplementKind::Termination => "合同终止",
            SupplementKind::Breach => "违约处理",
        }
    }
}

string_enum!(
    /// Where a supplementary agreement stands: reviewed like a contract,
    /// in effect once signed.
    SupplementStatus {
        Draft = "draft",
        InReview = "in_review",
        Approved = "approved",
        Signed = "signed",
    }
);

impl SupplementStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            SupplementStatus::Draft => "草稿",
            SupplementStatus::InReview => "审核中",
            SupplementStatus::Approved => "已批准",
            SupplementStatus::Signed => "已签订",
        }
    }
}

string_enum!(
    /// The party in breach.
    BreachBy {
        /// 买方: the customer.
        Buyer = "buyer",
        /// 卖方: the company.
        Seller = "seller",
    }
);

/// What a supplementary agreement says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SupplementContent {
    pub kind: SupplementKind,
    /// The agreement's clauses in words.
    pub clauses: String,
    /// A change: the contract's whole terms as they read once it is signed.
    #[serde(default)]
    pub terms: Option<ContractTerms>,
    /// A breach: who breached.
    #[serde(default)]
    pub breach_by: Option<BreachBy>,
    /// A breach: the penalty agreed (违约金), if any.
    #[serde(default)]
    pub penalty: Option<Money>,
}

impl SupplementContent {
    /// The clauses required; a change carries new terms, for the same
    /// customer, that differ from `current`; only a breach names the party
    /// and a penalty. Errors of the new terms are named `terms.<field>`.
    pub fn check(&self, current: &ContractTerms) -> Result<SupplementContent, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let clauses = e.text("clauses", &self.clauses, MAX_CLAUSE);
        let mut terms = None;
        match (self.kind, &self.terms) {
            (SupplementKind::Change, None) => {
                e.add(
                    "terms",
                    "required",
                    "a change states the terms as they will read",
                );
            }
            (SupplementKind::Change, Some(t)) => match t.check() {
                Ok(t) => {
                    if t.customer_id != current.customer_id {
                        e.add(
                            "terms.customer_id",
                            "not_allowed",
                            "a supplementary agreement binds the same customer; a new customer needs a new contract",
                        );
                    }
                    if &t == current {
                        e.add(
                            "terms",
                            "unchanged",
                            "the terms are the same as the contract's",
                        );
                    }
                    terms = Some(t);
                }
                Err(x) => {
                    for mut err in x.errors {
                        err.field = format!("terms.{}", err.field);
                        e.errors.push(err);
                    }
                }
            },
            (_, Some(_)) => e.add("terms", "not_allowed", "only a change carries new terms"),
            (_, None) => {}
        }
        if self.kind == SupplementKind::Breach {
            if self.breach_by.is_none() {
                e.add("breach_by", "required", "buyer or seller");
            }
            if let Some(p) = self.penalty
                && p.is_negative()
            {
                e.negative("penalty");
            }
        } else if self.breach_by.is_some() || self.penalty.is_some() {
            e.add(
                "penalty",
                "not_allowed",
                "only a breach names the party in breach and a penalty",
            );
        }
        e.into_result(SupplementContent {
            clauses,
            terms,
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::terms;
    use super::*;

    fn change(t: ContractTerms) -> SupplementContent {
        SupplementContent {
            kind: SupplementKind::Change,
            clauses: " 第一条 数量由100件增至150件。".into(),
            terms: Some(t),
            breach_by: None,
            penalty: None,
        }
    }

    #[test]
    fn con_2_a_change_carries_new_terms_for_the_same_customer() {
        let current = terms().check().unwrap();
        let mut more = current.clone();
        more.lines[0].quantity = 150;
        let ok = change(more.clone()).check(&current).unwrap();
        assert_eq!(ok.clauses, "第一条 数量由100件增至150件。");
        let same = change(current.clone()).check(&current).unwrap_err();
        assert_eq!(same.errors[0].code, "unchanged");
        let mut other = more.clone();
        other.customer_id = crate::CustomerId(9);
        other.lines[0].quantity = 0;
        let e = change(other).check(&current).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["terms.lines[0].quantity"]);
        let none = SupplementContent {
            terms: None,
            ..change(more)
        };
        assert_eq!(none.check(&current).unwrap_err().errors[0].field, "terms");
    }

    #[test]
    fn con_2_only_a_breach_names_a_party_and_a_penalty() {
        let current = terms().check().unwrap();
        let breach = SupplementContent {
            kind: SupplementKind::Breach,
            clauses: "买方逾期付款,支付违约金".into(),
            terms: None,
            breach_by: Some(BreachBy::Buyer),
            penalty: Some(Money::yuan(500)),
        };
        assert!(breach.check(&current).is_ok());
        let no_party = SupplementContent {
            breach_by: None,
            penalty: Some(Money::yuan(-1)),
            ..breach.clone()
        };
        let e = no_party.check(&current).unwrap_err();
        assert_eq!(e.errors.len(), 2);
        let end = SupplementContent {
            kind: SupplementKind::Termination,
            ..breach
        };
        assert_eq!(
            end.check(&current).unwrap_err().errors[0].code,
            "not_allowed"
        );
    }
}

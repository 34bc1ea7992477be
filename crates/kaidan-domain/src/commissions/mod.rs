//! Sales commissions (SAL-5, ADR 0043): policies as data — a rate per
//! product category, tiers by the month's target completion, on invoiced
//! or collected amounts, each in force from a day — and the monthly
//! statement computed from them, reviewed by the sales manager and
//! confirmed by finance.

mod policy;
mod statement;

pub use policy::{
    CommissionBasis, CommissionPolicyDraft, CommissionPolicyInput, CommissionTier, MAX_FACTOR_BP,
    MAX_POLICY_RATES, MAX_POLICY_TIERS, MAX_RATE_BP, MAX_TIER_FROM_BP, RateInput, TierInput,
    percent_bp, percent_text,
};
pub use statement::{
    CommissionBase, CommissionLine, CommissionSum, StatementStatus, commission_of, completion_bp,
    compute, share,
};

//! Sales contracts (CON-1, CON-2): sales drafts from the terms of seed 001
//! and revises while it is a draft (every version kept with what changed);
//! legal, finance and the general manager review in that order, each
//! approving or sending it back with comments, nobody reviewing his own
//! draft; the approved contract is signed (the day and the scanned copy
//! recorded) and put in force; the archive is searched by customer,
//! status, days, amount and text. Supplementary agreements, loans of
//! the original and orders against a contract are in their own files.

mod against;
mod loans;
mod supplements;

use jiff::civil::Date;
use kaidan_domain::audit::{FieldChange, diff};
use kaidan_domain::contracts::{
    ContractProgress, ContractStatus, ContractTerms, ReviewOutcome, ReviewRecord, ReviewStep,
    review_refusal,
};
use kaidan_domain::{Permission, ValidationErrors};
use serde::Serialize;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::finance::VoucherUpload;
use crate::master::exists::{check_products, check_reference};
use crate::ports::{
    ContractFilter, ContractOrder, ContractRow, ContractVersion, EntityKind, LoanRow,
    SupplementRow, Tx, VoucherFile,
};

/// A contract with its versions, its supplementary agreements, the loans
/// of its original, the orders against it and what remains of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractView {
    #[serde(flatten)]
    pub contract: ContractRow,
    pub versions: Vec<ContractVersion>,
    pub supplements: Vec<SupplementRow>,
    /// Newest first; the first is open while its `returned_at` is empty.
    pub loans: Vec<LoanRow>,
    pub orders: Vec<ContractOrder>,
    pub progress: ContractProgress,
}

/// The review decision `approve` at `step`, as a document keeps it, with
/// the comment checked (required when sending back).
pub(crate) fn review_record(
    ctx: &Ctx,
    step: ReviewStep,
    approve: bool,
    comment: &str,
    at: jiff::Timestamp,
    version: i64,
) -> AppResult<ReviewRecord> {
    let mut e = ValidationErrors::new();
    let comment = if approve {
        e.optional_text(
            "comment",
            Some(comment),
            kaidan_domain::validation::MAX_REASON,
        )
        .unwrap_or_default()
    } else {
        e.text("comment", comment, kaidan_domain::validation::MAX_REASON)
    };
    e.into_result(())?;
    Ok(ReviewRecord {
        step,
        approved: approve,
        comment,
        by: ctx.actor.user_id,
        by_name: ctx.actor.username.clone(),
        at,
        version,
    })
}

/// Refuses `ctx` taking review step `step` of a document (`what`, e.g.
/// "contract HT-…") out of turn, outside review or on his own draft.
pub(crate) fn check_review_turn(
    what: &str,
    (in_review, status): (bool, &str),
    awaiting: Option<ReviewStep>,
    step: ReviewStep,
    drafter: kaidan_domain::UserId,
    ctx: &Ctx,
) -> AppResult<()> {
    match review_refusal(
        in_review,
        status,
        awaiting,
        step,
        drafter,
        ctx.actor.user_id,
    ) {
        Some((code, message)) => Err(AppError::invalid(
            "step",
            code,
            format!("{what}: {message}"),
        )),
        None => Ok(()),
    }
}

/// The audit line of a review decision.
pub(crate) fn review_change(r: &ReviewRecord) -> FieldChange {
    FieldChange {
        field: format!("review.{}", r.step),
        before: None,
        after: Some(
            format!(
                "{} {}",
                if r.approved { "approved" } else { "sent back" },
                r.comment
            )
            .trim()
            .to_string(),
        ),
    }
}

/// The signing day plus `days`.
pub(crate) fn collect_by(signed_on: Date, days: u32) -> Option<Date> {
    signed_on
        .checked_add(jiff::Span::new().days(i64::from(days)))
        .ok()
}

/// Why a signing day is refused: before the approval or in the future.
pub(crate) fn check_signing_day(
    signed_on: Date,
    approved_at: Option<jiff::Timestamp>,
    today: Date,
) -> AppResult<()> {
    let approved_on = approved_at.map(|t| {
        t.to_zoned(kaidan_domain::orders::company_time_zone())
            .date()
    });
    if signed_on > today || approved_on.is_some_and(|a| signed_on < a) {
        return Err(AppError::invalid(
            "signed_on",
            "out_of_range",
            format!("{signed_on} is not between the approval and today"),
        ));
    }
    Ok(())
}

/// The signed copy checked, its errors named `signed_copy.<field>`.
pub(crate) fn checked_copy(copy: &VoucherUpload) -> AppResult<VoucherFile> {
    crate::finance::checked_voucher(copy).map_err(|mut e| {
        for x in &mut e.errors {
            x.field = format!("signed_copy.{}", x.field);
        }
        AppError::from(e)
    })
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound {
        what: "contract",
        id: id.to_string(),
    }
}

fn wrong_status(c: &ContractRow, wanted: ContractStatus) -> AppError {
    AppError::invalid(
        "status",
        "illegal_transition",
        format!(
            "contract {} is {} ({}); this step needs it {} ({})",
            c.number,
            c.status,
            c.status.label_zh(),
            wanted,
            wanted.label_zh()
        ),
    )
}

impl App {
    async fn contract_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        id: i64,
    ) -> AppResult<ContractRow> {
        ctx.require(Permission::ContractRead)?;
        tx.contract_get(id).await?.ok_or_else(|| not_found(id))
    }

    async fn contract_view(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        id: i64,
    ) -> AppResult<ContractView> {
        let contract = self.contract_in(tx, ctx, id).await?;
        let versions = tx.contract_versions(id).await?;
        let supplements = tx.supplements_of(id).await?;
        let loans = tx.loans_of(id).await?;
        let orders = tx.contract_orders(id).await?;
        let f = tx.contract_figures(id).await?;
        let progress = ContractProgress::new(
            &contract.terms,
            &f.units,
            f.ordered,
            f.shipped,
            f.invoiced,
            f.paid,
        );
        Ok(ContractView {
            contract,
            versions,
            supplements,
            loans,
            orders,
            progress,
        })
    }

    /// The terms checked, with the customer and the products known.
    async fn checked_terms(
        &self,
        tx: &mut Box<dyn Tx>,
        terms: &ContractTerms,
    ) -> AppResult<ContractTerms> {
        let mut e = ValidationErrors::new();
        let checked = terms.check();
        check_reference(
            tx,
            &mut e,
            "customer_id",
            EntityKind::Customer,
            terms.customer_id.get(),
        )
        .await?;
        let products: Vec<_> = terms.lines.iter().map(|l| l.product_id).collect();
        check_products(tx, &mut e, "lines", &products).await?;
        match checked {
            Ok(t) => e.into_result(t).map_err(AppError::from),
            Err(x) => {
                e.merge(x);
                Err(e.into())
            }
        }
    }

    /// The audit row and the outbox event of a contract's step.
    async fn contract_recorded(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        c: &ContractRow,
        action: &str,
        changes: Vec<FieldChange>,
    ) -> AppResult<()> {
        let mut changes = changes;
        changes.push(FieldChange {
            field: "status".into(),
            before: None,
            after: Some(c.status.to_string()),
        });
        self.audit(tx, ctx, "contract", c.id, action, changes)
            .await?;
        self.publish(
            tx,
            &format!("contract.{action}"),
            "contract",
            c.id,
            serde_json::json!({"contract_id": c.id, "number": c.number, "customer_id": c.customer_id,
                "status": c.status, "awaiting": c.awaiting, "terms_version": c.terms_version,
                "amount": c.amount, "signed_on": c.signed_on.map(|d| d.to_string())}),
        )
        .await
    }

    async fn contract_save(&self, tx: &mut Box<dyn Tx>, c: &mut ContractRow) -> AppResult<()> {
        c.version += 1;
        c.updated_at = self.now();
        AppError::unless_saved(tx.contract_save(c).await?, "contract", c.id, c.version)
    }

    /// CON-1: sales drafts a contract (version 1 of its terms).
    pub async fn draft_contract(
        &self,
        ctx: &Ctx,
        terms: &ContractTerms,
    ) -> AppResult<ContractView> {
        ctx.require(Permission::ContractDraft)?;
        let mut tx = self.store.write().await?;
        let terms = self.checked_terms(&mut tx, terms).await?;
        let now = self.now();
        let mut c = ContractRow {
            id: 0,
            number: self.document_number(&mut tx, "HT").await?,
            customer_id: terms.customer_id,
            customer_name: String::new(),
            status: ContractStatus::Draft,
            awaiting: None,
            terms_version: 1,
            amount: terms.amount(),
            terms,
            drafted_by: ctx.actor.user_id,
            drafted_by_name: String::new(),
            drafted_at: now,
            reviews: Vec::new(),
            signed_on: None,
            collect_by: None,
            in_force_at: None,
            signed_copy: None,
            updated_at: now,
            version: 1,
        };
        c.id = tx.contract_insert(&c).await?;
        let changes = diff(None, Some(&c.terms));
        tx.contract_version_insert(c.id, 1, &c.terms, &changes, now, ctx.actor.user_id)
            .await?;
        self.contract_recorded(&mut tx, ctx, &c, "drafted", changes)
            .await?;
        let view = self.contract_view(&mut tx, ctx, c.id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// CON-1: a draft's terms changed; a new version, with what changed.
    /// A contract past its draft is changed only by a supplementary
    /// agreement.
    pub async fn revise_contract(
        &self,
        ctx: &Ctx,
        id: i64,
        terms: &ContractTerms,
    ) -> AppResult<ContractView> {
        ctx.require(Permission::ContractDraft)?;
        let mut tx = self.store.write().await?;
        let mut c = self.contract_in(&mut tx, ctx, id).await?;
        if c.status != ContractStatus::Draft {
            return Err(wrong_status(&c, ContractStatus::Draft));
        }
        let terms = self.checked_terms(&mut tx, terms).await?;
        let changes = diff(Some(&c.terms), Some(&terms));
        if changes.is_empty() {
            return Err(AppError::invalid(
                "terms",
                "unchanged",
                format!("the terms are the same as version {}", c.terms_version),
            ));
        }
        c.terms_version += 1;
        c.customer_id = terms.customer_id;
        c.amount = terms.amount();
        c.terms = terms;
        self.contract_save(&mut tx, &mut c).await?;
        tx.contract_version_insert(
            id,
            c.terms_version,
            &c.terms,
            &changes,
            self.now(),
            ctx.actor.user_id,
        )
        .await?;
        self.contract_recorded(&mut tx, ctx, &c, "revised", changes)
            .await?;
        let view = self.contract_view(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// CON-1: the draft goes to review: legal first.
    pub async fn submit_contract(&self, ctx: &Ctx, id: i64) -> AppResult<ContractView> {
        ctx.require(Permission::ContractDraft)?;
        let mut tx = self.store.write().await?;
        let mut c = self.contract_in(&mut tx, ctx, id).await?;
        if c.status != ContractStatus::Draft {
            return Err(wrong_status(&c, ContractStatus::Draft));
        }
        c.status = ContractStatus::InReview;
        c.awaiting = Some(ReviewStep::Legal);
        self.contract_save(&mut tx, &mut c).await?;
        self.contract_recorded(&mut tx, ctx, &c, "submitted", Vec::new())
            .await?;
        let view = self.contract_view(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// CON-1: a review step approves (on to the next; the general
    /// manager's approval approves the contract) or sends it back to draft
    /// with comments. Steps come in order; nobody reviews his own draft.
    pub async fn review_contract(
        &self,
        ctx: &Ctx,
        id: i64,
        step: ReviewStep,
        approve: bool,
        comment: &str,
    ) -> AppResult<ContractView> {
        ctx.require(step.permission())?;
        let record = review_record(ctx, step, approve, comment, self.now(), 0)?;
        let mut tx = self.store.write().await?;
        let mut c = self.contract_in(&mut tx, ctx, id).await?;
        check_review_turn(
            &format!("contract {}", c.number),
            (c.status == ContractStatus::InReview, c.status.as_str()),
            c.awaiting,
            step,
            c.drafted_by,
            ctx,
        )?;
        let change = review_change(&record);
        c.reviews.push(ReviewRecord {
            version: c.terms_version,
            ..record
        });
        let outcome = step.outcome(approve);
        c.awaiting = outcome.awaiting();
        c.status = match outcome {
            ReviewOutcome::SentBack => ContractStatus::Draft,
            ReviewOutcome::Next(_) => ContractStatus::InReview,
            ReviewOutcome::Approved => ContractStatus::Approved,
        };
        let action = outcome.action();
        self.contract_save(&mut tx, &mut c).await?;
        self.contract_recorded(&mut tx, ctx, &c, action, vec![change])
            .await?;
        let view = self.contract_view(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// CON-1: the approved contract was signed by both parties on
    /// `signed_on`: the day and the scanned signed copy are recorded; its
    /// collection period runs from that day.
    pub async fn sign_contract(
        &self,
        ctx: &Ctx,
        id: i64,
        signed_on: Date,
        copy: &VoucherUpload,
    ) -> AppResult<ContractView> {
        ctx.require(Permission::ContractSign)?;
        let file = checked_copy(copy)?;
        let mut tx = self.store.write().await?;
        let mut c = self.contract_in(&mut tx, ctx, id).await?;
        if c.status != ContractStatus::Approved {
            return Err(wrong_status(&c, ContractStatus::Approved));
        }
        check_signing_day(signed_on, c.reviews.last().map(|r| r.at), self.today())?;
        c.status = ContractStatus::Signed;
        c.signed_on = Some(signed_on);
        c.collect_by = collect_by(signed_on, c.terms.collection_days);
        self.contract_save(&mut tx, &mut c).await?;
        tx.contract_file_put(id, &file, self.now(), ctx.actor.user_id)
            .await?;
        let change = FieldChange {
            field: "signed_copy".into(),
            before: None,
            after: Some(format!("{signed_on} {}", file.file_name)),
        };
        self.contract_recorded(&mut tx, ctx, &c, "signed", vec![change])
            .await?;
        let view = self.contract_view(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// CON-2: a signed contract is put in force (orders may be placed
    /// against it), an in-force one completed.
    pub async fn advance_contract(&self, ctx: &Ctx, id: i64) -> AppResult<ContractView> {
        ctx.require(Permission::ContractSign)?;
        let mut tx = self.store.write().await?;
        let mut c = self.contract_in(&mut tx, ctx, id).await?;
        let action = match c.status {
            ContractStatus::Signed => {
                c.status = ContractStatus::InForce;
                c.in_force_at = Some(self.now());
                "in_force"
            }
            ContractStatus::InForce => {
                c.status = ContractStatus::Completed;
                "completed"
            }
            _ => return Err(wrong_status(&c, ContractStatus::Signed)),
        };
        self.contract_save(&mut tx, &mut c).await?;
        self.contract_recorded(&mut tx, ctx, &c, action, Vec::new())
            .await?;
        let view = self.contract_view(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    pub async fn contract(&self, ctx: &Ctx, id: i64) -> AppResult<ContractView> {
        let mut tx = self.store.read().await?;
        self.contract_view(&mut tx, ctx, id).await
    }

    /// CON-2: the archive, newest first.
    pub async fn contracts(&self, ctx: &Ctx, mut f: ContractFilter) -> AppResult<Vec<ContractRow>> {
        ctx.require(Permission::ContractRead)?;
        f.limit = f.limit.clamp(1, self.config.max_page);
        let mut tx = self.store.read().await?;
        Ok(tx.contracts(&f).await?)
    }

    /// The scanned signed copy.
    pub async fn contract_copy(&self, ctx: &Ctx, id: i64) -> AppResult<VoucherFile> {
        let mut tx = self.store.read().await?;
        self.contract_in(&mut tx, ctx, id).await?;
        tx.contract_file(id)
            .await?
            .ok_or_else(|| AppError::NotFound {
                what: "signed copy of contract",
                id: id.to_string(),
            })
    }
}

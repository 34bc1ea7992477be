//! Supplementary agreements (补充协议, CON-2): a signed contract is changed,
//! terminated or its breach recorded only by a written agreement, drafted
//! by sales, reviewed like the contract (legal, finance, the general
//! manager; nobody his own draft) and signed. Its signing takes effect: a
//! change becomes the contract's next version of terms, a termination ends
//! the contract, a breach stays on record with its penalty.

use jiff::civil::Date;
use kaidan_domain::audit::{FieldChange, diff};
use kaidan_domain::contracts::{
    ContractStatus, ReviewOutcome, ReviewRecord, ReviewStep, SupplementContent, SupplementKind,
    SupplementStatus,
};
use kaidan_domain::{Permission, ValidationErrors};

use super::{
    check_review_turn, check_signing_day, checked_copy, collect_by, not_found, review_change,
    review_record,
};
use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::finance::VoucherUpload;
use crate::ports::{ContractRow, SupplementRow, Tx, VoucherFile};

fn supplement_missing(id: i64) -> AppError {
    AppError::NotFound {
        what: "supplementary agreement",
        id: id.to_string(),
    }
}

fn supplement_wrong(s: &SupplementRow, wanted: SupplementStatus) -> AppError {
    AppError::invalid(
        "status",
        "illegal_transition",
        format!(
            "supplementary agreement {} is {} ({}); this step needs it {} ({})",
            s.number,
            s.status,
            s.status.label_zh(),
            wanted,
            wanted.label_zh()
        ),
    )
}

/// A contract is supplemented once signed and until it ends.
fn supplementable(c: &ContractRow) -> AppResult<()> {
    if matches!(c.status, ContractStatus::Signed | ContractStatus::InForce) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "status",
            "illegal_transition",
            format!(
                "contract {} is {} ({}); only a signed contract or one in force is supplemented{}",
                c.number,
                c.status,
                c.status.label_zh(),
                if c.status == ContractStatus::Draft {
                    " (a draft is changed directly)"
                } else {
                    ""
                }
            ),
        ))
    }
}

impl App {
    /// The content checked against the contract: a change may not bring a
    /// product below what was already ordered against it.
    async fn checked_content(
        &self,
        tx: &mut Box<dyn Tx>,
        c: &ContractRow,
        content: &SupplementContent,
    ) -> AppResult<SupplementContent> {
        let checked = content.check(&c.terms)?;
        if let Some(t) = &checked.terms {
            let mut e = ValidationErrors::new();
            let products: Vec<_> = t.lines.iter().map(|l| l.product_id).collect();
            crate::master::exists::check_products(tx, &mut e, "terms.lines", &products).await?;
            let ordered = tx.contract_ordered(c.id, None).await?;
            for (p, q) in &ordered {
                let agreed = t.lines.iter().find(|l| l.product_id == *p);
                if agreed.is_none_or(|l| l.quantity < *q) {
                    let at = t
                        .lines
                        .iter()
                        .position(|l| l.product_id == *p)
                        .map_or("terms.lines".to_string(), |i| {
                            format!("terms.lines[{i}].quantity")
                        });
                    e.add(
                        at,
                        "below_ordered",
                        format!("{q} of product {p} are already ordered against the contract"),
                    );
                }
            }
            e.into_result(())?;
        }
        Ok(checked)
    }

    async fn supplement_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        id: i64,
    ) -> AppResult<(SupplementRow, ContractRow)> {
        ctx.require(Permission::ContractRead)?;
        let s = tx
            .supplement_get(id)
            .await?
            .ok_or_else(|| supplement_missing(id))?;
        let c = tx
            .contract_get(s.contract_id)
            .await?
            .ok_or_else(|| not_found(s.contract_id))?;
        Ok((s, c))
    }

    async fn supplement_save(
        &self,
        tx: &mut Box<dyn Tx>,
        s: &mut SupplementRow,
        copy: Option<&VoucherFile>,
    ) -> AppResult<()> {
        s.version += 1;
        s.updated_at = self.now();
        AppError::unless_saved(
            tx.supplement_save(s, copy).await?,
            "supplementary agreement",
            s.id,
            s.version,
        )
    }

    /// The audit row (on the contract) and the `contract.supplement_*`
    /// event of a supplementary agreement's step.
    async fn supplement_recorded(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        s: &SupplementRow,
        action: &str,
        mut changes: Vec<FieldChange>,
    ) -> AppResult<()> {
        changes.push(FieldChange {
            field: format!("supplements[{}].status", s.number),
            before: None,
            after: Some(s.status.to_string()),
        });
        self.audit(
            tx,
            ctx,
            "contract",
            s.contract_id,
            &format!("supplement_{action}"),
            changes,
        )
        .await?;
        self.publish(
            tx,
            &format!("contract.supplement_{action}"),
            "contract",
            s.contract_id,
            serde_json::json!({"contract_id": s.contract_id, "supplement_id": s.id, "number": s.number,
                "kind": s.content.kind, "status": s.status, "awaiting": s.awaiting,
                "signed_on": s.signed_on.map(|d| d.to_string())}),
        )
        .await
    }

    /// CON-2: sales drafts a supplementary agreement to a signed contract.
    pub async fn draft_supplement(
        &self,
        ctx: &Ctx,
        contract: i64,
        draft: &SupplementContent,
    ) -> AppResult<SupplementRow> {
        ctx.require(Permission::ContractDraft)?;
        let mut tx = self.store.write().await?;
        let c = self.contract_in(&mut tx, ctx, contract).await?;
        supplementable(&c)?;
        let content = self.checked_content(&mut tx, &c, draft).await?;
        let now = self.now();
        let mut s = SupplementRow {
            id: 0,
            contract_id: c.id,
            number: self.document_number(&mut tx, "BC").await?,
            status: SupplementStatus::Draft,
            awaiting: None,
            content,
            reviews: Vec::new(),
            drafted_by: ctx.actor.user_id,
            drafted_by_name: String::new(),
            drafted_at: now,
            signed_on: None,
            signed_copy: None,
            updated_at: now,
            version: 1,
        };
        s.id = tx.supplement_insert(&s).await?;
        let changes = diff(None, Some(&s.content))
            .into_iter()
            .map(|mut f| {
                f.field = format!("supplements[{}].{}", s.number, f.field);
                f
            })
            .collect();
        self.supplement_recorded(&mut tx, ctx, &s, "drafted", changes)
            .await?;
        // Read back, so the answer names the drafter as every read does.
        let s = tx
            .supplement_get(s.id)
            .await?
            .ok_or_else(|| supplement_missing(s.id))?;
        tx.commit().await?;
        Ok(s)
    }

    /// CON-2: a draft supplementary agreement rewritten (after being sent
    /// back, say).
    pub async fn revise_supplement(
        &self,
        ctx: &Ctx,
        id: i64,
        draft: &SupplementContent,
    ) -> AppResult<SupplementRow> {
        ctx.require(Permission::ContractDraft)?;
        let mut tx = self.store.write().await?;
        let (mut s, c) = self.supplement_in(&mut tx, ctx, id).await?;
        if s.status != SupplementStatus::Draft {
            return Err(supplement_wrong(&s, SupplementStatus::Draft));
        }
        if draft.kind != s.content.kind {
            return Err(AppError::invalid(
                "kind",
                "not_allowed",
                format!(
                    "{} is a {}; draft a new agreement for another kind",
                    s.number, s.content.kind
                ),
            ));
        }
        let content = self.checked_content(&mut tx, &c, draft).await?;
        let changes: Vec<FieldChange> = diff(Some(&s.content), Some(&content))
            .into_iter()
            .map(|mut f| {
                f.field = format!("supplements[{}].{}", s.number, f.field);
                f
            })
            .collect();
        if changes.is_empty() {
            return Err(AppError::invalid(
                "clauses",
                "unchanged",
                "the agreement reads as before",
            ));
        }
        s.content = content;
        self.supplement_save(&mut tx, &mut s, None).await?;
        self.supplement_recorded(&mut tx, ctx, &s, "revised", changes)
            .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// CON-2: the draft goes to review, legal first, as a contract does.
    pub async fn submit_supplement(&self, ctx: &Ctx, id: i64) -> AppResult<SupplementRow> {
        ctx.require(Permission::ContractDraft)?;
        let mut tx = self.store.write().await?;
        let (mut s, c) = self.supplement_in(&mut tx, ctx, id).await?;
        if s.status != SupplementStatus::Draft {
            return Err(supplement_wrong(&s, SupplementStatus::Draft));
        }
        supplementable(&c)?;
        s.status = SupplementStatus::InReview;
        s.awaiting = Some(ReviewStep::Legal);
        self.supplement_save(&mut tx, &mut s, None).await?;
        self.supplement_recorded(&mut tx, ctx, &s, "submitted", Vec::new())
            .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// CON-2: a review step on a supplementary agreement, by the rules of
    /// the contract's review (in order; never the drafter).
    pub async fn review_supplement(
        &self,
        ctx: &Ctx,
        id: i64,
        step: ReviewStep,
        approve: bool,
        comment: &str,
    ) -> AppResult<SupplementRow> {
        ctx.require(step.permission())?;
        let record = review_record(ctx, step, approve, comment, self.now(), 0)?;
        let mut tx = self.store.write().await?;
        let (mut s, _) = self.supplement_in(&mut tx, ctx, id).await?;
        check_review_turn(
            &format!("supplementary agreement {}", s.number),
            (s.status == SupplementStatus::InReview, s.status.as_str()),
            s.awaiting,
            step,
            s.drafted_by,
            ctx,
        )?;
        let change = review_change(&record);
        s.reviews.push(ReviewRecord {
            version: s.version,
            ..record
        });
        let outcome = step.outcome(approve);
        s.awaiting = outcome.awaiting();
        s.status = match outcome {
            ReviewOutcome::SentBack => SupplementStatus::Draft,
            ReviewOutcome::Next(_) => SupplementStatus::InReview,
            ReviewOutcome::Approved => SupplementStatus::Approved,
        };
        let action = outcome.action();
        self.supplement_save(&mut tx, &mut s, None).await?;
        self.supplement_recorded(&mut tx, ctx, &s, action, vec![change])
            .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// CON-2: the approved agreement signed by both parties on
    /// `signed_on`, with its scanned copy; it takes effect on the contract.
    pub async fn sign_supplement(
        &self,
        ctx: &Ctx,
        id: i64,
        signed_on: Date,
        copy: &VoucherUpload,
    ) -> AppResult<SupplementRow> {
        ctx.require(Permission::ContractSign)?;
        let file = checked_copy(copy)?;
        let mut tx = self.store.write().await?;
        let (mut s, mut c) = self.supplement_in(&mut tx, ctx, id).await?;
        if s.status != SupplementStatus::Approved {
            return Err(supplement_wrong(&s, SupplementStatus::Approved));
        }
        supplementable(&c)?;
        check_signing_day(signed_on, s.reviews.last().map(|r| r.at), self.today())?;
        s.status = SupplementStatus::Signed;
        s.signed_on = Some(signed_on);
        self.supplement_save(&mut tx, &mut s, Some(&file)).await?;
        self.supplement_recorded(
            &mut tx,
            ctx,
            &s,
            "signed",
            vec![FieldChange {
                field: format!("supplements[{}].signed_copy", s.number),
                before: None,
                after: Some(format!("{signed_on} {}", file.file_name)),
            }],
        )
        .await?;
        match s.content.kind {
            SupplementKind::Change => {
                // Ordered quantities may have grown since the review.
                let content = self.checked_content(&mut tx, &c, &s.content).await?;
                let Some(terms) = content.terms else {
                    return Err(AppError::invalid(
                        "terms",
                        "required",
                        "a change states the terms",
                    ));
                };
                let changes = diff(Some(&c.terms), Some(&terms));
                c.terms_version += 1;
                c.amount = terms.amount();
                c.collect_by = c
                    .signed_on
                    .and_then(|d| collect_by(d, terms.collection_days));
                c.terms = terms;
                self.contract_save(&mut tx, &mut c).await?;
                let mut noted = changes.clone();
                noted.push(FieldChange {
                    field: "supplement".into(),
                    before: None,
                    after: Some(s.number.clone()),
                });
                tx.contract_version_insert(
                    c.id,
                    c.terms_version,
                    &c.terms,
                    &noted,
                    self.now(),
                    ctx.actor.user_id,
                )
                .await?;
                self.contract_recorded(&mut tx, ctx, &c, "changed", changes)
                    .await?;
            }
            SupplementKind::Termination => {
                c.status = ContractStatus::Terminated;
                self.contract_save(&mut tx, &mut c).await?;
                self.contract_recorded(&mut tx, ctx, &c, "terminated", Vec::new())
                    .await?;
            }
            SupplementKind::Breach => {}
        }
        tx.commit().await?;
        Ok(s)
    }

    /// The scanned signed copy of a supplementary agreement.
    pub async fn supplement_copy(&self, ctx: &Ctx, id: i64) -> AppResult<VoucherFile> {
        let mut tx = self.store.read().await?;
        self.supplement_in(&mut tx, ctx, id).await?;
        tx.supplement_file(id)
            .await?
            .ok_or_else(|| AppError::NotFound {
                what: "signed copy of supplementary agreement",
                id: id.to_string(),
            })
    }

    pub async fn supplement(&self, ctx: &Ctx, id: i64) -> AppResult<SupplementRow> {
        let mut tx = self.store.read().await?;
        Ok(self.supplement_in(&mut tx, ctx, id).await?.0)
    }
}

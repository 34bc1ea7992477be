//! Receipts (FIN-3): registered with a voucher by a sales rep for his own
//! customers or by finance; verified by finance, which posts the money to
//! the customer's account (FIN-5) and matches it to open invoices; or
//! rejected with a reason. A verified receipt is never edited: a reversal
//! undoes its matches and takes the money off the account, with a reason.

use kaidan_domain::audit::FieldChange;
use kaidan_domain::finance::{
    Receipt, ReceiptInput, ReceiptStatus, ValidReceipt, VoucherInfo, check_voucher,
};
use kaidan_domain::orders::{AccountEntry, EntryKind};
use kaidan_domain::{Money, Permission, ValidationErrors};
use serde::Serialize;

use super::{Reach, customer_in};
use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::{MatchRow, ReceiptFilter, Tx, VoucherFile};

/// A receipt with its matches, as the API and page show it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptView {
    #[serde(flatten)]
    pub receipt: Receipt,
    /// Verified and not matched to an invoice: the customer's funds.
    pub unapplied: Money,
    pub customer_code: String,
    pub customer_name: String,
    pub matches: Vec<MatchRow>,
}

/// An uploaded voucher before its checks.
#[derive(Debug, Clone)]
pub struct VoucherUpload {
    pub file_name: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

async fn receipt_in(tx: &mut Box<dyn Tx>, id: i64) -> AppResult<Receipt> {
    tx.receipt_get(id).await?.ok_or_else(|| AppError::NotFound {
        what: "receipt",
        id: id.to_string(),
    })
}

async fn receipt_view(tx: &mut Box<dyn Tx>, id: i64) -> AppResult<ReceiptView> {
    let receipt = receipt_in(tx, id).await?;
    let data = customer_in(tx, receipt.customer_id, "customer_id").await?;
    let matches = tx.matches(None, Some(id)).await?;
    Ok(ReceiptView {
        unapplied: receipt.unapplied(),
        customer_code: data.code,
        customer_name: data.name,
        receipt,
        matches,
    })
}

fn wrong_state(r: &Receipt, wanted: ReceiptStatus) -> AppError {
    AppError::invalid(
        "status",
        "illegal_transition",
        format!(
            "receipt {} is {}; this step needs it {}",
            r.number, r.status, wanted
        ),
    )
}

impl App {
    /// Registers money received (FIN-3), with its voucher (汇款底单) or the
    /// voucher attached after (`attach_voucher`). A sales rep registers for
    /// his own customers only. The receipt counts for nothing until finance
    /// verifies it.
    pub async fn register_receipt(
        &self,
        ctx: &Ctx,
        input: &ReceiptInput,
        voucher: Option<VoucherUpload>,
    ) -> AppResult<ReceiptView> {
        // A portal user registers its own customer's payment (INT-2);
        // staff with `receipt.register`.
        let portal = ctx.actor.customer_id;
        match portal {
            Some(own) => {
                ctx.require(Permission::PortalPay)?;
                if own != input.customer_id {
                    return Err(AppError::NotFound {
                        what: "customer",
                        id: input.customer_id.to_string(),
                    });
                }
            }
            None => ctx.require(Permission::ReceiptRegister)?,
        }
        let mut e = ValidationErrors::new();
        let valid = match input.validate(self.today()) {
            Ok(v) => Some(v),
            Err(err) => {
                e.merge(err);
                None
            }
        };
        let finance = ctx.actor.can(Permission::ReceiptVerify);
        let voucher = match voucher.as_ref().map(checked_voucher) {
            Some(Ok(v)) => Some(v),
            Some(Err(err)) => {
                e.merge(err);
                None
            }
            None => None,
        };
        let (Some(valid), true) = (valid, e.is_empty()) else {
            return Err(AppError::Invalid(e));
        };
        let mut tx = self.store.write().await?;
        let data = customer_in(&mut tx, valid.customer_id, "customer_id").await?;
        if !finance && portal.is_none() && data.sales_rep_id != Some(ctx.actor.user_id) {
            return Err(AppError::invalid(
                "customer_id",
                "not_your_customer",
                format!(
                    "customer {} is not one of yours; finance registers receipts for other customers",
                    data.code
                ),
            ));
        }
        let id = self
            .register_in(&mut tx, ctx, valid, voucher.as_ref())
            .await?
            .id;
        let view = receipt_view(&mut tx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Registers and verifies a receipt inside the caller's transaction, as
    /// the finance user of `ctx`: money seen on the bank statement, whose
    /// line is its voucher (ADR 0021, ADR 0023). Posted to the account like
    /// `verify_receipt`, with the same audit rows and events; the caller
    /// matches it.
    pub(crate) async fn receipt_verified_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        valid: ValidReceipt,
    ) -> AppResult<Receipt> {
        ctx.require(Permission::ReceiptVerify)?;
        let r = self.register_in(tx, ctx, valid, None).await?;
        self.verify_in(tx, ctx, &r).await?;
        receipt_in(tx, r.id).await
    }

    /// Writes a new registered receipt with its voucher, audited and
    /// published: the step registering by hand and importing a bank line
    /// share.
    async fn register_in(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        valid: ValidReceipt,
        voucher: Option<&VoucherFile>,
    ) -> AppResult<Receipt> {
        let number = self.document_number(tx, "RC").await?;
        let mut receipt = Receipt {
            id: 0,
            number: number.clone(),
            customer_id: valid.customer_id,
            payer: valid.payer,
            method: valid.method,
            amount: valid.amount,
            applied: Money::ZERO,
            received_on: valid.received_on,
            bank_reference: valid.bank_reference,
            note: valid.note,
            status: ReceiptStatus::Registered,
            registered_by: ctx.actor.user_id,
            registered_by_name: ctx.actor.username.clone(),
            registered_at: self.now(),
            decided_by_name: None,
            decided_at: None,
            decision_note: None,
            voucher: voucher.map(|v| VoucherInfo {
                file_name: v.file_name.clone(),
                content_type: v.content_type,
                size: i64::try_from(v.bytes.len()).unwrap_or(i64::MAX),
            }),
        };
        receipt.id = tx.receipt_insert(&receipt, voucher).await?;
        let id = receipt.id;
        self.audit(
            tx,
            ctx,
            "receipt",
            id,
            "register",
            vec![FieldChange {
                field: "amount".into(),
                before: None,
                after: Some(format!("{number} {} {}", receipt.amount, receipt.payer)),
            }],
        )
        .await?;
        self.publish(
            tx,
            "receipt.registered",
            "receipt",
            id,
            serde_json::json!({ "id": id, "number": number, "customer_id": receipt.customer_id, "amount": receipt.amount }),
        )
        .await?;
        Ok(receipt)
    }

    /// Verifies a registered receipt: its money goes to the customer's
    /// account, audited and published. Matching is the caller's.
    async fn verify_in(&self, tx: &mut Box<dyn Tx>, ctx: &Ctx, r: &Receipt) -> AppResult<()> {
        let (from, to) = (ReceiptStatus::Registered, ReceiptStatus::Verified);
        let now = self.now();
        if !tx
            .receipt_decide(r.id, from, to, &ctx.actor.username, now, None)
            .await?
        {
            return Err(wrong_state(r, from));
        }
        let entry = AccountEntry {
            note: Some(format!("收款 {}", r.number)),
            ..AccountEntry::new(EntryKind::Deposit, r.amount, None)
        };
        self.account_post(tx, ctx, r.customer_id, &entry, now)
            .await?;
        self.audit(
            tx,
            ctx,
            "receipt",
            r.id,
            "verify",
            vec![status_change(from, to)],
        )
        .await?;
        self.publish(
            tx,
            "receipt.verified",
            "receipt",
            r.id,
            serde_json::json!({ "id": r.id, "number": r.number, "customer_id": r.customer_id, "amount": r.amount }),
        )
        .await
    }

    /// Finance verifies a registered receipt: the money is posted to the
    /// customer's account and paid into its open invoices, oldest due first.
    pub async fn verify_receipt(&self, ctx: &Ctx, id: i64) -> AppResult<ReceiptView> {
        ctx.require(Permission::ReceiptVerify)?;
        let mut tx = self.store.write().await?;
        let r = receipt_in(&mut tx, id).await?;
        if r.voucher.is_none() && r.bank_reference.is_none() {
            return Err(AppError::invalid(
                "voucher",
                "required",
                format!(
                    "receipt {} has neither a voucher nor a bank reference: attach the transfer slip first (FIN-3)",
                    r.number
                ),
            ));
        }
        self.verify_in(&mut tx, ctx, &r).await?;
        self.auto_match(&mut tx, ctx, r.customer_id).await?;
        let view = receipt_view(&mut tx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Finance rejects a registered receipt (no money arrived, wrong
    /// customer, unreadable voucher), with the reason.
    pub async fn reject_receipt(&self, ctx: &Ctx, id: i64, reason: &str) -> AppResult<ReceiptView> {
        ctx.require(Permission::ReceiptVerify)?;
        let reason = ValidationErrors::reason(reason)?;
        let mut tx = self.store.write().await?;
        let r = receipt_in(&mut tx, id).await?;
        if !tx
            .receipt_decide(
                id,
                ReceiptStatus::Registered,
                ReceiptStatus::Rejected,
                &ctx.actor.username,
                self.now(),
                Some(&reason),
            )
            .await?
        {
            return Err(wrong_state(&r, ReceiptStatus::Registered));
        }
        self.audit(
            &mut tx,
            ctx,
            "receipt",
            id,
            "reject",
            vec![status_change(
                ReceiptStatus::Registered,
                ReceiptStatus::Rejected,
            )],
        )
        .await?;
        // The payer is told why (its portal inbox, its webhook).
        self.publish(
            &mut tx,
            "receipt.rejected",
            "receipt",
            id,
            serde_json::json!({ "id": id, "number": r.number, "customer_id": r.customer_id, "amount": r.amount, "reason": reason }),
        )
        .await?;
        let view = receipt_view(&mut tx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Finance reverses a verified receipt (the money did not stay: a
    /// bounced transfer, a refund), with the reason: its matches are undone
    /// and the amount is taken off the customer's account.
    pub async fn reverse_receipt(
        &self,
        ctx: &Ctx,
        id: i64,
        reason: &str,
    ) -> AppResult<ReceiptView> {
        ctx.require(Permission::ReceiptVerify)?;
        let reason = ValidationErrors::reason(reason)?;
        let mut tx = self.store.write().await?;
        let r = receipt_in(&mut tx, id).await?;
        let now = self.now();
        let mut orders = Vec::new();
        for m in tx.matches(None, Some(id)).await? {
            if m.undone_on.is_none() {
                self.unmatch(&mut tx, &m).await?;
                orders.extend(tx.invoice_orders(m.invoice_id).await?);
            }
        }
        if !tx
            .receipt_decide(
                id,
                ReceiptStatus::Verified,
                ReceiptStatus::Reversed,
                &ctx.actor.username,
                now,
                Some(&reason),
            )
            .await?
        {
            return Err(wrong_state(&r, ReceiptStatus::Verified));
        }
        self.account_post(
            &mut tx,
            ctx,
            r.customer_id,
            &AccountEntry {
                note: Some(format!("冲销 {}: {reason}", r.number)),
                ..AccountEntry::new(EntryKind::Adjustment, -r.amount, None)
            },
            now,
        )
        .await?;
        self.audit(
            &mut tx,
            ctx,
            "receipt",
            id,
            "reverse",
            vec![status_change(
                ReceiptStatus::Verified,
                ReceiptStatus::Reversed,
            )],
        )
        .await?;
        self.publish(
            &mut tx,
            "receipt.reversed",
            "receipt",
            id,
            serde_json::json!({ "id": id, "number": r.number, "customer_id": r.customer_id, "amount": r.amount, "reason": reason }),
        )
        .await?;
        self.refresh_billing(&mut tx, ctx, &orders).await?;
        let view = receipt_view(&mut tx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Attaches (or replaces) the voucher of a receipt still waiting for
    /// verification; whoever may register it may attach it.
    pub async fn attach_voucher(
        &self,
        ctx: &Ctx,
        id: i64,
        voucher: VoucherUpload,
    ) -> AppResult<ReceiptView> {
        ctx.require(Permission::ReceiptRegister)?;
        let file = checked_voucher(&voucher)?;
        let mut tx = self.store.write().await?;
        let r = receipt_in(&mut tx, id).await?;
        let data = customer_in(&mut tx, r.customer_id, "customer_id").await?;
        if !ctx.actor.can(Permission::ReceiptVerify) && data.sales_rep_id != Some(ctx.actor.user_id)
        {
            return Err(AppError::Forbidden(Permission::ReceiptVerify));
        }
        if r.status != ReceiptStatus::Registered {
            return Err(wrong_state(&r, ReceiptStatus::Registered));
        }
        tx.receipt_voucher_set(id, &file).await?;
        self.audit(
            &mut tx,
            ctx,
            "receipt",
            id,
            "voucher",
            vec![FieldChange {
                field: "voucher".into(),
                before: r.voucher.map(|v| v.file_name),
                after: Some(format!("{} ({} bytes)", file.file_name, file.bytes.len())),
            }],
        )
        .await?;
        let view = receipt_view(&mut tx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// One receipt with its matches, within the actor's reach.
    pub async fn receipt(&self, ctx: &Ctx, id: i64) -> AppResult<ReceiptView> {
        let reach = receipt_reach(ctx)?;
        let mut tx = self.store.read().await?;
        let view = receipt_view(&mut tx, id).await?;
        let data = customer_in(&mut tx, view.receipt.customer_id, "customer_id").await?;
        reach.check(view.receipt.customer_id, &data)?;
        Ok(view)
    }

    /// Receipts, newest first, within the actor's reach.
    pub async fn receipts(&self, ctx: &Ctx, mut filter: ReceiptFilter) -> AppResult<Vec<Receipt>> {
        match receipt_reach(ctx)? {
            Reach::All => {}
            Reach::Rep(u) => filter.sales_rep = Some(u),
            Reach::Customer(c) => filter.customer = Some(c),
        }
        filter.limit = filter.limit.clamp(1, self.config.max_page);
        let mut tx = self.store.read().await?;
        Ok(tx.receipts(&filter).await?)
    }

    /// The voucher's file of a receipt.
    pub async fn receipt_voucher(&self, ctx: &Ctx, id: i64) -> AppResult<VoucherFile> {
        self.receipt(ctx, id).await?;
        let mut tx = self.store.read().await?;
        tx.receipt_voucher(id)
            .await?
            .ok_or_else(|| AppError::NotFound {
                what: "voucher of receipt",
                id: id.to_string(),
            })
    }
}

/// Who may see receipts: finance all; a rep who registers them his own
/// customers'; else as invoices.
fn receipt_reach(ctx: &Ctx) -> AppResult<Reach> {
    if ctx.actor.can(Permission::ReceiptVerify) {
        return Ok(Reach::All);
    }
    if ctx.actor.can(Permission::ReceiptRegister) && !ctx.actor.can(Permission::AccountRead) {
        return Ok(Reach::Rep(ctx.actor.user_id));
    }
    Reach::of(ctx)
}

pub(crate) fn checked_voucher(v: &VoucherUpload) -> Result<VoucherFile, ValidationErrors> {
    let (file_name, content_type) =
        check_voucher(&v.file_name, v.content_type.as_deref(), &v.bytes)?;
    Ok(VoucherFile {
        file_name,
        content_type,
        bytes: v.bytes.clone(),
    })
}

fn status_change(from: ReceiptStatus, to: ReceiptStatus) -> FieldChange {
    FieldChange {
        field: "status".into(),
        before: Some(from.to_string()),
        after: Some(to.to_string()),
    }
}

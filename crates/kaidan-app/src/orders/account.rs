//! A customer's account (FIN-5): balance, entries and open receivables,
//! and posting a payment or adjustment.

use jiff::Timestamp;
use kaidan_domain::audit::diff;
use kaidan_domain::master::CustomerData;
use kaidan_domain::orders::{AccountBalance, AccountEntry, EntryKind};
use kaidan_domain::{CustomerId, Permission, ValidationErrors};

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::master::exists::must_exist;
use crate::master::typed_record;
use crate::ports::{EntityKind, Tx};

impl App {
    /// A customer's funds and credit account (FIN-5).
    pub async fn account(
        &self,
        ctx: &Ctx,
        customer: CustomerId,
    ) -> AppResult<(AccountBalance, Vec<AccountEntry>)> {
        Self::may_read_account(ctx, customer)?;
        self.account_of(customer).await
    }

    /// The account of `customer`, for a caller already allowed to see it.
    pub(crate) async fn account_of(
        &self,
        customer: CustomerId,
    ) -> AppResult<(AccountBalance, Vec<AccountEntry>)> {
        let mut tx = self.store.read().await?;
        let entries: Vec<AccountEntry> = tx
            .account_entries(customer)
            .await?
            .into_iter()
            .map(|(_, e)| e)
            .collect();
        let mut balance = AccountBalance::from_entries(&entries);
        // An unknown customer has no account, not an empty one.
        let Some(rec) = tx.master_get(EntityKind::Customer, customer.get()).await? else {
            return Err(AppError::NotFound {
                what: "customer",
                id: customer.to_string(),
            });
        };
        let c = typed_record::<CustomerData>(rec)?.data;
        if !entries.iter().any(|e| e.kind == EntryKind::CreditLimit) {
            balance.apply(&AccountEntry::new(
                EntryKind::CreditLimit,
                c.credit_limit,
                None,
            ));
        }
        Ok((balance, entries))
    }

    /// Posts a deposit or adjustment to a customer's account (FIN-5).
    pub async fn post_account_entry(
        &self,
        ctx: &Ctx,
        customer: CustomerId,
        entry: AccountEntry,
    ) -> AppResult<AccountBalance> {
        ctx.require(Permission::AccountWrite)?;
        if !matches!(entry.kind, EntryKind::Deposit | EntryKind::Adjustment) {
            return Err(AppError::invalid(
                "kind",
                "invalid",
                "post deposits or adjustments; commitments and charges come from orders and shipments",
            ));
        }
        entry.validate()?;
        let mut tx = self.store.write().await?;
        must_exist(&mut tx, EntityKind::Customer, customer.get(), "customer").await?;
        let mut balance = AccountBalance::from_entries(
            tx.account_entries(customer).await?.iter().map(|(_, e)| e),
        );
        balance.post(&entry).map_err(|e| {
            AppError::Invalid(ValidationErrors::single("amount", "invalid", e.to_string()))
        })?;
        let now = self.now();
        self.account_post(&mut tx, ctx, customer, &entry, now)
            .await?;
        self.publish(
            &mut tx,
            &format!("account.{}", entry.kind.as_str()),
            "customer",
            customer.get(),
            serde_json::json!({ "customer_id": customer, "amount": entry.amount }),
        )
        .await?;
        tx.commit().await?;
        Ok(balance)
    }

    /// Finance reads every account; a portal user its own customer's.
    pub fn may_read_account(ctx: &Ctx, customer: CustomerId) -> AppResult<()> {
        if ctx.actor.can(Permission::AccountRead) || ctx.actor.customer_id == Some(customer) {
            Ok(())
        } else {
            Err(AppError::Forbidden(Permission::AccountRead))
        }
    }

    /// Appends `entry` to the customer's ledger together with its audit
    /// row (SEC-2, FIN-5), so the account's history holds every movement,
    /// whether finance posted it or an approval, a cancellation, a shipment
    /// or a delivery did.
    pub(crate) async fn account_post(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        customer: CustomerId,
        entry: &AccountEntry,
        now: Timestamp,
    ) -> AppResult<()> {
        tx.account_append(customer, entry, now, ctx.actor.user_id)
            .await?;
        self.audit(
            tx,
            ctx,
            "account",
            customer.get(),
            entry.kind.as_str(),
            diff(None, Some(entry)),
        )
        .await
    }
}

//! A rep's customer files (客户档案, SAL-2; seed 001 销售代表必须自己拟定一套
//! 完整的客户档案): the record form he writes at the first contact, beside
//! what the ledger says — the product categories bought, the payment
//! method, the money the customer has with us (定金/预付款), his payments
//! and when the open invoices are due.

use jiff::ToSpan;
use kaidan_domain::master::CustomerData;
use kaidan_domain::orders::AccountBalance;
use kaidan_domain::visits::CustomerFileInput;
use kaidan_domain::{CustomerId, Money, Permission, UserId};
use serde::Serialize;

use crate::collection::start_of;
use crate::master::typed_record;
use crate::ports::{
    CategoryLine, CustomerFileRecord, CustomerFileRow, DueLine, EntityKind, PaymentLine, Tx,
};
use crate::users::change;
use crate::{App, AppError, AppResult, Ctx};

/// How many payments a file lists.
const PAYMENTS_SHOWN: i64 = 12;

/// A customer's file with the ledger beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerFile {
    pub customer_id: i64,
    pub code: String,
    pub name: String,
    pub customer: CustomerData,
    pub rep: Option<String>,
    /// None until the rep opens it.
    pub file: Option<CustomerFileRecord>,
    /// Money the customer has with us, not yet used (定金/预付款).
    pub funds: Money,
    pub credit_used: Money,
    pub payments: Vec<PaymentLine>,
    pub dues: Vec<DueLine>,
    /// What the last twelve months' orders came to by product category.
    pub categories: Vec<CategoryLine>,
    /// Whether the reader may write the file.
    pub writable: bool,
}

fn no_customer(id: i64) -> AppError {
    AppError::NotFound {
        what: "customer",
        id: id.to_string(),
    }
}

impl App {
    /// Whose customers `ctx` reads files of: everyone's, his teams', his own.
    async fn file_reach(&self, ctx: &Ctx) -> AppResult<Option<Vec<UserId>>> {
        self.reach_with(ctx, &[Permission::VisitsWrite, Permission::VisitsApprove])
            .await
    }

    /// The customers within reach with their files' headlines.
    pub async fn customer_files(&self, ctx: &Ctx) -> AppResult<Vec<CustomerFileRow>> {
        let reach = self.file_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        Ok(tx.customer_files(reach.as_deref()).await?)
    }

    /// The customer, when within the reader's reach (else not found).
    async fn file_customer(
        &self,
        tx: &mut Box<dyn Tx>,
        reach: Option<&[UserId]>,
        customer: i64,
    ) -> AppResult<CustomerData> {
        let rec = tx
            .master_get(EntityKind::Customer, customer)
            .await?
            .ok_or_else(|| no_customer(customer))?;
        let c = typed_record::<CustomerData>(rec)?.data;
        if let Some(r) = reach
            && !c.sales_rep_id.is_some_and(|rep| r.contains(&rep))
        {
            return Err(no_customer(customer));
        }
        Ok(c)
    }

    /// The customer's rep writes his file, or a manager of reps within
    /// reach.
    fn may_write_file(ctx: &Ctx, c: &CustomerData) -> bool {
        ctx.actor.can(Permission::VisitsWrite)
            && (c.sales_rep_id == Some(ctx.actor.user_id)
                || ctx.actor.can(Permission::VisitsApprove))
    }

    /// A customer's file, within reach.
    pub async fn customer_file(&self, ctx: &Ctx, customer: i64) -> AppResult<CustomerFile> {
        let reach = self.file_reach(ctx).await?;
        let since = start_of(self.today().checked_sub(1.year()).unwrap_or(self.today()));
        let mut tx = self.store.read().await?;
        let c = self
            .file_customer(&mut tx, reach.as_deref(), customer)
            .await?;
        let rep = match c.sales_rep_id {
            Some(id) => tx.user_get(id).await?.map(|u| u.display_name),
            None => None,
        };
        let entries: Vec<_> = tx
            .account_entries(CustomerId(customer))
            .await?
            .into_iter()
            .map(|(_, e)| e)
            .collect();
        let balance = AccountBalance::from_entries(&entries);
        Ok(CustomerFile {
            customer_id: customer,
            code: c.code.clone(),
            name: c.name.clone(),
            rep,
            file: tx.customer_file(customer).await?,
            funds: balance.funds,
            credit_used: balance.credit_used,
            payments: tx.customer_payments(customer, PAYMENTS_SHOWN).await?,
            dues: tx.customer_dues(customer).await?,
            categories: tx.customer_categories(customer, since).await?,
            writable: Self::may_write_file(ctx, &c),
            customer: c,
        })
    }

    /// The customer's rep (or a manager of reps within reach) writes the
    /// file.
    pub async fn put_customer_file(
        &self,
        ctx: &Ctx,
        customer: i64,
        input: CustomerFileInput,
    ) -> AppResult<CustomerFile> {
        ctx.require(Permission::VisitsWrite)?;
        let file = input.validate(self.today())?;
        // The reach is read before the write opens (its own transaction).
        let reach = self.file_reach(ctx).await?;
        let mut tx = self.store.write().await?;
        let c = self
            .file_customer(&mut tx, reach.as_deref(), customer)
            .await?;
        if !Self::may_write_file(ctx, &c) {
            return Err(AppError::invalid(
                "customer_id",
                "not_yours",
                "a customer's file is written by his sales rep or the rep's manager",
            ));
        }
        tx.customer_file_put(customer, &file, ctx.actor.user_id, self.now())
            .await?;
        self.audit(
            &mut tx,
            ctx,
            "customer_file",
            customer,
            "write",
            vec![
                change("first_contact", file.first_contact.to_string()),
                change("contact", &file.contact),
            ],
        )
        .await?;
        tx.commit().await?;
        self.customer_file(ctx, customer).await
    }
}

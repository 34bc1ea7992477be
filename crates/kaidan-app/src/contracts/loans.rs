//! Borrowing a contract's paper original (seed 001: 借阅签字制): whoever
//! may read the contract signs for the original with his own login,
//! saying why and until when; the keeper (`contract.archive`) records it
//! back. One loan is open at a time: the original is in one place.

use kaidan_domain::Permission;
use kaidan_domain::audit::FieldChange;
use kaidan_domain::contracts::LoanInput;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::ports::{LoanRow, Tx};

/// The loan `id` of a contract, as just written.
async fn loan_of(tx: &mut Box<dyn Tx>, contract: i64, id: i64) -> AppResult<LoanRow> {
    tx.loans_of(contract)
        .await?
        .into_iter()
        .find(|l| l.id == id)
        .ok_or_else(|| AppError::NotFound {
            what: "loan",
            id: id.to_string(),
        })
}

impl App {
    /// The borrower signs for the original of a signed contract.
    pub async fn borrow_original(
        &self,
        ctx: &Ctx,
        contract: i64,
        input: &LoanInput,
    ) -> AppResult<LoanRow> {
        ctx.require(Permission::ContractRead)?;
        let input = input.check(self.today())?;
        let mut tx = self.store.write().await?;
        let c = self.contract_in(&mut tx, ctx, contract).await?;
        if c.signed_on.is_none() {
            return Err(AppError::invalid(
                "status",
                "illegal_transition",
                format!(
                    "contract {} is {} ({}): there is no signed original yet",
                    c.number,
                    c.status,
                    c.status.label_zh()
                ),
            ));
        }
        let Some(id) = tx
            .loan_insert(
                contract,
                ctx.actor.user_id,
                &input.purpose,
                input.due_back,
                self.now(),
            )
            .await?
        else {
            let holder = tx
                .loans_of(contract)
                .await?
                .into_iter()
                .find(|l| l.returned_at.is_none())
                .map_or_else(String::new, |l| {
                    format!(" by {} until {}", l.borrower_name, l.due_back)
                });
            return Err(AppError::invalid(
                "contract",
                "on_loan",
                format!("the original of {} is out on loan{holder}", c.number),
            ));
        };
        self.audit(
            &mut tx,
            ctx,
            "contract",
            contract,
            "lent",
            vec![FieldChange {
                field: format!("loans[{id}]"),
                before: None,
                after: Some(format!(
                    "{} · {} · until {}",
                    ctx.actor.username, input.purpose, input.due_back
                )),
            }],
        )
        .await?;
        self.publish(
            &mut tx,
            "contract.lent",
            "contract",
            contract,
            serde_json::json!({"contract_id": contract, "number": c.number, "loan_id": id,
                "borrower": ctx.actor.user_id, "due_back": input.due_back.to_string()}),
        )
        .await?;
        let loan = loan_of(&mut tx, contract, id).await?;
        tx.commit().await?;
        Ok(loan)
    }

    /// The keeper records the original back.
    pub async fn return_original(&self, ctx: &Ctx, contract: i64) -> AppResult<LoanRow> {
        ctx.require(Permission::ContractArchive)?;
        let mut tx = self.store.write().await?;
        let c = self.contract_in(&mut tx, ctx, contract).await?;
        let Some(id) = tx
            .loan_return(contract, self.now(), ctx.actor.user_id)
            .await?
        else {
            return Err(AppError::invalid(
                "contract",
                "not_on_loan",
                format!("the original of {} is not out on loan", c.number),
            ));
        };
        self.audit(
            &mut tx,
            ctx,
            "contract",
            contract,
            "returned_original",
            vec![FieldChange {
                field: format!("loans[{id}].returned"),
                before: None,
                after: Some(ctx.actor.username.clone()),
            }],
        )
        .await?;
        self.publish(
            &mut tx,
            "contract.original_returned",
            "contract",
            contract,
            serde_json::json!({"contract_id": contract, "number": c.number, "loan_id": id}),
        )
        .await?;
        let loan = loan_of(&mut tx, contract, id).await?;
        tx.commit().await?;
        Ok(loan)
    }
}

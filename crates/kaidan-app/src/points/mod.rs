//! Sales points (SAL-4, ADR 0041): the general manager sets the scheme and
//! the catalogue; the sales manager posts a month's basic points from the
//! records and proposes extra points, which the general manager approves;
//! a rep redeems his own points, oldest first. The balances, a rep's
//! statement and the champions are read in `read`.

mod read;

use std::collections::BTreeMap;

use jiff::ToSpan;
use kaidan_domain::points::{
    AwardStatus, LedgerEntry, LedgerKind, PointsAwardInput, PointsItemInput, PointsSchemeInput,
    RedemptionInput, basic_points, in_force, redeemable,
};
use kaidan_domain::visits::month_start;
use kaidan_domain::{Money, Permission, Role, UserId, ValidationErrors};
use serde::Serialize;

pub use read::{
    ChampionPeriod, ChampionPlace, PointsBalance, PointsCard, PointsChampions, RepStatement,
};

use crate::collection::start_of;
use crate::ports::{
    LedgerRow, NewLedgerEntry, PointsAward, PointsItem, PointsMonth, PointsScheme, Tx,
};
use crate::users::change;
use crate::visits::{month_id, month_key};
use crate::{App, AppError, AppResult, Ctx};

fn no_award(id: i64) -> AppError {
    AppError::NotFound {
        what: "points award",
        id: id.to_string(),
    }
}

fn no_item(id: i64) -> AppError {
    AppError::NotFound {
        what: "points item",
        id: id.to_string(),
    }
}

/// The ledger as the domain reads it.
pub(crate) fn entries(rows: &[LedgerRow]) -> Vec<LedgerEntry> {
    rows.iter()
        .map(|r| LedgerEntry {
            id: r.id,
            kind: r.kind,
            points: r.points,
            on: r.on,
        })
        .collect()
}

/// What a redemption spent and left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Redemption {
    pub entry_id: i64,
    pub item: String,
    pub quantity: i64,
    pub points: i64,
    /// The balance after it.
    pub balance: i64,
}

impl App {
    /// Whose points `ctx` reads: None for everyone (`figures.read`), else
    /// his teams' members and himself, or only himself.
    pub(crate) async fn points_reach(&self, ctx: &Ctx) -> AppResult<Option<Vec<UserId>>> {
        self.reach_with(
            ctx,
            &[
                Permission::PointsWrite,
                Permission::PointsApprove,
                Permission::PointsRedeem,
            ],
        )
        .await
    }

    /// The active staff users with a sales role (rep or manager), by name:
    /// who has targets, earns points and claims expenses.
    pub(crate) async fn sales_staff(
        &self,
        tx: &mut Box<dyn Tx>,
    ) -> AppResult<Vec<(UserId, String)>> {
        let mut out: Vec<(UserId, String)> = tx
            .user_list()
            .await?
            .into_iter()
            .filter(|u| {
                u.active
                    && u.customer_id.is_none()
                    && u.roles
                        .iter()
                        .any(|r| matches!(r, Role::SalesRep | Role::SalesManager))
            })
            .map(|u| (u.id, u.display_name))
            .collect();
        out.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(out)
    }

    pub async fn points_schemes(&self, ctx: &Ctx) -> AppResult<Vec<PointsScheme>> {
        self.points_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        Ok(tx.points_schemes().await?)
    }

    /// Writes the scheme from a month on. A month whose basic points were
    /// posted keeps the scheme they were read with: a scheme is written
    /// only for a month after the last one posted.
    pub async fn put_points_scheme(
        &self,
        ctx: &Ctx,
        input: PointsSchemeInput,
    ) -> AppResult<PointsScheme> {
        ctx.require(Permission::PointsApprove)?;
        let draft = input.validate()?;
        let key = month_key(draft.from);
        let mut tx = self.store.write().await?;
        if let Some(last) = tx.points_months().await?.first()
            && last.month >= key
        {
            return Err(AppError::invalid(
                "month",
                "already_posted",
                format!(
                    "the basic points of {} were posted; a new scheme begins after that month",
                    last.month
                ),
            ));
        }
        tx.points_scheme_put(&draft, ctx.actor.user_id, self.now())
            .await?;
        self.audit(
            &mut tx,
            ctx,
            "points_scheme",
            month_id(draft.from),
            "write",
            vec![
                change("month", &key),
                change("basis", draft.basis.as_str()),
                change("ratio", draft.ratio.to_string()),
            ],
        )
        .await?;
        let s = tx
            .points_schemes()
            .await?
            .into_iter()
            .find(|s| s.from == draft.from)
            .ok_or_else(|| AppError::invalid("month", "missing", "the scheme was not written"))?;
        tx.commit().await?;
        Ok(s)
    }

    /// The catalogue: every item for whoever manages it, the active ones
    /// for everyone else who works with points.
    pub async fn points_items(&self, ctx: &Ctx) -> AppResult<Vec<PointsItem>> {
        self.points_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        let mut items = tx.points_items().await?;
        if !ctx.actor.can(Permission::PointsApprove) {
            items.retain(|i| i.active);
        }
        Ok(items)
    }

    pub async fn create_points_item(
        &self,
        ctx: &Ctx,
        input: PointsItemInput,
    ) -> AppResult<PointsItem> {
        ctx.require(Permission::PointsApprove)?;
        let item = input.validate()?;
        let mut tx = self.store.write().await?;
        let id = tx
            .points_item_insert(&item, ctx.actor.user_id, self.now())
            .await?;
        self.item_audit(&mut tx, ctx, id, "create", &item).await?;
        let out = tx.points_item(id).await?.ok_or_else(|| no_item(id))?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn update_points_item(
        &self,
        ctx: &Ctx,
        id: i64,
        input: PointsItemInput,
    ) -> AppResult<PointsItem> {
        ctx.require(Permission::PointsApprove)?;
        let item = input.validate()?;
        let mut tx = self.store.write().await?;
        if !tx
            .points_item_update(id, &item, ctx.actor.user_id, self.now())
            .await?
        {
            return Err(no_item(id));
        }
        self.item_audit(&mut tx, ctx, id, "update", &item).await?;
        let out = tx.points_item(id).await?.ok_or_else(|| no_item(id))?;
        tx.commit().await?;
        Ok(out)
    }

    async fn item_audit(
        &self,
        tx: &mut Box<dyn Tx>,
        ctx: &Ctx,
        id: i64,
        action: &str,
        item: &PointsItemInput,
    ) -> AppResult<()> {
        self.audit(
            tx,
            ctx,
            "points_item",
            id,
            action,
            vec![
                change("code", &item.code),
                change("cost", item.cost.to_string()),
                change("active", item.active.to_string()),
            ],
        )
        .await
    }

    /// The awards within reach, the newest first.
    pub async fn points_awards(
        &self,
        ctx: &Ctx,
        status: Option<AwardStatus>,
    ) -> AppResult<Vec<PointsAward>> {
        let reach = self.points_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        Ok(tx.points_awards(status, reach.as_deref()).await?)
    }

    pub async fn points_award(&self, ctx: &Ctx, id: i64) -> AppResult<PointsAward> {
        let reach = self.points_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        let a = tx.points_award(id).await?.ok_or_else(|| no_award(id))?;
        if reach.as_ref().is_some_and(|r| !r.contains(&a.rep_id)) {
            return Err(no_award(id));
        }
        Ok(a)
    }

    /// The sales manager proposes extra points for a rep of the teams he
    /// leads (anyone's, with `figures.read`), never for himself.
    pub async fn propose_points_award(
        &self,
        ctx: &Ctx,
        input: PointsAwardInput,
    ) -> AppResult<PointsAward> {
        ctx.require(Permission::PointsWrite)?;
        let input = input.validate()?;
        let rep = input.rep_id;
        if rep == ctx.actor.user_id {
            return Err(AppError::invalid(
                "rep_id",
                "own_record",
                "extra points are proposed by one's manager, not by oneself",
            ));
        }
        // The team is read before the write opens (one transaction at a
        // time on SQLite's single writer).
        if !ctx.actor.can(Permission::FiguresRead)
            && !self.team_reach(ctx.actor.user_id).await?.contains(&rep)
        {
            return Err(AppError::invalid(
                "rep_id",
                "not_in_team",
                format!("user {rep} is in no team you lead"),
            ));
        }
        let mut tx = self.store.write().await?;
        if !self
            .sales_staff(&mut tx)
            .await?
            .iter()
            .any(|(u, _)| *u == rep)
        {
            return Err(AppError::invalid(
                "rep_id",
                "unknown_reference",
                format!("user {rep} is no active sales rep or manager"),
            ));
        }
        let id = tx
            .points_award_insert(&input, ctx.actor.user_id, self.now())
            .await?;
        self.audit(
            &mut tx,
            ctx,
            "points_award",
            id,
            "propose",
            vec![
                change("rep_id", rep.to_string()),
                change("reason_kind", input.reason_kind.as_str()),
                change("points", input.points.to_string()),
            ],
        )
        .await?;
        let a = tx.points_award(id).await?.ok_or_else(|| no_award(id))?;
        tx.commit().await?;
        Ok(a)
    }

    /// The general manager approves a proposed award: its points are
    /// credited today and last six months. Nobody approves his own
    /// proposal or his own points.
    pub async fn approve_points_award(&self, ctx: &Ctx, id: i64) -> AppResult<PointsAward> {
        self.decide_points_award(ctx, id, AwardStatus::Approved, None)
            .await
    }

    pub async fn reject_points_award(
        &self,
        ctx: &Ctx,
        id: i64,
        reason: String,
    ) -> AppResult<PointsAward> {
        let reason = ValidationErrors::reason(&reason)?;
        self.decide_points_award(ctx, id, AwardStatus::Rejected, Some(reason))
            .await
    }

    async fn decide_points_award(
        &self,
        ctx: &Ctx,
        id: i64,
        to: AwardStatus,
        reason: Option<String>,
    ) -> AppResult<PointsAward> {
        ctx.require(Permission::PointsApprove)?;
        let me = ctx.actor.user_id;
        let mut tx = self.store.write().await?;
        let a = tx.points_award(id).await?.ok_or_else(|| no_award(id))?;
        if a.proposed_by_id == me || a.rep_id == me {
            return Err(AppError::invalid(
                "id",
                "own_record",
                "an award is decided by someone other than who proposed it or gets it",
            ));
        }
        if !tx
            .points_award_decide(id, to, me, self.now(), reason.as_deref())
            .await?
        {
            return Err(AppError::invalid(
                "status",
                "illegal_transition",
                format!(
                    "points award {id} is {}; only a proposed award is decided",
                    a.status
                ),
            ));
        }
        if to == AwardStatus::Approved {
            tx.points_lock(a.rep_id).await?;
            tx.points_ledger_insert(
                &NewLedgerEntry {
                    rep: a.rep_id,
                    kind: LedgerKind::Extra,
                    points: a.points,
                    on: self.today(),
                    month: None,
                    sales: None,
                    award_id: Some(id),
                    item_id: None,
                    quantity: None,
                },
                me,
                self.now(),
            )
            .await?;
        }
        self.audit(
            &mut tx,
            ctx,
            "points_award",
            id,
            to.as_str(),
            vec![change("status", to.as_str())],
        )
        .await?;
        let a = tx.points_award(id).await?.ok_or_else(|| no_award(id))?;
        tx.commit().await?;
        Ok(a)
    }

    /// The months whose basic points were posted, the newest first.
    pub async fn points_months(&self, ctx: &Ctx) -> AppResult<Vec<PointsMonth>> {
        self.points_reach(ctx).await?;
        let mut tx = self.store.read().await?;
        Ok(tx.points_months().await?)
    }

    /// Posts the basic points of an ended month (`YYYY-MM`): each rep's
    /// sales to his customers on the scheme's basis × its ratio, credited
    /// on the month's last day. A month is posted once; what changes in its
    /// records afterwards moves no points (ADR 0041).
    pub async fn post_basic_points(&self, ctx: &Ctx, month: &str) -> AppResult<PointsMonth> {
        ctx.require(Permission::PointsWrite)?;
        let first = month_start(month)?;
        let key = month_key(first);
        let next = first
            .checked_add(1.month())
            .map_err(|_| AppError::invalid("month", "invalid", "the month has no next month"))?;
        if next > self.today() {
            return Err(AppError::invalid(
                "month",
                "not_ended",
                format!("the basic points of {key} are posted once it has ended, from {next}"),
            ));
        }
        let mut tx = self.store.write().await?;
        let schemes = tx.points_schemes().await?;
        let Some(scheme) = in_force(&schemes, |s| s.from, first).cloned() else {
            return Err(AppError::invalid(
                "month",
                "no_scheme",
                format!(
                    "no points scheme is in force on {first}; the general manager sets one first"
                ),
            ));
        };
        let me = ctx.actor.user_id;
        if !tx
            .points_month_insert(&key, scheme.basis, scheme.ratio, me, self.now())
            .await?
        {
            return Err(AppError::invalid(
                "month",
                "already_posted",
                format!("the basic points of {key} were posted already"),
            ));
        }
        let rows = tx
            .target_actuals(
                scheme.basis,
                &[(first, start_of(first)), (next, start_of(next))],
            )
            .await?;
        let mut sales: BTreeMap<UserId, Money> = BTreeMap::new();
        for r in rows {
            if let Some(rep) = r.rep {
                let s = sales.entry(rep).or_insert(Money::ZERO);
                *s = s.checked_add(r.amount).unwrap_or(Money::MAX);
            }
        }
        let last_day = next.yesterday().unwrap_or(first);
        let mut credited = 0i64;
        for (rep, amount) in sales {
            let points = basic_points(amount, scheme.ratio);
            if points == 0 {
                continue;
            }
            tx.points_lock(rep).await?;
            tx.points_ledger_insert(
                &NewLedgerEntry {
                    rep,
                    kind: LedgerKind::Basic,
                    points,
                    on: last_day,
                    month: Some(key.clone()),
                    sales: Some(amount),
                    award_id: None,
                    item_id: None,
                    quantity: None,
                },
                me,
                self.now(),
            )
            .await?;
            credited += 1;
        }
        self.audit(
            &mut tx,
            ctx,
            "points_month",
            month_id(first),
            "post",
            vec![
                change("month", &key),
                change("basis", scheme.basis.as_str()),
                change("ratio", scheme.ratio.to_string()),
                change("reps", credited.to_string()),
            ],
        )
        .await?;
        let posted = tx
            .points_months()
            .await?
            .into_iter()
            .find(|m| m.month == key)
            .ok_or_else(|| AppError::invalid("month", "missing", "the month was not posted"))?;
        tx.commit().await?;
        Ok(posted)
    }

    /// A rep redeems some of an active item from his own points, the
    /// oldest first; refused when his balance today does not cover it.
    pub async fn redeem_points(&self, ctx: &Ctx, input: RedemptionInput) -> AppResult<Redemption> {
        ctx.require(Permission::PointsRedeem)?;
        let me = ctx.actor.user_id;
        let mut tx = self.store.write().await?;
        let item = tx
            .points_item(input.item_id)
            .await?
            .filter(|i| i.active)
            .ok_or_else(|| {
                AppError::invalid(
                    "item_id",
                    "unknown_reference",
                    format!("item {} is not in the catalogue", input.item_id),
                )
            })?;
        let cost = input.cost(item.cost)?;
        let today = self.today();
        tx.points_lock(me).await?;
        let ledger = tx.points_ledger(Some(&[me])).await?;
        let balance = redeemable(&entries(&ledger), today, cost).map_err(|short| {
            AppError::invalid(
                "quantity",
                "insufficient_points",
                format!(
                    "{} × {} costs {cost} points; your balance on {today} is {} ({short} short)",
                    input.quantity,
                    item.name,
                    cost - short
                ),
            )
        })?;
        let entry_id = tx
            .points_ledger_insert(
                &NewLedgerEntry {
                    rep: me,
                    kind: LedgerKind::Redemption,
                    points: cost,
                    on: today,
                    month: None,
                    sales: None,
                    award_id: None,
                    item_id: Some(item.id),
                    quantity: Some(input.quantity),
                },
                me,
                self.now(),
            )
            .await?;
        self.audit(
            &mut tx,
            ctx,
            "points_redemption",
            entry_id,
            "redeem",
            vec![
                change("item", &item.code),
                change("quantity", input.quantity.to_string()),
                change("points", cost.to_string()),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(Redemption {
            entry_id,
            item: format!("{} {}", item.code, item.name),
            quantity: input.quantity,
            points: cost,
            balance: balance - cost,
        })
    }
}

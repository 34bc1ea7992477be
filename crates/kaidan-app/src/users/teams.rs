//! Sales teams: an administrator forms them, names their manager and puts
//! users in them; a sales manager's figures reach his teams' members.

use kaidan_domain::teams::TeamInput;
use kaidan_domain::{Permission, UserId};

use super::change;
use crate::ports::TeamRow;
use crate::{App, AppError, AppResult, Ctx};

fn no_team(id: i64) -> AppError {
    AppError::invalid(
        "team_id",
        "unknown_reference",
        format!("team {id} does not exist"),
    )
}

impl App {
    /// Every team with its manager and members.
    pub async fn teams(&self, ctx: &Ctx) -> AppResult<Vec<TeamRow>> {
        ctx.require(Permission::UserAdmin)?;
        let mut tx = self.store.read().await?;
        Ok(tx.teams().await?)
    }

    /// Forms a team; its code is unique, its manager a staff user.
    pub async fn create_team(&self, ctx: &Ctx, input: TeamInput) -> AppResult<TeamRow> {
        ctx.require(Permission::UserAdmin)?;
        let input = input.validate()?;
        let mut tx = self.store.write().await?;
        if let Some(m) = input.manager_id {
            let user = tx.user_get(m).await?;
            if user.is_none_or(|u| u.customer_id.is_some()) {
                return Err(AppError::invalid(
                    "manager_id",
                    "unknown_reference",
                    format!("user {m} is not a staff user"),
                ));
            }
        }
        let id = tx.team_insert(&input, self.now()).await?;
        let mut changes = vec![change("code", &input.code), change("name", &input.name)];
        if let Some(m) = input.manager_id {
            changes.push(change("manager_id", m.to_string()));
        }
        self.audit(&mut tx, ctx, "team", id, "create", changes)
            .await?;
        let team = tx
            .teams()
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or_else(|| no_team(id))?;
        tx.commit().await?;
        Ok(team)
    }

    /// Puts a user in a team, or (None) in none.
    pub async fn set_user_team(&self, ctx: &Ctx, user: UserId, team: Option<i64>) -> AppResult<()> {
        ctx.require(Permission::UserAdmin)?;
        let mut tx = self.store.write().await?;
        if let Some(t) = team
            && !tx.teams().await?.iter().any(|x| x.id == t)
        {
            return Err(no_team(t));
        }
        if !tx.team_member_set(user, team).await? {
            return Err(AppError::NotFound {
                what: "user",
                id: user.to_string(),
            });
        }
        let after = team.map(|t| t.to_string()).unwrap_or_default();
        self.audit(
            &mut tx,
            ctx,
            "user",
            user.get(),
            "team",
            vec![change("team_id", after)],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whose figures a sales manager reads: himself and his teams' members.
    pub(crate) async fn team_reach(&self, manager: UserId) -> AppResult<Vec<UserId>> {
        let mut tx = self.store.read().await?;
        let mut reach = tx.team_reach(manager).await?;
        if !reach.contains(&manager) {
            reach.push(manager);
        }
        Ok(reach)
    }
}

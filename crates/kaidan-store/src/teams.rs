//! Sales teams in SQL (migration 0030): `teams` and `team_members` (a user
//! in one team at most: the member's id is the key).

use std::collections::BTreeMap;

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{StoreError, TeamMember, TeamRow, TeamsTx};
use kaidan_domain::UserId;
use kaidan_domain::teams::TeamInput;

use crate::row::{RowExt, micros};
use crate::tx::{DbTx, exec, fetch_all, fetch_as};

#[async_trait]
impl TeamsTx for DbTx {
    async fn team_insert(&mut self, t: &TeamInput, at: Timestamp) -> Result<i64, StoreError> {
        Ok(fetch_as!(
            self,
            query_scalar.fetch_one,
            "INSERT INTO teams (code, name, manager_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            [&t.code, &t.name, t.manager_id.map(|u| u.get()), micros(at)]
        ))
    }

    async fn teams(&mut self) -> Result<Vec<TeamRow>, StoreError> {
        let mut teams: Vec<TeamRow> = fetch_all!(
            self,
            "SELECT t.id, t.code, t.name, t.manager_id, u.display_name AS manager \
             FROM teams t LEFT JOIN users u ON u.id = t.manager_id ORDER BY t.code",
            [],
            |r| Ok(TeamRow {
                id: r.i64("id")?,
                code: r.text("code")?,
                name: r.text("name")?,
                manager_id: r.opt_i64("manager_id")?.map(UserId),
                manager: r.opt_text("manager")?,
                members: Vec::new(),
            })
        );
        let members: Vec<(i64, TeamMember)> = fetch_all!(
            self,
            "SELECT m.team_id, u.id, u.username, u.display_name FROM team_members m \
             JOIN users u ON u.id = m.user_id ORDER BY u.username",
            [],
            |r| Ok((
                r.i64("team_id")?,
                TeamMember {
                    user_id: UserId(r.i64("id")?),
                    username: r.text("username")?,
                    display_name: r.text("display_name")?,
                }
            ))
        );
        let mut by_team: BTreeMap<i64, Vec<TeamMember>> = BTreeMap::new();
        for (team, m) in members {
            by_team.entry(team).or_default().push(m);
        }
        for t in &mut teams {
            t.members = by_team.remove(&t.id).unwrap_or_default();
        }
        Ok(teams)
    }

    async fn team_member_set(
        &mut self,
        user: UserId,
        team: Option<i64>,
    ) -> Result<bool, StoreError> {
        let known: i64 = fetch_as!(
            self,
            query_scalar.fetch_one,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM users WHERE id = $1",
            [user.get()]
        );
        if known == 0 {
            return Ok(false);
        }
        exec!(
            self,
            "DELETE FROM team_members WHERE user_id = $1",
            [user.get()]
        );
        if let Some(t) = team {
            exec!(
                self,
                "INSERT INTO team_members (user_id, team_id) VALUES ($1, $2)",
                [user.get(), t]
            );
        }
        Ok(true)
    }

    async fn team_reach(&mut self, manager: UserId) -> Result<Vec<UserId>, StoreError> {
        let ids: Vec<i64> = fetch_as!(
            self,
            query_scalar.fetch_all,
            "SELECT m.user_id FROM team_members m JOIN teams t ON t.id = m.team_id \
             WHERE t.manager_id = $1 ORDER BY m.user_id",
            [manager.get()]
        );
        Ok(ids.into_iter().map(UserId).collect())
    }
}

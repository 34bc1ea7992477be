//! Sales teams (销售团队; seed 001: 销售经理 breaks the department's target
//! down to teams and reps and supervises them): a team has a code, a name
//! and its manager; a user is in one team at most. A manager reads his
//! team's figures (`figures.read_team`).

use serde::{Deserialize, Serialize};

use crate::{UserId, ValidationErrors};

pub const MAX_TEAM_CODE: usize = 32;
pub const MAX_TEAM_NAME: usize = 100;

/// A team as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TeamInput {
    pub code: String,
    pub name: String,
    /// The sales manager who leads it.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub manager_id: Option<UserId>,
}

impl TeamInput {
    pub fn validate(self) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let code = e.code("code", &self.code, MAX_TEAM_CODE);
        let name = e.text("name", &self.name, MAX_TEAM_NAME);
        e.into_result(TeamInput {
            code,
            name,
            manager_id: self.manager_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_needs_a_code_and_a_name_within_their_lengths() {
        let ok = TeamInput {
            code: " SC-1 ".into(),
            name: "华南销售一组".into(),
            manager_id: None,
        }
        .validate()
        .unwrap();
        assert_eq!(ok.code, "SC-1");
        let e = TeamInput {
            code: String::new(),
            name: "x".repeat(101),
            manager_id: None,
        }
        .validate()
        .unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["code", "name"]);
    }
}

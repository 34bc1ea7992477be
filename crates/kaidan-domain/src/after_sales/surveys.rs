//! Customer satisfaction surveys (满意度调查, AFS-3, KPI-3): one per
//! delivered order some days after delivery, and per period for a region
//! (seed 001: 定期开展客户满意度调查); questions scored 1–5 or answered in
//! words; KPI-3 = satisfied customers / surveyed customers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::access::string_enum;
use crate::validation::ValidationErrors;

pub const MAX_QUESTIONS: usize = 20;
pub const MAX_QUESTION_TEXT: usize = 200;
pub const MAX_ANSWER_TEXT: usize = 1000;
/// The longest wait before an order's survey goes out, and the longest a
/// link stays valid.
pub const MAX_SURVEY_DAYS: u32 = 365;

string_enum!(
    /// How a question is answered.
    QuestionKind {
        /// 1 (very dissatisfied) to 5 (very satisfied).
        Score = "score",
        /// Words.
        Text = "text",
    }
);

string_enum!(
    /// What a survey asks about.
    SurveyKind {
        /// One delivered order.
        Order = "order",
        /// A period (a quarter, a month) of a region's customers.
        Period = "period",
    }
);

/// One question of the survey form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SurveyQuestion {
    /// A short code the answers are kept under (`delivery`).
    pub key: String,
    /// The question as the customer reads it.
    pub text: String,
    pub kind: QuestionKind,
}

/// `[surveys]` of `kaidan.toml`: when an order's survey goes out, how long
/// its link is valid, from which score a customer counts as satisfied,
/// and the questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveySettings {
    /// Days after the order's last delivery.
    #[serde(default = "default_delay")]
    pub delay_days: u32,
    /// Days a link stays valid.
    #[serde(default = "default_valid")]
    pub valid_days: u32,
    /// A customer whose average score is at least this is satisfied.
    #[serde(default = "default_satisfied")]
    pub satisfied_from: u8,
    #[serde(default = "default_questions")]
    pub questions: Vec<SurveyQuestion>,
}

fn default_delay() -> u32 {
    3
}
fn default_valid() -> u32 {
    14
}
fn default_satisfied() -> u8 {
    4
}

fn q(key: &str, text: &str, kind: QuestionKind) -> SurveyQuestion {
    SurveyQuestion {
        key: key.into(),
        text: text.into(),
        kind,
    }
}

fn default_questions() -> Vec<SurveyQuestion> {
    vec![
        q("overall", "总体满意度", QuestionKind::Score),
        q("quality", "产品质量", QuestionKind::Score),
        q("delivery", "交货及时性", QuestionKind::Score),
        q("service", "销售与售后服务", QuestionKind::Score),
        q("comments", "意见和建议", QuestionKind::Text),
    ]
}

impl Default for SurveySettings {
    fn default() -> Self {
        SurveySettings {
            delay_days: default_delay(),
            valid_days: default_valid(),
            satisfied_from: default_satisfied(),
            questions: default_questions(),
        }
    }
}

impl SurveySettings {
    /// Every bound, named by its key in `[surveys]`.
    pub fn check(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        for (name, days) in [
            ("delay_days", self.delay_days),
            ("valid_days", self.valid_days),
        ] {
            if days > MAX_SURVEY_DAYS {
                e.add(
                    format!("surveys.{name}"),
                    "out_of_range",
                    format!("{days}; at most {MAX_SURVEY_DAYS}"),
                );
            }
        }
        if self.valid_days == 0 {
            e.add(
                "surveys.valid_days",
                "out_of_range",
                "a link must stay valid at least a day",
            );
        }
        if !(1..=5).contains(&self.satisfied_from) {
            e.add(
                "surveys.satisfied_from",
                "out_of_range",
                "a score from 1 to 5",
            );
        }
        if self.questions.is_empty() || self.questions.len() > MAX_QUESTIONS {
            e.add(
                "surveys.questions",
                "out_of_range",
                format!("1 to {MAX_QUESTIONS} questions"),
            );
        }
        if !self.questions.iter().any(|q| q.kind == QuestionKind::Score) {
            e.add(
                "surveys.questions",
                "required",
                "at least one question scored 1–5",
            );
        }
        for (i, q) in self.questions.iter().enumerate() {
            e.code(&format!("surveys.questions[{i}].key"), &q.key, 32);
            e.text(
                &format!("surveys.questions[{i}].text"),
                &q.text,
                MAX_QUESTION_TEXT,
            );
        }
        e.once_each(
            self.questions.iter().map(|q| q.key.as_str()),
            |i| format!("surveys.questions[{i}].key"),
            "question",
        );
        e.into_result(())
    }
}

/// A survey period as written: a quarter (`2026-Q4`) or a month
/// (`2026-11`); the trimmed text, or the refusal naming `period`.
pub fn check_period(period: &str) -> Result<String, ValidationErrors> {
    let p = period.trim();
    let valid = p.split_once('-').is_some_and(|(year, part)| {
        year.len() == 4
            && year.bytes().all(|b| b.is_ascii_digit())
            && (matches!(part, "Q1" | "Q2" | "Q3" | "Q4")
                || (part.len() == 2 && part.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))))
    });
    if valid {
        Ok(p.to_string())
    } else {
        Err(ValidationErrors::single(
            "period",
            "invalid",
            format!("'{p}': a quarter like 2026-Q4 or a month like 2026-11"),
        ))
    }
}

/// One answer as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyAnswer {
    pub key: String,
    #[serde(default)]
    pub score: Option<u8>,
    #[serde(default)]
    pub text: Option<String>,
}

/// The answers as given: question key → `1`..`5` for a score, words for
/// a text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SurveyAnswersInput {
    pub answers: BTreeMap<String, String>,
}

/// Checks the answers against the questions: every score answered 1–5,
/// texts within their length, no question the survey does not have.
/// Returns the answers and the average score × 100 (rounded half up).
pub fn check_answers(
    questions: &[SurveyQuestion],
    input: &SurveyAnswersInput,
) -> Result<(Vec<SurveyAnswer>, i64), ValidationErrors> {
    let mut e = ValidationErrors::new();
    for k in input.answers.keys() {
        if !questions.iter().any(|q| &q.key == k) {
            e.add(
                format!("answers.{k}"),
                "unknown_reference",
                "the survey has no such question",
            );
        }
    }
    let mut out = Vec::new();
    let (mut sum, mut n) = (0i64, 0i64);
    for q in questions {
        let field = format!("answers.{}", q.key);
        let given = input
            .answers
            .get(&q.key)
            .map(|v| v.trim())
            .unwrap_or_default();
        match q.kind {
            QuestionKind::Score => match given.parse::<u8>() {
                Ok(s) if (1..=5).contains(&s) => {
                    sum += i64::from(s);
                    n += 1;
                    out.push(SurveyAnswer {
                        key: q.key.clone(),
                        score: Some(s),
                        text: None,
                    });
                }
                _ if given.is_empty() => e.add(
                    field,
                    "required",
                    format!("{}: give a score from 1 to 5", q.text),
                ),
                _ => e.add(
                    field,
                    "out_of_range",
                    format!("{}: '{given}' is not a score from 1 to 5", q.text),
                ),
            },
            QuestionKind::Text => {
                let text = e.optional_text(&field, Some(given), MAX_ANSWER_TEXT);
                out.push(SurveyAnswer {
                    key: q.key.clone(),
                    score: None,
                    text,
                });
            }
        }
    }
    let average = if n == 0 { 0 } else { (sum * 200 + n) / (2 * n) };
    e.into_result((out, average))
}

/// An answered survey as the figures count it: who answered, what group
/// it falls in, its average score × 100.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnsweredSurvey {
    pub group: String,
    pub customer: i64,
    pub average: i64,
}

/// One group's satisfaction (KPI-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Satisfaction {
    pub group: String,
    /// Customers who answered at least one survey.
    pub surveyed: u32,
    /// Of them, those whose average over their answers is at least the
    /// threshold.
    pub satisfied: u32,
    /// satisfied / surveyed in basis points (10000 = 100 %).
    pub rate_bp: u32,
    /// The mean of the customers' averages × 100.
    pub average: i64,
    pub answers: u32,
}

/// KPI-3 per group: a customer counts once per group, satisfied when the
/// mean of its answers' averages reaches `satisfied_from`.
pub fn satisfaction(rows: &[AnsweredSurvey], satisfied_from: u8) -> Vec<Satisfaction> {
    let mut groups: BTreeMap<&str, BTreeMap<i64, (i64, i64)>> = BTreeMap::new();
    for r in rows {
        let c = groups
            .entry(&r.group)
            .or_default()
            .entry(r.customer)
            .or_default();
        c.0 += r.average;
        c.1 += 1;
    }
    let threshold = i64::from(satisfied_from) * 100;
    groups
        .into_iter()
        .map(|(group, customers)| {
            let surveyed = u32::try_from(customers.len()).unwrap_or(u32::MAX);
            let means: Vec<i64> = customers
                .values()
                .map(|(s, n)| (s * 2 + n) / (2 * n))
                .collect();
            let satisfied = u32::try_from(means.iter().filter(|m| **m >= threshold).count())
                .unwrap_or(u32::MAX);
            let answers: i64 = customers.values().map(|(_, n)| n).sum();
            Satisfaction {
                group: group.to_string(),
                surveyed,
                satisfied,
                // In u64: 10,000 × a count of customers may not fit u32.
                rate_bp: (u64::from(satisfied) * 10_000)
                    .checked_div(u64::from(surveyed))
                    .and_then(|r| u32::try_from(r).ok())
                    .unwrap_or(0),
                average: if means.is_empty() {
                    0
                } else {
                    means.iter().sum::<i64>() / i64::try_from(means.len()).unwrap_or(1)
                },
                answers: u32::try_from(answers).unwrap_or(u32::MAX),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, &str)]) -> SurveyAnswersInput {
        SurveyAnswersInput {
            answers: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn afs_3_answers_are_checked_against_the_questions() {
        let qs = SurveySettings::default().questions;
        let (a, avg) = check_answers(
            &qs,
            &answers(&[
                ("overall", "5"),
                ("quality", "4"),
                ("delivery", "4"),
                ("service", "4"),
                ("comments", " 很好 "),
            ]),
        )
        .unwrap();
        assert_eq!(avg, 425);
        assert_eq!(a[4].text.as_deref(), Some("很好"));
        let e = check_answers(
            &qs,
            &answers(&[
                ("overall", "6"),
                ("quality", ""),
                ("delivery", "x"),
                ("service", "3"),
                ("price", "1"),
            ]),
        )
        .unwrap_err();
        let got: Vec<(&str, &str)> = e
            .errors
            .iter()
            .map(|x| (x.field.as_str(), x.code))
            .collect();
        assert_eq!(
            got,
            [
                ("answers.price", "unknown_reference"),
                ("answers.overall", "out_of_range"),
                ("answers.quality", "required"),
                ("answers.delivery", "out_of_range")
            ]
        );
    }

    #[test]
    fn kpi_3_satisfied_customers_over_surveyed_customers() {
        let row = |g: &str, c: i64, a: i64| AnsweredSurvey {
            group: g.into(),
            customer: c,
            average: a,
        };
        // Customer 1 answers twice (4.5 and 3.5: mean 4.0, satisfied);
        // customer 2 once at 3.0 (not); customer 3 in another group.
        let s = satisfaction(
            &[
                row("华东", 1, 450),
                row("华东", 1, 350),
                row("华东", 2, 300),
                row("华南", 3, 500),
            ],
            4,
        );
        assert_eq!(
            (
                s[0].group.as_str(),
                s[0].surveyed,
                s[0].satisfied,
                s[0].rate_bp,
                s[0].answers
            ),
            ("华东", 2, 1, 5000, 3)
        );
        assert_eq!(
            (s[1].surveyed, s[1].satisfied, s[1].rate_bp),
            (1, 1, 10_000)
        );
    }

    #[test]
    fn afs_3_periods_are_quarters_or_months() {
        assert_eq!(check_period(" 2026-Q4 ").unwrap(), "2026-Q4");
        assert_eq!(check_period("2026-11").unwrap(), "2026-11");
        // Multi-byte text of the same length is refused, never sliced.
        for bad in ["2026-Q5", "2026-13", "2026-1", "中国-", "20a6-Q1", ""] {
            assert_eq!(
                check_period(bad).unwrap_err().errors[0].field,
                "period",
                "{bad}"
            );
        }
    }

    #[test]
    fn afs_3_settings_are_bounded() {
        assert!(SurveySettings::default().check().is_ok());
        let mut s = SurveySettings {
            satisfied_from: 6,
            ..SurveySettings::default()
        };
        s.questions.push(q("overall", "again", QuestionKind::Text));
        let e = s.check().unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|x| x.field.as_str()).collect();
        assert!(
            fields.contains(&"surveys.satisfied_from")
                && fields.contains(&"surveys.questions[5].key"),
            "{fields:?}"
        );
    }
}

//! Satisfaction surveys (AFS-3, KPI-3): the `survey_send` job sends one per
//! delivered order some days after its last delivery; a sales manager
//! sends a period's survey to a region's customers. Each has a link that
//! needs no login (a 256-bit secret, kept only as its hash; single use;
//! expiring); a portal user answers in the portal too. The figures count
//! satisfied customers over surveyed customers.

use jiff::{SignedDuration, Timestamp};
use kaidan_domain::after_sales::{
    AnsweredSurvey, Satisfaction, SurveyAnswersInput, SurveyKind, check_answers, satisfaction,
};
use kaidan_domain::orders::company_time_zone;
use kaidan_domain::{CustomerId, OrderId, Permission, RegionId, ValidationErrors};
use serde::Serialize;

use crate::app::{App, Ctx};
use crate::collection::start_of;
use crate::error::{AppError, AppResult};
use crate::ports::{NewSurvey, SurveyRow, Tx};
use crate::users::auth::{random_secret, secret_hash};

/// A survey just sent, with the one time its link is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentSurvey {
    pub survey_id: i64,
    pub customer_id: CustomerId,
    /// `/survey/<secret>`: the page that takes the answers, no login.
    pub link: String,
}

/// How the figures are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyGroup {
    Customer,
    Rep,
    Region,
    Month,
}

impl std::str::FromStr for SurveyGroup {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "customer" => Ok(SurveyGroup::Customer),
            "rep" => Ok(SurveyGroup::Rep),
            "region" => Ok(SurveyGroup::Region),
            "month" => Ok(SurveyGroup::Month),
            other => Err(format!(
                "'{other}': group by customer, rep, region or month"
            )),
        }
    }
}

/// The satisfaction figures of a span (KPI-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SatisfactionReport {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: jiff::civil::Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: jiff::civil::Date,
    pub satisfied_from: u8,
    /// All of the span: KPI-3.
    pub total: Satisfaction,
    pub groups: Vec<Satisfaction>,
}

/// The surveys a link's secret names, refused alike when forged.
fn unknown_link() -> AppError {
    AppError::NotFound {
        what: "survey",
        id: "this link".into(),
    }
}

impl App {
    /// Writes a survey and its `survey.sent` event (with the link, for a
    /// webhook to text or mail it); None when there is one already.
    #[allow(clippy::too_many_arguments)]
    async fn send_survey_in(
        &self,
        tx: &mut Box<dyn Tx>,
        kind: SurveyKind,
        customer: CustomerId,
        order: Option<OrderId>,
        period: Option<String>,
        region: Option<RegionId>,
        by: Option<kaidan_domain::UserId>,
    ) -> AppResult<Option<SentSurvey>> {
        let secret = random_secret("");
        let now = self.now();
        let valid = SignedDuration::from_hours(24 * i64::from(self.config.surveys.valid_days));
        let survey = NewSurvey {
            kind,
            customer_id: customer,
            order_id: order,
            period: period.clone(),
            region_id: region,
            questions: self.config.surveys.questions.clone(),
            token_hash: secret_hash(&secret),
            sent_at: now,
            expires_at: now.checked_add(valid).unwrap_or(Timestamp::MAX),
            sent_by: by,
        };
        let Some(id) = tx.survey_insert(&survey).await? else {
            return Ok(None);
        };
        let link = format!("/survey/{secret}");
        self.publish(
            tx,
            "survey.sent",
            "survey",
            id,
            serde_json::json!({"survey_id": id, "kind": kind, "customer_id": customer, "order_id": order,
                "period": period, "link": link, "expires_at": survey.expires_at.to_string()}),
        )
        .await?;
        Ok(Some(SentSurvey {
            survey_id: id,
            customer_id: customer,
            link,
        }))
    }

    /// The `survey_send` job: a survey for each order whose last delivery
    /// was `delay_days` ago (within the 30 days before, so a new install
    /// does not survey years of history).
    pub(crate) async fn send_order_surveys_in(&self, tx: &mut Box<dyn Tx>) -> AppResult<usize> {
        let to =
            self.now() - SignedDuration::from_hours(24 * i64::from(self.config.surveys.delay_days));
        let from = to - SignedDuration::from_hours(24 * 30);
        let mut sent = 0;
        for (order, customer) in tx.orders_to_survey(from, to, 500).await? {
            if self
                .send_survey_in(
                    tx,
                    SurveyKind::Order,
                    customer,
                    Some(order),
                    None,
                    None,
                    None,
                )
                .await?
                .is_some()
            {
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// AFS-3: a sales manager sends a period's survey (`2026-Q4`,
    /// `2026-11`) to every active customer of a region; a customer who has
    /// that period's survey already is skipped. The links are shown once.
    pub async fn send_period_survey(
        &self,
        ctx: &Ctx,
        region: RegionId,
        period: &str,
    ) -> AppResult<Vec<SentSurvey>> {
        ctx.require(Permission::SurveySend)?;
        let period = kaidan_domain::after_sales::check_period(period)?;
        let mut tx = self.store.write().await?;
        let customers = tx.region_customers(region).await?;
        if customers.is_empty() {
            return Err(AppError::invalid(
                "region_id",
                "unknown_reference",
                format!("region {region} has no active customers"),
            ));
        }
        let mut sent = Vec::new();
        for c in customers {
            if let Some(s) = self
                .send_survey_in(
                    &mut tx,
                    SurveyKind::Period,
                    c,
                    None,
                    Some(period.clone()),
                    Some(region),
                    Some(ctx.actor.user_id),
                )
                .await?
            {
                sent.push(s);
            }
        }
        self.audit(
            &mut tx,
            ctx,
            "region",
            region.get(),
            "survey",
            vec![kaidan_domain::audit::FieldChange {
                field: "survey".into(),
                before: None,
                after: Some(format!("{period}: {} sent", sent.len())),
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(sent)
    }

    /// The survey of a link, for its page: refused alike when the link is
    /// forged, answered already or expired (saying which of the last two).
    pub async fn survey_by_link(&self, secret: &str) -> AppResult<SurveyRow> {
        if secret.len() > 100 {
            return Err(unknown_link());
        }
        let mut tx = self.store.read().await?;
        let s = tx
            .survey_by_token(&secret_hash(secret))
            .await?
            .ok_or_else(unknown_link)?;
        self.still_open(&s)?;
        Ok(s)
    }

    fn still_open(&self, s: &SurveyRow) -> AppResult<()> {
        if s.answered_at.is_some() {
            return Err(AppError::invalid(
                "survey",
                "answered",
                "this survey was answered already; thank you",
            ));
        }
        if s.expires_at <= self.now() {
            return Err(AppError::invalid(
                "survey",
                "expired",
                format!(
                    "this survey's link expired on {}",
                    s.expires_at.to_zoned(company_time_zone()).date()
                ),
            ));
        }
        Ok(())
    }

    /// AFS-3: the answers given through a link; counted once.
    pub async fn answer_survey_by_link(
        &self,
        secret: &str,
        input: &SurveyAnswersInput,
    ) -> AppResult<SurveyRow> {
        if secret.len() > 100 {
            return Err(unknown_link());
        }
        let mut tx = self.store.write().await?;
        let s = tx
            .survey_by_token(&secret_hash(secret))
            .await?
            .ok_or_else(unknown_link)?;
        self.answer_in(tx, &s, input, None, "link").await
    }

    async fn answer_in(
        &self,
        mut tx: Box<dyn Tx>,
        s: &SurveyRow,
        input: &SurveyAnswersInput,
        by: Option<kaidan_domain::UserId>,
        via: &str,
    ) -> AppResult<SurveyRow> {
        self.still_open(s)?;
        let (answers, score) = check_answers(&s.questions, input)?;
        if !tx
            .survey_answer(s.id, &answers, score, self.now(), by, via)
            .await?
        {
            // Answered (or expired) since it was read.
            return Err(AppError::invalid(
                "survey",
                "answered",
                "this survey was answered already",
            ));
        }
        self.publish(
            &mut tx,
            "survey.answered",
            "survey",
            s.id,
            serde_json::json!({"survey_id": s.id, "customer_id": s.customer_id, "order_id": s.order_id,
                "period": s.period, "score": score, "via": via}),
        )
        .await?;
        let row = tx.survey_get(s.id).await?.ok_or_else(unknown_link)?;
        tx.commit().await?;
        Ok(row)
    }

    /// A portal user's surveys still to answer.
    pub async fn portal_surveys(&self, ctx: &Ctx) -> AppResult<Vec<SurveyRow>> {
        let customer = crate::portal::portal_customer(ctx)?;
        let mut tx = self.store.read().await?;
        Ok(tx.surveys_of(Some(customer), Some(self.now()), 50).await?)
    }

    /// A portal user answers its own customer's survey in the portal.
    pub async fn answer_survey(
        &self,
        ctx: &Ctx,
        id: i64,
        input: &SurveyAnswersInput,
    ) -> AppResult<SurveyRow> {
        let customer = crate::portal::portal_customer(ctx)?;
        let mut tx = self.store.write().await?;
        let s = tx
            .survey_get(id)
            .await?
            .filter(|s| s.customer_id == customer)
            .ok_or_else(|| AppError::NotFound {
                what: "survey",
                id: id.to_string(),
            })?;
        self.answer_in(tx, &s, input, Some(ctx.actor.user_id), "portal")
            .await
    }

    /// AFS-3: the answers a customer gave by phone or at a visit (回访),
    /// recorded by its rep; counted once, like a link's.
    pub async fn record_survey_answers(
        &self,
        ctx: &Ctx,
        id: i64,
        input: &SurveyAnswersInput,
    ) -> AppResult<SurveyRow> {
        ctx.require(Permission::SurveyAnswer)?;
        let mut tx = self.store.write().await?;
        let s = tx.survey_get(id).await?.ok_or_else(|| AppError::NotFound {
            what: "survey",
            id: id.to_string(),
        })?;
        let by = (ctx.actor.user_id.get() > 0).then_some(ctx.actor.user_id);
        self.answer_in(tx, &s, input, by, "phone").await
    }

    /// Surveys sent, newest first (one customer's, or all).
    pub async fn surveys(
        &self,
        ctx: &Ctx,
        customer: Option<CustomerId>,
    ) -> AppResult<Vec<SurveyRow>> {
        ctx.require(Permission::SurveyRead)?;
        let mut tx = self.store.read().await?;
        Ok(tx.surveys_of(customer, None, self.config.max_page).await?)
    }

    /// KPI-3 over the days [from, to], grouped by customer, rep, region or
    /// month of the answer.
    pub async fn satisfaction_report(
        &self,
        ctx: &Ctx,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
        group: SurveyGroup,
    ) -> AppResult<SatisfactionReport> {
        ctx.require(Permission::SurveyRead)?;
        if to < from {
            return Err(ValidationErrors::single(
                "to",
                "out_of_range",
                format!("{to} is before {from}"),
            )
            .into());
        }
        let end = to.tomorrow().unwrap_or(to);
        let mut tx = self.store.read().await?;
        let rows = tx.surveys_answered(start_of(from), start_of(end)).await?;
        let none = "—".to_string();
        let grouped: Vec<AnsweredSurvey> = rows
            .iter()
            .map(|r| AnsweredSurvey {
                group: match group {
                    SurveyGroup::Customer => r.customer_name.clone(),
                    SurveyGroup::Rep => r.rep.clone().unwrap_or_else(|| none.clone()),
                    SurveyGroup::Region => r.region.clone().unwrap_or_else(|| none.clone()),
                    SurveyGroup::Month => r
                        .answered_at
                        .to_zoned(company_time_zone())
                        .strftime("%Y-%m")
                        .to_string(),
                },
                customer: r.customer_id.get(),
                average: r.score,
            })
            .collect();
        let all: Vec<AnsweredSurvey> = grouped
            .iter()
            .map(|r| AnsweredSurvey {
                group: "all".into(),
                ..r.clone()
            })
            .collect();
        let threshold = self.config.surveys.satisfied_from;
        let total = satisfaction(&all, threshold).pop().unwrap_or(Satisfaction {
            group: "all".into(),
            surveyed: 0,
            satisfied: 0,
            rate_bp: 0,
            average: 0,
            answers: 0,
        });
        Ok(SatisfactionReport {
            from,
            to,
            satisfied_from: threshold,
            total,
            groups: satisfaction(&grouped, threshold),
        })
    }
}

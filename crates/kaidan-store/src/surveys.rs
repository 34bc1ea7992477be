//! Satisfaction surveys in SQL (AFS-3, KPI-3; migration 0027): written
//! once per order or per customer and period (a partial unique index, so
//! two senders at once write one), answered once (a guarded UPDATE), and
//! read back with the customer's rep and region for the figures.

use async_trait::async_trait;
use jiff::Timestamp;
use kaidan_app::ports::{AnsweredRow, NewSurvey, StoreError, SurveyRow, SurveysTx};
use kaidan_domain::after_sales::SurveyAnswer;
use kaidan_domain::{CustomerId, OrderId, RegionId, UserId};

use crate::error::corrupt;
use crate::row::{RowExt, Val, from_micros, micros, where_all};
use crate::tx::{DbTx, exec, fetch_all, fetch_as, fetch_opt};

const COLS: &str = "v.id, v.kind, v.customer_id, c.name AS customer_name, v.order_id, o.number AS order_number, \
     v.period, v.region_id, v.questions, v.sent_at, v.expires_at, v.answered_at, v.answered_via, v.answers, v.score";

const FROM: &str =
    "surveys v JOIN customers c ON c.id = v.customer_id LEFT JOIN orders o ON o.id = v.order_id";

fn json<T: serde::de::DeserializeOwned>(col: &str, text: String) -> Result<T, StoreError> {
    serde_json::from_str(&text).map_err(|e| corrupt(format!("surveys.{col}: {e}")))
}

fn survey_from(r: &impl RowExt) -> Result<SurveyRow, StoreError> {
    Ok(SurveyRow {
        id: r.i64("id")?,
        kind: r.parsed("kind")?,
        customer_id: CustomerId(r.i64("customer_id")?),
        customer_name: r.text("customer_name")?,
        order_id: r.opt_i64("order_id")?.map(OrderId),
        order_number: r.opt_text("order_number")?,
        period: r.opt_text("period")?,
        region_id: r.opt_i64("region_id")?.map(RegionId),
        questions: json("questions", r.text("questions")?)?,
        sent_at: r.ts("sent_at")?,
        expires_at: r.ts("expires_at")?,
        answered_at: r.opt_i64("answered_at")?.map(from_micros).transpose()?,
        answered_via: r.opt_text("answered_via")?,
        answers: r
            .opt_text("answers")?
            .map(|t| json("answers", t))
            .transpose()?,
        score: r.opt_i64("score")?,
    })
}

#[async_trait]
impl SurveysTx for DbTx {
    async fn orders_to_survey(
        &mut self,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> Result<Vec<(OrderId, CustomerId)>, StoreError> {
        let rows: Vec<(i64, i64)> = fetch_as!(
            self,
            query_as.fetch_all,
            "SELECT s.order_id, o.customer_id FROM shipments s JOIN orders o ON o.id = s.order_id \
             WHERE NOT EXISTS (SELECT 1 FROM surveys v WHERE v.kind = 'order' AND v.order_id = s.order_id) \
             GROUP BY s.order_id, o.customer_id \
             HAVING COUNT(*) = COUNT(s.delivered_at) AND MAX(s.delivered_at) >= $1 AND MAX(s.delivered_at) < $2 \
             ORDER BY s.order_id LIMIT $3",
            [micros(from), micros(to), i64::from(limit)]
        );
        Ok(rows
            .into_iter()
            .map(|(o, c)| (OrderId(o), CustomerId(c)))
            .collect())
    }

    async fn survey_insert(&mut self, s: &NewSurvey) -> Result<Option<i64>, StoreError> {
        let questions = serde_json::to_string(&s.questions).map_err(corrupt)?;
        Ok(fetch_opt!(
            self,
            "INSERT INTO surveys (kind, customer_id, order_id, period, region_id, questions, token_hash, \
             sent_at, expires_at, sent_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT DO NOTHING RETURNING id",
            [
                s.kind.as_str(),
                s.customer_id.get(),
                s.order_id.map(OrderId::get),
                s.period.as_deref(),
                s.region_id.map(RegionId::get),
                questions.as_str(),
                s.token_hash.as_str(),
                micros(s.sent_at),
                micros(s.expires_at),
                s.sent_by.map(UserId::get)
            ],
            |r| r.i64("id")
        ))
    }

    async fn survey_get(&mut self, id: i64) -> Result<Option<SurveyRow>, StoreError> {
        let sql = format!("SELECT {COLS} FROM {FROM} WHERE v.id = $1");
        Ok(fetch_opt!(self, &sql, [id], survey_from))
    }

    async fn survey_by_token(&mut self, token_hash: &str) -> Result<Option<SurveyRow>, StoreError> {
        let sql = format!("SELECT {COLS} FROM {FROM} WHERE v.token_hash = $1");
        Ok(fetch_opt!(self, &sql, [token_hash], survey_from))
    }

    async fn survey_answer(
        &mut self,
        id: i64,
        answers: &[SurveyAnswer],
        score: i64,
        at: Timestamp,
        by: Option<UserId>,
        via: &str,
    ) -> Result<bool, StoreError> {
        let answers = serde_json::to_string(answers).map_err(corrupt)?;
        let n = exec!(
            self,
            "UPDATE surveys SET answers = $1, score = $2, answered_at = $3, answered_by = $4, answered_via = $5 \
             WHERE id = $6 AND answered_at IS NULL AND expires_at > $3",
            [
                answers.as_str(),
                score,
                micros(at),
                by.map(UserId::get),
                via,
                id
            ]
        );
        Ok(n == 1)
    }

    async fn surveys_of(
        &mut self,
        customer: Option<CustomerId>,
        pending_at: Option<Timestamp>,
        limit: u32,
    ) -> Result<Vec<SurveyRow>, StoreError> {
        let mut vals = Vec::new();
        let mut clauses = Vec::new();
        if let Some(c) = customer {
            vals.push(Val::I(c.get()));
            clauses.push(format!("v.customer_id = ${}", vals.len()));
        }
        if let Some(now) = pending_at {
            vals.push(Val::I(micros(now)));
            clauses.push(format!(
                "v.answered_at IS NULL AND v.expires_at > ${}",
                vals.len()
            ));
        }
        vals.push(Val::I(i64::from(limit)));
        let sql = format!(
            "SELECT {COLS} FROM {FROM} {} ORDER BY v.id DESC LIMIT ${}",
            where_all(&clauses),
            vals.len()
        );
        Ok(fetch_all!(self, &sql, vals, survey_from))
    }

    async fn surveys_answered(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<AnsweredRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT v.customer_id, c.name AS customer_name, u.display_name AS rep, \
                    COALESCE(NULLIF(g.name_zh, ''), g.name) AS region, v.answered_at, v.score \
             FROM surveys v JOIN customers c ON c.id = v.customer_id \
             LEFT JOIN users u ON u.id = c.sales_rep_id LEFT JOIN regions g ON g.id = c.region_id \
             WHERE v.answered_at >= $1 AND v.answered_at < $2 AND v.score IS NOT NULL \
             ORDER BY v.answered_at",
            [micros(from), micros(to)],
            |r| Ok(AnsweredRow {
                customer_id: CustomerId(r.i64("customer_id")?),
                customer_name: r.text("customer_name")?,
                rep: r.opt_text("rep")?,
                region: r.opt_text("region")?,
                answered_at: r.ts("answered_at")?,
                score: r.i64("score")?,
            })
        ))
    }

    async fn region_customers(&mut self, region: RegionId) -> Result<Vec<CustomerId>, StoreError> {
        let ids: Vec<i64> = fetch_as!(
            self,
            query_scalar.fetch_all,
            "SELECT id FROM customers WHERE region_id = $1 AND active = $2 ORDER BY id",
            [region.get(), true]
        );
        Ok(ids.into_iter().map(CustomerId).collect())
    }
}

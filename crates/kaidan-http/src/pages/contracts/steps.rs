//! The steps of a contract's supplementary agreements (补充协议: draft,
//! submit, review, sign) and of the loans of its paper original (借阅签字,
//! return), taken on the contract's page.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::routing::{get, post};
use jiff::civil::Date;
use kaidan_app::ports::SupplementRow;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::contracts::{
    BreachBy, LoanInput, SupplementContent, SupplementKind, SupplementStatus,
};
use kaidan_domain::finance::MAX_VOUCHER_BYTES;
use kaidan_domain::{Money, Permission};

use super::super::{Lang, OrPage, PageAuth, PageForm, PageId, PageResult, after_step};
use super::{Signing, TermsForm, contract_view, review_form, signing_form, step_label, terms_of};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contracts/{id}/supplements", post(draft))
        .route("/supplements/{id}/submit", post(submit))
        .route("/supplements/{id}/revise", post(revise))
        .route("/supplements/{id}/review", post(review))
        .route(
            "/supplements/{id}/sign",
            post(sign).layer(DefaultBodyLimit::max(MAX_VOUCHER_BYTES + 256 * 1024)),
        )
        .route("/supplements/{id}/signed-copy", get(copy))
        .route("/contracts/{id}/loans", post(borrow))
        .route("/contracts/{id}/loans/return", post(give_back))
}

/// A supplementary agreement as the contract's page lists it.
pub struct SupplementLine {
    pub id: i64,
    pub number: String,
    pub kind: &'static str,
    pub status: String,
    pub status_label: &'static str,
    pub awaiting: String,
    pub clauses: String,
    /// The breach's party and penalty, or the change's new amount.
    pub detail: String,
    pub signed_on: String,
    pub signed_copy: Option<String>,
    pub can_submit: bool,
    /// A draft termination or breach the actor may rewrite here (a change
    /// is rewritten in the terms form below).
    pub editable: bool,
    pub kind_code: &'static str,
    pub breach_by: &'static str,
    pub penalty: String,
    pub review: Option<(&'static str, &'static str)>,
    pub can_sign: bool,
}

fn kind_label(lang: Lang, k: SupplementKind) -> &'static str {
    match lang {
        Lang::Zh => k.label_zh(),
        Lang::En => match k {
            SupplementKind::Change => "Change",
            SupplementKind::Termination => "Termination",
            SupplementKind::Breach => "Breach",
        },
    }
}

fn supplement_status(lang: Lang, s: SupplementStatus) -> &'static str {
    match lang {
        Lang::Zh => s.label_zh(),
        Lang::En => match s {
            SupplementStatus::Draft => "Draft",
            SupplementStatus::InReview => "In review",
            SupplementStatus::Approved => "Approved",
            SupplementStatus::Signed => "Signed",
        },
    }
}

pub fn lines(lang: Lang, ctx: &Ctx, rows: &[SupplementRow]) -> Vec<SupplementLine> {
    let can = |p| ctx.actor.can(p);
    rows.iter()
        .map(|s| {
            let detail = match (&s.content.terms, s.content.breach_by, s.content.penalty) {
                (Some(t), _, _) => format!(
                    "{} {} · {} {}",
                    lang.pick("新金额", "New amount"),
                    t.amount(),
                    lang.pick("回款期限", "collection days"),
                    t.collection_days
                ),
                (None, Some(b), p) => format!(
                    "{} {}{}",
                    lang.pick("违约方", "In breach:"),
                    match b {
                        BreachBy::Buyer => lang.pick("买方", "buyer"),
                        BreachBy::Seller => lang.pick("卖方", "seller"),
                    },
                    p.map(|p| format!(" · {} {p}", lang.pick("违约金", "penalty")))
                        .unwrap_or_default()
                ),
                _ => String::new(),
            };
            SupplementLine {
                id: s.id,
                number: s.number.clone(),
                kind: kind_label(lang, s.content.kind),
                status: s.status.to_string(),
                status_label: supplement_status(lang, s.status),
                awaiting: s
                    .awaiting
                    .map(|a| step_label(lang, a).to_string())
                    .unwrap_or_default(),
                clauses: s.content.clauses.clone(),
                detail,
                signed_on: s.signed_on.map(|d| d.to_string()).unwrap_or_default(),
                signed_copy: s.signed_copy.clone(),
                can_submit: s.status == SupplementStatus::Draft && can(Permission::ContractDraft),
                editable: s.status == SupplementStatus::Draft
                    && s.content.kind != SupplementKind::Change
                    && can(Permission::ContractDraft),
                kind_code: s.content.kind.as_str(),
                breach_by: s.content.breach_by.map_or("", |b| b.as_str()),
                penalty: s.content.penalty.map(|p| p.to_string()).unwrap_or_default(),
                review: s
                    .awaiting
                    .filter(|st| can(st.permission()) && s.drafted_by != ctx.actor.user_id)
                    .map(|st| (st.as_str(), step_label(lang, st))),
                can_sign: s.status == SupplementStatus::Approved && can(Permission::ContractSign),
            }
        })
        .collect()
}

/// The contract a supplementary agreement belongs to, for the page shown
/// again after a step.
async fn contract_of(
    s: &AppState,
    auth: &PageAuth,
    id: i64,
) -> Result<i64, super::super::PageError> {
    Ok(s.app
        .supplement(&auth.ctx, id)
        .await
        .or_page(auth.chrome.lang)?
        .contract_id)
}

fn back(contract: i64) -> impl FnOnce(SupplementRow) -> String {
    move |_| format!("/contracts/{contract}#supplements")
}

/// The agreement a form describes: `kind`, `clauses`; a change with the
/// terms form's fields, a breach with `breach_by` and `penalty`.
async fn content_of(
    s: &AppState,
    ctx: &Ctx,
    form: &HashMap<String, String>,
) -> Result<SupplementContent, AppError> {
    let get = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let kind: SupplementKind = get("kind")
        .parse()
        .map_err(|e: kaidan_domain::UnknownValue| {
            AppError::invalid("kind", "invalid", e.to_string())
        })?;
    let terms = if kind == SupplementKind::Change {
        Some(terms_of(s, ctx, &TermsForm(form.clone())).await?)
    } else {
        None
    };
    let breach_by = match get("breach_by").as_str() {
        "" => None,
        v => Some(
            v.parse::<BreachBy>()
                .map_err(|e| AppError::invalid("breach_by", "invalid", e.to_string()))?,
        ),
    };
    let penalty = match get("penalty").as_str() {
        "" => None,
        v => Some(v.parse::<Money>().map_err(|_| {
            AppError::invalid("penalty", "invalid", format!("'{v}' is not an amount"))
        })?),
    };
    Ok(SupplementContent {
        kind,
        clauses: get("clauses"),
        terms,
        // Given for another kind, they are refused by the domain's check
        // with a message, not dropped here.
        breach_by,
        penalty,
    })
}

/// POST /contracts/{id}/supplements: a new agreement (see [`content_of`]).
async fn draft(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let outcome = match content_of(&s, &auth.ctx, &form).await {
        Ok(content) => s.app.draft_supplement(&auth.ctx, id, &content).await,
        Err(e) => Err(e),
    };
    after_step(&s, auth, id, outcome, back(id), contract_view).await
}

/// POST /supplements/{id}/revise: a draft agreement rewritten (after it
/// was sent back).
async fn revise(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let contract = contract_of(&s, &auth, id).await?;
    let outcome = match content_of(&s, &auth.ctx, &form).await {
        Ok(content) => s.app.revise_supplement(&auth.ctx, id, &content).await,
        Err(e) => Err(e),
    };
    after_step(&s, auth, contract, outcome, back(contract), contract_view).await
}

/// POST /supplements/{id}/submit
async fn submit(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, _f): PageForm,
) -> PageResult {
    let contract = contract_of(&s, &auth, id).await?;
    let outcome = s.app.submit_supplement(&auth.ctx, id).await;
    after_step(&s, auth, contract, outcome, back(contract), contract_view).await
}

/// POST /supplements/{id}/review: `step`, `decision`, `comment`.
async fn review(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let contract = contract_of(&s, &auth, id).await?;
    let outcome = match review_form(&form) {
        Ok((step, approve, comment)) => {
            s.app
                .review_supplement(&auth.ctx, id, step, approve, &comment)
                .await
        }
        Err(e) => Err(e),
    };
    after_step(&s, auth, contract, outcome, back(contract), contract_view).await
}

/// POST /supplements/{id}/sign: `signed_on` and the scanned copy.
async fn sign(
    State(s): State<AppState>,
    PageId(id): PageId,
    auth: PageAuth,
    mut multipart: Multipart,
) -> PageResult {
    let contract = contract_of(&s, &auth, id).await?;
    let outcome = match signing_form(&auth.chrome, &mut multipart).await {
        Signing::Ready(d, copy) => s.app.sign_supplement(&auth.ctx, id, d, &copy).await,
        Signing::Refused(e) => Err(e),
        Signing::Unreadable(msg) => return contract_view(&s, auth, contract, Some(msg)).await,
        Signing::Stale => return Ok(super::super::finance::csrf_refused()),
    };
    after_step(&s, auth, contract, outcome, back(contract), contract_view).await
}

/// GET /supplements/{id}/signed-copy
async fn copy(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    PageId(id): PageId,
) -> PageResult {
    let file = s.app.supplement_copy(&ctx, id).await.or_page(chrome.lang)?;
    Ok(crate::api::finance::file_response(file))
}

/// POST /contracts/{id}/loans: `purpose`, `due_back`; the caller signs.
async fn borrow(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let get = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let due = get("due_back");
    let outcome = match due.parse::<Date>() {
        Ok(due_back) => {
            s.app
                .borrow_original(
                    &auth.ctx,
                    id,
                    &LoanInput {
                        purpose: get("purpose"),
                        due_back,
                    },
                )
                .await
        }
        Err(_) => Err(AppError::invalid(
            "due_back",
            "invalid",
            format!("'{due}' is not a day"),
        )),
    };
    after_step(
        &s,
        auth,
        id,
        outcome,
        move |_| format!("/contracts/{id}#loans"),
        contract_view,
    )
    .await
}

/// POST /contracts/{id}/loans/return: the keeper has the original back.
async fn give_back(
    State(s): State<AppState>,
    PageId(id): PageId,
    PageForm(auth, _f): PageForm,
) -> PageResult {
    let outcome = s.app.return_original(&auth.ctx, id).await;
    after_step(
        &s,
        auth,
        id,
        outcome,
        move |_| format!("/contracts/{id}#loans"),
        contract_view,
    )
    .await
}

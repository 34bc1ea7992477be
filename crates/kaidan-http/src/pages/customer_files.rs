//! The customer files' pages (客户档案, SAL-2): a rep's customers with
//! their files (this month's birthdays marked), and one file with the
//! ledger beside it and the record form.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use kaidan_app::customer_files::CustomerFile;
use kaidan_app::ports::CustomerFileRow;
use kaidan_app::{AppError, Ctx};
use kaidan_domain::visits::{CustomerFileInput, month_day};

use super::format::local_time;
use super::visits::parse_id;
use super::{Chrome, OrPage, PageAuth, PageError, PageForm, PageResult, render};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/customer-files", get(list_page))
        .route("/customer-files/{id}", get(file_page).post(file_step))
}

#[derive(Template)]
#[template(path = "customer_files.html")]
struct ListPage {
    chrome: Chrome,
    title: String,
    /// Each customer, its last order and whether his birthday is this month.
    rows: Vec<(CustomerFileRow, String, bool)>,
    opened: usize,
}

/// GET /customer-files
async fn list_page(State(s): State<AppState>, PageAuth { ctx, chrome }: PageAuth) -> PageResult {
    let lang = chrome.lang;
    let rows = s.app.customer_files(&ctx).await.or_page(lang)?;
    let month = s.app.today_date().month();
    let opened = rows.iter().filter(|r| r.first_contact.is_some()).count();
    let rows = rows
        .into_iter()
        .map(|r| {
            let last = r.last_order.map(local_time).unwrap_or_default();
            let birthday = r
                .birthday
                .as_deref()
                .and_then(month_day)
                .is_some_and(|(m, _)| m == month);
            (r, last, birthday)
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            title: lang.pick("客户档案", "Customer files").into(),
            rows,
            opened,
            chrome,
        },
    ))
}

#[derive(Template)]
#[template(path = "customer_file.html")]
struct FilePage {
    chrome: Chrome,
    title: String,
    f: CustomerFile,
    /// The form's values: the file, or empty.
    form: CustomerFileInput,
    today: String,
    payment_method: String,
    terms: String,
    written: String,
    error: Option<String>,
}

async fn file_view(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    id: i64,
    posted: Option<CustomerFileInput>,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let f = s.app.customer_file(ctx, id).await.or_page(lang)?;
    let today = s.app.today_date();
    let form = posted
        .or_else(|| f.file.as_ref().map(|r| r.file.clone()))
        .unwrap_or(CustomerFileInput {
            first_contact: today,
            contact: f.customer.contact_name.clone().unwrap_or_default(),
            phone: f.customer.contact_phone.clone(),
            inquiry: String::new(),
            birthday: None,
            interests: None,
            note: None,
        });
    Ok(render(
        super::status_of(&error),
        &FilePage {
            title: format!(
                "{} · {} {}",
                lang.pick("客户档案", "Customer file"),
                f.code,
                f.name
            ),
            today: today.to_string(),
            payment_method: f.customer.payment_method.as_str().into(),
            terms: f.customer.payment_terms.as_str().into(),
            written: f
                .file
                .as_ref()
                .map(|r| format!("{} {}", r.written_by, local_time(r.written_at)))
                .unwrap_or_default(),
            form,
            f,
            error,
            chrome,
        },
    ))
}

/// GET /customer-files/{id}
async fn file_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id(chrome.lang, &id)?;
    file_view(&s, &ctx, chrome, id, None, None).await
}

/// POST /customer-files/{id}: the record form.
async fn file_step(
    State(s): State<AppState>,
    Path(id): Path<String>,
    PageForm(auth, form): PageForm,
) -> PageResult {
    let lang = auth.chrome.lang;
    let id = parse_id(lang, &id)?;
    let g = |k: &str| form.get(k).cloned().unwrap_or_default();
    let first = g("first_contact");
    let Ok(first_contact) = first.trim().parse() else {
        let e = AppError::invalid(
            "first_contact",
            "invalid",
            format!("'{first}' is not a day (YYYY-MM-DD)"),
        );
        return file_view(&s, &auth.ctx, auth.chrome, id, None, Some(e.to_string())).await;
    };
    let input = CustomerFileInput {
        first_contact,
        contact: g("contact"),
        phone: form.get("phone").cloned(),
        inquiry: g("inquiry"),
        birthday: form.get("birthday").cloned(),
        interests: form.get("interests").cloned(),
        note: form.get("note").cloned(),
    };
    match s.app.put_customer_file(&auth.ctx, id, input.clone()).await {
        Ok(_) => Ok(Redirect::to(&format!("/customer-files/{id}")).into_response()),
        Err(AppError::Invalid(e)) => {
            file_view(
                &s,
                &auth.ctx,
                auth.chrome,
                id,
                Some(input),
                Some(e.to_string()),
            )
            .await
        }
        Err(e) => Err(PageError::new(lang, e)),
    }
}

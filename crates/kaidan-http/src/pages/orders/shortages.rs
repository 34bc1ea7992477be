//! An order's shortages on its detail page (INV-2, ADR 0019): each with the
//! customer's answer and, while it is open, the clerk's form to record or
//! change it (`order_shortages.html`, included by `order_detail.html`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use kaidan_app::orders::{OrderView, ShortageAnswer, ShortageChoice};
use kaidan_app::{AppError, Ctx};
use kaidan_domain::{OrderId, Permission, ProductId};

use super::super::format::local_time;
use super::super::{Lang, PageAuth, PageError, PageForm, PageResult, after_post, optional};
use super::{detail, products};
use crate::state::AppState;

/// One shortage as the page shows it.
pub struct ShortageRow {
    pub id: i64,
    pub line_no: u32,
    pub sku: String,
    pub quantity: i64,
    pub choice: &'static str,
    pub choice_code: &'static str,
    pub status: &'static str,
    /// The change request that proposes a substitute.
    pub change_id: Option<i64>,
    pub at: String,
    pub open: bool,
}

/// The section: the shortages, and what the form offers.
pub struct ShortageSection {
    pub rows: Vec<ShortageRow>,
    /// The visitor may answer, and the order still awaits goods.
    pub can_answer: bool,
    /// (code, label) of every answer.
    pub choices: Vec<(&'static str, &'static str)>,
    /// Substitutes to offer: (product id, "SKU name").
    pub products: Vec<(i64, String)>,
}

pub fn choice_label(lang: Lang, c: ShortageChoice) -> &'static str {
    match c {
        ShortageChoice::Backorder => lang.pick("等齐再发", "Wait, ship complete"),
        ShortageChoice::Partial => lang.pick("有货先发", "Ship what is there"),
        ShortageChoice::Substitution => lang.pick("替代品", "Substitute"),
        ShortageChoice::Cancel => lang.pick("取消缺货数量", "Cancel the short quantity"),
    }
}

fn status_label(lang: Lang, status: &str) -> &'static str {
    match status {
        "open" => lang.pick("待补货", "Open"),
        "ordered" => lang.pick("已采购", "Ordered"),
        _ => lang.pick("已关闭", "Closed"),
    }
}

/// The section of `view` for the visitor.
pub async fn section(
    s: &AppState,
    ctx: &Ctx,
    lang: Lang,
    view: &OrderView,
) -> Result<ShortageSection, AppError> {
    let rows: Vec<ShortageRow> = view
        .shortages
        .iter()
        .map(|r| ShortageRow {
            id: r.id,
            line_no: r.line_no,
            sku: view
                .content
                .line(r.line_no)
                .map(|l| l.sku.clone())
                .unwrap_or_default(),
            quantity: r.quantity,
            choice: choice_label(lang, r.choice),
            choice_code: r.choice.as_str(),
            status: status_label(lang, &r.status),
            change_id: r.change_id,
            at: local_time(r.created_at),
            open: r.status != "closed",
        })
        .collect();
    let can_answer = ctx.actor.can(Permission::OrderCreate)
        && view.status.awaits_goods()
        && rows.iter().any(|r| r.open);
    let products = if can_answer {
        products(s, ctx)
            .await?
            .into_iter()
            .filter(|p| p.data.active)
            .map(|p| (p.id, format!("{} {}", p.data.sku, p.data.name)))
            .collect()
    } else {
        Vec::new()
    };
    Ok(ShortageSection {
        rows,
        can_answer,
        choices: ShortageChoice::ALL
            .iter()
            .map(|c| (c.as_str(), choice_label(lang, *c)))
            .collect(),
        products,
    })
}

/// POST /orders/{id}/shortages/{shortage}: the customer's answer. Back to
/// the order; a refusal is shown on it.
pub async fn choose(
    State(s): State<AppState>,
    Path((id, shortage)): Path<(i64, i64)>,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let lang = chrome.lang;
    let field = |k: &str| form.get(k).map(|v| v.trim()).unwrap_or_default();
    let id = OrderId(id);
    let answer = match (
        field("choice").parse::<ShortageChoice>(),
        optional::<i64>(field("product_id")),
    ) {
        (Ok(choice), Ok(product)) => Ok(ShortageAnswer {
            choice,
            product_id: product
                .filter(|_| choice == ShortageChoice::Substitution)
                .map(ProductId),
            note: Some(field("note").to_string()),
        }),
        (Err(e), _) => Err(AppError::invalid("choice", "unknown", e.to_string())),
        (_, Err(_)) => Err(AppError::invalid(
            "product_id",
            "invalid",
            "choose a product from the list",
        )),
    };
    let outcome = match answer {
        Ok(a) => s.app.choose_for_shortage(&ctx, id, shortage, &a).await,
        Err(e) => Err(e),
    };
    after_post(
        lang,
        outcome,
        |_| format!("/orders/{}#shortages", id.get()),
        |msg| async {
            let view = s
                .app
                .order(&ctx, id)
                .await
                .map_err(|e| PageError::new(lang, e))?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            detail::page(&s, &ctx, chrome, view, status, Some(msg)).await
        },
    )
    .await
}

//! Arrival notices (PUR-2): funds task lists for channel business and
//! receiving notices for the central warehouse, newest first.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use kaidan_app::ports::ArrivalNoticeRow;
use kaidan_domain::purchasing::NoticeKind;

use super::format::{local_time, shown};
use super::{Chrome, Lang, OrPage, PageAuth, PageResult, render};
use crate::state::AppState;
use kaidan_domain::field_rules::{Field, Visibility};

pub fn routes() -> Router<AppState> {
    Router::new().route("/arrival-notices", get(notices))
}

pub struct FundsRow {
    pub customer: String,
    pub orders: String,
    pub needed: String,
    pub available: String,
    pub shortfall: String,
    pub short: bool,
}

pub(super) struct NoticeView {
    pub id: i64,
    pub purchase_order_id: i64,
    pub number: String,
    pub supplier: String,
    pub funds: bool,
    pub kind: &'static str,
    pub notice_date: String,
    pub expected_arrival: String,
    pub created_at: String,
    pub funds_rows: Vec<FundsRow>,
    pub receiving: Vec<(String, String, i64)>,
}

pub(super) fn notice_view(lang: Lang, vis: &Visibility, n: &ArrivalNoticeRow) -> NoticeView {
    NoticeView {
        id: n.id,
        purchase_order_id: n.purchase_order_id,
        number: n.purchase_order_number.clone(),
        supplier: n.supplier.clone(),
        funds: n.kind == NoticeKind::Funds,
        kind: match n.kind {
            NoticeKind::Funds => lang.pick(
                "备款通知（到货前15天，渠道业务）",
                "Funds notice (15 days before, channel business)",
            ),
            NoticeKind::Receiving => lang.pick(
                "收货准备（到货前7天，总仓）",
                "Receiving notice (7 days before, central warehouse)",
            ),
        },
        notice_date: n.notice_date.to_string(),
        expected_arrival: n.expected_arrival.to_string(),
        created_at: local_time(n.created_at),
        funds_rows: n
            .content
            .funds
            .iter()
            .map(|f| FundsRow {
                customer: format!("{} {}", f.customer_code, f.customer_name),
                orders: f
                    .order_ids
                    .iter()
                    .map(|o| o.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                needed: shown(vis, Field::FundsNeeded, f.needed.round_to_fen()),
                available: shown(vis, Field::FundsAvailable, f.available.round_to_fen()),
                shortfall: shown(vis, Field::FundsShortfall, f.shortfall.round_to_fen()),
                short: f.shortfall.is_positive(),
            })
            .collect(),
        receiving: n
            .content
            .receiving
            .iter()
            .map(|r| (r.sku.clone(), r.name.clone(), r.quantity))
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "purchasing_notices.html")]
struct NoticesPage {
    chrome: Chrome,
    title: String,
    notices: Vec<NoticeView>,
}

/// GET /arrival-notices
async fn notices(State(s): State<AppState>, PageAuth { ctx, chrome }: PageAuth) -> PageResult {
    let lang = chrome.lang;
    let rows = s
        .app
        .arrival_notices(&ctx, None, Some(200))
        .await
        .or_page(lang)?;
    Ok(render(
        StatusCode::OK,
        &NoticesPage {
            title: lang.t("arrival_notices").into(),
            notices: rows
                .iter()
                .map(|n| notice_view(lang, &ctx.visibility(), n))
                .collect(),
            chrome,
        },
    ))
}

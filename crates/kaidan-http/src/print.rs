//! Printed documents (DOC-1): the settings (company block, seal, font), the
//! reads each document needs through the use cases, and the answer as an
//! inline PDF. Mapping is `kaidan_print::documents`; rendering is CPU work
//! and runs on the blocking pool.

use std::collections::HashMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kaidan_app::{AppError, Ctx};
use kaidan_domain::field_rules::{Field, Visibility};
use kaidan_domain::master::CustomerData;
use kaidan_domain::{OrderId, Permission};
use kaidan_print::documents::{self, ContractPrint, DeliveryNote, OrderConfirmation};
use kaidan_print::{Company, FontConfig, PrintDocument, PrintError, Seal};

use crate::problem::ApiError;
use crate::state::AppState;

/// What every printed document carries and how it is set.
#[derive(Debug, Clone)]
pub struct PrintSettings {
    /// The letterhead and the seal (`[company]`).
    pub company: Company,
    /// `[print] font`, `font_index`.
    pub font: FontConfig,
}

impl Default for PrintSettings {
    /// The demo company, with a drawn seal and the system's CJK font.
    fn default() -> Self {
        PrintSettings {
            company: demo_company(),
            font: FontConfig::default(),
        }
    }
}

/// The company printed when none is configured.
pub fn demo_company() -> Company {
    Company {
        name: "开单示范贸易有限公司".into(),
        address: "上海市浦东新区世纪大道 88 号 20 楼".into(),
        phone: "021-6888 8000".into(),
        tax_number: "91310115MA1H000000".into(),
        bank: "中国工商银行上海浦东分行 1001 2000 0900 0000 000".into(),
        seal: Seal::Drawn,
    }
}

/// Why a document was not printed: the reads, or the printing.
#[derive(Debug)]
pub enum PrintFailure {
    App(AppError),
    Print(PrintError),
}

impl From<AppError> for PrintFailure {
    fn from(e: AppError) -> Self {
        PrintFailure::App(e)
    }
}

impl From<PrintFailure> for ApiError {
    fn from(e: PrintFailure) -> Self {
        match e {
            PrintFailure::App(e) => e.into(),
            PrintFailure::Print(e) => print_problem(&e),
        }
    }
}

/// A missing font is the server's set-up, not the caller's fault: 503 with
/// the message that says what to install or configure.
pub fn print_problem(e: &PrintError) -> ApiError {
    tracing::error!(error = %e, "printing failed");
    match e {
        PrintError::NoFont { .. } => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "print-unavailable",
            "Printing unavailable",
            e.to_string(),
        ),
        PrintError::Seal(_) | PrintError::Pdf(_) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "print-failed",
            "Printing failed",
            e.to_string(),
        ),
    }
}

/// A rendered document, answered inline under its number.
pub struct Pdf {
    pub file: String,
    pub bytes: Vec<u8>,
}

impl IntoResponse for Pdf {
    fn into_response(self) -> Response {
        let mut res = (StatusCode::OK, self.bytes).into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/pdf"),
        );
        // Numbers are ASCII; anything else is dropped from the file name.
        let file: String = self
            .file
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect();
        if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{file}.pdf\"")) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
        res
    }
}

/// Renders on the blocking pool.
async fn render(s: &AppState, doc: PrintDocument) -> Result<Pdf, PrintFailure> {
    let font = s.config.print.font.clone();
    let file = doc.number.clone();
    let bytes = tokio::task::spawn_blocking(move || kaidan_print::render(&doc, &font))
        .await
        .map_err(|e| PrintFailure::Print(PrintError::Pdf(format!("render task: {e}"))))?
        .map_err(PrintFailure::Print)?;
    Ok(Pdf { file, bytes })
}

/// The customer's record if the reader may see it.
async fn customer(
    s: &AppState,
    ctx: &Ctx,
    id: kaidan_domain::CustomerId,
) -> Result<Option<CustomerData>, AppError> {
    match s.app.get::<CustomerData>(ctx, id.get()).await {
        Ok(r) => Ok(Some(r.data)),
        Err(AppError::Forbidden(_) | AppError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The confidential fields the order confirmation prints.
const PRINTED_ORDER_FIELDS: &[Field] = &[
    Field::OrderUnitPrice,
    Field::OrderLineAmount,
    Field::OrderTotalAmount,
    Field::OrderTotalTax,
    Field::OrderTotalNet,
];

/// Whether the reader sees every figure the order confirmation prints.
pub fn may_print_order(vis: &Visibility) -> bool {
    PRINTED_ORDER_FIELDS.iter().all(|f| vis.shows(*f))
}

/// 订单确认书 of an order, for whoever may read the order and its prices:
/// the confirmation is its prices and amounts, so a reader without them
/// (SEC-4, ADR 0026) is refused rather than given a document of blanks.
pub async fn order_pdf(s: &AppState, ctx: &Ctx, id: OrderId) -> Result<Pdf, PrintFailure> {
    let doc = order_document(s, ctx, id).await?;
    render(s, doc).await
}

/// The 订单确认书 of an order, laid out but not yet rendered.
pub async fn order_document(
    s: &AppState,
    ctx: &Ctx,
    id: OrderId,
) -> Result<PrintDocument, PrintFailure> {
    let order = s.app.order(ctx, id).await?;
    if !may_print_order(&ctx.visibility()) {
        return Err(AppError::Forbidden(Permission::PriceRead).into());
    }
    let customer = customer(s, ctx, order.customer_id).await?;
    Ok(documents::order_confirmation(
        &s.config.print.company,
        OrderConfirmation {
            order: &order,
            customer: customer.as_ref(),
        },
    ))
}

/// Several documents in one PDF, each starting on its own page (a bulk
/// print of a list), named `file`.
pub async fn render_many(
    s: &AppState,
    docs: Vec<PrintDocument>,
    file: String,
) -> Result<Pdf, PrintFailure> {
    let font = s.config.print.font.clone();
    let title = file.clone();
    let bytes =
        tokio::task::spawn_blocking(move || kaidan_print::render_many(&docs, &font, &title))
            .await
            .map_err(|e| PrintFailure::Print(PrintError::Pdf(format!("render task: {e}"))))?
            .map_err(PrintFailure::Print)?;
    Ok(Pdf { file, bytes })
}

/// 发货单 of a shipment, for whoever may read the shipment.
pub async fn shipment_pdf(s: &AppState, ctx: &Ctx, id: i64) -> Result<Pdf, PrintFailure> {
    let doc = shipment_document(s, ctx, id).await?;
    render(s, doc).await
}

/// The 发货单 of a shipment, laid out but not yet rendered.
pub async fn shipment_document(
    s: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<PrintDocument, PrintFailure> {
    let shipment = s.app.shipment(ctx, id).await?;
    let order = match s.app.order(ctx, shipment.order_id).await {
        Ok(o) => Some(o),
        Err(AppError::Forbidden(_) | AppError::NotFound { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let products = if order.is_some() {
        HashMap::new()
    } else {
        let ids: Vec<_> = shipment.lines.iter().map(|l| l.product_id).collect();
        match s.app.product_labels(ctx, &ids).await {
            Ok(m) => m,
            Err(AppError::Forbidden(_)) => HashMap::new(),
            Err(e) => return Err(e.into()),
        }
    };
    let customer = customer(s, ctx, shipment.customer_id).await?;
    Ok(documents::delivery_note(
        &s.config.print.company,
        DeliveryNote {
            shipment: &shipment,
            order: order.as_ref(),
            customer: customer.as_ref(),
            products: &products,
        },
    ))
}

/// 销售发票 or 红字发票, for whoever may read the invoice (FIN-1).
pub async fn invoice_pdf(s: &AppState, ctx: &Ctx, id: i64) -> Result<Pdf, PrintFailure> {
    let view = s.app.invoice(ctx, id).await?;
    let doc = documents::invoice(&s.config.print.company, &view);
    render(s, doc).await
}

/// 对账单 of a customer's month, for whoever may read the statement (FIN-4).
pub async fn statement_pdf(
    s: &AppState,
    ctx: &Ctx,
    customer: kaidan_domain::CustomerId,
    period: kaidan_domain::finance::Period,
) -> Result<Pdf, PrintFailure> {
    let statement = s.app.statement(ctx, customer, period).await?;
    let doc = documents::statement(&s.config.print.company, &statement);
    render(s, doc).await
}

/// 催款函 of a dunning notice, for whoever may read the notice (FIN-4):
/// addressed to the customer, the pay-by day counted from today.
pub async fn dunning_pdf(s: &AppState, ctx: &Ctx, id: i64) -> Result<Pdf, PrintFailure> {
    let notice = s.app.dunning_notice(ctx, id).await?;
    let customer = customer(s, ctx, notice.customer_id).await?;
    let doc = documents::dunning_letter(
        &s.config.print.company,
        &notice,
        customer.as_ref(),
        s.app.today_date(),
    );
    render(s, doc).await
}

/// 销售合同 of a contract, for whoever may read the contract (CON-1): the
/// buyer's record and the product names where the reader may see them.
pub async fn contract_pdf(s: &AppState, ctx: &Ctx, id: i64) -> Result<Pdf, PrintFailure> {
    let view = s.app.contract(ctx, id).await?;
    let customer = customer(s, ctx, view.contract.customer_id).await?;
    let ids: Vec<_> = view
        .contract
        .terms
        .lines
        .iter()
        .map(|l| l.product_id)
        .collect();
    let products = match s.app.product_labels(ctx, &ids).await {
        Ok(m) => m,
        Err(AppError::Forbidden(_)) => HashMap::new(),
        Err(e) => return Err(e.into()),
    };
    let doc = documents::contract(
        &s.config.print.company,
        ContractPrint {
            view: &view,
            customer: customer.as_ref(),
            products: &products,
        },
    );
    render(s, doc).await
}

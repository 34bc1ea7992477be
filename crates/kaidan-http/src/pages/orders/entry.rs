//! Order entry for clerks and the customer portal (ORD-1..3).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use kaidan_app::{AppError, Created, Ctx};
use kaidan_domain::master::{PaymentMethod, PaymentTerms};
use kaidan_domain::orders::{Channel, OrderInput, OrderLineInput};
use kaidan_domain::{CustomerId, Money, ProductId, Role, ValidationErrors};

use super::super::{
    Chrome, Lang, OrPage, PageAuth, PageError, PageForm, PageResult, optional, render,
};
use crate::state::AppState;

/// Rows shown on a fresh form.
const BLANK_ROWS: usize = 3;

pub struct CustomerOption {
    pub id: i64,
    pub label: String,
    pub method: String,
    pub terms: String,
}

pub struct LineRow {
    pub idx: usize,
    /// What the clerk typed or chose in the product field: the SKU first.
    pub product: String,
    pub product_id: String,
    pub quantity: String,
    pub unit_price: String,
    pub note: String,
    pub errors: Vec<String>,
    pub product_error: Option<String>,
    pub quantity_error: Option<String>,
    pub price_error: Option<String>,
}

#[derive(Template)]
#[template(path = "order_new.html")]
pub struct EntryPage {
    pub chrome: Chrome,
    pub title: String,
    pub customers: Vec<CustomerOption>,
    pub channels: Vec<(&'static str, &'static str)>,
    pub methods: Vec<(&'static str, &'static str)>,
    pub terms: Vec<(&'static str, &'static str)>,
    pub values: HashMap<String, String>,
    pub errors: HashMap<String, String>,
    pub general: Vec<String>,
    pub duplicates: Vec<String>,
    pub rows: Vec<LineRow>,
    pub customer_fixed: bool,
    /// The words the script shows for codes the API answers, in the page's
    /// language: `terms`, `methods`, `statuses`, `codes` (field errors).
    pub labels_json: String,
}

impl EntryPage {
    /// What the user typed in a header field.
    pub fn v(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn e(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    pub fn checked(&self, name: &str) -> bool {
        matches!(self.v(name), "true" | "on" | "1")
    }

    pub fn bad(&self, name: &str) -> &'static str {
        if self.errors.contains_key(name) {
            "bad"
        } else {
            ""
        }
    }
}

pub(super) fn method_label(lang: Lang, m: PaymentMethod) -> &'static str {
    match m {
        PaymentMethod::Cash => lang.pick("现金", "Cash"),
        PaymentMethod::BankTransfer => lang.pick("银行转账", "Bank transfer"),
        PaymentMethod::PosCard => lang.pick("POS刷卡", "POS card"),
    }
}

pub(super) fn terms_label(lang: Lang, t: PaymentTerms) -> &'static str {
    match t {
        PaymentTerms::Prepayment => lang.pick("预付款", "Prepayment"),
        PaymentTerms::CashOnDelivery => lang.pick("货到付款", "Cash on delivery"),
        PaymentTerms::MonthlySettlement => lang.pick("月结", "Monthly settlement"),
        PaymentTerms::NetDays => lang.pick("净N天(按客户账期)", "Net days (the customer's)"),
    }
}

fn channel_label(lang: Lang, c: Channel) -> &'static str {
    lang.pick(
        c.label_zh(),
        match c {
            Channel::Phone => "Phone",
            Channel::Email => "Email",
            Channel::Fax => "Fax",
            Channel::Web => "Web portal",
            Channel::ECommerce => "E-commerce platform",
            Channel::Api => "API",
            Channel::SalesRep => "Sales rep",
        },
    )
}

/// What the script needs to show the API's codes in words.
fn labels_json(lang: Lang) -> String {
    use kaidan_domain::orders::OrderStatus;
    let map = |pairs: Vec<(&str, &str)>| -> serde_json::Map<String, serde_json::Value> {
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::from(v)))
            .collect()
    };
    // The cells of a pasted row, as the paste's problems name them.
    let fields = vec![
        ("code", lang.pick("SKU/条码", "SKU/bar code")),
        ("quantity", lang.t("quantity")),
        ("unit_price", lang.pick("单价", "unit price")),
        ("text", lang.pick("粘贴内容", "the paste")),
    ];
    serde_json::json!({
        "terms": map(PaymentTerms::ALL.iter().map(|t| (t.as_str(), terms_label(lang, *t))).collect()),
        "methods": map(PaymentMethod::ALL.iter().map(|m| (m.as_str(), method_label(lang, *m))).collect()),
        "statuses": map(OrderStatus::ALL.iter().map(|s| (s.as_str(), super::status_label(lang, *s))).collect()),
        "codes": map(ERROR_CODES.iter().map(|c| (*c, error_word(lang, c))).collect()),
        "fields": map(fields),
    })
    .to_string()
}

/// The field-error codes the pages put in words.
const ERROR_CODES: [&str; 7] = [
    "required",
    "invalid",
    "out_of_range",
    "too_long",
    "unknown_reference",
    "inactive",
    "duplicate",
];

/// A field error's code in the page's language.
fn error_word(lang: Lang, code: &str) -> &'static str {
    match code {
        "required" => lang.pick("必填", "required"),
        "invalid" => lang.pick("格式不对", "invalid"),
        "out_of_range" => lang.pick("超出范围", "out of range"),
        "too_long" => lang.pick("太长", "too long"),
        "unknown_reference" => lang.pick("不存在", "unknown"),
        "inactive" => lang.pick("已停用", "inactive"),
        "duplicate" => lang.pick("重复", "duplicate"),
        _ => "",
    }
}

/// Which form rows were filled in; the others are ignored.
fn row_indexes(form: &HashMap<String, String>) -> Vec<usize> {
    let mut idx: Vec<usize> = form
        .keys()
        .filter_map(|k| k.strip_prefix("lines["))
        .filter_map(|k| k.split(']').next())
        .filter_map(|i| i.parse::<usize>().ok())
        .filter(|i| *i < 1000)
        .collect();
    idx.sort_unstable();
    idx.dedup();
    idx
}

fn line_field(form: &HashMap<String, String>, i: usize, f: &str) -> String {
    form.get(&format!("lines[{i}].{f}"))
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

fn is_blank_row(form: &HashMap<String, String>, i: usize) -> bool {
    ["product", "product_id", "quantity", "unit_price", "note"]
        .iter()
        .all(|f| line_field(form, i, f).is_empty())
}

/// Translates a field error's code into the page's language, keeping the
/// English detail.
fn error_text(lang: Lang, code: &str, message: &str) -> String {
    let zh = error_word(Lang::Zh, code);
    match lang {
        Lang::Zh if !zh.is_empty() => format!("{zh}({message})"),
        _ => message.to_string(),
    }
}

/// The form as an order, or the fields that could not be read.
fn parse(
    form: &HashMap<String, String>,
    lang: Lang,
    fixed_customer: Option<CustomerId>,
) -> (Option<OrderInput>, HashMap<String, String>, Vec<usize>) {
    let mut errors = HashMap::new();
    let field = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let opt = |k: &str| Some(field(k)).filter(|v| !v.is_empty());
    let required = lang.pick("必填", "required");
    let customer_id = match fixed_customer {
        Some(c) => Some(c),
        None => match field("customer_id").parse::<i64>() {
            Ok(v) => Some(CustomerId(v)),
            Err(_) => {
                errors.insert("customer_id".into(), required.to_string());
                None
            }
        },
    };
    let channel = match field("channel").parse::<Channel>() {
        Ok(c) => Some(c),
        Err(_) => {
            errors.insert("channel".into(), required.to_string());
            None
        }
    };
    let date = |k: &str, errors: &mut HashMap<String, String>| match opt(k) {
        None => None,
        Some(v) => match v.parse::<jiff::civil::Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.insert(
                    k.to_string(),
                    lang.pick("日期格式为 YYYY-MM-DD", "a date is YYYY-MM-DD")
                        .to_string(),
                );
                None
            }
        },
    };
    let order_date = date("order_date", &mut errors);
    if field("order_date").is_empty() {
        errors.insert("order_date".into(), required.to_string());
    }
    let requested = date("requested_delivery_date", &mut errors);
    let payment_method = opt("payment_method").and_then(|v| v.parse::<PaymentMethod>().ok());
    let payment_terms = opt("payment_terms").and_then(|v| v.parse::<PaymentTerms>().ok());
    let contract_id = match opt("contract_id").map(|v| v.parse::<i64>()) {
        Some(Ok(id)) if id > 0 => Some(id),
        None => None,
        Some(_) => {
            errors.insert(
                "contract_id".into(),
                lang.pick(
                    "合同 ID 为正整数",
                    "a contract id is a positive whole number",
                )
                .to_string(),
            );
            None
        }
    };
    let rows: Vec<usize> = row_indexes(form)
        .into_iter()
        .filter(|i| !is_blank_row(form, *i))
        .collect();
    let mut lines = Vec::new();
    for i in &rows {
        let at = |f: &str| format!("lines[{i}].{f}");
        let product = line_field(form, *i, "product_id").parse::<i64>().ok();
        if product.is_none() {
            errors.insert(at("product_id"), required.to_string());
        }
        let qty_text = line_field(form, *i, "quantity");
        let quantity = qty_text.parse::<i64>().ok();
        if quantity.is_none() {
            errors.insert(
                at("quantity"),
                lang.pick("请填写整数数量", "a whole number is needed")
                    .to_string(),
            );
        }
        let price_text = line_field(form, *i, "unit_price");
        let unit_price = optional::<Money>(&price_text).unwrap_or_else(|e| {
            errors.insert(at("unit_price"), e.to_string());
            None
        });
        if let (Some(p), Some(q)) = (product, quantity) {
            lines.push(OrderLineInput {
                product_id: ProductId(p),
                quantity: q,
                unit_price,
                note: Some(line_field(form, *i, "note")).filter(|v| !v.is_empty()),
            });
        }
    }
    if rows.is_empty() {
        errors.insert(
            "lines".into(),
            lang.pick("至少需要一行商品", "at least one line is needed")
                .to_string(),
        );
    }
    let input = match (customer_id, channel, order_date) {
        (Some(customer_id), Some(channel), Some(order_date)) if errors.is_empty() => {
            Some(OrderInput {
                customer_id,
                channel,
                contact_name: opt("contact_name"),
                contact_phone: opt("contact_phone"),
                customer_reference: opt("customer_reference"),
                order_date,
                requested_delivery_date: requested,
                delivery_address: opt("delivery_address"),
                payment_method,
                payment_terms,
                priority: matches!(field("priority").as_str(), "true" | "on" | "1"),
                special: matches!(field("special").as_str(), "true" | "on" | "1"),
                notes: opt("notes"),
                contract_id,
                lines,
            })
        }
        _ => None,
    };
    (input, errors, rows)
}

/// The customer a portal user orders for.
fn own_customer(ctx: &Ctx) -> Option<CustomerId> {
    if ctx.actor.has_role(Role::Customer) {
        Some(ctx.actor.customer_id.unwrap_or(CustomerId(-1)))
    } else {
        None
    }
}

#[allow(clippy::too_many_arguments)]
async fn page(
    s: &AppState,
    ctx: &Ctx,
    chrome: Chrome,
    status: StatusCode,
    form: &HashMap<String, String>,
    errors: HashMap<String, String>,
    general: Vec<String>,
    duplicates: Vec<String>,
) -> PageResult {
    let lang = chrome.lang;
    let req = kaidan_app::ListRequest {
        limit: Some(s.app.config().max_page),
        ..kaidan_app::ListRequest::default()
    };
    let customers = match s
        .app
        .list::<kaidan_domain::master::CustomerData>(ctx, &req)
        .await
    {
        Ok(p) => p
            .items
            .into_iter()
            .filter(|c| c.data.active)
            .map(|c| CustomerOption {
                id: c.id,
                label: format!("{} {}", c.data.code, c.data.name),
                method: c.data.payment_method.as_str().into(),
                terms: c.data.payment_terms.as_str().into(),
            })
            .collect(),
        Err(AppError::Forbidden(_)) => Vec::new(),
        Err(e) => return Err(PageError::new(lang, e)),
    };
    let mut values = form.clone();
    values.remove("_csrf");
    if !values.contains_key("order_date") {
        let today = s
            .app
            .now()
            .to_zoned(kaidan_domain::orders::company_time_zone())
            .date();
        values.insert("order_date".into(), today.to_string());
    }
    let customer_fixed = own_customer(ctx).is_some();
    if let Some(c) = own_customer(ctx) {
        values.insert("customer_id".into(), c.to_string());
        values
            .entry("channel".into())
            .or_insert_with(|| Channel::Web.as_str().into());
    }
    let mut idx: Vec<usize> = row_indexes(form)
        .into_iter()
        .filter(|i| !is_blank_row(form, *i))
        .collect();
    let mut next = idx.last().map(|i| i + 1).unwrap_or(0);
    while idx.len() < BLANK_ROWS {
        idx.push(next);
        next += 1;
    }
    let rows = idx
        .into_iter()
        .map(|i| {
            let err = |f: &str| errors.get(&format!("lines[{i}].{f}")).cloned();
            let other = errors
                .iter()
                .filter(|(k, _)| {
                    k.starts_with(&format!("lines[{i}]"))
                        && !["product_id", "quantity", "unit_price"]
                            .iter()
                            .any(|f| **k == format!("lines[{i}].{f}"))
                })
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            LineRow {
                idx: i,
                product: line_field(form, i, "product"),
                product_id: line_field(form, i, "product_id"),
                quantity: line_field(form, i, "quantity"),
                unit_price: line_field(form, i, "unit_price"),
                note: line_field(form, i, "note"),
                errors: other,
                product_error: err("product_id"),
                quantity_error: err("quantity"),
                price_error: err("unit_price"),
            }
        })
        .collect();
    let known = [
        "customer_id",
        "channel",
        "order_date",
        "requested_delivery_date",
        "delivery_address",
        "customer_reference",
        "contact_name",
        "contact_phone",
        "payment_method",
        "payment_terms",
        "notes",
    ];
    let mut general = general;
    for (k, v) in &errors {
        if !k.starts_with("lines[") && !known.contains(&k.as_str()) {
            general.push(format!("{k}: {v}"));
        }
    }
    Ok(render(
        status,
        &EntryPage {
            title: lang.pick("新建订单", "New order").into(),
            customers,
            channels: Channel::ALL
                .iter()
                .map(|c| (c.as_str(), channel_label(lang, *c)))
                .collect(),
            methods: PaymentMethod::ALL
                .iter()
                .map(|m| (m.as_str(), method_label(lang, *m)))
                .collect(),
            terms: PaymentTerms::ALL
                .iter()
                .map(|t| (t.as_str(), terms_label(lang, *t)))
                .collect(),
            values,
            errors,
            general,
            duplicates,
            rows,
            customer_fixed,
            labels_json: labels_json(lang),
            chrome,
        },
    ))
}

/// GET /orders/new
/// `customer_id` and `contract_id` in the query fill the form (the
/// contract page's "order against this contract").
pub async fn new_form(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    ctx.require(kaidan_domain::Permission::OrderCreate)
        .or_page(chrome.lang)?;
    let filled: HashMap<String, String> = q
        .into_iter()
        .filter(|(k, v)| matches!(k.as_str(), "customer_id" | "contract_id") && v.len() <= 20)
        .collect();
    page(
        &s,
        &ctx,
        chrome,
        StatusCode::OK,
        &filled,
        HashMap::new(),
        Vec::new(),
        Vec::new(),
    )
    .await
}

/// POST /orders/new: places the order, or shows the form again with what
/// was typed and each problem next to its field.
pub async fn create(
    State(s): State<AppState>,
    PageForm(PageAuth { ctx, chrome }, form): PageForm,
) -> PageResult {
    let lang = chrome.lang;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let (form, unknown) = resolve_typed_codes(&s, &ctx, lang, form).await?;
    let (input, mut errors, rows) = parse(&form, lang, own_customer(&ctx));
    let input = if unknown.is_empty() { input } else { None };
    for (i, code) in unknown {
        errors.insert(
            format!("lines[{i}].product_id"),
            format!(
                "{} {code}",
                lang.pick(
                    "找不到该 SKU 或条码的在售商品:",
                    "no active product with SKU or bar code"
                )
            ),
        );
    }
    let confirm = matches!(
        form.get("confirm_duplicate").map(String::as_str),
        Some("true" | "on" | "1")
    );
    // Every refusal shows the form again: (status, field errors, general
    // errors, the orders it may duplicate).
    let (status, errors, general, duplicates) = match input {
        None => (unprocessable, errors, vec![], vec![]),
        Some(input) => match s.app.place_order(&ctx, input, confirm, None).await {
            Ok(Created::New(view)) => {
                return Ok(Redirect::to(&format!("/orders/{}", view.id)).into_response());
            }
            Ok(Created::Replayed { .. }) => return Ok(Redirect::to("/orders").into_response()),
            Err(AppError::Invalid(v)) => {
                (unprocessable, field_errors(lang, &v, &rows), vec![], vec![])
            }
            Err(AppError::PossibleDuplicate(matches)) => {
                (StatusCode::CONFLICT, HashMap::new(), vec![], matches)
            }
            Err(AppError::Forbidden(p)) => {
                let general = vec![format!("{}: {}", lang.t("forbidden"), p.as_str())];
                (StatusCode::FORBIDDEN, HashMap::new(), general, vec![])
            }
            Err(e) => return Err(PageError::new(lang, e)),
        },
    };
    page(&s, &ctx, chrome, status, &form, errors, general, duplicates).await
}

/// Rows where the clerk typed a code and tabbed on without choosing from
/// the matches (or the page ran without its script): the product is the
/// one whose SKU or bar code is the field's first word. Returns the form
/// with those ids filled in, and the rows whose code names no product.
async fn resolve_typed_codes(
    s: &AppState,
    ctx: &Ctx,
    lang: Lang,
    mut form: HashMap<String, String>,
) -> Result<(HashMap<String, String>, Vec<(usize, String)>), PageError> {
    let typed: Vec<(usize, String)> = row_indexes(&form)
        .into_iter()
        .filter(|i| line_field(&form, *i, "product_id").is_empty())
        .filter_map(|i| {
            let text = line_field(&form, i, "product");
            let code = text.split_whitespace().next()?.to_string();
            Some((i, code))
        })
        .collect();
    if typed.is_empty() {
        return Ok((form, Vec::new()));
    }
    let codes: Vec<String> = typed.iter().map(|(_, c)| c.clone()).collect();
    let found = s
        .app
        .products_by_code(ctx, None, &codes)
        .await
        .map_err(|e| PageError::new(lang, e))?;
    let mut unknown = Vec::new();
    for (i, code) in typed {
        match found.get(&code) {
            Some(m) => {
                form.insert(format!("lines[{i}].product_id"), m.product_id.to_string());
            }
            None => unknown.push((i, code)),
        }
    }
    Ok((form, unknown))
}

/// The use case's refusal by form field. The use case numbers the filled
/// rows 0, 1, ...; the form may have skipped blank ones (`rows`: the form's
/// row of each filled one).
fn field_errors(lang: Lang, v: &ValidationErrors, rows: &[usize]) -> HashMap<String, String> {
    let mut errors = HashMap::new();
    for fe in &v.errors {
        let field = match fe.field.strip_prefix("lines[").and_then(|r| {
            let (n, rest) = r.split_once(']')?;
            Some((n.parse::<usize>().ok()?, rest))
        }) {
            Some((n, rest)) => match rows.get(n) {
                Some(i) => format!("lines[{i}]{rest}"),
                None => fe.field.clone(),
            },
            None => fe.field.clone(),
        };
        let text = error_text(lang, fe.code, &fe.message);
        errors
            .entry(field)
            .and_modify(|t: &mut String| {
                t.push_str("; ");
                t.push_str(&text);
            })
            .or_insert(text);
    }
    errors
}

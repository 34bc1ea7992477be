//! The pages of `kaidan bench pages` (issue 21): the daily screens of an
//! order clerk and the work lists, on the generated data of `kaidan bench
//! reports`. The run itself (generation, server, timing, the plain
//! baseline, the table) is `bench_reports::reports` with `Suite::Pages`.

use anyhow::{Context, bail};
use serde_json::Value;

use crate::bench_reports::{Report, Who};

/// The order list's first page: the one the plain baseline reads too.
pub const ORDER_LIST_PAGE: &str = "page /orders (newest 50, count)";

async fn api(http: &reqwest::Client, base: &str, token: &str, path: &str) -> anyhow::Result<Value> {
    let r = http
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await?;
    let status = r.status();
    let body: Value = r
        .json()
        .await
        .with_context(|| format!("{path}: not JSON"))?;
    if !status.is_success() {
        bail!("{path}: {status} {body}");
    }
    Ok(body)
}

fn text(v: &Value, what: &str) -> anyhow::Result<String> {
    v.as_str()
        .map(str::to_string)
        .or_else(|| v.as_i64().map(|n| n.to_string()))
        .with_context(|| format!("the generated data has no {what}"))
}

/// The pages timed, with real keys looked up through the API (an approved
/// order, its customer, a product, a region, a rep, the second page's
/// cursor). `month` is `from=…&to=…` of this month.
pub async fn page_list(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    month: &str,
) -> anyhow::Result<Vec<Report>> {
    let first = api(http, base, token, "/api/v1/orders?limit=50&status=approved").await?;
    let order = &first["items"][0];
    let (order_id, number, customer) = (
        text(&order["id"], "approved order")?,
        text(&order["number"], "order number")?,
        text(&order["customer_id"], "customer")?,
    );
    let cursor = text(
        &api(http, base, token, "/api/v1/orders?limit=50").await?["next_cursor"],
        "second page",
    )?;
    let c = api(http, base, token, &format!("/api/v1/customers/{customer}")).await?;
    let code = text(&c["code"], "customer code")?;
    let rep = text(&c["sales_rep_id"], "customer's sales rep")?;
    let region = text(&c["region_id"], "customer's region")?;
    let p = api(http, base, token, "/api/v1/products?limit=1").await?;
    let sku = text(&p["items"][0]["sku"], "product")?;
    // What a clerk types: the start of a number or code, a few letters.
    let number_start: String = number.chars().take(6).collect();
    let sku_start: String = sku.chars().take(4).collect();
    let code_start: String = code.chars().take(4).collect();

    let mut out = Vec::new();
    let mut add = |name: &str, path: String, who: Who| {
        out.push(Report {
            name: name.to_string(),
            path,
            who,
        });
    };
    let clerk = Who::ClerkPage;
    let gm = Who::ManagerPage;
    add(ORDER_LIST_PAGE, "/orders".into(), clerk);
    add(
        "page /orders, second page",
        format!("/orders?cursor={cursor}"),
        clerk,
    );
    add(
        "page /orders approved",
        "/orders?status=approved".into(),
        clerk,
    );
    add(
        "page /orders picking (stage)",
        "/orders?status=picking".into(),
        clerk,
    );
    add(
        "page /orders by amount, largest",
        "/orders?sort=-amount".into(),
        clerk,
    );
    add(
        "page /orders by ship due",
        "/orders?sort=ship_due".into(),
        clerk,
    );
    add(
        "page /orders phone, amount >= 1000",
        "/orders?channel=phone&amount_min=1000".into(),
        clerk,
    );
    add(
        "page /orders of a customer",
        format!("/orders?customer={code}"),
        clerk,
    );
    add(
        "page /orders of a rep, this month",
        format!("/orders?rep_id={rep}&{month}"),
        gm,
    );
    add(
        "page /orders of a region",
        format!("/orders?region_id={region}"),
        gm,
    );
    add(
        "page /orders overdue",
        "/orders?deadline=overdue".into(),
        clerk,
    );
    add(
        "page /orders due soon",
        "/orders?deadline=due_soon".into(),
        clerk,
    );
    add(
        "export /orders of a customer (xlsx)",
        format!("/orders?customer={code}&format=xlsx"),
        clerk,
    );
    add(
        "api orders approved, count",
        "/api/v1/orders?status=approved&count=true".into(),
        Who::Manager,
    );
    add("page /orders/{id}", format!("/orders/{order_id}"), clerk);
    add("page /orders/new", "/orders/new".into(), clerk);
    add("page /orders/deadlines", "/orders/deadlines".into(), clerk);
    add(
        "page /search, an order number",
        format!("/search?q={number_start}"),
        clerk,
    );
    add(
        "api search, a customer code",
        format!("/api/v1/search?q={code_start}"),
        Who::Manager,
    );
    add(
        "api product search with prices",
        format!("/api/v1/products/search?q={sku_start}&customer_id={customer}"),
        Who::Manager,
    );
    add(
        "api customer overview",
        format!("/api/v1/customers/{customer}/overview"),
        Who::Manager,
    );
    add("page / (home), an order clerk", "/".into(), clerk);
    add(
        "page /shipments of a customer, this month",
        format!("/shipments?customer={code}&{month}"),
        gm,
    );
    for (name, path) in [
        ("page /shipments (newest 50, count)", "/shipments"),
        (
            "page /shipments in transit, by shipped",
            "/shipments?status=shipped&sort=shipped",
        ),
        ("page /shipping (plan)", "/shipping"),
        ("page /purchase-orders", "/purchase-orders"),
        ("page /stock", "/stock"),
        ("page /m/customers", "/m/customers"),
        ("page /m/products", "/m/products"),
        ("page /returns", "/returns"),
        ("page /complaints", "/complaints"),
    ] {
        add(name, path.into(), gm);
    }
    Ok(out)
}

//! `kaidan bench order-to-cash`: N orders of 5 lines through the real
//! server over HTTP, the whole chain a company runs — place, review,
//! approve (reserve), pick, ship, batch invoicing, receipts registered and
//! verified (which match them to the invoices) — on a fresh SQLite database
//! with durable commits. Figures: docs/PERFORMANCE.md.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use kaidan_domain::Money;
use kaidan_domain::master::PaymentTerms;

use crate::bench::{
    BenchServer, CUSTOMERS, LINES, PRODUCTS, company_on, fresh_app, percentile, post,
};

/// One phase's wall time.
struct Phase {
    name: &'static str,
    took: Duration,
}

pub async fn order_to_cash(
    database_url: Option<String>,
    orders: usize,
    clients: usize,
) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("kaidan-bench-o2c-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = database_url.unwrap_or_else(|| format!("sqlite:{}", dir.join("o2c.db").display()));
    let tag = jiff::Timestamp::now().as_millisecond().to_string();
    let (db, app) = fresh_app(&url).await?;
    eprintln!(
        "bench order-to-cash: {orders} orders of {LINES} lines, {clients} clients, database {url}"
    );
    let co = Arc::new(
        company_on(
            &app,
            &tag,
            PaymentTerms::MonthlySettlement,
            Money::yuan(1_000_000_000),
        )
        .await?,
    );
    let server = BenchServer::start(&app).await?;
    let base = server.base.clone();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let today = app.today_date().to_string();
    let mut phases = Vec::new();
    let started = Instant::now();

    // Place, review, approve, pick and ship: one order per client at a time.
    let t0 = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, next, co, base, today) = (
            http.clone(),
            Arc::clone(&next),
            Arc::clone(&co),
            base.clone(),
            today.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= orders {
                    return Ok::<_, anyhow::Error>(latencies);
                }
                let t = Instant::now();
                let lines: Vec<_> = (0..LINES)
                    .map(|k| serde_json::json!({ "product_id": co.products[(i + k) % PRODUCTS], "quantity": 1 + k }))
                    .collect();
                let order = serde_json::json!({
                    "customer_id": co.customers[i % CUSTOMERS], "channel": "api", "order_date": today,
                    "customer_reference": format!("O2C-{i}"), "delivery_address": "深圳", "lines": lines });
                let placed = post(&http, format!("{base}/api/v1/orders?confirm_duplicate=true"), &co.clerk, order).await?;
                let id = placed["id"].as_i64().unwrap_or_default();
                post(&http, format!("{base}/api/v1/orders/{id}/review"), &co.clerk, serde_json::json!({})).await?;
                let done = post(&http, format!("{base}/api/v1/orders/{id}/finance-review"), &co.finance, serde_json::json!({"decision": "pass"})).await?;
                if done["status"] != "approved" {
                    bail!("order {id} ended {}", done["status"]);
                }
                let lists = post(&http, format!("{base}/api/v1/pick-lists"), &co.warehouse_token, serde_json::json!({"order_ids": [id]})).await?;
                let list = &lists[0];
                let lid = list["id"].as_i64().unwrap_or_default();
                let picked: Vec<_> = list["lines"].as_array().cloned().unwrap_or_default().iter()
                    .map(|l| serde_json::json!({"line_no": l["line_no"], "picked": l["quantity"]})).collect();
                post(&http, format!("{base}/api/v1/pick-lists/{lid}/pick"), &co.warehouse_token, serde_json::json!({"lines": picked, "packages": 1})).await?;
                post(&http, format!("{base}/api/v1/pick-lists/{lid}/ship"), &co.warehouse_token,
                    serde_json::json!({"carrier": "顺丰", "tracking_no": format!("SF{lid}"), "eta": "2999-01-01"})).await?;
                latencies.push(t.elapsed());
            }
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await??);
    }
    phases.push(Phase {
        name: "order to shipment",
        took: t0.elapsed(),
    });

    // Finance invoices everything shipped today in one batch.
    let t0 = Instant::now();
    let batch = post(
        &http,
        format!("{base}/api/v1/invoices/batch"),
        &co.finance,
        serde_json::json!({"up_to": today, "commit": true}),
    )
    .await?;
    phases.push(Phase {
        name: "batch invoicing",
        took: t0.elapsed(),
    });
    let invoiced: Money = batch["amount"]
        .as_str()
        .unwrap_or("0")
        .parse()
        .context("the batch's amount")?;

    // Each customer pays its invoice; finance verifies, which matches it.
    let t0 = Instant::now();
    let invoices = batch["invoices"].as_array().cloned().unwrap_or_default();
    let mut tasks = Vec::new();
    for chunk in invoices.chunks(invoices.len().div_ceil(clients).max(1)) {
        let (http, co, base, today, chunk) = (
            http.clone(),
            Arc::clone(&co),
            base.clone(),
            today.clone(),
            chunk.to_vec(),
        );
        tasks.push(tokio::spawn(async move {
            for inv in chunk {
                let receipt = serde_json::json!({"customer_id": inv["customer_id"], "payer": inv["customer_name"],
                    "method": "bank_transfer", "amount": inv["amount"], "received_on": today,
                    "bank_reference": format!("BANK-{}", inv["id"])});
                let r = post(&http, format!("{base}/api/v1/receipts"), &co.finance, receipt).await?;
                let id = r["id"].as_i64().unwrap_or_default();
                let v = post(&http, format!("{base}/api/v1/receipts/{id}/verify"), &co.finance, serde_json::json!({})).await?;
                if v["applied"] != inv["amount"] {
                    bail!("receipt {id} applied {} of {}", v["applied"], inv["amount"]);
                }
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    phases.push(Phase {
        name: "receipts and matching",
        took: t0.elapsed(),
    });
    let wall = started.elapsed();

    // Every order must be closed: shipped, invoiced and paid in full.
    let open = post(
        &http,
        format!("{base}/api/v1/invoices/batch"),
        &co.finance,
        serde_json::json!({"up_to": today}),
    )
    .await?;
    let closed = count_closed(&http, &base, &co.finance).await?;
    server.stop().await;
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    if closed != orders || open["count"] != 0 {
        bail!(
            "{closed} of {orders} orders closed; {} invoices left",
            open["count"]
        );
    }
    latencies.sort();
    let rate = orders as f64 / wall.as_secs_f64();
    for p in &phases {
        eprintln!("  {:<22} {:>8.2} s", p.name, p.took.as_secs_f64());
    }
    println!(
        "order-to-cash: {rate:.0} orders/s, {orders} orders closed in {:.1} s, {} invoices of {invoiced} yuan, order to shipment p50 {:.1} ms p99 {:.1} ms",
        wall.as_secs_f64(),
        batch["count"],
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
    );
    Ok(())
}

/// How many orders are closed, read page by page over the API.
async fn count_closed(http: &reqwest::Client, base: &str, token: &str) -> anyhow::Result<usize> {
    let mut n = 0;
    let mut cursor = String::new();
    loop {
        let url = format!("{base}/api/v1/orders?status=closed&limit=500{cursor}");
        let page: serde_json::Value = http
            .get(&url)
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        n += page["items"].as_array().map_or(0, Vec::len);
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return Ok(n),
        }
    }
}

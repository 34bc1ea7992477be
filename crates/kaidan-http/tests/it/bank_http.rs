//! Bank statement import over the API and the page (FIN-3, ADR 0023), in
//! process on both databases: lines matched by invoice number, customer
//! code and payer name become verified receipts paying the right invoices;
//! unknown payers wait and are assigned or ignored; money out is skipped;
//! the same statement again counts nothing twice; a broken file is refused
//! whole, naming its rows; an Excel export with real date and number cells.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use axum::http::{Method, StatusCode};
use kaidan_domain::Role;
use serde_json::{Value, json};
use support::{T, assert_has, csrf, on_each_backend};

struct World {
    admin: String,
    finance: String,
    wh: String,
    customer: i64,
    other: i64,
    product: i64,
}

/// A product at 99.50, 100 in stock, franchisee FR-1 加盟商一号 (monthly
/// settlement) and FR-2 加盟商二号, tokens of admin, finance, warehouse.
async fn world(t: &T) -> World {
    let admin = t.user_token("boss", &[Role::Admin]).await;
    let finance = t.user_token("cw", &[Role::Finance]).await;
    let wh = t.user_token("wh", &[Role::Warehouse]).await;
    let p = t.post_json("/api/v1/products", &admin, json!({"sku": "F-1", "name": "衬衫", "spec": "M", "unit": "件", "season": "spring_summer",
               "launch_priority": 1, "list_price": "99.50", "tax_rate": "0.13"})).await.json();
    t.post_json(
        "/api/v1/warehouses",
        &admin,
        json!({"code": "WH", "name": "总仓", "is_central": true}),
    )
    .await;
    t.upload(
        "/api/v1/import/stock?file=s.csv",
        &admin,
        "sku,warehouse_code,quantity\nF-1,WH,100\n",
    )
    .await;
    let mut ids = Vec::new();
    for (code, name, tax) in [
        ("FR-1", "加盟商一号", "91440300MA5FXXXX1X"),
        ("FR-2", "加盟商二号", "91440300MA5FYYYY2Y"),
    ] {
        let c = t.post_json("/api/v1/customers", &admin, json!({"code": code, "name": name, "kind": "franchisee",
            "payment_terms": "monthly_settlement", "payment_method": "bank_transfer", "credit_limit": "100000",
            "address": "深圳", "tax_number": tax})).await;
        assert_eq!(c.status, StatusCode::CREATED, "{}", c.text());
        ids.push(c.json()["id"].as_i64().unwrap());
    }
    World {
        admin,
        finance,
        wh,
        customer: ids[0],
        other: ids[1],
        product: p["id"].as_i64().unwrap(),
    }
}

/// An order of `qty` units of FR-1, approved, picked, shipped and invoiced;
/// the invoice.
async fn invoiced(t: &T, w: &World, qty: i64) -> Value {
    let order = json!({"customer_id": w.customer, "channel": "phone", "order_date": "2026-11-23",
                       "lines": [{"product_id": w.product, "quantity": qty}]});
    let id = t.post_json("/api/v1/orders", &w.admin, order).await.json()["id"]
        .as_i64()
        .unwrap();
    t.post_json(&format!("/api/v1/orders/{id}/review"), &w.admin, json!({}))
        .await;
    t.post_json(
        &format!("/api/v1/orders/{id}/finance-review"),
        &w.admin,
        json!({"decision": "pass"}),
    )
    .await;
    let r = t
        .post_json("/api/v1/pick-lists", &w.wh, json!({"order_ids": [id]}))
        .await;
    let lid = r.json()[0]["id"].as_i64().unwrap();
    t.post_json(
        &format!("/api/v1/pick-lists/{lid}/pick"),
        &w.wh,
        json!({"lines": [{"line_no": 1, "picked": qty}], "packages": 1}),
    )
    .await;
    let s = t
        .post_json(
            &format!("/api/v1/pick-lists/{lid}/ship"),
            &w.wh,
            json!({"carrier": "顺丰", "tracking_no": format!("SF{lid}"), "eta": "2999-01-01"}),
        )
        .await;
    assert_eq!(s.status, StatusCode::CREATED, "{}", s.text());
    let r = t
        .post_json(
            "/api/v1/invoices",
            &w.finance,
            json!({"shipment_id": s.json()["id"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

fn today() -> String {
    jiff::Timestamp::now()
        .to_zoned(kaidan_domain::orders::company_time_zone())
        .date()
        .to_string()
}

/// `GET` of an invoice's open amount.
async fn open(t: &T, w: &World, invoice: &Value) -> Value {
    t.get(&format!("/api/v1/invoices/{}", invoice["id"]), &w.finance)
        .await
        .json()["open"]
        .clone()
}

const HEADER: &str = "交易日期,贷方金额(元),借方金额(元),对方户名,对方账号,交易流水号,摘要,余额\n";

#[tokio::test]
#[rustfmt::skip]
async fn fin_3_a_bank_statement_pays_the_named_invoice_finds_customers_and_counts_nothing_twice() {
    on_each_backend(|t| async move {
        let w = world(&t).await;
        let older = invoiced(&t, &w, 3).await;
        let named = invoiced(&t, &w, 1).await;
        let (d, iv) = (today(), named["number"].as_str().unwrap().replace('-', ""));
        // The memo names the newer invoice without dashes, as banks write it;
        // FR-2's code is in a memo; a stranger pays; rent goes out.
        let csv = format!("{HEADER}{d},99.50,,某某贸易公司,6222001,TX001,货款 {iv},1\n\
            {d},\"1,000.00\",,张三,6222002,TX002,FR-2订货款,2\n\
            {d},1000.00,,陌生公司,6222003,TX003,往来款,3\n\
            {d},,300.00,房东,6222004,TX004,房租,4\n");
        let rep = t.user_token("rep", &[Role::SalesRep]).await;
        assert_eq!(t.upload("/api/v1/bank-statements?file=12月.csv", &rep, csv.clone()).await.status, StatusCode::FORBIDDEN);
        let r = t.upload("/api/v1/bank-statements?file=12月.csv", &w.finance, csv.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let rep = r.json();
        assert_eq!((rep["rows"].clone(), rep["money_in"].clone(), rep["skipped_out"].clone(), rep["duplicates"].clone(), rep["matched"].clone(), rep["unmatched"].clone()),
            (json!(4), json!(3), json!(1), json!(0), json!(2), json!(1)), "{rep}");
        let first = &rep["receipts"][0];
        assert_eq!((first["rule"].clone(), first["invoice"].clone(), first["applied"].clone(), first["customer_code"].clone()),
            (json!("invoice"), named["number"].clone(), json!("99.5"), json!("FR-1")), "{rep}");
        // The named invoice is paid, not the older one oldest-due-first would take.
        assert_eq!((open(&t, &w, &named).await, open(&t, &w, &older).await), (json!("0"), json!("298.5")));
        let second = &rep["receipts"][1];
        assert_eq!((second["rule"].clone(), second["customer_id"].clone(), second["applied"].clone()), (json!("customer_code"), json!(w.other), json!("0")), "{rep}");
        // The receipt is verified by the importing finance user, the statement its voucher.
        let rc = t.get(&format!("/api/v1/receipts/{}", first["receipt_id"]), &w.finance).await.json();
        assert_eq!((rc["status"].clone(), rc["bank_reference"].clone(), rc["method"].clone(), rc["received_on"].clone(), rc["decided_by_name"].clone()),
            (json!("verified"), json!("TX001"), json!("bank_transfer"), json!(d), json!("cw")), "{rc}");
        let acct = t.get(&format!("/api/v1/customers/{}/account", w.other), &w.finance).await.json();
        assert_eq!(acct["balance"]["funds"], "1000", "{acct}");
        // The same statement again: nothing new.
        let again = t.upload("/api/v1/bank-statements?file=12月-again.csv", &w.finance, csv).await.json();
        assert_eq!((again["duplicates"].clone(), again["matched"].clone(), again["unmatched"].clone(), again["skipped_out"].clone(), again["receipts"].clone()),
            (json!(3), json!(0), json!(0), json!(1), json!([])), "{again}");
        assert_eq!(t.get("/api/v1/receipts", &w.finance).await.json().as_array().unwrap().len(), 2);
        assert_eq!(t.get("/api/v1/bank-lines", &w.finance).await.json().as_array().unwrap().len(), 3);
        // The stranger's line waits; finance assigns it to FR-1: verified, and
        // it pays the older invoice, the rest is funds.
        let waiting = t.get("/api/v1/bank-lines?status=unmatched", &w.finance).await.json();
        assert_eq!((waiting.as_array().unwrap().len(), waiting[0]["payer"].clone()), (1, json!("陌生公司")), "{waiting}");
        let lid = waiting[0]["id"].as_i64().unwrap();
        assert_eq!(t.post_json(&format!("/api/v1/bank-lines/{lid}/assign"), &w.finance, json!({"customer_id": 999_999})).await.json()["errors"][0]["field"], "customer_id");
        let r = t.post_json(&format!("/api/v1/bank-lines/{lid}/assign"), &w.finance, json!({"customer_id": w.customer})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let line = r.json();
        assert_eq!((line["status"].clone(), line["rule"].clone(), line["customer"].clone()), (json!("assigned"), json!("manual"), json!("FR-1 加盟商一号")), "{line}");
        let rc = t.get(&format!("/api/v1/receipts/{}", line["receipt_id"]), &w.finance).await.json();
        assert_eq!((rc["status"].clone(), rc["applied"].clone(), rc["unapplied"].clone()), (json!("verified"), json!("298.5"), json!("701.5")), "{rc}");
        assert_eq!(open(&t, &w, &older).await, json!("0"));
        let r = t.post_json(&format!("/api/v1/bank-lines/{lid}/assign"), &w.finance, json!({"customer_id": w.customer})).await;
        assert_eq!((r.status, r.json()["errors"][0]["code"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("illegal_transition")), "{}", r.text());
        assert_eq!(t.get("/api/v1/bank-lines?status=unmatched", &w.finance).await.json(), json!([]));
        assert_eq!(t.get("/api/v1/bank-lines?status=paid", &w.finance).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        t.assert_described(&[("/api/v1/bank-statements", "post"), ("/api/v1/bank-lines", "get"),
            ("/api/v1/bank-lines/{id}/assign", "post"), ("/api/v1/bank-lines/{id}/ignore", "post")]).await;
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn fin_3_a_bank_file_with_broken_rows_is_refused_whole_naming_rows_and_columns() {
    on_each_backend(|t| async move {
        let w = world(&t).await;
        let d = today();
        let csv = format!("{HEADER}{d},100,,加盟商一号,1,TX1,货款,1\n2026-02-30,100,,某人,2,TX2,货款,2\n{d},abc,,某人,3,TX3,货款,3\n{d},100.001,,某人,4,TX4,货款,4\n");
        let r = t.upload("/api/v1/bank-statements?file=bad.csv", &w.finance, csv).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let rows: Vec<(i64, String)> = r.json()["rows"].as_array().unwrap().iter()
            .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap().to_string())).collect();
        assert_eq!(rows, [(3, "交易日期".to_string()), (4, "贷方金额(元)".to_string()), (5, "贷方金额(元)".to_string())], "{}", r.text());
        // Nothing was written, not even the good first row.
        assert_eq!(t.get("/api/v1/bank-lines?status=all", &w.finance).await.json(), json!([]));
        assert_eq!(t.get("/api/v1/receipts", &w.finance).await.json(), json!([]));
        // A header without an amount column is refused on row 1.
        let r = t.upload("/api/v1/bank-statements?file=bad.csv", &w.finance, "交易日期,对方户名\n2026-12-01,x\n").await;
        assert_eq!((r.status, r.json()["rows"][0]["row"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!(1)), "{}", r.text());
        let r = t.upload("/api/v1/bank-statements?file=statement.txt", &w.finance, "x").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        // An unknown payer waits; finance ignores the line, with a reason.
        let r = t.upload("/api/v1/bank-statements?file=ok.csv", &w.finance, format!("{HEADER}{d},0.35,,银行,,INT-1,结息,1\n")).await;
        assert_eq!(r.json()["unmatched"], 1, "{}", r.text());
        let lid = t.get("/api/v1/bank-lines?status=unmatched", &w.finance).await.json()[0]["id"].as_i64().unwrap();
        let r = t.post_json(&format!("/api/v1/bank-lines/{lid}/ignore"), &w.finance, json!({"reason": " "})).await;
        assert_eq!((r.status, r.json()["errors"][0]["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("reason")), "{}", r.text());
        let r = t.post_json(&format!("/api/v1/bank-lines/{lid}/ignore"), &w.finance, json!({"reason": "银行结息"})).await;
        assert_eq!((r.json()["status"].clone(), r.json()["note"].clone()), (json!("ignored"), json!("银行结息")), "{}", r.text());
        let r = t.post_json(&format!("/api/v1/bank-lines/{lid}/assign"), &w.finance, json!({"customer_id": w.customer})).await;
        assert_eq!(r.json()["errors"][0]["code"], "illegal_transition", "{}", r.text());
        assert_eq!(t.post_json("/api/v1/bank-lines/999999/ignore", &w.finance, json!({"reason": "x"})).await.status, StatusCode::NOT_FOUND);
    })
    .await;
}

/// An Excel statement as a bank writes it: a real date cell and a number.
fn xlsx(rows: &[(jiff::civil::Date, f64, &str, &str, &str)]) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let day = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["记账日期", "收入金额", "付款人", "凭证号", "用途"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (i, (d, amount, payer, reference, memo)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let date =
            ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).unwrap();
        sheet.write_datetime_with_format(r, 0, &date, &day).unwrap();
        sheet.write_number(r, 1, *amount).unwrap();
        sheet.write_string(r, 2, *payer).unwrap();
        sheet.write_string(r, 3, *reference).unwrap();
        sheet.write_string(r, 4, *memo).unwrap();
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
#[rustfmt::skip]
async fn fin_3_an_excel_statement_is_imported_and_its_payer_found_by_name() {
    on_each_backend(|t| async move {
        let w = world(&t).await;
        let inv = invoiced(&t, &w, 2).await;
        let d: jiff::civil::Date = today().parse().unwrap();
        let file = xlsx(&[(d, 1234.5, "加盟商一号", "B-0001", "货款"), (d, 20.0, "加盟商二号", "B-0002", "")]);
        let r = t.upload("/api/v1/bank-statements?file=statement.xlsx", &w.finance, file.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let rep = r.json();
        assert_eq!((rep["matched"].clone(), rep["receipts"][0]["rule"].clone(), rep["receipts"][0]["amount"].clone(), rep["receipts"][0]["applied"].clone()),
            (json!(2), json!("payer_name"), json!("1234.5"), json!("199")), "{rep}");
        assert_eq!(open(&t, &w, &inv).await, json!("0"));
        let rc = t.get(&format!("/api/v1/receipts/{}", rep["receipts"][0]["receipt_id"]), &w.finance).await.json();
        assert_eq!(rc["received_on"], json!(d.to_string()), "{rc}");
        let again = t.upload("/api/v1/bank-statements?file=statement.xlsx", &w.finance, file).await.json();
        assert_eq!((again["duplicates"].clone(), again["matched"].clone()), (json!(2), json!(0)), "{again}");
    })
    .await;
}

/// A multipart form with the CSRF token and one file.
fn multipart(csrf: &str, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    support::multipart(&[("_csrf", csrf)], &[("file", name, "text/csv", bytes)])
}

#[tokio::test]
#[rustfmt::skip]
async fn fin_3_finance_imports_a_statement_and_assigns_a_line_on_the_page() {
    on_each_backend(|t| async move {
        let w = world(&t).await;
        let cw = t.login("cw").await;
        let html = t.page("/finance/bank", &cw).await.text();
        assert_has(&html, &["银行流水", "导入银行流水", "bank-form"]);
        let token = csrf(&html);
        let d = today();
        let csv = format!("{HEADER}{d},88.00,,加盟商二号,1,P-1,,1\n{d},66.00,,路人甲,2,P-2,,2\n");
        let (kind, body) = multipart(&token, "流水.csv", csv.as_bytes());
        let r = t.call(Method::POST, "/finance/bank", &[("cookie", cw.as_str()), ("content-type", kind.as_str())], Some(body)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_has(&r.text(), &["导入结果", "id=\"bank-matched\">1<", "id=\"bank-unmatched\">1<", "FR-2 加盟商二号", "路人甲", "指定客户"]);
        let lid = t.get("/api/v1/bank-lines?status=unmatched", &w.finance).await.json()[0]["id"].as_i64().unwrap();
        let r = t.post(&format!("/finance/bank/lines/{lid}"), &cw, support::form(&[("_csrf", &token), ("action", "assign"), ("customer_id", "")])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let c = w.customer.to_string();
        let r = t.post(&format!("/finance/bank/lines/{lid}"), &cw, support::form(&[("_csrf", &token), ("action", "assign"), ("customer_id", &c)])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = t.page("/finance/bank?status=assigned", &cw).await.text();
        assert_has(&html, &["FR-1 加盟商一号", "路人甲", "RC-"]);
        // The lines as Excel, with the page's status filter.
        assert_has(&html, &["bank-export", "status=assigned&amp;format=xlsx"]);
        let x = t.page("/finance/bank?status=assigned&format=xlsx", &cw).await;
        assert_eq!((x.status, &x.body[..2]), (StatusCode::OK, &b"PK"[..]), "{}", x.text());
        let sheet = kaidan_io::read_table("bank.xlsx", &x.body).unwrap();
        assert_eq!(sheet.columns, ["交易日期", "金额", "对方户名", "对方账号", "流水号", "摘要/附言", "状态", "客户", "收款单", "备注"]);
        assert_eq!(sheet.rows.len(), 1, "{:?}", sheet.rows);
        let row = &sheet.rows[0].cells;
        assert_eq!((row[0].as_str(), row[2].as_str(), row[4].as_str(), row[7].as_str()),
            (d.as_str(), "路人甲", "P-2", "FR-1 加盟商一号"), "{row:?}");
        assert_eq!(row[1].parse::<kaidan_domain::Money>().unwrap(), kaidan_domain::Money::yuan(66));
        assert!(row[8].starts_with("RC-"), "{row:?}");
        let all = t.page("/finance/bank?status=all&format=xlsx", &cw).await;
        assert_eq!(kaidan_io::read_table("bank.xlsx", &all.body).unwrap().rows.len(), 2);
        let bad = t.page("/finance/bank?status=lost&format=xlsx", &cw).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text());
        // A broken file on the page: the rows are listed, nothing imported.
        let (kind, body) = multipart(&token, "bad.csv", format!("{HEADER}yesterday,1,,x,,,,\n").as_bytes());
        let r = t.call(Method::POST, "/finance/bank", &[("cookie", cw.as_str()), ("content-type", kind.as_str())], Some(body)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_has(&r.text(), &["bad.csv: row 2, column 交易日期", "未导入任何内容"]);
    })
    .await;
}

#[tokio::test]
#[rustfmt::skip]
async fn fin_3_the_same_statement_imported_eight_times_at_once_is_counted_once() {
    on_each_backend(|t| async move {
        let w = world(&t).await;
        let d = today();
        let csv = format!("{HEADER}{d},500.00,,张三,6222002,TX-A,FR-2,1\n{d},20.00,,加盟商一号,6222005,TX-B,,2\n{d},7.00,,谁,6222009,TX-C,,3\n");
        let tries = (0..8).map(|_| t.upload("/api/v1/bank-statements?file=same.csv", &w.finance, csv.clone()));
        let results = futures::future::join_all(tries).await;
        let ok: Vec<Value> = results.iter().filter(|r| r.status == StatusCode::OK).map(|r| r.json()).collect();
        assert!(results.iter().all(|r| r.status == StatusCode::OK || r.status == StatusCode::CONFLICT), "{:?}", results.iter().map(|r| r.text()).collect::<Vec<_>>());
        let sum = |k: &str| ok.iter().map(|r| r[k].as_i64().unwrap()).sum::<i64>();
        assert_eq!((sum("matched"), sum("unmatched")), (2, 1), "{ok:?}");
        assert_eq!(t.get("/api/v1/receipts", &w.finance).await.json().as_array().unwrap().len(), 2);
        assert_eq!(t.get("/api/v1/bank-lines", &w.finance).await.json().as_array().unwrap().len(), 3);
        let acct = t.get(&format!("/api/v1/customers/{}/account", w.other), &w.finance).await.json();
        assert_eq!(acct["balance"]["funds"], "500", "{acct}");
    })
    .await;
}

//! Issue 16, "keep it so": every operation of the published OpenAPI
//! document is sent bodies, paths and queries generated from its own schema
//! and then broken on purpose (wrong types, NUL and over-long texts, numbers
//! at and past every bound, missing and unknown fields, trailing data),
//! on both databases. Whatever is sent: no 5xx, every error is
//! `application/problem+json`, and a refused request writes nothing (the
//! outbox, which every change writes in its transaction, does not grow).
//!
//! The generator is seeded, so a failure names its seed and repeats.
//! `KAIDAN_FUZZ_CASES` sets the cases per operation (CI: the default).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use kaidan_app::clock::SystemClock;
use kaidan_app::ports::Store;
use kaidan_domain::Role;
use serde_json::{Map, Value, json};

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng};

use crate::support::{Res, T};

/// Cases per operation in CI; each is one request on each database.
const DEFAULT_CASES: u64 = 10;

/// Seeded, so that a failing case comes back from the seed it prints.
struct Rng(StdRng);

impl Rng {
    fn seeded(seed: u64) -> Self {
        Rng(StdRng::seed_from_u64(seed))
    }
    fn below(&mut self, n: usize) -> usize {
        self.0.gen_range(0..n)
    }
    fn chance(&mut self, percent: u32) -> bool {
        self.0.gen_ratio(percent, 100)
    }
    fn pick<'a, X>(&mut self, items: &'a [X]) -> &'a X {
        &items[self.below(items.len())]
    }
}

fn nasty_texts() -> Vec<String> {
    vec![
        String::new(),
        " ".into(),
        "x".into(),
        "中文名称".into(),
        "a\u{0}b".into(),
        "\u{1}".into(),
        "=HYPERLINK(\"http://x\")".into(),
        "x".repeat(10_001),
        "2026-01-31".into(),
        "2026-13-45".into(),
        "9223372036854775807".into(),
        "-1".into(),
        "0.005".into(),
        "99999999999999999999.99".into(),
        "1".into(),
        "SO-2026-000001".into(),
        "<script>alert(1)</script>".into(),
        "' OR 1=1 --".into(),
    ]
}

fn nasty_numbers() -> Vec<Value> {
    vec![
        json!(0),
        json!(1),
        json!(2),
        json!(-1),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(4_611_686_018_427_387_904_i64),
        json!(9_007_199_254_740_993_i64),
        json!(1.5),
        json!(1e300),
        json!(u64::MAX),
    ]
}

/// The schema behind a `$ref`, or the schema itself.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let mut s = schema;
    for _ in 0..8 {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.rsplit('/').next().unwrap_or_default();
                s = &doc["components"]["schemas"][name];
            }
            None => break,
        }
    }
    s
}

/// A value that fits `schema` most of the time and breaks it some of the
/// time; `depth` keeps recursive schemas finite.
fn generate(doc: &Value, schema: &Value, rng: &mut Rng, depth: u32) -> Value {
    let s = resolve(doc, schema);
    if depth > 6 || rng.chance(6) {
        return wild(rng);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = s.get(key).and_then(Value::as_array)
            && !options.is_empty()
        {
            let option = rng.pick(options).clone();
            return generate(doc, &option, rng, depth + 1);
        }
    }
    if let Some(parts) = s.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in parts {
            if let Value::Object(m) = generate(doc, part, rng, depth + 1) {
                merged.extend(m);
            }
        }
        return Value::Object(merged);
    }
    if let Some(values) = s.get("enum").and_then(Value::as_array)
        && !values.is_empty()
    {
        return if rng.chance(85) {
            rng.pick(values).clone()
        } else {
            json!("no_such_value")
        };
    }
    let kind = match s.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => {
            let ts: Vec<&str> = ts.iter().filter_map(Value::as_str).collect();
            if ts.is_empty() {
                "string".into()
            } else {
                (*rng.pick(&ts)).to_string()
            }
        }
        _ if s.get("properties").is_some() => "object".into(),
        _ => return wild(rng),
    };
    match kind.as_str() {
        "object" => {
            let mut out = Map::new();
            let required: Vec<&str> = s
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(props) = s.get("properties").and_then(Value::as_object) {
                for (name, p) in props {
                    let needed = required.contains(&name.as_str());
                    if (needed && !rng.chance(5)) || (!needed && rng.chance(50)) {
                        out.insert(name.clone(), generate(doc, p, rng, depth + 1));
                    }
                }
            }
            if rng.chance(5) {
                out.insert("unknown_field".into(), json!(1));
            }
            Value::Object(out)
        }
        "array" => {
            let items = s.get("items").cloned().unwrap_or(json!({}));
            let n = if rng.chance(5) { 40 } else { rng.below(4) };
            Value::Array(
                (0..n)
                    .map(|_| generate(doc, &items, rng, depth + 1))
                    .collect(),
            )
        }
        "integer" | "number" => rng.pick(&nasty_numbers()).clone(),
        "boolean" => json!(rng.chance(50)),
        "null" => Value::Null,
        _ => {
            if s.get("format").and_then(Value::as_str) == Some("date") && rng.chance(60) {
                json!("2026-06-30")
            } else {
                json!(rng.pick(&nasty_texts()))
            }
        }
    }
}

/// Any JSON value at all, for a place that expects something else.
fn wild(rng: &mut Rng) -> Value {
    match rng.below(6) {
        0 => Value::Null,
        1 => json!(rng.pick(&nasty_texts())),
        2 => rng.pick(&nasty_numbers()).clone(),
        3 => json!([]),
        4 => json!({}),
        _ => json!(true),
    }
}

const PATH_VALUES: &[&str] = &[
    "1",
    "1",
    "2",
    "0",
    "-1",
    "999999999",
    "abc",
    "9223372036854775808",
    "2026-06",
    "SO-2026-000001",
    "%00",
    "%E4%B8%AD",
];

fn fill_path(template: &str, rng: &mut Rng) -> String {
    template
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') {
                (*rng.pick(PATH_VALUES)).to_string()
            } else {
                seg.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn query(op: &Value, rng: &mut Rng) -> String {
    let mut parts = Vec::new();
    for p in op["parameters"].as_array().into_iter().flatten() {
        if p["in"] == "query" && rng.chance(40) {
            let v = match rng.below(3) {
                0 => (*rng.pick(PATH_VALUES)).to_string(),
                1 => "%00".to_string(),
                _ => crate::support::enc(rng.pick(&nasty_texts()).as_str()),
            };
            parts.push(format!("{}={v}", p["name"].as_str().unwrap_or("q")));
        }
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// The body of one case: generated from the schema, sometimes broken at
/// the byte level.
fn body(doc: &Value, op: &Value, rng: &mut Rng) -> Option<Vec<u8>> {
    let schema = &op["requestBody"]["content"]["application/json"]["schema"];
    if schema.is_null() {
        return if rng.chance(30) {
            Some(br#"{"x":1}"#.to_vec())
        } else {
            None
        };
    }
    let mut bytes = serde_json::to_vec(&generate(doc, schema, rng, 0)).unwrap();
    match rng.below(12) {
        0 => bytes.extend_from_slice(b" {\"again\":1}"),
        1 => bytes.truncate(bytes.len() / 2),
        2 => bytes = b"[]".to_vec(),
        _ => {}
    }
    Some(bytes)
}

async fn outbox_len(store: &dyn Store) -> usize {
    let mut tx = store.read().await.unwrap();
    tx.outbox_pending(1_000_000).await.unwrap().len()
}

fn check(res: &Res, what: &str) {
    assert!(
        !res.status.is_server_error(),
        "{what}: answered {} {}",
        res.status,
        res.text()
    );
    if res.status.as_u16() >= 400 {
        let ct = res.header("content-type");
        assert!(
            ct.starts_with("application/problem+json"),
            "{what}: error {} answered as '{ct}': {}",
            res.status,
            res.text()
        );
        let p = res.json();
        assert!(
            p["status"] == res.status.as_u16() && p["title"].is_string(),
            "{what}: not a problem document: {}",
            res.text()
        );
    }
}

#[tokio::test]
async fn hardening_fuzz_every_operation_from_its_own_schema() {
    let cases: u64 = std::env::var("KAIDAN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    kaidan_store::testing::on_each_backend(|b| async move {
        let app = b.app(Arc::new(SystemClock)).await;
        let router = kaidan_http::router(app.clone(), kaidan_http::HttpConfig::default());
        let t = T {
            router,
            app: app.clone(),
            backend: b.name,
        };
        let token = t.user_token("fuzzer", &[Role::Admin]).await;
        seed(&t, &token).await;
        let store: &dyn Store = &b.db;
        let doc = t
            .call(Method::GET, "/api/openapi.json", &[], None)
            .await
            .json();
        let auth = format!("Bearer {token}");
        let mut sent = 0u64;
        for (template, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let Ok(m) = method.to_uppercase().parse::<Method>() else {
                    continue;
                };
                for case in 0..cases {
                    let seed = seed_of(template, method, case);
                    let mut rng = Rng::seeded(seed);
                    let path = format!("{}{}", fill_path(template, &mut rng), query(op, &mut rng));
                    let body = body(&doc, op, &mut rng);
                    let before = outbox_len(store).await;
                    let mut headers = vec![("authorization", auth.as_str())];
                    if body.is_some() {
                        headers.push(("content-type", "application/json"));
                    }
                    if m == Method::PATCH || m == Method::PUT {
                        headers.push(("if-match", "\"1\""));
                    }
                    let res = t.call(m.clone(), &path, &headers, body.clone()).await;
                    let what = format!(
                        "{} {method} {path} (seed {seed}) body {}",
                        b.name,
                        String::from_utf8_lossy(body.as_deref().unwrap_or_default())
                            .chars()
                            .take(400)
                            .collect::<String>()
                    );
                    check(&res, &what);
                    if res.status.as_u16() >= 400 {
                        assert_eq!(
                            outbox_len(store).await,
                            before,
                            "{what}: refused with {} but wrote events",
                            res.status
                        );
                    }
                    sent += 1;
                }
            }
        }
        eprintln!("fuzz_api: {sent} requests on {}", b.name);
        assert!(sent > 200, "the document lists too few operations: {sent}");
    })
    .await;
}

/// Records the fuzz can hit by id 1 and 2: warehouses, products, a
/// customer, stock and an order, made through the API as a user would.
async fn seed(t: &T, token: &str) {
    let product = |sku: &str| {
        json!({"sku": sku, "name": "衬衫", "spec": "M/白", "unit": "件", "season": "spring_summer",
               "launch_priority": 1, "list_price": "99.50", "tax_rate": "0.13"})
    };
    for (path, body) in [
        (
            "/api/v1/warehouses",
            json!({"code": "WH1", "name": "总仓", "is_central": true}),
        ),
        ("/api/v1/warehouses", json!({"code": "WH2", "name": "二仓"})),
        ("/api/v1/products", product("P1")),
        ("/api/v1/products", product("P2")),
        (
            "/api/v1/customers",
            json!({"code": "FR-1", "name": "加盟商", "kind": "franchisee",
                   "payment_terms": "prepayment", "payment_method": "bank_transfer", "address": "深圳"}),
        ),
        (
            "/api/v1/stock/receipts",
            json!({"product_id": 1, "warehouse_id": 1, "quantity": 100, "source": "PO-1"}),
        ),
    ] {
        let r = t.post_json(path, token, body).await;
        assert!(
            r.status.is_success(),
            "seed {path}: {} {}",
            r.status,
            r.text()
        );
    }
    let r = t
        .post_json(
            "/api/v1/orders",
            token,
            json!({"customer_id": 1, "channel": "phone", "order_date": "2026-11-23",
                   "lines": [{"product_id": 1, "quantity": 3}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "seed order: {}", r.text());
}

fn seed_of(path: &str, method: &str, case: u64) -> u64 {
    path.bytes()
        .chain(method.bytes())
        .fold(case.wrapping_mul(0x100_0000_01B3), |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
        })
}

//! The in-process harness of the HTTP tests: the real router over a fresh
//! database, once per backend (SQLite always, PostgreSQL when
//! KAIDAN_TEST_DATABASE_URL is set).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use kaidan_app::users::NewUserInput;
use kaidan_app::{App, Ctx};
use kaidan_domain::Role;
use kaidan_store::testing::on_each_app;
use serde_json::Value;
use tower::ServiceExt;

pub struct T {
    pub router: Router,
    pub app: App,
    pub backend: &'static str,
}

pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Res {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
    /// The `name=value` of the cookie the response sets.
    pub fn cookie(&self) -> String {
        self.header("set-cookie")
            .split(';')
            .next()
            .unwrap()
            .to_string()
    }
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
}

impl T {
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Res {
        let mut req = Request::builder().method(method).uri(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req
            .body(body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Res {
            status,
            headers,
            body,
        }
    }

    /// A user with these roles and an API token for it.
    pub async fn user_token(&self, name: &str, roles: &[Role]) -> String {
        self.customer_user_token(name, roles, None).await
    }

    /// A user with these roles, of `customer` for a portal user, and an
    /// API token for it.
    pub async fn customer_user_token(
        &self,
        name: &str,
        roles: &[Role],
        customer: Option<i64>,
    ) -> String {
        let u = self
            .app
            .create_user(
                &Ctx::system(),
                NewUserInput {
                    username: name.into(),
                    display_name: String::new(),
                    password: "correct horse".into(),
                    roles: roles.to_vec(),
                    customer_id: customer.map(kaidan_domain::CustomerId),
                },
            )
            .await
            .unwrap();
        self.app
            .add_token(&Ctx::system(), u.id, "test")
            .await
            .unwrap()
            .token
    }
}

impl T {
    /// Logs in on the login page (password of `user_token`); the session
    /// cookie.
    pub async fn login(&self, name: &str) -> String {
        let body = format!("username={name}&password=correct+horse");
        let r = self
            .call(
                Method::POST,
                "/login",
                &[("content-type", "application/x-www-form-urlencoded")],
                Some(body.into_bytes()),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        r.cookie()
    }

    /// A page's form posted with its CSRF token (`csrf`) and `fields`, as
    /// the user of `cookie`.
    pub async fn submit(
        &self,
        path: &str,
        cookie: &str,
        csrf: &str,
        fields: &[(&str, &str)],
    ) -> Res {
        let mut pairs = vec![("_csrf", csrf)];
        pairs.extend_from_slice(fields);
        self.post(path, cookie, form(&pairs)).await
    }

    /// A page, as the user of `cookie`.
    pub async fn page(&self, path: &str, cookie: &str) -> Res {
        self.call(Method::GET, path, &[("cookie", cookie)], None)
            .await
    }

    /// A form post (urlencoded `body`), as the user of `cookie`.
    pub async fn post(&self, path: &str, cookie: &str, body: String) -> Res {
        self.call(
            Method::POST,
            path,
            &[
                ("cookie", cookie),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            Some(body.into_bytes()),
        )
        .await
    }
}

impl T {
    /// A JSON request with a bearer token and extra headers.
    pub async fn json(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Value,
        extra: &[(&str, &str)],
    ) -> Res {
        self.json_call(method, path, token, Some(body), extra).await
    }

    /// A JSON post with a bearer token.
    pub async fn post_json(&self, path: &str, token: &str, body: Value) -> Res {
        self.json(Method::POST, path, token, body, &[]).await
    }

    /// As [`T::json`], with no body at all when `body` is None.
    pub async fn json_call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
        extra: &[(&str, &str)],
    ) -> Res {
        let auth = format!("Bearer {token}");
        let mut h = vec![
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
        ];
        h.extend_from_slice(extra);
        let body = body.map(|b| b.to_string().into_bytes());
        self.call(method, path, &h, body).await
    }

    /// A file posted as it is (an import), with a bearer token.
    pub async fn upload(&self, path: &str, token: &str, file: impl Into<Vec<u8>>) -> Res {
        let auth = format!("Bearer {token}");
        let h = [("authorization", auth.as_str())];
        self.call(Method::POST, path, &h, Some(file.into())).await
    }

    /// Asserts that the published OpenAPI document describes each of
    /// `ops`, (path, method).
    pub async fn assert_described(&self, ops: &[(&str, &str)]) {
        let doc = self
            .call(Method::GET, "/api/openapi.json", &[], None)
            .await
            .json();
        for (path, method) in ops {
            assert!(
                doc["paths"][path][method].is_object(),
                "{method} {path} is not described"
            );
        }
    }

    /// Reviews order `id` and passes its finance review, as `token`
    /// (an administrator); the approved order, asserted approved.
    pub async fn approve_order(&self, id: i64, token: &str) -> Value {
        self.post_json(
            &format!("/api/v1/orders/{id}/review"),
            token,
            serde_json::json!({}),
        )
        .await;
        let r = self
            .post_json(
                &format!("/api/v1/orders/{id}/finance-review"),
                token,
                serde_json::json!({"decision": "pass"}),
            )
            .await;
        assert_eq!(r.json()["status"], "approved", "{}", r.text());
        r.json()
    }

    pub async fn get(&self, path: &str, token: &str) -> Res {
        let auth = format!("Bearer {token}");
        self.call(Method::GET, path, &[("authorization", auth.as_str())], None)
            .await
    }
}

/// Asserts that `text` holds each of `wanted`.
#[track_caller]
/// The `(field, code)` of each error a refusal names.
pub fn codes(r: &Res) -> Vec<(String, String)> {
    r.json()["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or_default().to_string(),
                        e["code"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn assert_has(text: &str, wanted: &[&str]) {
    for want in wanted {
        assert!(text.contains(want), "{want} missing: {text}");
    }
}

/// Percent-encoding for form bodies.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An urlencoded form body.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The CSRF token of the first form on a page.
/// A multipart form body of text `fields` and `files` (field, file name,
/// content type, bytes), with its content type.
pub fn multipart(
    fields: &[(&str, &str)],
    files: &[(&str, &str, &str, &[u8])],
) -> (String, Vec<u8>) {
    let b = "----kaidanform";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (field, name, kind, bytes) in files {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: {kind}\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

pub fn csrf(html: &str) -> String {
    hidden(html, "_csrf")
}

/// The value of the first form field with this name whose value follows it
/// (hidden fields).
pub fn hidden(html: &str, name: &str) -> String {
    html.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

/// Runs `test` once per backend on a fresh, migrated database, with the
/// real router over a bootstrapped app.
pub async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = ()>,
{
    let test = &test;
    on_each_app(|app, backend| async move {
        let router = kaidan_http::router(app.clone(), kaidan_http::HttpConfig::default());
        test(T {
            router,
            app,
            backend,
        })
        .await;
    })
    .await;
}

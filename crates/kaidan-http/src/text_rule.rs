//! The text rule of the domain ([`kaidan_domain::text_problem`]) applied at
//! the door, before anything is parsed into a use case's input: a JSON body
//! whose strings hold control characters or exceed [`MAX_ANY_TEXT`], and a
//! URL with an encoded control character, are refused naming where. The
//! domain checks each field's own limit; this catches the texts that are
//! only looked up and never validated (a number in the path, a search), so
//! both databases answer the same (PostgreSQL cannot store NUL).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kaidan_domain::{FieldError, MAX_ANY_TEXT, text_problem};
use serde_json::Value;

use crate::problem::ApiError;

/// The problems of a JSON body's texts; empty when there are none or when
/// the body is not JSON (the parser reports that). Cheap for the usual
/// body: only a body with an escaped control character or one long enough
/// to hold an over-long text is walked.
pub fn bad_json_texts(body: &[u8]) -> Vec<FieldError> {
    if body.len() <= MAX_ANY_TEXT && !has_escaped_control(body) {
        return Vec::new();
    }
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    walk(&value, &mut String::new(), &mut found);
    found
}

/// `\u0000`–`\u001f` or `\u007f`–`\u009f` written as a JSON escape (raw
/// control bytes inside a string are not JSON at all).
fn has_escaped_control(body: &[u8]) -> bool {
    body.windows(6).any(|w| {
        w[0] == b'\\'
            && w[1] == b'u'
            && w[2] == b'0'
            && w[3] == b'0'
            && (matches!(w[4], b'0' | b'1' | b'8' | b'9')
                || (w[4] == b'7' && matches!(w[5], b'f' | b'F')))
    })
}

fn walk(value: &Value, path: &mut String, found: &mut Vec<FieldError>) {
    match value {
        Value::String(s) => {
            if let Some((code, message)) = text_problem(s, MAX_ANY_TEXT) {
                found.push(FieldError {
                    field: if path.is_empty() {
                        "body".to_string()
                    } else {
                        path.clone()
                    },
                    code,
                    message,
                });
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(item, path, found);
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                walk(item, path, found);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// Refuses a URL whose path or query holds an encoded control character
/// (`%00`) or a path segment longer than any key: 422 naming `path` or
/// `query`, before routing, for pages and API alike.
pub async fn refuse_bad_urls(req: Request, next: Next) -> Response {
    let uri = req.uri();
    let problem = if let Some(at) = encoded_control(uri.path()) {
        Some(("path", at))
    } else {
        uri.query()
            .and_then(encoded_control)
            .map(|at| ("query", at))
    };
    if let Some((part, code)) = problem {
        return ApiError::field(
            part,
            "control_character",
            format!("the URL's {part} holds the control character %{code}"),
        )
        .into_response();
    }
    if uri.path().len() > MAX_ANY_TEXT {
        return ApiError::field(
            "path",
            "too_long",
            format!("the URL's path must be at most {MAX_ANY_TEXT} characters"),
        )
        .into_response();
    }
    next.run(req).await
}

/// The first `%XX` in `s` that decodes to a control character, as `XX`.
fn encoded_control(s: &str) -> Option<String> {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(2)).find_map(|i| {
        if b[i] != b'%' {
            return None;
        }
        let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok()?;
        let byte = u8::from_str_radix(hex, 16).ok()?;
        (byte < 0x20 || byte == 0x7f).then(|| hex.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nul_and_names_the_field() {
        let found = bad_json_texts(br#"{"lines":[{"note":"a\u0000b"}],"x":"ok\n"}"#);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].field, "lines[0].note");
        assert_eq!(found[0].code, "control_character");
    }

    #[test]
    fn tab_and_newline_pass() {
        assert!(bad_json_texts(br#"{"a":"x\ty\nz\r","b":"\u4e2d"}"#).is_empty());
    }

    #[test]
    fn overlong_text_is_named() {
        let body = format!(r#"{{"name":"{}"}}"#, "x".repeat(MAX_ANY_TEXT + 1));
        let found = bad_json_texts(body.as_bytes());
        assert_eq!(found[0].field, "name");
        assert_eq!(found[0].code, "too_long");
    }

    #[test]
    fn encoded_controls_in_urls() {
        assert_eq!(
            encoded_control("/orders/by-number/SO%00"),
            Some("00".into())
        );
        assert_eq!(encoded_control("/x%7F"), Some("7F".into()));
        assert_eq!(encoded_control("/x%20y%E4%B8%AD"), None);
        assert_eq!(encoded_control("/x%2"), None);
    }
}

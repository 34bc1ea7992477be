//! For tests of printed documents (here and in the HTTP tests): the text of
//! a PDF as `pdftotext -layout` reads it (poppler-utils).

use std::io::Write;
use std::process::{Command, Stdio};

/// The PDF's text; `None` when `pdftotext` is not installed and
/// `KAIDAN_BROWSER_TESTS` is unset (a developer's machine). In CI, where
/// that variable is set, a missing `pdftotext` is a failure.
///
/// # Panics
/// When `pdftotext` is missing in CI or fails on the file: a test helper.
#[allow(clippy::expect_used, clippy::panic)]
pub fn pdf_text(pdf: &[u8]) -> Option<String> {
    let child = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) if std::env::var_os("KAIDAN_BROWSER_TESTS").is_none() => {
            eprintln!("pdftotext not available ({e}): PDF text not checked");
            return None;
        }
        Err(e) => panic!("pdftotext is needed (apt-get install poppler-utils): {e}"),
    };
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(pdf).expect("PDF to pdftotext");
    }
    let out = child.wait_with_output().expect("pdftotext runs");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The text with all whitespace removed, for checks that must not depend on
/// how the layout spaced a line.
pub fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

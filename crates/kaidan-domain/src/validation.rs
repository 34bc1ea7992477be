//! Field-level validation errors. Bad input is never silently fixed: every
//! problem names the field (a JSON pointer-like path such as `lines[2].qty`)
//! and what is wrong with it, in words a clerk understands.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// Where: a field name or path, e.g. `sku` or `items[3].price`.
    pub field: String,
    /// A stable machine code, e.g. `required`, `too_long`, `invalid`.
    pub code: &'static str,
    /// What is wrong, in English; pages translate by `code`.
    pub message: String,
}

/// The longest reason a cancellation or refusal may give.
pub const MAX_REASON: usize = 500;

/// The longest text any field may hold, whatever it is: fields with a
/// lower limit of their own say so; this one also bounds texts that are
/// only looked up (a number in a URL, a search) so that no value reaches
/// an index over its row limit.
pub const MAX_ANY_TEXT: usize = 10_000;

/// What is wrong with a text under the rule every text follows, the same
/// on both databases: at most `max` characters, and no control characters
/// except tab, line feed and carriage return (PostgreSQL cannot store NUL;
/// the others are never typed and break exports). `None` when it is fine.
pub fn text_problem(value: &str, max: usize) -> Option<(&'static str, String)> {
    if let Some(c) = value.chars().find(|c| is_forbidden_control(*c)) {
        return Some((
            "control_character",
            format!(
                "must not contain the control character U+{:04X}",
                u32::from(c)
            ),
        ));
    }
    if value.chars().count() > max {
        return Some(("too_long", format!("must be at most {max} characters")));
    }
    None
}

/// A control character no text may hold.
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// All problems found in one input, never just the first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, thiserror::Error)]
#[error("{} invalid field(s): {}", .errors.len(), summary(.errors))]
pub struct ValidationErrors {
    pub errors: Vec<FieldError>,
}

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        let mut v = Self::new();
        v.add(field, code, message);
        v
    }

    pub fn add(
        &mut self,
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) {
        self.errors.push(FieldError {
            field: field.into(),
            code,
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Ok(value) when nothing was found wrong.
    pub fn into_result<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    /// Prefixes every field with `prefix.` (for nested inputs).
    pub fn nest(&mut self, prefix: &str, inner: ValidationErrors) {
        for mut e in inner.errors {
            e.field = format!("{prefix}.{}", e.field);
            self.errors.push(e);
        }
    }

    /// Takes over every error of `inner` as it is.
    pub fn merge(&mut self, inner: ValidationErrors) {
        self.errors.extend(inner.errors);
    }

    /// A required, trimmed text of at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let t = value.trim();
        if t.is_empty() {
            self.add(field, "required", "is required");
        } else {
            self.max_chars(field, t, max);
        }
        t.to_string()
    }

    /// One required text checked on its own: the trimmed text, or its error.
    pub fn single_text(field: &str, value: &str, max: usize) -> Result<String, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let text = e.text(field, value, max);
        e.into_result(text)
    }

    /// Why a document is cancelled or refused: required, at most
    /// [`MAX_REASON`] characters, in the field `reason`.
    pub fn reason(value: &str) -> Result<String, ValidationErrors> {
        ValidationErrors::single_text("reason", value, MAX_REASON)
    }

    /// An optional trimmed text; empty becomes `None`.
    pub fn optional_text(
        &mut self,
        field: &str,
        value: Option<&str>,
        max: usize,
    ) -> Option<String> {
        let t = value.map(str::trim).filter(|s| !s.is_empty())?;
        self.max_chars(field, t, max);
        Some(t.to_string())
    }

    /// A trimmed text that may be left empty.
    pub(crate) fn trimmed(&mut self, field: &str, value: &str, max: usize) -> String {
        let t = value.trim();
        self.max_chars(field, t, max);
        t.to_string()
    }

    /// At most `max` characters, counted as given, and no control
    /// characters ([`text_problem`]).
    pub(crate) fn max_chars(&mut self, field: &str, value: &str, max: usize) {
        if let Some((code, message)) = text_problem(value, max) {
            self.add(field, code, message);
        }
    }

    /// A second entry where only one is allowed; `message` says which.
    pub(crate) fn duplicate(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.add(field, "duplicate", message);
    }

    /// A `duplicate` error at `field(i)` for each item listed again, named
    /// `what` in the message ("product 12 is listed twice").
    pub(crate) fn once_each<T: Ord + std::fmt::Display>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        field: impl Fn(usize) -> String,
        what: &str,
    ) {
        let mut seen = std::collections::BTreeSet::new();
        for (i, item) in items.into_iter().enumerate() {
            if seen.contains(&item) {
                self.duplicate(field(i), format!("{what} {item} is listed twice"));
            } else {
                seen.insert(item);
            }
        }
    }

    /// A negative amount or quantity where none may be.
    pub(crate) fn negative(&mut self, field: impl Into<String>) {
        self.add(field, "negative", "must not be negative");
    }

    /// A quantity above [`crate::Quantity::MAX`] (ADR 0024); `true` when
    /// `value` was too large and the problem was recorded.
    pub(crate) fn quantity_too_large(&mut self, field: impl Into<String>, value: i64) -> bool {
        let too_large = value > crate::Quantity::MAX.get();
        if too_large {
            self.add(
                field,
                "too_large",
                format!("must be at most {}", crate::Quantity::MAX),
            );
        }
        too_large
    }

    /// A code: letters, digits, `-`, `_`, `.`; no spaces.
    pub fn code(&mut self, field: &str, value: &str, max: usize) -> String {
        let t = self.text(field, value, max);
        if !t.is_empty()
            && !t
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            self.add(
                field,
                "invalid",
                "may contain only letters, digits, '-', '_' and '.'",
            );
        }
        t
    }

    /// A rank where 1 comes first.
    pub fn rank(&mut self, field: &str, value: i32) -> i32 {
        if value < 1 {
            self.add(field, "out_of_range", "must be 1 or greater (1 = first)");
        }
        value
    }
}

/// No text at all, or only white space.
pub(crate) fn is_blank(value: Option<&str>) -> bool {
    value.is_none_or(|v| v.trim().is_empty())
}

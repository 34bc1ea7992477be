//! Order numbers (ORD-5): unique and human-readable, e.g.
//! `SO-20261122-000123`, from a configurable pattern. The counter lives in
//! the database (a counter table, never reused, see DESIGN.md); this module
//! only checks patterns and formats and parses numbers.
//!
//! Pattern tokens: `{YYYYMMDD}`, `{YYMMDD}`, `{YYYY}`, `{YY}`, `{MM}`, `{DD}`
//! and exactly one `{SEQ:n}` (n = 1..=12 digits, zero-padded). Everything else
//! is literal text of ASCII letters, digits, `-`, `_` and `/`.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The default pattern.
pub const DEFAULT_ORDER_NUMBER_PATTERN: &str = "SO-{YYYYMMDD}-{SEQ:6}";
const MAX_SEQ_DIGITS: u8 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DatePart {
    Yyyymmdd,
    Yymmdd,
    Yyyy,
    Yy,
    Mm,
    Dd,
}

impl DatePart {
    fn width(self) -> usize {
        match self {
            DatePart::Yyyymmdd => 8,
            DatePart::Yymmdd => 6,
            DatePart::Yyyy => 4,
            DatePart::Yy | DatePart::Mm | DatePart::Dd => 2,
        }
    }

    fn render(self, d: Date) -> String {
        let (y, m, day) = (d.year(), d.month(), d.day());
        match self {
            DatePart::Yyyymmdd => format!("{y:04}{m:02}{day:02}"),
            DatePart::Yymmdd => format!("{:02}{m:02}{day:02}", y.rem_euclid(100)),
            DatePart::Yyyy => format!("{y:04}"),
            DatePart::Yy => format!("{:02}", y.rem_euclid(100)),
            DatePart::Mm => format!("{m:02}"),
            DatePart::Dd => format!("{day:02}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(String),
    Date(DatePart),
    Seq(u8),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("the pattern is empty")]
    Empty,
    #[error("'{{' at position {0} is not closed")]
    Unclosed(usize),
    #[error("unknown token {{{0}}}; use YYYYMMDD, YYMMDD, YYYY, YY, MM, DD or SEQ:n")]
    UnknownToken(String),
    #[error("{{SEQ:n}} needs n between 1 and {MAX_SEQ_DIGITS}")]
    BadSeqWidth,
    #[error("the pattern needs exactly one {{SEQ:n}}")]
    SeqCount,
    #[error("'{0}' is not allowed; literal text may use letters, digits, '-', '_' and '/'")]
    BadChar(char),
    #[error("the pattern makes numbers longer than 64 characters")]
    TooLong,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberingError {
    #[error("sequence {seq} does not fit in {digits} digits; widen {{SEQ:n}}")]
    SeqOverflow { seq: u64, digits: u8 },
    #[error("sequence numbers start at 1")]
    SeqZero,
}

/// A checked order-number pattern. Serialized as its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrderNumberPattern {
    text: String,
    tokens: Vec<Token>,
}

/// A formatted order number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct OrderNumber(pub String);

impl fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an order number says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParsedOrderNumber {
    /// The date, when the pattern has a full one (year, month and day).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub date: Option<Date>,
    pub seq: u64,
}

impl Default for OrderNumberPattern {
    fn default() -> Self {
        // The default pattern is a constant known to be valid; fall back to
        // its tokens built by hand should parsing ever change.
        DEFAULT_ORDER_NUMBER_PATTERN
            .parse()
            .unwrap_or_else(|_| OrderNumberPattern {
                text: DEFAULT_ORDER_NUMBER_PATTERN.into(),
                tokens: vec![
                    Token::Literal("SO-".into()),
                    Token::Date(DatePart::Yyyymmdd),
                    Token::Literal("-".into()),
                    Token::Seq(6),
                ],
            })
    }
}

impl FromStr for OrderNumberPattern {
    type Err = PatternError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        if text.is_empty() {
            return Err(PatternError::Empty);
        }
        let mut tokens = Vec::new();
        let mut literal = String::new();
        let mut chars = text.char_indices();
        while let Some((pos, c)) = chars.next() {
            if c == '{' {
                let mut name = String::new();
                let mut closed = false;
                for (_, c2) in chars.by_ref() {
                    if c2 == '}' {
                        closed = true;
                        break;
                    }
                    name.push(c2);
                }
                if !closed {
                    return Err(PatternError::Unclosed(pos));
                }
                if !literal.is_empty() {
                    tokens.push(Token::Literal(std::mem::take(&mut literal)));
                }
                let token = match name.as_str() {
                    "YYYYMMDD" => Token::Date(DatePart::Yyyymmdd),
                    "YYMMDD" => Token::Date(DatePart::Yymmdd),
                    "YYYY" => Token::Date(DatePart::Yyyy),
                    "YY" => Token::Date(DatePart::Yy),
                    "MM" => Token::Date(DatePart::Mm),
                    "DD" => Token::Date(DatePart::Dd),
                    other => match other.strip_prefix("SEQ:") {
                        Some(n) => {
                            let n: u8 = n.parse().map_err(|_| PatternError::BadSeqWidth)?;
                            if !(1..=MAX_SEQ_DIGITS).contains(&n) {
                                return Err(PatternError::BadSeqWidth);
                            }
                            Token::Seq(n)
                        }
                        None => return Err(PatternError::UnknownToken(other.to_string())),
                    },
                };
                tokens.push(token);
            } else if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/') {
                literal.push(c);
            } else {
                return Err(PatternError::BadChar(c));
            }
        }
        if !literal.is_empty() {
            tokens.push(Token::Literal(literal));
        }
        if tokens.iter().filter(|t| matches!(t, Token::Seq(_))).count() != 1 {
            return Err(PatternError::SeqCount);
        }
        let width: usize = tokens
            .iter()
            .map(|t| match t {
                Token::Literal(l) => l.len(),
                Token::Date(d) => d.width(),
                Token::Seq(n) => usize::from(*n),
            })
            .sum();
        if width > 64 {
            return Err(PatternError::TooLong);
        }
        Ok(OrderNumberPattern {
            text: text.to_string(),
            tokens,
        })
    }
}

checked_conversions!(OrderNumberPattern.text: String, PatternError, |text: String| text.parse());

impl fmt::Display for OrderNumberPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl OrderNumberPattern {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The number for counter value `seq` on `date`. A sequence too wide for
    /// its digits is an error, never truncated (that would reuse a number).
    pub fn format(&self, date: Date, seq: u64) -> Result<OrderNumber, NumberingError> {
        if seq == 0 {
            return Err(NumberingError::SeqZero);
        }
        let mut out = String::new();
        for t in &self.tokens {
            match t {
                Token::Literal(l) => out.push_str(l),
                Token::Date(d) => out.push_str(&d.render(date)),
                Token::Seq(n) => {
                    let s = format!("{seq:0width$}", width = usize::from(*n));
                    if s.len() > usize::from(*n) {
                        return Err(NumberingError::SeqOverflow { seq, digits: *n });
                    }
                    out.push_str(&s);
                }
            }
        }
        Ok(OrderNumber(out))
    }

    /// The name of the counter to draw from on `date`: the number without
    /// its sequence (`SO-20261122-`). A pattern with a date restarts its
    /// sequence each period; the date keeps the numbers unique.
    pub fn counter_key(&self, date: Date) -> String {
        let mut out = String::new();
        for t in &self.tokens {
            match t {
                Token::Literal(l) => out.push_str(l),
                Token::Date(d) => out.push_str(&d.render(date)),
                Token::Seq(_) => {}
            }
        }
        out
    }

    /// Reads a number made by this pattern back; `None` if it does not fit.
    pub fn parse(&self, number: &str) -> Option<ParsedOrderNumber> {
        let mut rest = number.trim();
        let (mut y, mut yy, mut m, mut d, mut seq) = (None, None, None, None, None);
        for t in &self.tokens {
            match t {
                Token::Literal(l) => rest = rest.strip_prefix(l.as_str())?,
                Token::Date(part) => {
                    let w = part.width();
                    let digits = take_digits(rest, w)?;
                    rest = &rest[w..];
                    let n = |r: std::ops::Range<usize>| digits.get(r)?.parse::<i16>().ok();
                    match part {
                        DatePart::Yyyymmdd => {
                            (y, m, d) = (n(0..4), n(4..6), n(6..8));
                        }
                        DatePart::Yymmdd => {
                            (yy, m, d) = (n(0..2), n(2..4), n(4..6));
                        }
                        DatePart::Yyyy => y = n(0..4),
                        DatePart::Yy => yy = n(0..2),
                        DatePart::Mm => m = n(0..2),
                        DatePart::Dd => d = n(0..2),
                    }
                }
                Token::Seq(w) => {
                    let w = usize::from(*w);
                    let digits = take_digits(rest, w)?;
                    rest = &rest[w..];
                    seq = Some(digits.parse::<u64>().ok()?);
                }
            }
        }
        if !rest.is_empty() {
            return None;
        }
        let year = y.or(yy.map(|v| 2000 + v));
        let date = match (year, m, d) {
            (Some(y), Some(m), Some(d)) => {
                Some(Date::new(y, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()?)
            }
            _ => None,
        };
        let seq = seq.filter(|s| *s > 0)?;
        Some(ParsedOrderNumber { date, seq })
    }
}

fn take_digits(s: &str, width: usize) -> Option<&str> {
    let head = s.get(..width)?;
    head.bytes().all(|b| b.is_ascii_digit()).then_some(head)
}

string_schema!(
    OrderNumberPattern,
    "Order-number pattern: literal text with {YYYYMMDD}, {YYMMDD}, {YYYY}, {YY}, {MM}, {DD} and one {SEQ:n}",
    DEFAULT_ORDER_NUMBER_PATTERN
);

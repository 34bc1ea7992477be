//! The parameters the lists read (issue 21), one way for every list: a
//! bad value is named by its parameter, never searched for.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use kaidan_domain::ValidationErrors;
use kaidan_domain::orders::company_time_zone;

use crate::error::{AppError, AppResult};
use crate::orders::list::MAX_FILTER_VALUE_CHARS;
use crate::ports::OrderCursor;

/// Dates are between these years: a typo like 0202 or 20255 is named, not
/// searched for.
const FIRST_YEAR: i16 = 2000;
const LAST_YEAR: i16 = 2199;

pub(crate) fn named<T: std::str::FromStr>(e: &mut ValidationErrors, k: &str, v: &str) -> Option<T> {
    let parsed = v.parse().ok();
    if parsed.is_none() {
        e.add(k, "unknown", format!("'{v}' is not a known value"));
    }
    parsed
}

pub(crate) fn id(e: &mut ValidationErrors, k: &str, v: &str) -> Option<i64> {
    let parsed = v.parse::<i64>().ok().filter(|n| *n > 0);
    if parsed.is_none() {
        e.add(
            k,
            "invalid",
            format!("'{v}' is not an id (a whole number above 0)"),
        );
    }
    parsed
}

pub(crate) fn day(e: &mut ValidationErrors, k: &str, v: &str) -> Option<Date> {
    match v.parse::<Date>() {
        Ok(d) if (FIRST_YEAR..=LAST_YEAR).contains(&d.year()) => Some(d),
        Ok(_) => {
            e.add(
                k,
                "out_of_range",
                format!("'{v}' is not between {FIRST_YEAR} and {LAST_YEAR}"),
            );
            None
        }
        Err(_) => {
            e.add(k, "invalid", format!("'{v}' is not a date like 2026-12-31"));
            None
        }
    }
}

/// A list's cursor: `id` when the list is sorted by id alone (`keyed`
/// false), `key_id` when by a column; a cursor of another sort is refused.
pub(crate) fn parse_cursor(keyed: bool, text: &str) -> Result<OrderCursor, ValidationErrors> {
    let bad = || {
        ValidationErrors::single(
            "cursor",
            "invalid",
            "not a cursor of this list and sort: start from the first page",
        )
    };
    let whole = |s: &str| s.parse::<i64>().map_err(|_| bad());
    match (keyed, text.split_once('_')) {
        (false, None) => Ok(OrderCursor {
            key: 0,
            id: whole(text)?,
        }),
        (false, Some(_)) | (true, None) => Err(bad()),
        (true, Some((k, id))) => Ok(OrderCursor {
            key: whole(k)?,
            id: whole(id)?,
        }),
    }
}

/// The instants of `from`'s start and of the day after `to`, in the
/// company's time zone: a list's "from … to …" with both days included.
pub(crate) fn day_span(
    from: Option<Date>,
    to: Option<Date>,
) -> (Option<Timestamp>, Option<Timestamp>) {
    let tz = company_time_zone();
    let start = |d: Date| d.to_zoned(tz.clone()).map(|z| z.timestamp()).ok();
    (
        from.and_then(start),
        to.and_then(|d| d.checked_add(1.day()).ok()).and_then(start),
    )
}

/// One page of a filtered list.
#[derive(Debug, Clone)]
pub struct FilteredPage<T> {
    pub rows: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<String>,
    /// How many rows match, when asked for.
    pub total: Option<u64>,
}

impl<T> FilteredPage<T> {
    /// The page of `rows` read with one row more than `limit`: that row
    /// only says there is a next page, which starts after the last shown.
    pub(crate) fn cut(
        mut rows: Vec<T>,
        limit: u32,
        total: Option<u64>,
        cursor_of: impl Fn(&T) -> String,
    ) -> FilteredPage<T> {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(cursor_of)
        } else {
            None
        };
        FilteredPage {
            rows,
            next_cursor,
            total,
        }
    }
}

/// The values a filter reads out of a list's parameters (`allowed`),
/// trimmed, empty ones left out; one longer than
/// [`MAX_FILTER_VALUE_CHARS`] is named in `e` and left out.
pub(crate) fn filter_values<'a>(
    params: &'a BTreeMap<String, String>,
    allowed: &[&str],
    e: &mut ValidationErrors,
) -> Vec<(&'a str, &'a str)> {
    let mut out = Vec::new();
    for (k, raw) in params {
        let v = raw.trim();
        if v.is_empty() || !allowed.contains(&k.as_str()) {
            continue;
        }
        if v.chars().count() > MAX_FILTER_VALUE_CHARS {
            e.add(
                k.as_str(),
                "too_long",
                format!("at most {MAX_FILTER_VALUE_CHARS} characters"),
            );
            continue;
        }
        out.push((k.as_str(), v));
    }
    out
}

/// An export takes at most `max` rows: more is refused with the count.
pub(crate) fn export_bound(total: u64, max: u32, what: &str) -> AppResult<()> {
    if total > u64::from(max) {
        return Err(AppError::Invalid(ValidationErrors::single(
            "filter",
            "too_many",
            format!("{total} {what} match; narrow the filter to at most {max}"),
        )));
    }
    Ok(())
}

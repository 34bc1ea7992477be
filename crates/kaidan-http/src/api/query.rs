//! A list's query parameters: each kind of value is parsed in one place, so
//! a bad one is refused with the same words on every list.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::str::FromStr;

use crate::problem::{ApiError, ApiResult};

/// An optional query parameter, parsed; a bad value names the parameter.
pub(crate) fn filter<T: FromStr>(
    params: &BTreeMap<String, String>,
    name: &'static str,
) -> ApiResult<Option<T>> {
    params
        .get(name)
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<T>().map_err(|_| {
                ApiError::field(name, "invalid", format!("'{v}' is not a valid {name}"))
            })
        })
        .transpose()
}

/// A value of a fixed set (a status); the refusal lists the set.
pub(crate) fn named<T: FromStr<Err: Display>>(name: &str, v: &str) -> ApiResult<T> {
    v.parse()
        .map_err(|e: T::Err| ApiError::field(name, "invalid", e.to_string()))
}

/// A whole number (an id, a limit).
pub(crate) fn whole<T: FromStr>(name: &str, v: &str) -> ApiResult<T> {
    v.parse()
        .map_err(|_| ApiError::field(name, "invalid", "must be a whole number"))
}

/// The `cursor` a list handed out with its previous page.
pub(crate) fn cursor<T: FromStr>(v: &str) -> ApiResult<T> {
    v.parse()
        .map_err(|_| ApiError::field("cursor", "invalid", "is not a cursor returned by this list"))
}

/// The cursor of the next page: the last item's id when the page is full.
pub(crate) fn next_cursor<T>(items: &[T], limit: usize, id: impl Fn(&T) -> i64) -> Option<String> {
    (items.len() == limit)
        .then(|| items.last().map(|x| id(x).to_string()))
        .flatten()
}

/// A parameter the list does not take; `allowed` names those it does.
pub(crate) fn unknown(name: &str, allowed: &str) -> ApiError {
    ApiError::field(name, "unknown_filter", format!("allowed: {allowed}"))
}

/// A filtered list's `limit` (default 50, at most `max`) and `count`;
/// `cursor` is the caller's, every other parameter must be one of
/// `filters`.
pub(crate) fn list_paging(
    params: &BTreeMap<String, String>,
    filters: &[&str],
    max: u32,
) -> ApiResult<(u32, bool)> {
    let (mut limit, mut count) = (50, false);
    for (k, v) in params {
        match k.as_str() {
            "limit" => limit = whole(k, v)?,
            "count" => count = named::<bool>(k, v)?,
            "cursor" => {}
            other if filters.contains(&other) => {}
            other => {
                return Err(unknown(
                    other,
                    &format!("{}, count, cursor, limit", filters.join(", ")),
                ));
            }
        }
    }
    if limit == 0 || limit > max {
        return Err(ApiError::field(
            "limit",
            "out_of_range",
            format!("must be between 1 and {max}"),
        ));
    }
    Ok((limit, count))
}

/// The page of a record's history (SEC-2) a query asks for: `cursor` and
/// `limit`, nothing else. The bounds of `limit` are the use case's.
pub(crate) fn history_request(
    params: &BTreeMap<String, String>,
) -> ApiResult<kaidan_app::audit::HistoryRequest> {
    let mut r = kaidan_app::audit::HistoryRequest::default();
    for (k, v) in params {
        match k.as_str() {
            "cursor" => r.cursor = Some(cursor(v)?),
            "limit" => r.limit = Some(whole(k, v)?),
            other => return Err(unknown(other, "cursor, limit")),
        }
    }
    Ok(r)
}

/// An optional day parameter (`YYYY-MM-DD`) of a report; a bad one is
/// added to `e` under its name.
pub(crate) fn optional_day(
    e: &mut kaidan_domain::ValidationErrors,
    q: &BTreeMap<String, String>,
    k: &str,
) -> Option<jiff::civil::Date> {
    let v = q.get(k).map(|s| s.trim()).filter(|s| !s.is_empty())?;
    match v.parse() {
        Ok(d) => Some(d),
        Err(_) => {
            e.add(k, "invalid", format!("'{v}' is not a day (YYYY-MM-DD)"));
            None
        }
    }
}

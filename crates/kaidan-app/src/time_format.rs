//! Timestamps in JSON as RFC 3339 text in UTC.

use jiff::Timestamp;
use serde::Serializer;

pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(t)
}

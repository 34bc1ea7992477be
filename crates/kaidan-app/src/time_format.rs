//! Timestamps in JSON as RFC 3339 text in UTC.

use jiff::Timestamp;
use serde::Serializer;

pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(t)
}

/// For `Option<Timestamp>`.
pub mod option {
    use jiff::Timestamp;
    use serde::Serializer;

    pub fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.collect_str(t),
            None => s.serialize_none(),
        }
    }
}

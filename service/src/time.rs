//! Times as pages and the API show them.
use chrono::{DateTime, SecondsFormat, Utc};

/// RFC 3339, UTC, whole seconds: `2026-11-24T05:12:03Z`.
pub fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

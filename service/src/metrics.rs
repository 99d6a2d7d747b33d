//! What Wisp counts for Prometheus (`GET /metrics`): each family named and described here once,
//! recorded where its events happen through the `metrics` facade (nothing is kept until the
//! server installs its recorder). Labels never carry an organization, a user, a secret or a
//! token: only outcomes, AWS error codes, kinds, states and route patterns, so every family
//! stays a handful of series.
use std::time::Duration;

use ::metrics::{Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use vocabulary::token::KeyState;

pub const KICKOFFS: &str = "wisp_kickoffs_total";
pub const KICKOFF_DURATION: &str = "wisp_kickoff_duration_seconds";
pub const SECRET_READS: &str = "wisp_secret_reads_total";
pub const STS_REQUESTS: &str = "wisp_sts_requests_total";
pub const TOKENS_ISSUED: &str = "wisp_tokens_issued_total";
pub const SIGNING_KEYS: &str = "wisp_signing_key_state";
pub const NEXT_ROTATION: &str = "wisp_signing_key_next_rotation_timestamp_seconds";
pub const SIGN_IN_FAILURES: &str = "wisp_sign_in_failures_total";
pub const HTTP_REQUESTS: &str = "wisp_http_requests_total";
pub const HTTP_DURATION: &str = "wisp_http_request_duration_seconds";
pub const DB_CONNECTIONS: &str = "wisp_db_pool_connections";
pub const DB_MAX_CONNECTIONS: &str = "wisp_db_pool_max_connections";

/// Histogram buckets for request and kickoff durations: 5 ms to the kickoff's 15-second limit.
pub const DURATION_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0];

/// Gives every family its help text and unit; called once, after the recorder is installed.
pub fn describe() {
    describe_counter!(KICKOFFS, "Kickoffs answered, by outcome (succeeded, failed: secrets unresolved, error).");
    describe_histogram!(KICKOFF_DURATION, Unit::Seconds, "How long kickoffs took to answer.");
    describe_counter!(SECRET_READS, "Secrets read at kickoff, by provider, outcome and the provider's error code.");
    describe_counter!(STS_REQUESTS, "Calls to AWS STS, by call, outcome and AWS error code.");
    describe_counter!(
        TOKENS_ISSUED,
        "Tokens Wisp signed, by kind (organization: workload identity; automation: runs' and ID tokens)."
    );
    describe_gauge!(SIGNING_KEYS, "Signing keys the issuer knows, by state.");
    describe_gauge!(
        NEXT_ROTATION,
        Unit::Seconds,
        "When the next signing key starts signing (Unix time); absent without a schedule."
    );
    describe_counter!(SIGN_IN_FAILURES, "Refused sign-ins, by reason.");
    describe_counter!(HTTP_REQUESTS, "HTTP requests answered, by route pattern, method and status.");
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "How long HTTP requests took, by route pattern.");
    describe_gauge!(DB_CONNECTIONS, "Database pool connections, by state (idle, in use).");
    describe_gauge!(DB_MAX_CONNECTIONS, "The database pool's size limit.");
}

/// An AWS error code as a label: AWS's codes are short words; anything else is `other`, so an
/// unexpected answer cannot grow the series without bound. No code is `none`.
pub fn code_label(code: Option<&str>) -> String {
    match code {
        None => "none".to_owned(),
        Some(code)
            if !code.is_empty() && code.len() <= 64 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') =>
        {
            code.to_owned()
        }
        Some(_) => "other".to_owned(),
    }
}

fn outcome(code: Option<&str>) -> &'static str {
    if code.is_none() { "success" } else { "failure" }
}

pub fn kickoff(outcome: &'static str, took: Duration) {
    counter!(KICKOFFS, "outcome" => outcome).increment(1);
    histogram!(KICKOFF_DURATION).record(took.as_secs_f64());
}

/// A secret read through `provider`: done, or failed with the provider's error code (if it gave one).
pub fn secret_read(provider: &'static str, read: Result<(), Option<&str>>) {
    let (outcome, code) = match read {
        Ok(()) => ("success", "none".to_owned()),
        Err(code) => ("failure", code_label(Some(code.unwrap_or("other")))),
    };
    counter!(SECRET_READS, "provider" => provider, "outcome" => outcome, "code" => code).increment(1);
}

/// A call to STS; `code` is AWS's error code when it failed.
pub fn sts_request(call: &'static str, code: Option<&str>) {
    counter!(STS_REQUESTS, "call" => call, "outcome" => outcome(code), "code" => code_label(code)).increment(1);
}

pub fn token_issued(kind: &'static str) {
    counter!(TOKENS_ISSUED, "kind" => kind).increment(1);
}

pub fn sign_in_failure(reason: &'static str) {
    counter!(SIGN_IN_FAILURES, "reason" => reason).increment(1);
}

/// The issuer's keys by state, and when the next one starts signing.
pub fn signing_keys(states: &[KeyState], next_rotation: Option<i64>) {
    for &state in KeyState::ALL {
        let count = states.iter().filter(|s| **s == state).count();
        gauge!(SIGNING_KEYS, "state" => state.as_str()).set(count as f64);
    }
    if let Some(at) = next_rotation {
        gauge!(NEXT_ROTATION).set(at as f64);
    }
}

pub fn http_request(route: String, method: String, status: u16, took: Duration) {
    histogram!(HTTP_DURATION, "route" => route.clone()).record(took.as_secs_f64());
    counter!(HTTP_REQUESTS, "route" => route, "method" => method, "status" => status.to_string()).increment(1);
}

pub fn db_pool(idle: usize, in_use: usize, max: u32) {
    gauge!(DB_CONNECTIONS, "state" => "idle").set(idle as f64);
    gauge!(DB_CONNECTIONS, "state" => "in_use").set(in_use as f64);
    gauge!(DB_MAX_CONNECTIONS).set(f64::from(max));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_aws_code_is_a_label_only_when_it_looks_like_one() {
        assert_eq!(code_label(None), "none");
        assert_eq!(code_label(Some("AccessDenied")), "AccessDenied");
        assert_eq!(code_label(Some("KMS.AccessDeniedException")), "KMS.AccessDeniedException");
        assert_eq!(code_label(Some("arn:aws:secretsmanager:…")), "other");
        assert_eq!(code_label(Some(&"A".repeat(65))), "other");
    }
}

//! Temporary AWS credentials from STS, kept until five minutes before they expire, so the
//! Secret Name autocomplete and kickoffs do not trade a token at every call. Concurrent callers
//! asking for a missing session share one STS call. Test Connection stores what it obtains too.
use std::time::{Duration, SystemTime};

use vocabulary::{aws::Region, ids::OrgId};

use crate::{
    aws::sdk::AwsCredentials,
    expiring::{Expiring, Lasting},
};

/// A session is not handed out closer than this to its end: a call must not start with
/// credentials that expire on the way.
pub const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(5 * 60);

/// What a session was obtained for: the same key gives the same permissions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SessionKey {
    /// The organization's token traded for a role (`AssumeRoleWithWebIdentity`).
    WebIdentity { org: OrgId, role_arn: String, region: Region },
    /// A stored access key assuming a role (`AssumeRole`); the key id names one key pair.
    AssumedRole { access_key_id: String, role_arn: String, external_id: Option<String>, region: Region },
}

impl Lasting for AwsCredentials {
    /// Until [`REFRESH_BEFORE_EXPIRY`] before the end; credentials with no end are not kept.
    fn usable_for(&self) -> Duration {
        self.expires_at.map_or(Duration::ZERO, |end| {
            end.duration_since(SystemTime::now()).unwrap_or_default().saturating_sub(REFRESH_BEFORE_EXPIRY)
        })
    }
}

/// STS sessions, by what they were obtained for.
pub type Sessions = Expiring<SessionKey, AwsCredentials>;

#[cfg(test)]
mod tests {
    use super::*;

    fn session(lasting: Duration) -> AwsCredentials {
        AwsCredentials {
            access_key_id: "ASIAEXAMPLE".to_owned(),
            secret_access_key: "secret".to_owned(),
            session_token: Some("token".to_owned()),
            expires_at: Some(SystemTime::now() + lasting),
        }
    }

    #[test]
    fn a_session_is_not_handed_out_in_its_last_five_minutes() {
        assert!(session(Duration::from_secs(240)).usable_for().is_zero());
        assert!(session(Duration::from_secs(900)).usable_for() > Duration::from_secs(590));
        assert!(AwsCredentials { expires_at: None, ..session(Duration::ZERO) }.usable_for().is_zero());
    }
}

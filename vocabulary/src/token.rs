//! The subjects Wisp's tokens carry, which cloud trust policies match: spelled here only.
use std::fmt;

use crate::ids::{AutomationId, OrgId};

text_enum! {
    /// How Wisp signs tokens: what AWS STS accepts and the JWKS announces per key.
    pub enum SigningAlgorithm ("alg", "a signing algorithm") {
        RS256 = "RS256",
        ES256 = "ES256",
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A workload-identity token for an organization: `organization:<uuid>`.
    Organization(OrgId),
    /// An ID token for a running automation: `organization:<uuid>:automation:<uuid>`.
    Automation(OrgId, AutomationId),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Organization(org) => write!(f, "organization:{org}"),
            Subject::Automation(org, automation) => write!(f, "organization:{org}:automation:{automation}"),
        }
    }
}

/// The `aud` AWS STS expects in a web-identity token.
pub const STS_AUDIENCE: &str = "sts.amazonaws.com";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organization_subject_names_its_uuid() {
        let org: OrgId = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f".parse().unwrap();
        assert_eq!(Subject::Organization(org).to_string(), "organization:6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f");
    }
}

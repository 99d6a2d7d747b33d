//! Deployments, kickoffs and the worker API's requests and answers.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{
    env::{Delivery, EnvKey, SecretName, SourceKind},
    ids::{AutomationId, DeploymentId, KickoffId},
};

text_enum! {
    /// How a kickoff ended.
    pub enum KickoffOutcome ("outcome", "a kickoff outcome") {
        Succeeded = "succeeded",
        Failed = "failed",
    }
}

/// A row of an automation's Deployments list. Times are RFC 3339.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentView {
    pub id: DeploymentId,
    pub number: u32,
    /// The e-mail of who deployed, while that user exists.
    pub created_by: Option<String>,
    pub created_at: String,
    pub token_last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    pub variables: u32,
}

/// What Deploy answers: the new deployment and its token, shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDeployment {
    pub deployment: DeploymentView,
    pub token: String,
}

/// One kickoff as the history shows it: never a value, only a keyed fingerprint of each.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KickoffView {
    pub id: KickoffId,
    pub created_at: String,
    pub deployment: u32,
    pub outcome: KickoffOutcome,
    pub variables: Vec<KickoffVariable>,
    pub failures: Vec<SecretFailure>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KickoffVariable {
    pub key: EnvKey,
    pub source: SourceKind,
    /// For a secret: its name and whether it was read now or at deploy.
    pub secret_name: Option<SecretName>,
    pub delivery: Option<Delivery>,
    /// Short HMAC of the value under a key only this Wisp holds; none when the kickoff failed.
    pub fingerprint: Option<String>,
}

/// A page of kickoffs, newest first; `next` continues after the last one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KickoffPage {
    pub kickoffs: Vec<KickoffView>,
    pub next: Option<String>,
}

/// A variable whose secret could not be read, with AWS's code and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecretFailure {
    /// The environment variable's key.
    pub variable: String,
    /// The secret's name at its provider.
    pub secret: String,
    /// The name of the credential it is read with.
    pub credential: String,
    /// The provider's error code (such as AWS's `AccessDeniedException`), when it gave one.
    pub code: Option<String>,
    pub message: String,
    pub hint: String,
}

/// `POST /api/v1/kickoffs`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KickoffRequest {
    /// When given, it must be the token's automation.
    #[serde(default)]
    pub automation: Option<AutomationId>,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KickoffResponse {
    pub kickoff: KickoffId,
    pub automation: AutomationId,
    /// The deployment's number in its automation.
    pub deployment: u32,
    /// The run's environment: every variable of the deployment, each secret read now or at deploy.
    pub env: BTreeMap<String, String>,
    /// When the automation has an AWS role for runs: what an AWS SDK needs to assume it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<AwsForRun>,
    /// `WISP_ID_TOKEN_REQUEST_TOKEN`: this kickoff's run token (`wisp_rt_…`), good for the run's
    /// ID tokens only (`POST /api/v1/id-tokens`), never for a kickoff.
    pub id_token_request_token: String,
}

// By hand: the environment holds secret values, and the tokens are the run's.
impl std::fmt::Debug for KickoffResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KickoffResponse")
            .field("kickoff", &self.kickoff)
            .field("deployment", &self.deployment)
            .field("env", &self.env.keys().collect::<Vec<_>>())
            .field("aws", &self.aws)
            .finish_non_exhaustive()
    }
}

/// The `aws` object of a kickoff: a web identity token for the automation's AWS role for runs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AwsForRun {
    pub role_arn: String,
    pub region: String,
    /// `sub = organization:<org>:automation:<automation>`, `aud = sts.amazonaws.com`.
    pub web_identity_token: String,
    /// RFC 3339.
    pub expires_at: String,
    /// `AWS_ROLE_SESSION_NAME`: `wisp-<automation name>-<kickoff short id>`, as AWS allows.
    pub session_name: String,
}

impl std::fmt::Debug for AwsForRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsForRun")
            .field("role_arn", &self.role_arn)
            .field("region", &self.region)
            .field("expires_at", &self.expires_at)
            .field("session_name", &self.session_name)
            .finish_non_exhaustive()
    }
}

/// `AWS_ROLE_SESSION_NAME` for a run: `wisp-<automation name>-<kickoff short id>`, in the
/// characters AWS allows (`[\w+=,.@-]`, others become `-`) and at most 64 of them; the name is
/// shortened, never the kickoff's id, so two runs of one automation stay apart.
pub fn role_session_name(automation: &str, kickoff: KickoffId) -> String {
    const MAX: usize = 64;
    let short_id: String = kickoff.to_string().chars().take(8).collect();
    let room = MAX - "wisp-".len() - 1 - short_id.len();
    let name: String = automation
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) { c } else { '-' })
        .take(room)
        .collect();
    format!("wisp-{name}-{short_id}")
}

/// `POST /api/v1/id-tokens`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdTokenRequest {
    /// Who will verify the token (its `aud`): 1 to 256 characters, no spaces or control characters,
    /// such as `sts.amazonaws.com` or a Vault role's bound audience.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 256, pattern = r"^[^\s\x00-\x1F\x7F-\x9F]+$"))]
    pub audience: String,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdTokenResponse {
    /// The ID token (a JWT), 15 minutes long.
    pub token: String,
    /// Unix seconds.
    pub expires_at: i64,
}

impl std::fmt::Debug for IdTokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdTokenResponse").field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_name_keeps_to_what_aws_allows() {
        let kickoff: KickoffId = "0f9c2a7e-1111-4222-8333-444455556666".parse().unwrap();
        assert_eq!(role_session_name("nightly-backup", kickoff), "wisp-nightly-backup-0f9c2a7e");
        assert_eq!(role_session_name("Büro export (eu)", kickoff), "wisp-B-ro-export--eu--0f9c2a7e");
        let long = role_session_name(&"x".repeat(200), kickoff);
        assert_eq!(long.len(), 64);
        assert!(long.ends_with("-0f9c2a7e"), "{long}");
        let allowed = |c: char| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c);
        assert!(role_session_name("a/b:c d", kickoff).chars().all(allowed));
    }
}

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
pub struct SecretFailure {
    pub variable: String,
    pub secret: String,
    pub credential: String,
    pub code: Option<String>,
    pub message: String,
    pub hint: String,
}

/// `POST /api/v1/kickoffs`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KickoffRequest {
    /// When given, it must be the token's automation.
    #[serde(default)]
    pub automation: Option<AutomationId>,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KickoffResponse {
    pub kickoff: KickoffId,
    pub automation: AutomationId,
    pub deployment: u32,
    pub env: BTreeMap<String, String>,
}

// By hand: the environment holds secret values.
impl std::fmt::Debug for KickoffResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KickoffResponse")
            .field("kickoff", &self.kickoff)
            .field("deployment", &self.deployment)
            .field("env", &self.env.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// `POST /api/v1/id-tokens`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdTokenRequest {
    pub audience: String,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdTokenResponse {
    pub token: String,
    /// Unix seconds.
    pub expires_at: i64,
}

impl std::fmt::Debug for IdTokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdTokenResponse").field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

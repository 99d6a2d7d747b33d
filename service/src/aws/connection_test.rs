//! Test Connection for a workload identity config: each link of the chain AWS will walk at
//! kickoff, in order, stopping at the first that fails and saying why.
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
pub use vocabulary::dto::connection::CheckStep;

use crate::{
    aws::{
        guidance::{AwsCall, Context, Diagnosis, Failure, diagnose},
        sdk::{AwsSdk, SessionCredentials},
    },
    issuer::{Issuer, IssuerState, mint::Audience},
    workload_identity::WorkloadIdentityConfig,
};

const SESSION_NAME: &str = "wisp-test-connection";
/// The shortest session STS grants; the test needs seconds.
const SESSION_SECONDS: i32 = 900;
const SELF_CHECK_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepOutcome {
    Passed {
        detail: String,
        warnings: Vec<String>,
    },
    Failed(Diagnosis),
    /// Not run because an earlier step failed.
    Skipped,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepReport {
    pub step: CheckStep,
    pub outcome: StepOutcome,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionReport {
    pub steps: Vec<StepReport>,
    pub assumed_role_arn: Option<String>,
}

impl ConnectionReport {
    pub fn passed(&self) -> bool {
        self.steps.iter().all(|s| matches!(s.outcome, StepOutcome::Passed { .. }))
    }

    pub fn failed_step(&self) -> Option<CheckStep> {
        self.steps.iter().find(|s| matches!(s.outcome, StepOutcome::Failed(_))).map(|s| s.step)
    }
}

struct Steps(Vec<StepReport>);

impl Steps {
    fn pass(&mut self, step: CheckStep, detail: String, warnings: Vec<String>) {
        self.0.push(StepReport { step, outcome: StepOutcome::Passed { detail, warnings } });
    }

    /// Records the failure and marks every later step as skipped.
    fn fail(mut self, step: CheckStep, diagnosis: Diagnosis) -> ConnectionReport {
        self.0.push(StepReport { step, outcome: StepOutcome::Failed(diagnosis) });
        for later in CheckStep::WORKLOAD_IDENTITY.into_iter().skip_while(|s| *s != step).skip(1) {
            self.0.push(StepReport { step: later, outcome: StepOutcome::Skipped });
        }
        ConnectionReport { steps: self.0, assumed_role_arn: None }
    }
}

fn local_problem(cause: impl Into<String>, fix: impl Into<String>) -> Diagnosis {
    Diagnosis { code: None, aws_message: None, cause: cause.into(), fix: fix.into() }
}

pub async fn check_workload_identity(
    issuer_state: &IssuerState,
    sdk: &AwsSdk,
    config: &WorkloadIdentityConfig,
) -> ConnectionReport {
    let mut steps = Steps(Vec::new());

    let issuer = match issuer_state.ready() {
        Ok(issuer) => issuer,
        Err(reason) => {
            return steps.fail(
                CheckStep::Issuer,
                local_problem(reason, "Ask your operator to configure the issuer, restart Wisp, then test again."),
            );
        }
    };
    match self_check(issuer).await {
        Ok(warnings) => steps.pass(CheckStep::Issuer, issuer.url.to_string(), warnings),
        Err(problem) => return steps.fail(CheckStep::Issuer, problem),
    }

    let token = match issuer.minter.token(config.org_id, &Audience::sts()).await {
        Ok(token) => token,
        Err(error) => {
            tracing::error!("Test Connection could not sign a token: {error}");
            return steps.fail(
                CheckStep::Token,
                local_problem(
                    "Wisp could not sign a token.",
                    "Ask your operator to check the issuer key configuration (the server log has the error), then test again.",
                ),
            );
        }
    };
    steps.pass(
        CheckStep::Token,
        format!("Signed with key {}, for {}", token.kid, Audience::sts().as_str()),
        Vec::new(),
    );

    let ctx = Context { issuer: &issuer.url, org: config.org_id, role: &config.role_arn, region: config.region };
    let assumed = sdk
        .sts_anonymous(config.region)
        .assume_role_with_web_identity()
        .role_arn(config.role_arn.to_string())
        .role_session_name(SESSION_NAME)
        .web_identity_token(&token.token)
        .duration_seconds(SESSION_SECONDS)
        .send()
        .await;
    let assumed = match assumed {
        Ok(output) => output,
        Err(error) => {
            let failure = Failure::from_sdk(&error);
            return steps.fail(CheckStep::AssumeRole, diagnose(AwsCall::AssumeRoleWithWebIdentity, &failure, &ctx));
        }
    };
    let Some(credentials) = assumed.credentials() else {
        return steps.fail(
            CheckStep::AssumeRole,
            local_problem(
                "AWS STS answered without credentials.",
                "Test again; if it persists, check AWS_ENDPOINT_URL points at AWS STS.",
            ),
        );
    };
    let session = SessionCredentials {
        access_key_id: credentials.access_key_id().to_owned(),
        secret_access_key: credentials.secret_access_key().to_owned(),
        session_token: credentials.session_token().to_owned(),
        expires_at: std::time::SystemTime::try_from(*credentials.expiration()).ok(),
    };
    let session_arn = assumed.assumed_role_user().map(|u| u.arn().to_owned()).unwrap_or_default();
    steps.pass(CheckStep::AssumeRole, format!("Session {session_arn}"), Vec::new());

    match sdk.sts_with(config.region, &session).get_caller_identity().send().await {
        Ok(identity) => {
            let arn = identity.arn().unwrap_or_default().to_owned();
            let mut warnings = Vec::new();
            if identity.account().is_some_and(|account| account != config.role_arn.account()) {
                warnings.push(format!(
                    "The session belongs to account {} but the role ARN names account {}.",
                    identity.account().unwrap_or_default(),
                    config.role_arn.account()
                ));
            }
            steps.pass(CheckStep::CallerIdentity, arn.clone(), warnings);
            ConnectionReport { steps: steps.0, assumed_role_arn: Some(arn) }
        }
        Err(error) => {
            let failure = Failure::from_sdk(&error);
            steps.fail(CheckStep::CallerIdentity, diagnose(AwsCall::GetCallerIdentity, &failure, &ctx))
        }
    }
}

/// Fetches the issuer's documents from its public URL, as AWS will. A document that differs from
/// what this Wisp serves fails; an unreachable one only warns, since Wisp's own host may not
/// reach its public address while the internet can.
async fn self_check(issuer: &Issuer) -> Result<Vec<String>, Diagnosis> {
    let mut warnings: Vec<String> = issuer.url.warnings().into_iter().map(|w| w.message().to_owned()).collect();
    let client = reqwest::Client::builder().timeout(SELF_CHECK_TIMEOUT).build().expect("a plain HTTP client builds");
    let discovery_url = issuer.url.discovery_url();
    let discovery = match fetch_json(&client, &discovery_url).await {
        Ok(discovery) => discovery,
        Err(error) => {
            tracing::warn!(%discovery_url, "Test Connection could not fetch the discovery document: {}", error.without_url());
            warnings.push(format!(
                "Wisp could not fetch its own discovery document at {discovery_url}. AWS must reach it from the internet: check it from outside your network."
            ));
            return Ok(warnings);
        }
    };
    let served_issuer = discovery["issuer"].as_str().unwrap_or_default();
    if served_issuer != issuer.url.as_str() {
        return Err(local_problem(
            format!(
                "{discovery_url} announces the issuer \"{served_issuer}\", but this Wisp signs tokens as \"{}\".",
                issuer.url
            ),
            "Point OIDC_ISSUER and the public address at the same Wisp (check proxies and other replicas), then test again.",
        ));
    }
    let jwks_uri = discovery["jwks_uri"].as_str().unwrap_or_default();
    let signing_kid = issuer.keys.iter().find(|k| k.signing).map(|k| k.kid.as_str()).unwrap_or_default();
    let published = fetch_json(&client, jwks_uri)
        .await
        .ok()
        .and_then(|jwks| jwks["keys"].as_array().cloned())
        .is_some_and(|keys| keys.iter().any(|k| k["kid"] == signing_kid));
    if !published {
        return Err(local_problem(
            format!(
                "The JWKS at {jwks_uri} does not publish the signing key {signing_kid}: AWS would refuse every token."
            ),
            "Make sure every replica serving the issuer URL has the same OIDC_PRIVATE_KEY and OIDC_PUBLISHED_KEYS, then test again.",
        ));
    }
    Ok(warnings)
}

async fn fetch_json(client: &reqwest::Client, url: &str) -> Result<Value, reqwest::Error> {
    client.get(url).send().await?.error_for_status()?.json().await
}

//! Test Connection: each link of the chain AWS will walk at kickoff, in order, stopping at the
//! first that fails and saying why. For a workload identity config: the issuer, a token,
//! `AssumeRoleWithWebIdentity`, `GetCallerIdentity`. For a credential, then `ListSecrets` too (what
//! the Secret Name autocomplete needs); for static keys, `AssumeRole` first when a role is set.
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
pub use vocabulary::dto::connection::CheckStep;
use vocabulary::{
    aws::{AccessKeyId, ExternalId, Region, RoleArn},
    ids::OrgId,
    token::Audience,
};

use crate::{
    aws::{
        federation::{
            FederationError, assume_role, assume_web_identity, assumed_role_key, token_for_sts, web_identity_key,
        },
        guidance::{AwsCall, Context, Diagnosis, Failure, Identity, diagnose},
        sdk::{AwsCredentials, AwsSdk},
    },
    issuer::{Issuer, IssuerState, url::IssuerUrl},
    workload_identity::{AwsWebIdentity, WorkloadIdentityConfig},
};

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
    /// A report whose first step failed before any call was made.
    pub fn refused(plan: &'static [CheckStep], problem: Diagnosis) -> Self {
        let mut steps = Steps::new(plan);
        let _ = steps.fail(plan[0], problem);
        steps.report()
    }

    pub fn passed(&self) -> bool {
        self.steps.iter().all(|s| matches!(s.outcome, StepOutcome::Passed { .. }))
    }

    pub fn failed_step(&self) -> Option<CheckStep> {
        self.steps.iter().find(|s| matches!(s.outcome, StepOutcome::Failed(_))).map(|s| s.step)
    }
}

/// A step failed; its report is recorded and the chain stops.
struct Stopped;

/// The report as the chain runs: what passed, what failed, and (at the end) what was skipped.
struct Steps {
    plan: &'static [CheckStep],
    done: Vec<StepReport>,
    assumed_role_arn: Option<String>,
}

impl Steps {
    fn new(plan: &'static [CheckStep]) -> Self {
        Self { plan, done: Vec::new(), assumed_role_arn: None }
    }

    fn pass(&mut self, step: CheckStep, detail: String, warnings: Vec<String>) {
        self.done.push(StepReport { step, outcome: StepOutcome::Passed { detail, warnings } });
    }

    fn fail(&mut self, step: CheckStep, diagnosis: Diagnosis) -> Stopped {
        self.done.push(StepReport { step, outcome: StepOutcome::Failed(diagnosis) });
        Stopped
    }

    /// Every planned step that did not run is reported as skipped.
    fn report(mut self) -> ConnectionReport {
        let ran = self.done.len();
        self.done.extend(self.plan[ran..].iter().map(|step| StepReport { step: *step, outcome: StepOutcome::Skipped }));
        ConnectionReport { steps: self.done, assumed_role_arn: self.assumed_role_arn }
    }
}

pub(crate) fn local_problem(cause: impl Into<String>, fix: impl Into<String>) -> Diagnosis {
    Diagnosis { code: None, provider_message: None, cause: cause.into(), fix: fix.into() }
}

/// How a credential signs in to AWS.
pub enum Signer<'a> {
    WebIdentity(AwsWebIdentity<'a>),
    AccessKey {
        access_key_id: &'a AccessKeyId,
        /// `None`: the stored secret could not be opened with this Wisp's master key.
        secret_access_key: Option<&'a str>,
        role: Option<&'a RoleArn>,
        external_id: Option<&'a ExternalId>,
    },
}

pub async fn check_workload_identity(
    issuer_state: &IssuerState,
    sdk: &AwsSdk,
    config: &WorkloadIdentityConfig,
) -> ConnectionReport {
    let plan = CheckStep::WORKLOAD_IDENTITY;
    let aws = match config.aws() {
        Ok(aws) => aws,
        Err(error) => return ConnectionReport::refused(plan, local_problem(error.to_string(), error.hint())),
    };
    let mut steps = Steps::new(plan);
    let _ = web_identity_session(&mut steps, issuer_state, sdk, aws).await;
    steps.report()
}

/// A credential's chain, through `ListSecrets` in `region` (the credential's, where its secrets live).
pub async fn check_credential(
    issuer_state: &IssuerState,
    sdk: &AwsSdk,
    org: OrgId,
    signer: Signer<'_>,
    region: Region,
) -> ConnectionReport {
    match signer {
        Signer::WebIdentity(aws) => {
            let mut steps = Steps::new(CheckStep::WORKLOAD_IDENTITY_CREDENTIAL);
            if let Ok((session, issuer)) = web_identity_session(&mut steps, issuer_state, sdk, aws).await {
                let ctx = Context { org, region, identity: Identity::WebIdentity { issuer, role: aws.role_arn() } };
                let _ = list_secrets(&mut steps, sdk, region, &session, &ctx).await;
            }
            steps.report()
        }
        Signer::AccessKey { access_key_id, secret_access_key, role, external_id } => {
            let plan = if role.is_some() { CheckStep::STATIC_KEYS_WITH_ROLE } else { CheckStep::STATIC_KEYS };
            let mut steps = Steps::new(plan);
            let identity = Identity::AccessKey { access_key_id, role, external_id: external_id.is_some() };
            let ctx = Context { org, region, identity };
            let _ = access_key_chain(&mut steps, sdk, &ctx, access_key_id, secret_access_key, role, external_id).await;
            steps.report()
        }
    }
}

/// Issuer, token, `AssumeRoleWithWebIdentity`, `GetCallerIdentity`: the session for the config's role.
async fn web_identity_session<'i>(
    steps: &mut Steps,
    issuer_state: &'i IssuerState,
    sdk: &AwsSdk,
    aws: AwsWebIdentity<'_>,
) -> Result<(AwsCredentials, &'i IssuerUrl), Stopped> {
    let (issuer, url) = match (issuer_state.ready(), issuer_state.url.as_ref()) {
        (Ok(issuer), Some(url)) => (issuer, url),
        (result, _) => {
            let reason = result.err().unwrap_or(crate::issuer::NO_ISSUER);
            return Err(steps.fail(
                CheckStep::Issuer,
                local_problem(reason, "Ask your operator to configure the issuer, restart Wisp, then test again."),
            ));
        }
    };
    match self_check(&issuer).await {
        Ok(warnings) => steps.pass(CheckStep::Issuer, issuer.url.to_string(), warnings),
        Err(problem) => return Err(steps.fail(CheckStep::Issuer, problem)),
    }

    let ctx = Context {
        org: aws.org,
        region: aws.region(),
        identity: Identity::WebIdentity { issuer: &issuer.url, role: aws.role_arn() },
    };
    let token = match token_for_sts(&issuer, aws.org).await {
        Ok(token) => token,
        Err(error) => {
            return Err(steps.fail(CheckStep::Token, sts_problem(AwsCall::AssumeRoleWithWebIdentity, error, &ctx)));
        }
    };
    steps.pass(
        CheckStep::Token,
        format!("Signed with key {}, for {}", token.kid, Audience::sts().as_str()),
        Vec::new(),
    );
    let step = CheckStep::AssumeRoleWithWebIdentity;
    let session = match assume_web_identity(sdk, aws, &token).await {
        Ok(assumed) => {
            steps.pass(step, format!("Session {}", assumed.session_arn), Vec::new());
            sdk.sessions().remember(web_identity_key(aws), &assumed.credentials).await;
            assumed.credentials
        }
        Err(error) => return Err(steps.fail(step, sts_problem(AwsCall::AssumeRoleWithWebIdentity, error, &ctx))),
    };

    caller_identity(steps, sdk, &session, &ctx, Some(aws.role_arn())).await?;
    Ok((session, url))
}

/// `AssumeRole` (when a role is set), `GetCallerIdentity` and `ListSecrets` with a stored key.
async fn access_key_chain(
    steps: &mut Steps,
    sdk: &AwsSdk,
    ctx: &Context<'_>,
    access_key_id: &AccessKeyId,
    secret_access_key: Option<&str>,
    role: Option<&RoleArn>,
    external_id: Option<&ExternalId>,
) -> Result<(), Stopped> {
    let Some(secret) = secret_access_key else {
        return Err(steps.fail(
            steps.plan[0],
            local_problem(
                "The stored Secret Access Key cannot be decrypted with this Wisp's master key.",
                "Ask your operator to start Wisp with the WISP_MASTER_KEY it was saved under, or edit the credential and enter the secret access key again.",
            ),
        ));
    };
    let key = AwsCredentials {
        access_key_id: access_key_id.to_string(),
        secret_access_key: secret.to_owned(),
        session_token: None,
        expires_at: None,
    };
    let session = match role {
        None => key,
        Some(role) => match assume_role(sdk, ctx.region, &key, role, external_id).await {
            Ok(assumed) => {
                let detail = match external_id {
                    Some(_) => format!("Session {}, with the External ID", assumed.session_arn),
                    None => format!("Session {}", assumed.session_arn),
                };
                steps.pass(CheckStep::AssumeRole, detail, Vec::new());
                sdk.sessions()
                    .remember(assumed_role_key(&key, role, external_id, ctx.region), &assumed.credentials)
                    .await;
                assumed.credentials
            }
            Err(error) => return Err(steps.fail(CheckStep::AssumeRole, sts_problem(AwsCall::AssumeRole, error, ctx))),
        },
    };
    caller_identity(steps, sdk, &session, ctx, role).await?;
    list_secrets(steps, sdk, ctx.region, &session, ctx).await
}

/// What to say about a failed STS exchange.
pub(crate) fn sts_problem(call: AwsCall, error: FederationError, ctx: &Context<'_>) -> Diagnosis {
    match error {
        FederationError::Sts(failure) => diagnose(call, &failure, ctx),
        FederationError::NoCredentials => local_problem(
            "AWS STS answered without credentials.",
            "Test again; if it persists, check AWS_ENDPOINT_URL points at AWS STS.",
        ),
        FederationError::Token => local_problem(
            "Wisp could not sign a token.",
            "Ask your operator to check the issuer key configuration (the server log has the error), then try again.",
        ),
    }
}

/// Who AWS says Wisp is now; warns when that is another account than the role's.
async fn caller_identity(
    steps: &mut Steps,
    sdk: &AwsSdk,
    session: &AwsCredentials,
    ctx: &Context<'_>,
    role: Option<&RoleArn>,
) -> Result<(), Stopped> {
    match sdk.sts_with(ctx.region, session).get_caller_identity().send().await {
        Ok(identity) => {
            let arn = identity.arn().unwrap_or_default().to_owned();
            let mut warnings = Vec::new();
            if let (Some(account), Some(role)) = (identity.account(), role)
                && account != role.account()
            {
                warnings.push(format!(
                    "The session belongs to account {account} but the role ARN names account {}.",
                    role.account()
                ));
            }
            steps.pass(CheckStep::CallerIdentity, arn.clone(), warnings);
            steps.assumed_role_arn = Some(arn);
            Ok(())
        }
        Err(error) => {
            let diagnosis = diagnose(AwsCall::GetCallerIdentity, &Failure::from_sdk(&error), ctx);
            Err(steps.fail(CheckStep::CallerIdentity, diagnosis))
        }
    }
}

/// One page of one secret: enough to know the Secret Name autocomplete will work.
async fn list_secrets(
    steps: &mut Steps,
    sdk: &AwsSdk,
    region: Region,
    session: &AwsCredentials,
    ctx: &Context<'_>,
) -> Result<(), Stopped> {
    match sdk.secrets_manager_with(region, session).list_secrets().max_results(1).send().await {
        Ok(_) => {
            steps.pass(CheckStep::ListSecrets, format!("Secrets Manager in {region} lists secrets"), Vec::new());
            Ok(())
        }
        Err(error) => {
            let diagnosis = diagnose(AwsCall::ListSecrets, &Failure::from_sdk(&error), ctx);
            Err(steps.fail(CheckStep::ListSecrets, diagnosis))
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
    let signing_kid = issuer.minter.kid();
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

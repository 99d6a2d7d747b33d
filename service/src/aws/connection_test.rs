//! Test Connection for AWS: the chain AWS will walk at kickoff. For a workload identity config: the
//! issuer, a token, `AssumeRoleWithWebIdentity`, `GetCallerIdentity`. For a credential, then
//! `ListSecrets` too (what the Secret Name autocomplete needs); for static keys, `AssumeRole`
//! first when a role is set.
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
    connection_test::{CheckStep, ConnectionReport, Steps, Stopped, issuer_step},
    issuer::{IssuerState, url::IssuerUrl},
    workload_identity::{AwsWebIdentity, WorkloadIdentityConfig},
};

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
        Err(error) => return ConnectionReport::refused(plan, Diagnosis::local(error.to_string(), error.hint())),
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
    let (issuer, url) = issuer_step(steps, issuer_state, "AWS").await?;

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
            Diagnosis::local(
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
        FederationError::NoCredentials => Diagnosis::local(
            "AWS STS answered without credentials.",
            "Test again; if it persists, check AWS_ENDPOINT_URL points at AWS STS.",
        ),
        FederationError::Token => Diagnosis::local(
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

//! The two ways Wisp obtains temporary AWS credentials: trading the organization's token for a
//! role (`AssumeRoleWithWebIdentity`), and a stored access key assuming a role (`AssumeRole`).
//! Test Connection reports each as a step (and keeps the session it obtained); the autocomplete
//! and kickoffs use the same calls through the session cache.
use vocabulary::{
    aws::{ExternalId, Region, RoleArn},
    ids::OrgId,
    token::Audience,
};

use crate::{
    aws::{
        guidance::Failure,
        sdk::{AwsCredentials, AwsSdk},
        sessions::SessionKey,
    },
    issuer::{Issuer, mint::MintedToken},
    workload_identity::AwsWebIdentity,
};

const SESSION_NAME: &str = "wisp";
/// STS's default; the cache hands a session out until five minutes before its end.
const SESSION_SECONDS: i32 = 3600;

/// Temporary credentials and the session's ARN.
pub struct Assumed {
    pub credentials: AwsCredentials,
    pub session_arn: String,
}

/// Why no session was obtained.
pub enum FederationError {
    /// Wisp could not sign a token (the cause is logged, never shown: it may concern the key).
    Token,
    /// STS refused or did not answer.
    Sts(Failure),
    /// STS answered without credentials.
    NoCredentials,
}

pub fn web_identity_key(aws: AwsWebIdentity<'_>) -> SessionKey {
    SessionKey::WebIdentity { org: aws.org, role_arn: aws.role_arn().to_string(), region: aws.region() }
}

pub fn assumed_role_key(
    key: &AwsCredentials,
    role: &RoleArn,
    external_id: Option<&ExternalId>,
    region: Region,
) -> SessionKey {
    SessionKey::AssumedRole {
        access_key_id: key.access_key_id.clone(),
        role_arn: role.to_string(),
        external_id: external_id.map(|e| e.as_str().to_owned()),
        region,
    }
}

/// The organization's token for STS.
pub async fn token_for_sts(issuer: &Issuer, org: OrgId) -> Result<MintedToken, FederationError> {
    issuer.minter.token(org, &Audience::sts()).await.map_err(|error| {
        tracing::error!("Wisp could not sign a token for STS: {error}");
        FederationError::Token
    })
}

/// `token` traded for the config's role.
pub async fn assume_web_identity(
    sdk: &AwsSdk,
    aws: AwsWebIdentity<'_>,
    token: &MintedToken,
) -> Result<Assumed, FederationError> {
    let output = sdk
        .sts_anonymous(aws.region())
        .assume_role_with_web_identity()
        .role_arn(aws.role_arn().to_string())
        .role_session_name(SESSION_NAME)
        .web_identity_token(&token.token)
        .duration_seconds(SESSION_SECONDS)
        .send()
        .await
        .map_err(|error| sts_failed("AssumeRoleWithWebIdentity", &error))?;
    crate::metrics::sts_request("AssumeRoleWithWebIdentity", None);
    assumed(output.credentials(), output.assumed_role_user())
}

/// A refused or failed STS call, counted by AWS's code.
fn sts_failed<E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    call: &'static str,
    error: &aws_sdk_sts::error::SdkError<E, R>,
) -> FederationError {
    let failure = Failure::from_sdk(error);
    crate::metrics::sts_request(call, Some(failure.metric_code()));
    FederationError::Sts(failure)
}

/// A stored key assuming `role`, with the external ID when one is saved.
pub async fn assume_role(
    sdk: &AwsSdk,
    region: Region,
    key: &AwsCredentials,
    role: &RoleArn,
    external_id: Option<&ExternalId>,
) -> Result<Assumed, FederationError> {
    let mut request = sdk
        .sts_with(region, key)
        .assume_role()
        .role_arn(role.to_string())
        .role_session_name(SESSION_NAME)
        .duration_seconds(SESSION_SECONDS);
    if let Some(external_id) = external_id {
        request = request.external_id(external_id.as_str());
    }
    let output = request.send().await.map_err(|error| sts_failed("AssumeRole", &error))?;
    crate::metrics::sts_request("AssumeRole", None);
    assumed(output.credentials(), output.assumed_role_user())
}

/// What both STS calls answer: the credentials (none is a failure) and the session's ARN.
fn assumed(
    credentials: Option<&aws_sdk_sts::types::Credentials>,
    user: Option<&aws_sdk_sts::types::AssumedRoleUser>,
) -> Result<Assumed, FederationError> {
    let credentials = credentials.ok_or(FederationError::NoCredentials)?;
    Ok(Assumed {
        credentials: AwsCredentials::from_sts(credentials),
        session_arn: user.map(|u| u.arn().to_owned()).unwrap_or_default(),
    })
}

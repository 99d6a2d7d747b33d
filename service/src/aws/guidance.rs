//! AWS failures in plain words: for each call and error code, the likely cause and what to do,
//! filled in with this organization's real values so the admin can compare them with AWS.
use aws_sdk_sts::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use vocabulary::{
    aws::{AccessKeyId, Region, RoleArn},
    ids::OrgId,
    token::{STS_AUDIENCE, Subject},
};

pub use crate::guidance::Diagnosis;
use crate::{aws::trust_setup::provider_arn, issuer::url::IssuerUrl};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AwsCall {
    AssumeRoleWithWebIdentity,
    AssumeRole,
    GetCallerIdentity,
    ListSecrets,
    GetSecretValue,
}

impl AwsCall {
    /// The service's name for people, and its endpoint host prefix.
    fn service(self) -> (&'static str, &'static str) {
        match self {
            AwsCall::AssumeRoleWithWebIdentity | AwsCall::AssumeRole | AwsCall::GetCallerIdentity => ("STS", "sts"),
            AwsCall::ListSecrets | AwsCall::GetSecretValue => ("Secrets Manager", "secretsmanager"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AwsCall::AssumeRoleWithWebIdentity => "AssumeRoleWithWebIdentity",
            AwsCall::AssumeRole => "AssumeRole",
            AwsCall::GetCallerIdentity => "GetCallerIdentity",
            AwsCall::ListSecrets => "ListSecrets",
            AwsCall::GetSecretValue => "GetSecretValue",
        }
    }
}

/// How a call failed, before interpretation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// AWS answered with an error code.
    Service {
        code: String,
        message: String,
    },
    /// No answer in time.
    Timeout,
    /// No connection: DNS, refused, TLS.
    Unreachable(String),
    Other(String),
}

impl Failure {
    /// What the metrics call this failure: AWS's code, or how the call failed without one.
    pub fn metric_code(&self) -> &str {
        match self {
            Failure::Service { code, .. } => code,
            Failure::Timeout => "Timeout",
            Failure::Unreachable(_) => "Unreachable",
            Failure::Other(_) => "Other",
        }
    }

    pub fn from_sdk<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
        error: &SdkError<E, R>,
    ) -> Self {
        match error {
            SdkError::TimeoutError(_) => Failure::Timeout,
            SdkError::DispatchFailure(dispatch) if dispatch.is_timeout() => Failure::Timeout,
            SdkError::DispatchFailure(dispatch) if dispatch.is_io() => {
                Failure::Unreachable(DisplayErrorContext(error).to_string())
            }
            _ => match error.code() {
                Some(code) => {
                    Failure::Service { code: code.to_owned(), message: error.message().unwrap_or_default().to_owned() }
                }
                None => Failure::Other(DisplayErrorContext(error).to_string()),
            },
        }
    }
}

/// The organization's real values, so the guidance can say exactly what AWS must hold.
pub struct Context<'a> {
    pub org: OrgId,
    pub region: Region,
    pub identity: Identity<'a>,
}

/// How Wisp was signing in to AWS when the call failed.
#[derive(Clone, Copy)]
pub enum Identity<'a> {
    /// The organization's token, traded for `role`.
    WebIdentity { issuer: &'a IssuerUrl, role: &'a RoleArn },
    /// A stored access key, assuming `role` (with an external ID, when one is saved) or not.
    AccessKey { access_key_id: &'a AccessKeyId, role: Option<&'a RoleArn>, external_id: bool },
}

impl Identity<'_> {
    /// The role in play, for guidance that names it.
    fn role(&self) -> Option<&RoleArn> {
        match self {
            Identity::WebIdentity { role, .. } => Some(role),
            Identity::AccessKey { role, .. } => *role,
        }
    }
}

pub fn diagnose(call: AwsCall, failure: &Failure, ctx: &Context<'_>) -> Diagnosis {
    let (code, provider_message) = match failure {
        Failure::Service { code, message } => (Some(code.clone()), Some(message.clone()).filter(|m| !m.is_empty())),
        _ => (None, None),
    };
    let (cause, fix) = explain(call, failure, ctx);
    Diagnosis { code, provider_message, cause, fix }
}

/// A failed `GetSecretValue` for `secret` (a name or an ARN): the general guidance, with the
/// secret's exact ARN (or its pattern) where the fix is a policy statement or a name.
pub fn diagnose_secret(failure: &Failure, ctx: &Context<'_>, secret: &str) -> Diagnosis {
    let mut diagnosis = diagnose(AwsCall::GetSecretValue, failure, ctx);
    let arn = secret_arn(ctx, secret);
    let whose = match ctx.identity.role() {
        Some(role) => format!("the permissions policy of {role}"),
        None => "the policy of the access key's user".to_owned(),
    };
    let fix = match diagnosis.code.as_deref() {
        Some("AccessDeniedException" | "AccessDenied") => Some(format!(
            "Allow secretsmanager:GetSecretValue on {arn} in {whose}; if the secret uses a customer-managed KMS key, also allow kms:Decrypt on that key."
        )),
        Some(
            "DecryptionFailure" | "KMSAccessDeniedException" | "KMSDisabledException" | "KMSInvalidStateException",
        ) => Some(format!(
            "Allow kms:Decrypt on the KMS key of {secret} in {whose} and in the key's own key policy, and check the key is enabled."
        )),
        Some("ResourceNotFoundException") => Some(format!(
            "Check the name '{secret}' (names are case-sensitive) and that the secret lives in {}; a secret in another region needs a credential with that region.",
            ctx.region
        )),
        _ => None,
    };
    if let Some(fix) = fix {
        diagnosis.fix = fix;
    }
    diagnosis
}

/// The ARN a policy must allow for `secret`: itself when it is one, else the name followed by
/// the six random characters AWS appends (`-??????`).
fn secret_arn(ctx: &Context<'_>, secret: &str) -> String {
    if secret.starts_with("arn:") {
        return secret.to_owned();
    }
    let account = ctx.identity.role().map_or("<account-id>", |role| role.account());
    let partition = ctx.region.partition();
    format!("arn:{partition}:secretsmanager:{}:{account}:secret:{secret}-??????", ctx.region)
}

fn explain(call: AwsCall, failure: &Failure, ctx: &Context<'_>) -> (String, String) {
    let region = ctx.region;
    let (service, endpoint_host) = call.service();
    let code = match failure {
        Failure::Timeout => {
            return (
                format!("AWS {service} in {region} did not answer within 10 seconds."),
                format!(
                    "Let Wisp's host reach https://{}.{region}.{} on port 443 (check firewalls, proxies and egress rules), then test again.",
                    endpoint_host,
                    region.partition().dns_suffix()
                ),
            );
        }
        // The connector's own words name internal addresses: they go to the operator's log, and
        // members see what failed and what to do.
        Failure::Unreachable(detail) => {
            tracing::warn!(call = call.name(), %region, "could not connect to AWS: {detail}");
            return (
                format!("Wisp could not connect to AWS {service} in {region}."),
                "Check DNS and outbound HTTPS from Wisp's host (and AWS_ENDPOINT_URL if you set it), then test again. The server log has the connection error."
                    .to_owned(),
            );
        }
        Failure::Other(detail) => {
            tracing::warn!(call = call.name(), %region, "the AWS call failed before AWS answered: {detail}");
            return (
                format!("The {} call failed before AWS answered.", call.name()),
                "Test again; if it keeps failing, ask your operator: the server log has the details.".to_owned(),
            );
        }
        Failure::Service { code, .. } => code.as_str(),
    };
    let specific = match ctx.identity {
        Identity::WebIdentity { issuer, role } => explain_web_identity(call, code, issuer, role, ctx),
        Identity::AccessKey { access_key_id, role, external_id } => {
            explain_access_key(call, code, access_key_id, role, external_id)
        }
    };
    specific.unwrap_or_else(|| explain_any(call, code, ctx))
}

/// What only the token handshake explains.
fn explain_web_identity(
    call: AwsCall,
    code: &str,
    issuer: &IssuerUrl,
    role: &RoleArn,
    ctx: &Context<'_>,
) -> Option<(String, String)> {
    let host = issuer.host_and_path();
    let discovery = issuer.discovery_url();
    let region = ctx.region;
    Some(match (call, code) {
        (AwsCall::AssumeRoleWithWebIdentity, "InvalidIdentityToken") => (
            "AWS could not verify Wisp's token. Usually AWS cannot fetch Wisp's discovery document or keys: the issuer is not reachable from the internet, is not https, answers slower than 5 seconds, or the identity provider in IAM was registered with a different URL.".to_owned(),
            format!(
                "From a machine outside your network, open {discovery} and check it answers over https with \"issuer\": \"{issuer}\". In IAM → Identity providers, the provider URL must be exactly {issuer}."
            ),
        ),
        (AwsCall::AssumeRoleWithWebIdentity, "AccessDenied") => (
            "AWS verified the token but the role's trust policy does not let this organization assume it.".to_owned(),
            format!(
                "In the trust policy of {role}, the federated principal must be {} (the issuer host with no https://), the condition {host}:aud must equal {STS_AUDIENCE}, and {host}:sub must equal {}. The trust-policy panel has the exact JSON.",
                provider_arn(issuer, role),
                Subject::Organization(ctx.org)
            ),
        ),
        (AwsCall::AssumeRoleWithWebIdentity, "IDPRejectedClaim") => (
            "The identity provider registered in IAM refused the token's claims, usually because its audience list lacks sts.amazonaws.com.".to_owned(),
            format!("In IAM → Identity providers → {host}, add the audience {STS_AUDIENCE}."),
        ),
        (AwsCall::AssumeRoleWithWebIdentity, "IDPCommunicationError") => (
            "AWS could not reach Wisp's issuer in time to fetch its keys.".to_owned(),
            format!("Make sure {discovery} and its JWKS answer from the internet within 5 seconds, then test again."),
        ),
        (AwsCall::AssumeRoleWithWebIdentity, "ValidationError" | "InvalidParameterValue") => (
            "AWS refused a value of the request: the role ARN, or a session longer than the role's maximum.".to_owned(),
            format!("Check that {role} exists, and that its maximum session duration is at least one hour."),
        ),
        (AwsCall::GetCallerIdentity, "InvalidClientTokenId" | "AccessDenied") => (
            format!("The temporary credentials were not accepted by STS in {region}."),
            format!("Check that STS is activated in {region} for account {}.", role.account()),
        ),
        (AwsCall::AssumeRoleWithWebIdentity, other) if !is_common(other) => (
            format!("AWS STS refused the handshake ({other})."),
            format!(
                "Check the identity provider in IAM ({}), the role's trust policy, and that {discovery} is reachable from the internet.",
                provider_arn(issuer, role)
            ),
        ),
        _ => return None,
    })
}

/// What only a stored access key explains.
fn explain_access_key(
    call: AwsCall,
    code: &str,
    access_key_id: &AccessKeyId,
    role: Option<&RoleArn>,
    external_id: bool,
) -> Option<(String, String)> {
    let key = access_key_id.masked();
    Some(match (call, code) {
        (AwsCall::AssumeRole, "AccessDenied") => {
            let role = role.map_or_else(|| "the role".to_owned(), ToString::to_string);
            let condition = if external_id {
                " Its trust policy must also require sts:ExternalId equal to the External ID saved here, exactly."
            } else {
                " If its trust policy requires an sts:ExternalId, save that External ID here."
            };
            (
                format!("AWS did not let the user of access key {key} assume {role}: the role's trust policy does not allow it, the External ID differs, or the user may not call sts:AssumeRole."),
                format!("Allow the key's user (or its account) in the trust policy of {role}, and allow sts:AssumeRole on {role} in the user's own policy.{condition}"),
            )
        }
        (AwsCall::AssumeRole | AwsCall::GetCallerIdentity | AwsCall::ListSecrets, "InvalidClientTokenId" | "UnrecognizedClientException")
            if call != AwsCall::ListSecrets || role.is_none() =>
        (
            format!("AWS does not accept the access key {key}: it was deleted or deactivated, belongs to another partition, or the region is not enabled for the account."),
            format!("In IAM, check that {key} is active (or create a new key and save it here), and that the region is enabled in the account."),
        ),
        (_, "SignatureDoesNotMatch" | "InvalidSignatureException") => (
            format!("AWS refused the request's signature: the saved Secret Access Key does not belong to {key}."),
            "Edit the credential and paste the secret access key shown when this access key was created (or create a new key pair), then test again.".to_owned(),
        ),
        (_, "ExpiredToken" | "ExpiredTokenException") if access_key_id.as_str().starts_with("ASIA") => (
            format!("{key} is a temporary access key, and it has expired."),
            "Save a long-term access key (AKIA…) of an IAM user instead; temporary keys last hours at most.".to_owned(),
        ),
        _ => return None,
    })
}

/// Codes whose explanation does not depend on how Wisp signed in.
fn is_common(code: &str) -> bool {
    matches!(
        code,
        "ExpiredTokenException"
            | "ExpiredToken"
            | "RegionDisabledException"
            | "Throttling"
            | "ThrottlingException"
            | "TooManyRequestsException"
            | "ResourceNotFoundException"
    )
}

fn explain_any(call: AwsCall, code: &str, ctx: &Context<'_>) -> (String, String) {
    let region = ctx.region;
    match (call, code) {
        (_, "ExpiredTokenException" | "ExpiredToken") => (
            "AWS says the token or session has expired, although Wisp had just issued it: the clock of Wisp's host is probably wrong.".to_owned(),
            "Synchronise the clock of Wisp's host (NTP), then test again.".to_owned(),
        ),
        (_, "RegionDisabledException") => (
            format!("AWS STS is not activated for region {region} in this account."),
            format!("Activate {region} in IAM → Account settings → Security Token Service, or choose the region where your secrets live."),
        ),
        (_, "Throttling" | "ThrottlingException" | "TooManyRequestsException") => (
            "AWS is throttling requests from this account.".to_owned(),
            "Wait a minute and test again.".to_owned(),
        ),
        (AwsCall::ListSecrets, "AccessDeniedException" | "AccessDenied") => (
            "The role may not list secrets. ListSecrets only works with \"Resource\": \"*\" in the role's permissions policy.".to_owned(),
            "Add a statement allowing secretsmanager:ListSecrets on \"Resource\": \"*\" (the permissions policy on the Workload Identity page has it).".to_owned(),
        ),
        (AwsCall::GetSecretValue, "AccessDeniedException" | "AccessDenied") => (
            "The role may not read this secret, or may not decrypt it with its KMS key.".to_owned(),
            "Allow secretsmanager:GetSecretValue on the secret's ARN (name followed by -??????) and, for a customer-managed key, kms:Decrypt on that key.".to_owned(),
        ),
        (AwsCall::GetSecretValue, "DecryptionFailure" | "KMSAccessDeniedException" | "KMSDisabledException" | "KMSInvalidStateException") => (
            "Secrets Manager could not decrypt the secret with its KMS key.".to_owned(),
            "Allow kms:Decrypt on the secret's KMS key in the role's permissions policy and the key policy, and check the key is enabled.".to_owned(),
        ),
        (_, "ResourceNotFoundException") => (
            format!("No secret by that name exists in {region} for this account."),
            format!("Check the secret name and that it lives in {region}; a secret in another region needs a credential with that region."),
        ),
        (call, other) => (
            format!("AWS answered {} with {other}.", call.name()),
            match ctx.identity.role() {
                Some(role) => format!("Check the permissions policy of {role}, then test again."),
                None => "Check the permissions of the access key's user, then test again.".to_owned(),
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnosis(call: AwsCall, code: &str) -> Diagnosis {
        let issuer = IssuerUrl::parse("https://wisp.example.com").unwrap();
        let role: RoleArn = "arn:aws:iam::123456789012:role/wisp-reader".parse().unwrap();
        let org: OrgId = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f".parse().unwrap();
        let ctx = Context {
            org,
            region: "eu-west-1".parse().unwrap(),
            identity: Identity::WebIdentity { issuer: &issuer, role: &role },
        };
        let failure = Failure::Service { code: code.to_owned(), message: "from AWS".to_owned() };
        diagnose(call, &failure, &ctx)
    }

    #[test]
    fn access_denied_on_the_handshake_names_the_exact_trust_policy_values() {
        let d = diagnosis(AwsCall::AssumeRoleWithWebIdentity, "AccessDenied");
        assert_eq!(d.code.as_deref(), Some("AccessDenied"));
        assert_eq!(d.provider_message.as_deref(), Some("from AWS"));
        assert!(d.cause.contains("trust policy"));
        for expected in [
            "arn:aws:iam::123456789012:oidc-provider/wisp.example.com",
            "wisp.example.com:aud must equal sts.amazonaws.com",
            "wisp.example.com:sub must equal organization:6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f",
        ] {
            assert!(d.fix.contains(expected), "{expected} missing from: {}", d.fix);
        }
    }

    #[test]
    fn each_known_code_has_its_own_explanation() {
        let cases = [
            (AwsCall::AssumeRoleWithWebIdentity, "InvalidIdentityToken", "could not verify Wisp's token"),
            (AwsCall::AssumeRoleWithWebIdentity, "IDPRejectedClaim", "audience list"),
            (AwsCall::AssumeRoleWithWebIdentity, "IDPCommunicationError", "could not reach Wisp's issuer"),
            (AwsCall::AssumeRoleWithWebIdentity, "ExpiredTokenException", "clock"),
            (AwsCall::AssumeRoleWithWebIdentity, "RegionDisabledException", "not activated for region eu-west-1"),
            (AwsCall::AssumeRoleWithWebIdentity, "Throttling", "throttling"),
            (AwsCall::AssumeRoleWithWebIdentity, "ValidationError", "refused a value of the request"),
            (AwsCall::AssumeRoleWithWebIdentity, "SomethingNew", "refused the handshake (SomethingNew)"),
            (AwsCall::GetCallerIdentity, "ExpiredToken", "clock"),
            (AwsCall::ListSecrets, "AccessDeniedException", "\"Resource\": \"*\""),
            (AwsCall::GetSecretValue, "AccessDeniedException", "may not read this secret"),
            (AwsCall::GetSecretValue, "DecryptionFailure", "KMS key"),
            (AwsCall::GetSecretValue, "ResourceNotFoundException", "No secret by that name exists in eu-west-1"),
        ];
        for (call, code, expected) in cases {
            let d = diagnosis(call, code);
            assert!(d.cause.contains(expected), "{code}: {}", d.cause);
            assert!(!d.fix.is_empty());
        }
    }

    fn with_key(call: AwsCall, code: &str, role: Option<&str>, external_id: bool) -> Diagnosis {
        let key: AccessKeyId = "AKIAIOSFODNN7EXAMPLE".parse().unwrap();
        let role: Option<RoleArn> = role.map(|r| r.parse().unwrap());
        let identity = Identity::AccessKey { access_key_id: &key, role: role.as_ref(), external_id };
        let ctx = Context { org: OrgId::new(), region: "eu-west-1".parse().unwrap(), identity };
        diagnose(call, &Failure::Service { code: code.to_owned(), message: "from AWS".to_owned() }, &ctx)
    }

    #[test]
    fn an_access_keys_failures_name_the_key_and_the_fix() {
        let role = Some("arn:aws:iam::123456789012:role/reader");
        let denied = with_key(AwsCall::AssumeRole, "AccessDenied", role, true);
        assert!(denied.cause.contains("AKIA…MPLE") && denied.cause.contains("External ID"), "{}", denied.cause);
        assert!(denied.fix.contains("sts:ExternalId equal to the External ID saved here"), "{}", denied.fix);
        let unknown = with_key(AwsCall::GetCallerIdentity, "InvalidClientTokenId", None, false);
        assert!(unknown.cause.contains("does not accept the access key AKIA…MPLE"), "{}", unknown.cause);
        let unrecognized = with_key(AwsCall::ListSecrets, "UnrecognizedClientException", None, false);
        assert!(unrecognized.cause.contains("does not accept the access key"), "{}", unrecognized.cause);
        let signature = with_key(AwsCall::GetCallerIdentity, "SignatureDoesNotMatch", None, false);
        assert!(signature.cause.contains("Secret Access Key does not belong to AKIA…MPLE"), "{}", signature.cause);
        let list = with_key(AwsCall::ListSecrets, "AccessDeniedException", role, false);
        assert!(list.cause.contains("\"Resource\": \"*\""), "{}", list.cause);
        assert!(!format!("{denied:?}{unknown:?}{signature:?}").contains("AKIAIOSFODNN7EXAMPLE"), "only masked");
    }

    #[test]
    fn a_secret_that_cannot_be_read_is_named_with_its_arn() {
        let issuer = IssuerUrl::parse("https://wisp.example.com").unwrap();
        let role: RoleArn = "arn:aws:iam::123456789012:role/reader".parse().unwrap();
        let identity = Identity::WebIdentity { issuer: &issuer, role: &role };
        let ctx = Context { org: OrgId::new(), region: "eu-west-1".parse().unwrap(), identity };
        let failure = |code: &str| Failure::Service { code: code.to_owned(), message: String::new() };
        let denied = diagnose_secret(&failure("AccessDeniedException"), &ctx, "prod/db");
        assert!(
            denied.fix.contains("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-??????"),
            "{}",
            denied.fix
        );
        assert!(denied.fix.contains("kms:Decrypt") && denied.fix.contains("role/reader"), "{}", denied.fix);
        let missing = diagnose_secret(&failure("ResourceNotFoundException"), &ctx, "prod/db");
        assert!(missing.fix.contains("'prod/db'") && missing.fix.contains("eu-west-1"), "{}", missing.fix);
        let kms = diagnose_secret(&failure("DecryptionFailure"), &ctx, "prod/db");
        assert!(kms.fix.contains("key policy"), "{}", kms.fix);
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf";
        assert!(diagnose_secret(&failure("AccessDenied"), &ctx, arn).fix.contains(arn));
    }

    #[test]
    fn timeouts_and_unreachable_endpoints_say_where_wisp_must_connect() {
        let issuer = IssuerUrl::parse("https://wisp.example.com").unwrap();
        let role: RoleArn = "arn:aws:iam::123456789012:role/r".parse().unwrap();
        let identity = Identity::WebIdentity { issuer: &issuer, role: &role };
        let ctx = Context { org: OrgId::new(), region: "us-east-2".parse().unwrap(), identity };
        let timeout = diagnose(AwsCall::AssumeRoleWithWebIdentity, &Failure::Timeout, &ctx);
        assert_eq!(timeout.code, None);
        assert!(timeout.cause.contains("did not answer within 10 seconds"));
        assert!(timeout.fix.contains("https://sts.us-east-2.amazonaws.com"));
        let china = Context { region: "cn-north-1".parse().unwrap(), ..ctx };
        let timeout = diagnose(AwsCall::ListSecrets, &Failure::Timeout, &china);
        assert!(timeout.fix.contains("https://secretsmanager.cn-north-1.amazonaws.com.cn"), "{}", timeout.fix);
        let ctx = Context { region: "us-east-2".parse().unwrap(), ..china };
        let refused = diagnose(AwsCall::ListSecrets, &Failure::Unreachable("connection refused".into()), &ctx);
        assert!(refused.cause.contains("could not connect to AWS Secrets Manager in us-east-2"), "{}", refused.cause);
        assert!(!format!("{refused:?}").contains("connection refused"), "the connector's words stay in the log");
    }
}

//! The AWS SDK configuration every call starts from: bounded timeouts and retries, no ambient
//! credentials (Wisp holds no AWS key), endpoints from the standard `AWS_ENDPOINT_URL*` variables.
use std::time::{Duration, SystemTime};

use aws_config::{BehaviorVersion, SdkConfig, retry::RetryConfig, timeout::TimeoutConfig};
use aws_sdk_sts::config::{Credentials, Region as SdkRegion};

use vocabulary::aws::{Partition, Region};

use crate::aws::sessions::Sessions;

/// A dead endpoint is reported within about ten seconds, retries included.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(4);
const OPERATION_TIMEOUT: Duration = Duration::from_secs(9);
const MAX_ATTEMPTS: u32 = 2;

/// AWS credentials: a stored access key, or temporary ones from STS (with a session token);
/// `Debug` never shows the secret parts.
#[derive(Clone)]
pub struct AwsCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    pub expires_at: Option<SystemTime>,
}

impl AwsCredentials {
    /// What STS handed out (`AssumeRole`, `AssumeRoleWithWebIdentity`).
    pub fn from_sts(credentials: &aws_sdk_sts::types::Credentials) -> Self {
        Self {
            access_key_id: credentials.access_key_id().to_owned(),
            secret_access_key: credentials.secret_access_key().to_owned(),
            session_token: Some(credentials.session_token().to_owned()),
            expires_at: SystemTime::try_from(*credentials.expiration()).ok(),
        }
    }
}

impl std::fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsCredentials").field("access_key_id", &self.access_key_id).finish_non_exhaustive()
    }
}

/// How long Wisp remembers that an identity may not make a call it can do without (such as
/// `BatchGetSecretValue`, which has `GetSecretValue` to fall back on): asking again every time
/// would cost a refused call per kickoff.
const REFUSAL_MEMORY: Duration = Duration::from_secs(600);

#[derive(Clone, Debug)]
pub struct AwsSdk {
    base: SdkConfig,
    sessions: Sessions,
    refusals: moka::sync::Cache<String, ()>,
}

impl AwsSdk {
    /// From the environment, as every AWS tool reads it (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_STS`, …).
    pub async fn from_env() -> Self {
        Self::load(None).await
    }

    /// Every service at `endpoint`: tests and the demo's local AWS.
    pub async fn with_endpoint(endpoint: &str) -> Self {
        Self::load(Some(endpoint)).await
    }

    async fn load(endpoint: Option<&str>) -> Self {
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .operation_attempt_timeout(ATTEMPT_TIMEOUT)
            .operation_timeout(OPERATION_TIMEOUT)
            .build();
        // A region is set per call; this one only keeps the loader from probing for one.
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(SdkRegion::from_static(Region::DEFAULT.as_str()))
            .timeout_config(timeouts)
            .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
            .no_credentials();
        if let Some(endpoint) = endpoint {
            loader = loader.endpoint_url(endpoint);
        }
        let refusals = moka::sync::Cache::builder().max_capacity(10_000).time_to_live(REFUSAL_MEMORY).build();
        Self { base: loader.load().await, sessions: Sessions::default(), refusals }
    }

    /// The STS sessions kept for reuse.
    pub fn sessions(&self) -> &Sessions {
        &self.sessions
    }

    /// Remembers for a while that `what` (an identity and a call) was refused.
    pub fn remember_refusal(&self, what: String) {
        self.refusals.insert(what, ());
    }

    pub fn was_refused(&self, what: &str) -> bool {
        self.refusals.contains_key(what)
    }

    /// For `AssumeRoleWithWebIdentity`, which is unsigned: the token is the credential.
    pub fn sts_anonymous(&self, region: Region) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::from_conf(self.sts_config(region).build())
    }

    pub fn sts_with(&self, region: Region, credentials: &AwsCredentials) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::from_conf(
            self.sts_config(region).credentials_provider(to_sdk_credentials(credentials)).build(),
        )
    }

    pub fn secrets_manager_with(&self, region: Region, credentials: &AwsCredentials) -> aws_sdk_secretsmanager::Client {
        aws_sdk_secretsmanager::Client::from_conf(
            aws_sdk_secretsmanager::config::Builder::from(&self.base)
                .region(SdkRegion::new(region.as_str()))
                .credentials_provider(to_sdk_credentials(credentials))
                .build(),
        )
    }

    /// IAM is global: its endpoint lives in the partition's home region.
    pub fn iam_with(&self, partition: Partition, credentials: &AwsCredentials) -> aws_sdk_iam::Client {
        let home = match partition {
            Partition::Aws => "us-east-1",
            Partition::AwsCn => "cn-north-1",
            Partition::AwsUsGov => "us-gov-west-1",
        };
        aws_sdk_iam::Client::from_conf(
            aws_sdk_iam::config::Builder::from(&self.base)
                .region(SdkRegion::new(home))
                .credentials_provider(to_sdk_credentials(credentials))
                .build(),
        )
    }

    fn sts_config(&self, region: Region) -> aws_sdk_sts::config::Builder {
        aws_sdk_sts::config::Builder::from(&self.base).region(SdkRegion::new(region.as_str()))
    }
}

fn to_sdk_credentials(credentials: &AwsCredentials) -> Credentials {
    Credentials::new(
        credentials.access_key_id.clone(),
        credentials.secret_access_key.clone(),
        credentials.session_token.clone(),
        credentials.expires_at,
        "wisp",
    )
}

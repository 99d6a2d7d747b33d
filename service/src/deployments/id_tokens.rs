//! ID tokens for a running automation, for any relying party that trusts Wisp's issuer (a
//! Vault, another cloud, an internal API, AWS STS for the run's own role): `sub =
//! organization:<org>:automation:<automation>`, with the automation and deployment as claims, 15
//! minutes long, a few a second per deployment. Asked for with the deployment's token or with the
//! run token a kickoff hands its run.
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sea_orm::ConnectionTrait;
use vocabulary::{
    ids::DeploymentId,
    token::{Audience, STS_AUDIENCE},
};

use super::Worker;
use crate::{
    error::{ServiceError, ServiceResult},
    issuer::{IssuerState, mint::MintedToken},
};

/// A run asks for a handful of tokens; a loop asking for thousands is a bug or an abuse.
const PER_SECOND: u32 = 5;
const BURST: u32 = 20;

pub struct IdTokens {
    limiter: DefaultKeyedRateLimiter<DeploymentId>,
}

impl Default for IdTokens {
    fn default() -> Self {
        let quota = Quota::per_second(NonZeroU32::new(PER_SECOND).expect("positive"))
            .allow_burst(NonZeroU32::new(BURST).expect("positive"));
        Self { limiter: RateLimiter::keyed(quota) }
    }
}

impl IdTokens {
    pub async fn issue(
        &self,
        db: &impl ConnectionTrait,
        issuer: &IssuerState,
        worker: &Worker,
        audience: &str,
    ) -> ServiceResult<MintedToken> {
        let audience: Audience = audience.parse()?;
        let issuer = issuer.ready().map_err(ServiceError::IssuerNotConfigured)?;
        if self.limiter.check_key(&worker.deployment()).is_err() {
            return Err(ServiceError::TooManyRequests {
                what: "ID token requests for this deployment",
                retry_after_secs: 1,
            });
        }
        // Session tags are for STS only, and only when the run's AWS role asks for them.
        let session_tags = audience.as_str() == STS_AUDIENCE
            && worker
                .run_role_config(db)
                .await?
                .is_some_and(|config| config.aws().is_ok_and(|aws| aws.role.session_tags));
        issuer.minter.automation_token(worker.org(), worker.running(session_tags), &audience)
    }
}

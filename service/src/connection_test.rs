//! Test Connection, whichever provider: each link of the chain a kickoff will walk, in order,
//! stopping at the first that fails and saying why, then every step that did not run reported as
//! skipped. The provider modules walk their own chains (`aws::connection_test`,
//! `vault::connection_test`); the issuer's step is the first of all of them.
use std::{sync::Arc, time::Duration};

use serde::{Deserialize, Serialize};
use serde_json::Value;
pub use vocabulary::dto::connection::CheckStep;

use crate::{
    guidance::Diagnosis,
    issuer::{Issuer, IssuerState, url::IssuerUrl},
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
pub(crate) struct Stopped;

/// The report as the chain runs: what passed, what failed, and (at the end) what was skipped.
pub(crate) struct Steps {
    pub(crate) plan: &'static [CheckStep],
    done: Vec<StepReport>,
    pub(crate) assumed_role_arn: Option<String>,
}

impl Steps {
    pub(crate) fn new(plan: &'static [CheckStep]) -> Self {
        Self { plan, done: Vec::new(), assumed_role_arn: None }
    }

    pub(crate) fn pass(&mut self, step: CheckStep, detail: String, warnings: Vec<String>) {
        self.done.push(StepReport { step, outcome: StepOutcome::Passed { detail, warnings } });
    }

    pub(crate) fn fail(&mut self, step: CheckStep, diagnosis: Diagnosis) -> Stopped {
        self.done.push(StepReport { step, outcome: StepOutcome::Failed(diagnosis) });
        Stopped
    }

    /// Every planned step that did not run is reported as skipped.
    pub(crate) fn report(mut self) -> ConnectionReport {
        let ran = self.done.len();
        self.done.extend(self.plan[ran..].iter().map(|step| StepReport { step: *step, outcome: StepOutcome::Skipped }));
        ConnectionReport { steps: self.done, assumed_role_arn: self.assumed_role_arn }
    }
}

/// The first step of every chain: the issuer is configured, and its documents at its public URL are
/// this Wisp's, as `relying_party` (AWS, Vault) will fetch them.
pub(crate) async fn issuer_step<'i>(
    steps: &mut Steps,
    issuer_state: &'i IssuerState,
    relying_party: &str,
) -> Result<(Arc<Issuer>, &'i IssuerUrl), Stopped> {
    let (issuer, url) = match (issuer_state.ready(), issuer_state.url.as_ref()) {
        (Ok(issuer), Some(url)) => (issuer, url),
        (result, _) => {
            let reason = result.err().unwrap_or(crate::issuer::NO_ISSUER);
            return Err(steps.fail(
                CheckStep::Issuer,
                Diagnosis::local(reason, "Ask your operator to configure the issuer, restart Wisp, then test again."),
            ));
        }
    };
    match self_check(&issuer, relying_party).await {
        Ok(warnings) => steps.pass(CheckStep::Issuer, issuer.url.to_string(), warnings),
        Err(problem) => return Err(steps.fail(CheckStep::Issuer, problem)),
    }
    Ok((issuer, url))
}

/// Fetches the issuer's documents from its public URL, as the relying party will. A document that
/// differs from what this Wisp serves fails; an unreachable one only warns, since Wisp's own host
/// may not reach its public address while the relying party can.
async fn self_check(issuer: &Issuer, relying_party: &str) -> Result<Vec<String>, Diagnosis> {
    let mut warnings: Vec<String> = issuer.url.warnings().into_iter().map(|w| w.message().to_owned()).collect();
    let client = reqwest::Client::builder().timeout(SELF_CHECK_TIMEOUT).build().expect("a plain HTTP client builds");
    let discovery_url = issuer.url.discovery_url();
    let discovery = match fetch_json(&client, &discovery_url).await {
        Ok(discovery) => discovery,
        Err(error) => {
            tracing::warn!(%discovery_url, "Test Connection could not fetch the discovery document: {}", error.without_url());
            warnings.push(format!(
                "Wisp could not fetch its own discovery document at {discovery_url}. {relying_party} must reach it: check it from where {relying_party} runs."
            ));
            return Ok(warnings);
        }
    };
    let served_issuer = discovery["issuer"].as_str().unwrap_or_default();
    if served_issuer != issuer.url.as_str() {
        return Err(Diagnosis::local(
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
        return Err(Diagnosis::local(
            format!(
                "The JWKS at {jwks_uri} does not publish the signing key {signing_kid}: {relying_party} would refuse every token."
            ),
            "Make sure every replica serving the issuer URL has the same OIDC_PRIVATE_KEY and OIDC_PUBLISHED_KEYS, then test again.",
        ));
    }
    Ok(warnings)
}

async fn fetch_json(client: &reqwest::Client, url: &str) -> Result<Value, reqwest::Error> {
    client.get(url).send().await?.error_for_status()?.json().await
}

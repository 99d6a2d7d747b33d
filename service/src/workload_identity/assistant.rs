//! The IAM assistant for a Workload Identity config. With temporary credentials of someone who
//! may manage IAM — used for this one request, never stored, logged, audited or returned — it
//! reads the account's OIDC provider and the role (**Diagnose**: every mismatch with the value
//! this organization needs, and a trust policy that lets other organizations in flagged as a
//! security problem), or makes them so (**Set up in AWS**: a plan first, then Apply, which
//! changes only what differs and says so when nothing does). Either is for the organization's
//! own tokens (reading secrets at kickoff) or for the runs of one automation (its AWS role for
//! runs); Diagnose tells the two apart in a trust policy and says which one a role trusts.
use std::collections::HashMap;

use std::fmt;

use aws_sdk_iam::{
    Client,
    error::{DisplayErrorContext, ProvideErrorMetadata},
};
use sea_orm::ConnectionTrait;
use serde_json::Value;
use serde_json::json;
use vocabulary::{
    FieldError,
    audit::{AuditAction, AuditTarget},
    dto::workload_identity::{DiagnoseView, FindingSeverity, IamChange, IamFinding, IamProblem, SetupView},
    ids::{AutomationId, OrgId, WorkloadIdentityConfigId},
    token::{STS_AUDIENCE, Subject},
};

use super::{AwsWebIdentity, Manager, WorkloadIdentityConfig};
use crate::{
    audit::{self, Change},
    aws::{
        guidance::Failure,
        sdk::{AwsCredentials, AwsSdk},
        trust_setup::{SecretScope, TrustFor, provider_arn, trust_setup},
    },
    error::{FormCheck, ServiceResult},
    issuer::{IssuerState, url::IssuerUrl},
};

/// The inline policy Set up writes, named as the AWS CLI commands on the page name it.
pub const INLINE_POLICY_NAME: &str = "wisp-secrets-read";

/// Someone's IAM credentials, for one request. `Debug` shows none of it.
pub struct AdminKeys(AwsCredentials);

impl AdminKeys {
    pub fn parse(access_key_id: &str, secret_access_key: &str, session_token: &str) -> ServiceResult<Self> {
        let mut check = FormCheck::default();
        let id = access_key_id.trim();
        let key_ok = (16..=128).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric());
        if !key_ok {
            check.refuse(FieldError::new(
                "access_key_id",
                "Enter the Access Key ID of credentials that may manage IAM (ASIA… for temporary ones).",
            ));
        }
        if secret_access_key.trim().is_empty() {
            check.refuse(FieldError::new("secret_access_key", "Enter the Secret Access Key that goes with it."));
        }
        let token = session_token.trim();
        check.finish(|| {
            Some(Self(AwsCredentials {
                access_key_id: id.to_owned(),
                secret_access_key: secret_access_key.trim().to_owned(),
                session_token: (!token.is_empty()).then(|| token.to_owned()),
                expires_at: None,
            }))
        })
    }
}

impl fmt::Debug for AdminKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminKeys(***)")
    }
}

/// Diagnose for the config `id`: what differs, or what the credentials could not read.
pub async fn diagnose(
    db: &impl ConnectionTrait,
    sdk: &AwsSdk,
    issuer: &IssuerState,
    actor: &Manager,
    id: WorkloadIdentityConfigId,
    runs_of: Option<AutomationId>,
    keys: &AdminKeys,
) -> ServiceResult<DiagnoseView> {
    let config = super::find_in_org(db, actor.org_id(), id).await?;
    let url = issuer.configured_url()?;
    let (trust_for, names) = trust_for(db, actor.org_id(), &config, runs_of).await?;
    let assistant = Assistant::new(sdk, keys, url, trust_for, &config)?.knowing(names);
    let account = assistant.account.to_owned();
    Ok(match assistant.diagnose().await {
        Ok(findings) => DiagnoseView { account, findings, problem: None },
        Err(problem) => DiagnoseView { account, findings: Vec::new(), problem: Some(problem) },
    })
}

/// Set up in AWS for the config `id`: the plan, or (`apply`) the changes made, audited as what
/// changed in which account, never with the credentials.
// A server function's arguments, passed on one by one as the form sends them.
#[allow(clippy::too_many_arguments)]
pub async fn set_up(
    db: &impl ConnectionTrait,
    sdk: &AwsSdk,
    issuer: &IssuerState,
    actor: &Manager,
    id: WorkloadIdentityConfigId,
    runs_of: Option<AutomationId>,
    keys: &AdminKeys,
    apply: bool,
) -> ServiceResult<SetupView> {
    let config = super::find_in_org(db, actor.org_id(), id).await?;
    let url = issuer.configured_url()?;
    let (trust_for, names) = trust_for(db, actor.org_id(), &config, runs_of).await?;
    let trusted = trust_for.subject.to_string();
    let assistant = Assistant::new(sdk, keys, url, trust_for, &config)?.knowing(names);
    let account = assistant.account.to_owned();
    let outcome = if apply { assistant.apply().await } else { assistant.plan().await };
    let changes = match outcome {
        Ok(changes) => changes,
        Err(problem) => {
            return Ok(SetupView {
                account,
                changes: Vec::new(),
                applied: false,
                problem: Some(problem),
                connection: None,
            });
        }
    };
    if apply && !changes.is_empty() {
        let change = Change {
            org_id: Some(actor.org_id()),
            actor: actor.actor(),
            action: AuditAction::WorkloadIdentityAwsSetup,
            target: AuditTarget::WorkloadIdentityConfig(config.id),
            details: json!({
                "name": config.name,
                "account": account,
                "role_arn": config.aws()?.role_arn().to_string(),
                "trusted_subject": trusted,
                "changes": changes.iter().map(|c| c.summary.clone()).collect::<Vec<_>>(),
            }),
        };
        audit::record(db, change).await?;
    }
    Ok(SetupView { account, changes, applied: apply, problem: None, connection: None })
}

/// Whose tokens the role is to trust: the organization's, or the runs of `runs_of` (one of its
/// automations, whose tokens carry session tags when the config says so); and the names of the
/// organization's automations, for Diagnose to say whose runs a trust policy names.
async fn trust_for(
    db: &impl ConnectionTrait,
    org: OrgId,
    config: &WorkloadIdentityConfig,
    runs_of: Option<AutomationId>,
) -> ServiceResult<(TrustFor, HashMap<String, String>)> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    use crate::entity::automation;
    let automations = automation::Entity::find().filter(automation::Column::OrgId.eq(org.as_uuid())).all(db).await?;
    let trust_for = match runs_of {
        None => TrustFor::organization(org),
        Some(id) if automations.iter().any(|a| a.id == id.as_uuid()) => {
            TrustFor { subject: Subject::Automation(org, id), session_tags: config.aws()?.role.session_tags }
        }
        Some(_) => return Err(crate::ServiceError::NotFound { what: "The automation" }),
    };
    let names = automations.into_iter().map(|a| (a.id.to_string(), a.name)).collect();
    Ok((trust_for, names))
}

/// What this organization needs in the role's account.
struct Wanted {
    provider_arn: String,
    /// The provider's URL as IAM keeps it: host and path, no scheme.
    provider_url: String,
    issuer: String,
    role_name: String,
    role_path: String,
    org: OrgId,
    subject: String,
    /// The tokens carry session tags: the trust policy must allow `sts:TagSession`.
    session_tags: bool,
    trust: Value,
    permissions: Value,
    /// The organization's automations by id, to name the runs a trust policy lets in.
    automations: HashMap<String, String>,
}

impl Wanted {
    fn new(issuer: &IssuerUrl, trust_for: TrustFor, aws: AwsWebIdentity<'_>) -> ServiceResult<Self> {
        let role_arn = aws.role_arn();
        let setup = trust_setup(issuer, trust_for, role_arn, aws.region(), &SecretScope::default())?;
        let parse = |text: &str| serde_json::from_str(text).expect("trust_setup writes JSON");
        Ok(Self {
            provider_arn: provider_arn(issuer, role_arn),
            provider_url: issuer.host_and_path(),
            issuer: issuer.to_string(),
            role_name: role_arn.name().to_owned(),
            role_path: role_arn.path().to_owned(),
            org: aws.org,
            subject: trust_for.subject.to_string(),
            session_tags: trust_for.session_tags,
            trust: parse(&setup.trust_policy),
            permissions: parse(&setup.permissions_policy),
            automations: HashMap::new(),
        })
    }

    /// Whose tokens `subject` is, when it is this organization's: its own, or one automation's runs.
    fn whose(&self, subject: &str) -> Option<String> {
        let own = Subject::Organization(self.org).to_string();
        if subject == own {
            return Some("this organization's tokens (reading secrets at kickoff)".to_owned());
        }
        let automation = subject.strip_prefix(&own)?.strip_prefix(":automation:")?;
        let name = self.automations.get(automation).map_or_else(|| automation.to_owned(), |n| format!("'{n}'"));
        Some(format!("the runs of automation {name} (its AWS role for runs)"))
    }
}

/// What the account holds now.
struct Observed {
    provider_client_ids: Option<Vec<String>>,
    trust: Option<Value>,
    permissions: Option<Value>,
}

pub struct Assistant<'a> {
    client: Client,
    wanted: Wanted,
    pub account: &'a str,
}

impl<'a> Assistant<'a> {
    pub fn new(
        sdk: &AwsSdk,
        keys: &AdminKeys,
        issuer: &IssuerUrl,
        trust_for: TrustFor,
        config: &'a WorkloadIdentityConfig,
    ) -> ServiceResult<Self> {
        let aws = config.aws()?;
        Ok(Self {
            client: sdk.iam_with(aws.role_arn().partition(), &keys.0),
            wanted: Wanted::new(issuer, trust_for, aws)?,
            account: aws.role_arn().account(),
        })
    }

    /// Names the organization's automations (by id) in what Diagnose says.
    pub fn knowing(mut self, automations: HashMap<String, String>) -> Self {
        self.wanted.automations = automations;
        self
    }

    /// Every mismatch between the account and what this organization needs.
    pub async fn diagnose(&self) -> Result<Vec<IamFinding>, IamProblem> {
        let observed = self.observe().await?;
        let wanted = &self.wanted;
        let mut findings = Vec::new();
        match &observed.provider_client_ids {
            None => {
                let elsewhere = self.providers_on_host().await;
                let fix = if elsewhere.is_empty() {
                    format!(
                        "Create the identity provider in IAM with the URL {} and the audience {STS_AUDIENCE} (Set up in AWS does it). A provider registered with another URL does not match this issuer.",
                        wanted.issuer
                    )
                } else {
                    format!(
                        "The account has a provider for this host under another URL: STS matches a token's issuer to a provider's URL exactly, so it does not use that one. Create the identity provider with the URL {} and the audience {STS_AUDIENCE} (Set up in AWS does it), and let the role trust it.",
                        wanted.issuer
                    )
                };
                findings.push(IamFinding {
                    severity: FindingSeverity::Mismatch,
                    subject: "OIDC provider".to_owned(),
                    found: (!elsewhere.is_empty()).then(|| elsewhere.join(", ")),
                    expected: format!("{} (URL {})", wanted.provider_arn, wanted.issuer),
                    fix,
                })
            }
            Some(ids) if !ids.iter().any(|id| id == STS_AUDIENCE) => findings.push(IamFinding {
                severity: FindingSeverity::Mismatch,
                subject: "OIDC provider: audiences (client IDs)".to_owned(),
                found: Some(ids.join(", ")),
                expected: STS_AUDIENCE.to_owned(),
                fix: format!("Add the audience {STS_AUDIENCE} to the provider {}.", wanted.provider_arn),
            }),
            Some(_) => {}
        }
        match &observed.trust {
            None => findings.push(IamFinding {
                severity: FindingSeverity::Mismatch,
                subject: "role".to_owned(),
                found: None,
                expected: format!("{}{}", wanted.role_path, wanted.role_name),
                fix: "Create the role with this organization's trust policy (Set up in AWS does it).".to_owned(),
            }),
            Some(trust) => findings.extend(check_trust(trust, wanted)),
        }
        Ok(findings)
    }

    /// What Apply would change; empty when the account already holds everything.
    pub async fn plan(&self) -> Result<Vec<IamChange>, IamProblem> {
        let observed = self.observe().await?;
        Ok(self.changes(&observed).into_iter().map(|(change, _)| change).collect())
    }

    /// Makes the account hold what this organization needs; returns what it changed.
    pub async fn apply(&self) -> Result<Vec<IamChange>, IamProblem> {
        let observed = self.observe().await?;
        let planned = self.changes(&observed);
        let wanted = &self.wanted;
        for (_, step) in &planned {
            let sent = match step {
                Step::CreateProvider => self
                    .client
                    .create_open_id_connect_provider()
                    .url(&wanted.issuer)
                    .client_id_list(STS_AUDIENCE)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| problem("CreateOpenIDConnectProvider", &e)),
                Step::AddAudience => self
                    .client
                    .add_client_id_to_open_id_connect_provider()
                    .open_id_connect_provider_arn(&wanted.provider_arn)
                    .client_id(STS_AUDIENCE)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| problem("AddClientIDToOpenIDConnectProvider", &e)),
                Step::CreateRole => self
                    .client
                    .create_role()
                    .role_name(&wanted.role_name)
                    .path(&wanted.role_path)
                    .assume_role_policy_document(wanted.trust.to_string())
                    .description("Read by Wisp's workload identity tokens")
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| problem("CreateRole", &e)),
                Step::ReplaceTrust => self
                    .client
                    .update_assume_role_policy()
                    .role_name(&wanted.role_name)
                    .policy_document(wanted.trust.to_string())
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| problem("UpdateAssumeRolePolicy", &e)),
                Step::PutPermissions => self
                    .client
                    .put_role_policy()
                    .role_name(&wanted.role_name)
                    .policy_name(INLINE_POLICY_NAME)
                    .policy_document(wanted.permissions.to_string())
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| problem("PutRolePolicy", &e)),
            };
            sent?;
        }
        Ok(planned.into_iter().map(|(change, _)| change).collect())
    }

    fn changes(&self, observed: &Observed) -> Vec<(IamChange, Step)> {
        let wanted = &self.wanted;
        let mut changes = Vec::new();
        let change = |summary: String, diff: Option<String>| IamChange { summary, diff };
        match &observed.provider_client_ids {
            None => changes.push((
                change(format!("Create the OIDC provider {} with the audience {STS_AUDIENCE}.", wanted.issuer), None),
                Step::CreateProvider,
            )),
            Some(ids) if !ids.iter().any(|id| id == STS_AUDIENCE) => changes.push((
                change(format!("Add the audience {STS_AUDIENCE} to the OIDC provider {}.", wanted.provider_arn), None),
                Step::AddAudience,
            )),
            Some(_) => {}
        }
        match &observed.trust {
            None => changes.push((
                change(
                    format!("Create the role {} trusting only this organization's tokens.", wanted.role_name),
                    Some(diff(None, &wanted.trust)),
                ),
                Step::CreateRole,
            )),
            Some(current) if current != &wanted.trust => changes.push((
                change(
                    format!("Replace the trust policy of {} (the change is below).", wanted.role_name),
                    Some(diff(Some(current), &wanted.trust)),
                ),
                Step::ReplaceTrust,
            )),
            Some(_) => {}
        }
        if observed.permissions.as_ref() != Some(&wanted.permissions) {
            changes.push((
                change(
                    format!(
                        "Put the inline policy {INLINE_POLICY_NAME} on {}: list secrets, read them in {}.",
                        wanted.role_name, self.account
                    ),
                    Some(diff(observed.permissions.as_ref(), &wanted.permissions)),
                ),
                Step::PutPermissions,
            ));
        }
        changes
    }

    /// The account's providers for this issuer's host under another URL (another path or port):
    /// what a provider registered by hand most often gets wrong. Best effort: when the list is
    /// refused, the finding says what it would have said without it.
    async fn providers_on_host(&self) -> Vec<String> {
        let listed = match self.client.list_open_id_connect_providers().send().await {
            Ok(listed) => listed,
            Err(e) => {
                tracing::debug!("ListOpenIDConnectProviders: {}", DisplayErrorContext(&e));
                return Vec::new();
            }
        };
        let host = |url: &str| url.split(['/', ':']).next().unwrap_or_default().to_ascii_lowercase();
        let ours = host(&self.wanted.provider_url);
        listed
            .open_id_connect_provider_list()
            .iter()
            .filter_map(|provider| provider.arn())
            .filter(|arn| *arn != self.wanted.provider_arn)
            .filter(|arn| arn.split_once(":oidc-provider/").is_some_and(|(_, url)| host(url) == ours))
            .map(str::to_owned)
            .collect()
    }

    async fn observe(&self) -> Result<Observed, IamProblem> {
        let wanted = &self.wanted;
        let provider =
            self.client.get_open_id_connect_provider().open_id_connect_provider_arn(&wanted.provider_arn).send().await;
        let provider_client_ids = match provider {
            Ok(found) => Some(found.client_id_list().to_vec()),
            Err(e) if e.code() == Some("NoSuchEntity") => None,
            Err(e) => return Err(problem("GetOpenIDConnectProvider", &e)),
        };
        let role = self.client.get_role().role_name(&wanted.role_name).send().await;
        let trust = match role {
            Ok(found) => found.role().and_then(|r| r.assume_role_policy_document()).map(policy_document),
            Err(e) if e.code() == Some("NoSuchEntity") => None,
            Err(e) => return Err(problem("GetRole", &e)),
        };
        let permissions = match trust {
            None => None,
            Some(_) => {
                let inline = self
                    .client
                    .get_role_policy()
                    .role_name(&wanted.role_name)
                    .policy_name(INLINE_POLICY_NAME)
                    .send()
                    .await;
                match inline {
                    Ok(found) => Some(policy_document(found.policy_document())),
                    Err(e) if e.code() == Some("NoSuchEntity") => None,
                    Err(e) => return Err(problem("GetRolePolicy", &e)),
                }
            }
        };
        Ok(Observed { provider_client_ids, trust, permissions })
    }
}

enum Step {
    CreateProvider,
    AddAudience,
    CreateRole,
    ReplaceTrust,
    PutPermissions,
}

/// IAM returns policy documents URL-encoded; anything unreadable compares unequal (and is shown).
fn policy_document(text: &str) -> Value {
    let decoded = percent_encoding::percent_decode_str(text).decode_utf8_lossy();
    serde_json::from_str(&decoded).unwrap_or(Value::String(decoded.into_owned()))
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// A unified diff of two policy documents.
fn diff(current: Option<&Value>, wanted: &Value) -> String {
    let current = current.map(pretty).unwrap_or_default();
    similar::TextDiff::from_lines(&current, &pretty(wanted))
        .unified_diff()
        .header("in AWS now", "after Apply")
        .to_string()
}

/// The trust policy's statements that let web identities in, checked against this organization's.
fn check_trust(trust: &Value, wanted: &Wanted) -> Vec<IamFinding> {
    let host = &wanted.provider_url;
    let (aud_key, sub_key) = (format!("{host}:aud"), format!("{host}:sub"));
    let finding = |severity, subject: &str, found: Option<String>, expected: String, fix: String| IamFinding {
        severity,
        subject: subject.to_owned(),
        found,
        expected,
        fix,
    };
    let statements: Vec<&Value> = match trust.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    let web: Vec<&Value> = statements
        .into_iter()
        .filter(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
        .filter(|s| words(s.get("Action")).iter().any(|a| a == "sts:AssumeRoleWithWebIdentity"))
        .collect();
    if web.is_empty() {
        return vec![finding(
            FindingSeverity::Mismatch,
            "trust policy",
            Some(pretty(trust)),
            "a statement allowing sts:AssumeRoleWithWebIdentity".to_owned(),
            "Replace the trust policy with the one on this page (Set up in AWS shows the change).".to_owned(),
        )];
    }
    let mut findings = Vec::new();
    if wanted.session_tags && !web.iter().any(|s| words(s.get("Action")).iter().any(|a| a == "sts:TagSession")) {
        findings.push(finding(
            FindingSeverity::Mismatch,
            "trust policy: session tags",
            None,
            "sts:TagSession allowed beside sts:AssumeRoleWithWebIdentity".to_owned(),
            "The config's tokens carry session tags, which STS refuses unless the trust policy also allows sts:TagSession: add it to the statement's actions (Set up in AWS does it), or turn Session tags off.".to_owned(),
        ));
    }
    for statement in web {
        let principals = words(statement.get("Principal").and_then(|p| p.get("Federated")));
        if !principals.iter().any(|p| p == &wanted.provider_arn) {
            findings.push(finding(
                FindingSeverity::Mismatch,
                "trust policy: federated principal",
                Some(principals.join(", ")),
                wanted.provider_arn.clone(),
                "The role trusts another identity provider: set the principal to this issuer's provider (host and path, no https://).".to_owned(),
            ));
            continue;
        }
        let conditions = statement.get("Condition").and_then(Value::as_object);
        let find = |key: &str| -> Vec<(String, Vec<String>)> {
            conditions
                .into_iter()
                .flatten()
                .filter_map(|(operator, tests)| tests.get(key).map(|values| (operator.clone(), words(Some(values)))))
                .collect()
        };
        let aud = find(&aud_key);
        let right_aud = aud.iter().any(|(op, values)| op == "StringEquals" && values == &[STS_AUDIENCE.to_owned()]);
        if !right_aud {
            findings.push(finding(
                FindingSeverity::Mismatch,
                "trust policy: aud condition",
                (!aud.is_empty()).then(|| describe(&aud)),
                format!("StringEquals {aud_key} = {STS_AUDIENCE}"),
                format!("Make the condition StringEquals \"{aud_key}\": \"{STS_AUDIENCE}\"."),
            ));
        }
        let sub = find(&sub_key);
        let expected_sub = format!("StringEquals {sub_key} = {}", wanted.subject);
        if sub.is_empty() {
            findings.push(finding(
                FindingSeverity::Security,
                "trust policy: sub condition",
                None,
                expected_sub,
                format!(
                    "Without a sub condition every organization of this Wisp can assume the role. Add StringEquals \"{sub_key}\": \"{}\".",
                    wanted.subject
                ),
            ));
            continue;
        }
        for (operator, values) in &sub {
            let wildcard =
                operator.starts_with("StringLike") && values.iter().any(|v| v.contains('*') || v.contains('?'));
            let strangers: Vec<&String> = values.iter().filter(|v| wanted.whose(v).is_none()).collect();
            let (severity, fix) = if wildcard {
                (
                    FindingSeverity::Security,
                    format!(
                        "A wildcard sub lets other organizations of this Wisp in. Use StringEquals \"{sub_key}\": \"{}\".",
                        wanted.subject
                    ),
                )
            } else if operator != "StringEquals" || !values.contains(&wanted.subject) {
                let trusted: Vec<String> = values.iter().filter_map(|v| wanted.whose(v)).collect();
                let recognised = if trusted.is_empty() {
                    String::new()
                } else {
                    format!(
                        "The role trusts {}, not {}. ",
                        trusted.join(" and "),
                        wanted.whose(&wanted.subject).unwrap_or_default()
                    )
                };
                (
                    FindingSeverity::Mismatch,
                    format!(
                        "{recognised}Use StringEquals \"{sub_key}\": \"{}\" (a list of subjects may hold this organization's and its automations' together).",
                        wanted.subject
                    ),
                )
            } else if !strangers.is_empty() {
                (
                    FindingSeverity::Security,
                    format!(
                        "The sub condition also lets in {}, which are not this organization's: remove them.",
                        strangers.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                )
            } else {
                continue;
            };
            findings.push(finding(
                severity,
                "trust policy: sub condition",
                Some(describe(&[(operator.clone(), values.clone())])),
                expected_sub.clone(),
                fix,
            ));
        }
    }
    findings
}

/// A policy element that may be one word or a list of them.
fn words(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(word)) => vec![word.clone()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

fn describe(conditions: &[(String, Vec<String>)]) -> String {
    conditions.iter().map(|(op, values)| format!("{op} {}", values.join(" | "))).collect::<Vec<_>>().join("; ")
}

/// An IAM call that failed, with what to allow or check.
fn problem<E: ProvideErrorMetadata + std::error::Error + 'static, R: fmt::Debug>(
    call: &str,
    error: &aws_sdk_iam::error::SdkError<E, R>,
) -> IamProblem {
    let failure = Failure::from_sdk(error);
    let code = match &failure {
        Failure::Service { code, .. } => Some(code.clone()),
        _ => None,
    };
    let (message, hint) = match code.as_deref() {
        Some("AccessDenied" | "AccessDeniedException") => (
            format!("IAM refused {call} to these credentials."),
            "Use credentials that may call iam:GetOpenIDConnectProvider, iam:GetRole and iam:GetRolePolicy (Diagnose), and also iam:CreateOpenIDConnectProvider, iam:AddClientIDToOpenIDConnectProvider, iam:CreateRole, iam:UpdateAssumeRolePolicy and iam:PutRolePolicy (Set up in AWS).".to_owned(),
        ),
        Some("InvalidClientTokenId" | "SignatureDoesNotMatch" | "UnrecognizedClientException") => (
            format!("AWS does not accept these credentials ({call})."),
            "Copy the Access Key ID, Secret Access Key and Session Token again, all three from the same issue (aws sts get-session-token or your SSO portal).".to_owned(),
        ),
        Some("ExpiredToken" | "ExpiredTokenException") => (
            "These temporary credentials have expired.".to_owned(),
            "Get fresh ones and try again.".to_owned(),
        ),
        Some(other) => (format!("IAM answered {call} with {other}."), error.message().unwrap_or("Check the role ARN and try again.").to_owned()),
        None => {
            tracing::warn!(call, "an IAM call failed before IAM answered: {}", DisplayErrorContext(error));
            (format!("The {call} call failed before IAM answered."), "Check that Wisp can reach iam.amazonaws.com (or AWS_ENDPOINT_URL) and try again.".to_owned())
        }
    };
    IamProblem { code, message, hint }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn config(org: OrgId, session_tags: bool) -> WorkloadIdentityConfig {
        crate::testing::aws_config(org, "arn:aws:iam::123456789012:role/reader", "us-east-1", session_tags)
    }

    fn wanted() -> Wanted {
        let issuer = IssuerUrl::parse("https://wisp.example.com").unwrap();
        let org: OrgId = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f".parse().unwrap();
        let config = config(org, false);
        let mut wanted = Wanted::new(&issuer, TrustFor::organization(org), config.aws().unwrap()).unwrap();
        wanted.automations = HashMap::from([(NIGHTLY.to_owned(), "nightly".to_owned())]);
        wanted
    }

    const NIGHTLY: &str = "0f9c2a7e-1111-4222-8333-444455556666";

    fn trust(principal: &str, condition: Value) -> Value {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
            "Principal": {"Federated": principal}, "Condition": condition}]})
    }

    const ARN: &str = "arn:aws:iam::123456789012:oidc-provider/wisp.example.com";

    #[test]
    fn the_trust_policy_wisp_writes_has_no_finding() {
        let wanted = wanted();
        assert_eq!(check_trust(&wanted.trust, &wanted), []);
    }

    #[test]
    fn each_kind_of_mismatch_is_found_with_the_expected_value() {
        let wanted = wanted();
        let aud = json!({"wisp.example.com:aud": "sts.amazonaws.com"});
        let sub = "organization:6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f";
        let no_sub = check_trust(&trust(ARN, json!({"StringEquals": aud})), &wanted);
        assert_eq!(no_sub.len(), 1);
        assert_eq!(no_sub[0].severity, FindingSeverity::Security);
        assert!(no_sub[0].fix.contains("every organization"), "{:?}", no_sub[0]);

        let wildcard = check_trust(
            &trust(ARN, json!({"StringEquals": aud, "StringLike": {"wisp.example.com:sub": "organization:*"}})),
            &wanted,
        );
        assert_eq!((wildcard.len(), wildcard[0].severity), (1, FindingSeverity::Security), "{wildcard:?}");
        assert_eq!(wildcard[0].found.as_deref(), Some("StringLike organization:*"));

        let other_org = check_trust(
            &trust(
                ARN,
                json!({"StringEquals": {"wisp.example.com:aud": "sts.amazonaws.com", "wisp.example.com:sub": "organization:other"}}),
            ),
            &wanted,
        );
        assert_eq!((other_org.len(), other_org[0].severity), (1, FindingSeverity::Mismatch), "{other_org:?}");
        assert!(other_org[0].expected.ends_with(sub), "{:?}", other_org[0]);

        let wrong_aud = check_trust(
            &trust(
                ARN,
                json!({"StringLike": {"wisp.example.com:aud": "sts.*"}, "StringEquals": {"wisp.example.com:sub": sub}}),
            ),
            &wanted,
        );
        assert_eq!(wrong_aud.len(), 1, "{wrong_aud:?}");
        assert_eq!(wrong_aud[0].subject, "trust policy: aud condition");

        let other_provider = check_trust(
            &trust("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com", json!({})),
            &wanted,
        );
        assert_eq!(other_provider[0].subject, "trust policy: federated principal");
        assert_eq!(other_provider[0].expected, ARN);
    }

    #[test]
    fn a_trust_policy_for_an_automations_runs_is_recognised_and_other_organizations_beside_ours_are_flagged() {
        let wanted = wanted();
        let org_sub = "organization:6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f";
        let runs = format!("{org_sub}:automation:{NIGHTLY}");
        let condition = |subs: Value| {
            trust(
                ARN,
                json!({"StringEquals": {"wisp.example.com:aud": "sts.amazonaws.com", "wisp.example.com:sub": subs}}),
            )
        };
        let only_runs = check_trust(&condition(json!(runs)), &wanted);
        assert_eq!((only_runs.len(), only_runs[0].severity), (1, FindingSeverity::Mismatch), "{only_runs:?}");
        assert!(
            only_runs[0].fix.contains(
                "trusts the runs of automation 'nightly' (its AWS role for runs), not this organization's tokens"
            ),
            "{:?}",
            only_runs[0]
        );
        // Both, as a list: the organization's reads work, and the automation's runs too.
        assert_eq!(check_trust(&condition(json!([org_sub, runs])), &wanted), []);
        let with_stranger = check_trust(&condition(json!([org_sub, "organization:someone-else"])), &wanted);
        assert_eq!(
            (with_stranger.len(), with_stranger[0].severity),
            (1, FindingSeverity::Security),
            "{with_stranger:?}"
        );
        assert!(with_stranger[0].fix.contains("organization:someone-else"));

        // Wanting the automation's runs, the organization-wide policy is recognised for what it is.
        let config = config(wanted.org, true);
        let trust_for =
            TrustFor { subject: Subject::Automation(wanted.org, NIGHTLY.parse().unwrap()), session_tags: true };
        let for_runs =
            Wanted::new(&IssuerUrl::parse("https://wisp.example.com").unwrap(), trust_for, config.aws().unwrap())
                .unwrap();
        assert_eq!(
            for_runs.trust["Statement"][0]["Action"],
            json!(["sts:AssumeRoleWithWebIdentity", "sts:TagSession"])
        );
        assert_eq!(check_trust(&for_runs.trust, &for_runs), []);
        let untagged = check_trust(&condition(json!(runs)), &for_runs);
        assert_eq!(untagged.len(), 1, "{untagged:?}");
        assert_eq!(untagged[0].subject, "trust policy: session tags");
        let org_wide = check_trust(&condition(json!(org_sub)), &for_runs);
        let sub = org_wide.iter().find(|f| f.subject == "trust policy: sub condition").unwrap();
        assert!(sub.fix.contains("The role trusts this organization's tokens"), "{org_wide:?}");
    }

    #[test]
    fn iam_documents_are_read_back_from_their_url_encoding() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%7D";
        assert_eq!(policy_document(encoded), json!({"Version": "2012-10-17"}));
        assert_eq!(policy_document(r#"{"a":1}"#), json!({"a": 1}));
        assert!(diff(None, &json!({"a": 1})).contains("+  \"a\": 1"));
    }

    #[test]
    fn keys_are_checked_per_field_and_never_shown() {
        let keys = AdminKeys::parse("ASIAIOSFODNN7EXAMPLE", "secret", "token").unwrap();
        assert_eq!(format!("{keys:?}"), "AdminKeys(***)");
        let error = AdminKeys::parse("", "", "").unwrap_err();
        let fields: Vec<_> = error.field_errors().iter().map(|f| f.field.to_string()).collect();
        assert_eq!(fields, ["access_key_id", "secret_access_key"]);
    }
}

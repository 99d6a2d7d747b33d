//! Test Connection for Vault: the chain a kickoff walks. For a workload identity config: the
//! issuer, a token for the config's audience, the JWT login. For a KV credential, then what the
//! login's policies allow on the mount (`sys/capabilities-self`) and a `LIST` of its top (what the
//! Secret Name suggestions need). Reading each secret is checked at kickoff, as for AWS.
use vocabulary::{
    ids::OrgId,
    token::Subject,
    vault::{KvMount, VaultLogin},
};

use super::{
    client::{Login, Vault, VaultSdk},
    guidance::{VaultCall, VaultContext, diagnose},
};
use crate::{
    connection_test::{CheckStep, ConnectionReport, Steps, Stopped, issuer_step},
    guidance::Diagnosis,
    issuer::{IssuerState, url::IssuerUrl},
};

/// Issuer, token, login: whether this organization's tokens log in with the config.
pub async fn check_login(
    issuer_state: &IssuerState,
    sdk: &VaultSdk,
    org: OrgId,
    login: &VaultLogin,
) -> ConnectionReport {
    let mut steps = Steps::new(CheckStep::VAULT);
    let _ = logged_in(&mut steps, issuer_state, sdk, org, login).await;
    steps.report()
}

/// The login, then the KV mount: its capabilities, and a list of its top.
pub async fn check_credential(
    issuer_state: &IssuerState,
    sdk: &VaultSdk,
    org: OrgId,
    login: &VaultLogin,
    kv: &KvMount,
) -> ConnectionReport {
    let mut steps = Steps::new(CheckStep::VAULT_CREDENTIAL);
    if let Ok((token, issuer)) = logged_in(&mut steps, issuer_state, sdk, org, login).await {
        let subject = Subject::Organization(org).to_string();
        let ctx = VaultContext { login, issuer, subject: &subject };
        let _ = kv_mount(&mut steps, sdk, login, &ctx, &token, kv).await;
    }
    steps.report()
}

/// Issuer, token, JWT login: the Vault token, and the issuer that signed for it.
async fn logged_in<'i>(
    steps: &mut Steps,
    issuer_state: &'i IssuerState,
    sdk: &VaultSdk,
    org: OrgId,
    login: &VaultLogin,
) -> Result<(Login, &'i IssuerUrl), Stopped> {
    let (issuer, url) = issuer_step(steps, issuer_state, "Vault").await?;
    let token = match issuer.minter.token(org, &login.audience).await {
        Ok(token) => token,
        Err(error) => {
            tracing::error!("Wisp could not sign a token for Vault: {error}");
            let problem = Diagnosis::local(
                "Wisp could not sign a token with its signing key.",
                "Ask your operator to check the server log and the signing key settings, then test again.",
            );
            return Err(steps.fail(CheckStep::Token, problem));
        }
    };
    steps.pass(CheckStep::Token, format!("Signed with key {}, for {}", token.kid, login.audience), Vec::new());

    let subject = Subject::Organization(org).to_string();
    let vault = Vault::of(sdk, login);
    match vault.login(&login.auth_mount, &login.role, &token.token).await {
        Ok(logged_in) => {
            let lease = match logged_in.lease.as_secs() {
                0 => "does not expire".to_owned(),
                seconds => format!("lasts {seconds} s"),
            };
            let detail = format!(
                "Logged in at auth/{} with role {}: policies {}; the token {lease}",
                login.auth_mount,
                login.role,
                logged_in.policies.join(", ")
            );
            let mut warnings = Vec::new();
            if !login.address.is_https() {
                warnings.push(format!(
                    "{} is plain http: tokens travel unencrypted. Use https unless Vault is on this host or a private network.",
                    login.address
                ));
            }
            steps.pass(CheckStep::VaultLogin, detail, warnings);
            Ok((logged_in, url))
        }
        Err(failure) => {
            let ctx = VaultContext { login, issuer: url, subject: &subject };
            Err(steps.fail(CheckStep::VaultLogin, diagnose(VaultCall::Login, &failure, &ctx, None)))
        }
    }
}

/// What the login may do at the top of the KV mount, then a `LIST` of it.
async fn kv_mount(
    steps: &mut Steps,
    sdk: &VaultSdk,
    login: &VaultLogin,
    ctx: &VaultContext<'_>,
    logged_in: &Login,
    kv: &KvMount,
) -> Result<(), Stopped> {
    let vault = Vault::of(sdk, login);
    let folder = format!("{kv}/metadata/");
    let granted = match vault.capabilities(&logged_in.token, std::slice::from_ref(&folder)).await {
        Ok(granted) => granted.get(&folder).cloned().unwrap_or_default(),
        Err(failure) => {
            let diagnosis = diagnose(VaultCall::Capabilities, &failure, ctx, Some((kv, "")));
            return Err(steps.fail(CheckStep::VaultCapabilities, diagnosis));
        }
    };
    if !granted.iter().any(|c| c == "list" || c == "root") {
        let problem = Diagnosis::local(
            format!(
                "The role's policies do not let it list {folder} (it may: {}), so Secret Name cannot suggest names.",
                if granted.is_empty() { "nothing".to_owned() } else { granted.join(", ") }
            ),
            format!(
                "Add `path \"{folder}\" {{ capabilities = [\"list\"] }}` to a policy of role {} (the trust helper's policy has it). Typed names still work.",
                login.role
            ),
        );
        return Err(steps.fail(CheckStep::VaultCapabilities, problem));
    }
    steps.pass(CheckStep::VaultCapabilities, format!("{folder}: {}", granted.join(", ")), Vec::new());

    match vault.list(&logged_in.token, kv, "").await {
        Ok(names) => {
            let detail =
                format!("{} name(s) at the top of {kv}/; reading each secret is checked at kickoff", names.len());
            steps.pass(CheckStep::VaultList, detail, Vec::new());
            Ok(())
        }
        Err(failure) => Err(steps.fail(CheckStep::VaultList, diagnose(VaultCall::List, &failure, ctx, Some((kv, ""))))),
    }
}

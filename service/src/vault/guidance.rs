//! Vault's refusals in plain words: what most likely went wrong and the `bao`/`vault` command that
//! fixes it, filled in with this organization's issuer, subject, mount, role and audience. Vault
//! gives no error codes, only an HTTP status and sentences, so Wisp names each cause with a stable
//! code of its own (`role_not_found`, `audience_mismatch`, …) that tests and metrics can rely on.
use vocabulary::vault::{KvMount, Namespace, VaultLogin};

use super::client::VaultFailure;
use crate::{guidance::Diagnosis, issuer::url::IssuerUrl};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VaultCall {
    Login,
    Capabilities,
    List,
    Read,
}

/// The organization's values, so the guidance says exactly what Vault must hold.
#[derive(Clone, Copy)]
pub struct VaultContext<'a> {
    pub login: &'a VaultLogin,
    pub issuer: &'a IssuerUrl,
    /// The token's `sub`: `organization:<uuid>`, or an automation's at kickoff.
    pub subject: &'a str,
}

impl VaultContext<'_> {
    /// `bao` with this config's namespace, the command an admin runs against this Vault.
    fn bao(&self) -> String {
        match &self.login.namespace {
            Some(namespace) => format!("bao -namespace={namespace}"),
            None => "bao".to_owned(),
        }
    }
}

/// What the page shows for a failed call. `secret` is the KV path read or listed, under `mount`.
pub fn diagnose(
    call: VaultCall,
    failure: &VaultFailure,
    ctx: &VaultContext<'_>,
    kv: Option<(&KvMount, &str)>,
) -> Diagnosis {
    let said = Some(failure.errors()).filter(|words| !words.is_empty());
    let (code, cause, fix) = explain(call, failure, ctx, kv);
    Diagnosis { code: Some(code.to_owned()), provider_message: said, cause, fix }
}

fn explain(
    call: VaultCall,
    failure: &VaultFailure,
    ctx: &VaultContext<'_>,
    kv: Option<(&KvMount, &str)>,
) -> (&'static str, String, String) {
    let bao = ctx.bao();
    let (mount, role, issuer, address) = (&ctx.login.auth_mount, &ctx.login.role, ctx.issuer, &ctx.login.address);
    let words = failure.errors();
    let has = |needle: &str| words.contains(needle);
    match failure {
        VaultFailure::Unreachable(cause) => (
            "unreachable",
            format!("Wisp could not connect to Vault at {address}: {cause}."),
            format!("Check the Vault Address, DNS and that Wisp's host may reach {address} (firewall, TLS certificate signed by a public authority). `{bao} status` from Wisp's host should answer."),
        ),
        VaultFailure::Timeout => (
            "timeout",
            format!("Vault at {address} did not answer in time."),
            "Check that Vault is up and not overloaded, and that nothing between Wisp and Vault drops the connection; then test again.".to_owned(),
        ),
        VaultFailure::Redirected { location, .. } => (
            "redirected",
            format!("Vault at {address} sent Wisp to {location}: it is probably a standby node."),
            "Set the Vault Address to the cluster's active address (its load balancer), or let standby nodes forward requests.".to_owned(),
        ),
        VaultFailure::NotVault { status, text } => (
            "not_vault",
            format!("{address} answered {status} with something that is not Vault's API: {text}"),
            "Check the Vault Address: it is the address `bao` uses (VAULT_ADDR), with any proxy path prefix but without /v1.".to_owned(),
        ),
        VaultFailure::Refused { status: 503, .. } if has("sealed") => (
            "sealed",
            format!("Vault at {address} is sealed."),
            format!("Unseal it (`{bao} operator unseal`), then test again."),
        ),
        VaultFailure::Refused { status: 404, .. } if has("namespace not found") => (
            "namespace_not_found",
            format!("Vault has no namespace '{}'.", ctx.login.namespace.as_ref().map(Namespace::as_str).unwrap_or_default()),
            "Correct the Namespace (or leave it empty for the root namespace) to where the JWT auth method is mounted.".to_owned(),
        ),
        VaultFailure::Refused { .. } if call == VaultCall::Login => explain_login(failure, ctx, &bao),
        VaultFailure::Refused { status: 404, .. } => {
            let (kv_mount, path) = kv_path(kv);
            (
                "secret_not_found",
                format!("There is no secret at '{path}' in the KV version 2 engine at {kv_mount}/ (or its current version was deleted)."),
                format!("Check the name (`{bao} kv list -mount={kv_mount} <folder>`) and that {kv_mount}/ is a KV version 2 engine (`{bao} secrets list -detailed`), then read it with `{bao} kv get -mount={kv_mount} {path}`."),
            )
        }
        VaultFailure::Refused { status: 403, .. } => {
            let (kv_mount, path) = kv_path(kv);
            let (capability, api_path) = match call {
                VaultCall::List => ("list", format!("{kv_mount}/metadata/{path}")),
                _ => ("read", format!("{kv_mount}/data/{path}")),
            };
            (
                "permission_denied",
                format!("Vault refused to {capability} {api_path}: the policies of role '{role}' do not allow it, or there is no secrets engine at {kv_mount}/."),
                format!("Grant it in a policy of the role: `path \"{api_path}{wild}\" {{ capabilities = [\"{capability}\"] }}` (`{bao} policy write …`), and check that {kv_mount}/ is mounted (`{bao} secrets list`).", wild = if call == VaultCall::List || path.is_empty() { "*" } else { "" }),
            )
        }
        VaultFailure::Refused { status, .. } => (
            "refused",
            format!("Vault refused the request with status {status}."),
            format!("Vault's words above say why; `{bao} read auth/{mount}/role/{role}` and the role's policies are the usual places to look. Issuer: {issuer}."),
        ),
    }
}

/// The KV mount and path a read or list was for.
fn kv_path<'a>(kv: Option<(&'a KvMount, &'a str)>) -> (&'a str, &'a str) {
    kv.map_or((KvMount::DEFAULT, ""), |(mount, path)| (mount.as_str(), path))
}

/// A refused login: Vault's sentences name the claim or the part of the set-up it stopped at.
fn explain_login(failure: &VaultFailure, ctx: &VaultContext<'_>, bao: &str) -> (&'static str, String, String) {
    let login = ctx.login;
    let (mount, role, issuer, audience, subject) =
        (&login.auth_mount, &login.role, ctx.issuer, &login.audience, ctx.subject);
    let words = failure.errors();
    let has = |needle: &str| words.contains(needle);
    let status = match failure {
        VaultFailure::Refused { status, .. } => *status,
        _ => 0,
    };
    if has("could not be found") && has("role") {
        return (
            "role_not_found",
            format!("The JWT auth method at auth/{mount} has no role '{role}'."),
            format!(
                "Create it with the trust helper's commands (`{bao} write auth/{mount}/role/{role} role_type=jwt user_claim=sub bound_audiences={audience} …`), or correct the Vault Role."
            ),
        );
    }
    if has("invalid audience") || has("aud) claim") {
        return (
            "audience_mismatch",
            format!(
                "Wisp's token is for audience '{audience}', which role '{role}' does not accept (bound_audiences)."
            ),
            format!(
                "Set the Audience to one the role lists (`{bao} read auth/{mount}/role/{role}`), or add it to that list, which a write replaces: `{bao} write auth/{mount}/role/{role} role_type=jwt bound_audiences=<the ones listed>,{audience}`."
            ),
        );
    }
    if has("bound claim") || has("invalid subject") {
        return (
            "subject_not_bound",
            format!(
                "Role '{role}' does not accept Wisp's token for '{subject}': its bound_claims (or bound_subject) name other subjects."
            ),
            format!(
                "Bind the role to this organization with the trust helper's role command: its bound_claims (type glob) list `{org}` and `{org}:automation:*`; `{bao} read auth/{mount}/role/{role}` shows what it binds now.",
                org = subject.split(":automation:").next().unwrap_or(subject)
            ),
        );
    }
    if has("invalid issuer") || has("iss) claim") {
        return (
            "issuer_mismatch",
            format!("The JWT auth method at auth/{mount} expects another issuer than Wisp's ({issuer})."),
            format!(
                "Set it to Wisp's: `{bao} write auth/{mount}/config oidc_discovery_url={issuer} bound_issuer={issuer}`."
            ),
        );
    }
    if has("signature") || has("fetching keys") || has("get keys") || has("keyset") || has("jwks") {
        return (
            "keys_unverified",
            format!(
                "Vault could not check the token's signature with the keys it holds: it cannot fetch Wisp's keys from {}, or it was given other keys.",
                issuer.jwks_url()
            ),
            format!(
                "Point the auth method at Wisp's issuer (`{bao} write auth/{mount}/config oidc_discovery_url={issuer} bound_issuer={issuer}`) and check that Vault's host reaches {} (`curl` it from there).",
                issuer.jwks_url()
            ),
        );
    }
    if has("could not load configuration") {
        return (
            "auth_not_configured",
            format!("The JWT auth method at auth/{mount} has no configuration yet."),
            format!(
                "Configure it with Wisp's issuer: `{bao} write auth/{mount}/config oidc_discovery_url={issuer} bound_issuer={issuer}`."
            ),
        );
    }
    if has("expired") || has("not valid yet") || has("nbf") || has("iat") {
        return (
            "clock_skew",
            "Vault found Wisp's fresh token expired or not yet valid: the two clocks disagree.".to_owned(),
            "Synchronise Wisp's and Vault's hosts with NTP, then test again.".to_owned(),
        );
    }
    if status == 403 || (status == 400 && has("unsupported path")) {
        return (
            "auth_mount_not_found",
            format!(
                "Vault refused auth/{mount}/login: no JWT auth method is mounted at auth/{mount}{ns}.",
                ns = ctx.login.namespace.as_ref().map(|n| format!(" in namespace {n}")).unwrap_or_default()
            ),
            format!(
                "Enable it (`{bao} auth enable -path={mount} jwt`) or correct the JWT Auth Mount (`{bao} auth list` shows the mounts)."
            ),
        );
    }
    (
        "login_refused",
        format!("Vault refused the login at auth/{mount} with role '{role}' (status {status})."),
        format!(
            "Vault's words above say why; compare `{bao} read auth/{mount}/role/{role}` and `{bao} read auth/{mount}/config` with the trust helper's commands."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(status: u16, words: &str) -> VaultFailure {
        VaultFailure::Refused { status, errors: vec![words.to_owned()] }
    }

    fn login_code(failure: &VaultFailure) -> (String, String) {
        let login = VaultLogin {
            address: "https://vault.example.com".parse().unwrap(),
            auth_mount: "jwt".parse().unwrap(),
            role: "wisp".parse().unwrap(),
            audience: "https://vault.example.com".parse().unwrap(),
            namespace: None,
        };
        let issuer = IssuerUrl::parse("https://wisp.example.com").unwrap();
        let ctx = VaultContext {
            login: &login,
            issuer: &issuer,
            subject: "organization:0f9c2a7e-1111-4222-8333-444455556666",
        };
        let d = diagnose(VaultCall::Login, failure, &ctx, None);
        (d.code.unwrap(), d.fix)
    }

    /// OpenBao 2.7's own sentences (the Vault integration tests check them against a live server).
    #[test]
    fn each_login_refusal_gets_its_cause() {
        for (words, status, code) in [
            ("role \"nope\" could not be found", 400, "role_not_found"),
            (
                "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience",
                400,
                "audience_mismatch",
            ),
            (
                "error validating claims: claim \"sub\" does not match any associated bound claim values",
                400,
                "subject_not_bound",
            ),
            ("error validating token: invalid subject (sub) claim", 400, "subject_not_bound"),
            ("error validating token: invalid issuer (iss) claim", 400, "issuer_mismatch"),
            (
                "error validating token: error verifying token signature: no known key successfully validated the token signature",
                400,
                "keys_unverified",
            ),
            ("could not load configuration", 400, "auth_not_configured"),
            ("error validating token: invalid expiration time (exp) claim: token is expired", 400, "clock_skew"),
            ("permission denied", 403, "auth_mount_not_found"),
        ] {
            let (found, fix) = login_code(&refused(status, words));
            assert_eq!(found, code, "{words}");
            assert!(fix.contains("bao") || fix.contains("NTP"), "{code}: {fix}");
        }
        let (code, fix) = login_code(&refused(400, "role \"nope\" could not be found"));
        assert_eq!(code, "role_not_found");
        assert!(fix.contains("bao write auth/jwt/role/wisp"), "{fix}");
    }

    #[test]
    fn a_bound_claims_fix_names_the_organizations_subjects() {
        let (_, fix) = login_code(&refused(400, "claim \"sub\" does not match any associated bound claim values"));
        assert!(fix.contains("organization:0f9c2a7e-1111-4222-8333-444455556666:automation:*"), "{fix}");
    }
}

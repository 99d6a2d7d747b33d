//! What an admin runs against Vault (or OpenBao) so its JWT auth method trusts this organization's
//! Wisp tokens: enable the method, point it at Wisp's issuer, write a policy that reads a KV
//! version 2 prefix, and a role bound to the audience and to this organization's subjects (the
//! organization's own, and its automations' runs by glob). Generated from the real values, as
//! `bao` commands (`vault` takes the same ones).
use vocabulary::{
    ids::OrgId,
    token::Subject,
    vault::{KvMount, VaultLogin},
};

use crate::issuer::url::IssuerUrl;

/// How long the Vault tokens the role hands out live: a kickoff needs seconds, a Test Connection
/// a few calls.
const TOKEN_TTL: &str = "15m";

/// The config's values the commands are filled in with.
pub struct VaultTrust<'a> {
    pub issuer: &'a IssuerUrl,
    pub org: OrgId,
    pub login: &'a VaultLogin,
    /// Which KV engine, and which folder of it (empty: all of it), the role's policy reads.
    pub kv_mount: &'a KvMount,
    pub prefix: &'a str,
}

impl VaultTrust<'_> {
    /// The policy's name: the role's, so one Vault can serve several organizations apart.
    pub fn policy_name(&self) -> String {
        format!("{}-read", self.login.role)
    }

    /// The subjects the role accepts: `organization:<org>` and `organization:<org>:automation:*`.
    pub fn bound_subjects(&self) -> [String; 2] {
        let org = Subject::Organization(self.org).to_string();
        [org.clone(), format!("{org}:automation:*")]
    }

    /// The policy, in HCL: read the prefix's secrets, list its folders (for the Secret Name
    /// suggestions).
    pub fn policy(&self) -> String {
        let (kv, prefix) = (self.kv_mount, self.prefix.trim_matches('/'));
        let folder = if prefix.is_empty() { String::new() } else { format!("{prefix}/") };
        format!(
            "path \"{kv}/data/{folder}*\" {{\n  capabilities = [\"read\"]\n}}\n\
             path \"{kv}/metadata/{folder}*\" {{\n  capabilities = [\"list\"]\n}}\n{parents}",
            parents = parent_folders(kv, prefix),
        )
    }

    /// The role, as JSON: `bao write` takes `bound_claims` (a map) only in a JSON body.
    pub fn role(&self) -> String {
        let role = serde_json::json!({
            "role_type": "jwt",
            "user_claim": "sub",
            "bound_audiences": [self.login.audience.as_str()],
            "bound_claims_type": "glob",
            "bound_claims": { "sub": self.bound_subjects() },
            "token_policies": [self.policy_name()],
            "token_ttl": TOKEN_TTL,
        });
        serde_json::to_string_pretty(&role).expect("JSON serializes")
    }

    /// The commands, in order, for a shell with an admin's token in `BAO_TOKEN` (or `VAULT_TOKEN`).
    pub fn commands(&self) -> String {
        let (mount, role, issuer) = (&self.login.auth_mount, &self.login.role, self.issuer.as_str());
        let namespace =
            self.login.namespace.as_ref().map(|n| format!("export BAO_NAMESPACE={n}\n")).unwrap_or_default();
        format!(
            "export BAO_ADDR={address}\n{namespace}\
             bao auth enable -path={mount} jwt\n\
             bao write auth/{mount}/config oidc_discovery_url={issuer} bound_issuer={issuer}\n\
             bao policy write {policy} - <<'EOF'\n{rules}EOF\n\
             bao write auth/{mount}/role/{role} - <<'EOF'\n{body}\nEOF\n",
            address = self.login.address,
            policy = self.policy_name(),
            rules = self.policy(),
            body = self.role(),
        )
    }
}

/// The folder of the KV mount the policy reads, as typed: surrounding slashes dropped, and only
/// characters a policy path holds as they are (a quote or a newline would end the rule early).
pub fn parse_prefix(text: &str) -> Result<String, vocabulary::FieldError> {
    let prefix = text.trim().trim_matches('/');
    match prefix.chars().find(|c| !(c.is_ascii_alphanumeric() || "_.-/@=+".contains(*c))) {
        None if prefix.len() <= 256 => Ok(prefix.to_owned()),
        None => Err(vocabulary::FieldError::new("prefix", "A path prefix is at most 256 characters.")),
        Some(bad) => Err(vocabulary::FieldError::new(
            "prefix",
            format!(
                "The path prefix contains {}: use letters, digits, _ . - @ = + and / between folders, such as teams/payments.",
                if bad.is_whitespace() { "a space".to_owned() } else { format!("'{bad}'") }
            ),
        )),
    }
}

/// `list` on each folder above `prefix`, so the Secret Name suggestions can walk down to it.
fn parent_folders(kv: &KvMount, prefix: &str) -> String {
    let mut rules = format!("path \"{kv}/metadata/\" {{\n  capabilities = [\"list\"]\n}}\n");
    let parts: Vec<&str> = prefix.split('/').filter(|p| !p.is_empty()).collect();
    for depth in 1..parts.len() {
        let folder = parts[..depth].join("/");
        rules.push_str(&format!("path \"{kv}/metadata/{folder}/\" {{\n  capabilities = [\"list\"]\n}}\n"));
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login() -> VaultLogin {
        VaultLogin {
            address: "https://vault.example.com:8200".parse().unwrap(),
            auth_mount: "jwt".parse().unwrap(),
            role: "wisp-acme".parse().unwrap(),
            audience: "https://vault.example.com:8200".parse().unwrap(),
            namespace: None,
        }
    }

    fn trust<'a>(
        issuer: &'a IssuerUrl,
        login: &'a VaultLogin,
        kv_mount: &'a KvMount,
        prefix: &'a str,
    ) -> VaultTrust<'a> {
        VaultTrust { issuer, org: "0f9c2a7e-1111-4222-8333-444455556666".parse().unwrap(), login, kv_mount, prefix }
    }

    #[test]
    fn the_role_binds_the_audience_and_this_organizations_subjects() {
        let (issuer, login, kv) =
            (IssuerUrl::parse("https://wisp.example.com").unwrap(), login(), "secret".parse().unwrap());
        let commands = trust(&issuer, &login, &kv, "").commands();
        assert!(
            commands.starts_with("export BAO_ADDR=https://vault.example.com:8200\nbao auth enable -path=jwt jwt\n")
        );
        assert!(commands.contains("bao write auth/jwt/config oidc_discovery_url=https://wisp.example.com bound_issuer=https://wisp.example.com\n"));
        assert!(commands.contains("bao write auth/jwt/role/wisp-acme - <<'EOF'\n{"), "{commands}");
        let role: serde_json::Value = serde_json::from_str(&trust(&issuer, &login, &kv, "").role()).unwrap();
        assert_eq!(role["bound_audiences"], serde_json::json!(["https://vault.example.com:8200"]));
        let org = "organization:0f9c2a7e-1111-4222-8333-444455556666";
        assert_eq!(role["bound_claims"]["sub"], serde_json::json!([org, format!("{org}:automation:*")]));
        assert_eq!(role["token_policies"], serde_json::json!(["wisp-acme-read"]));
        let namespaced = VaultLogin { namespace: Some("team-a".parse().unwrap()), ..login.clone() };
        assert!(trust(&issuer, &namespaced, &kv, "").commands().contains("export BAO_NAMESPACE=team-a\n"));
    }

    #[test]
    fn the_policy_reads_the_prefix_and_lists_the_way_down_to_it() {
        let (issuer, login, kv) =
            (IssuerUrl::parse("https://wisp.example.com").unwrap(), login(), "secret".parse().unwrap());
        let policy = trust(&issuer, &login, &kv, "/teams/payments/").policy();
        assert!(policy.contains("path \"secret/data/teams/payments/*\" {\n  capabilities = [\"read\"]\n}"), "{policy}");
        assert!(policy.contains("path \"secret/metadata/teams/payments/*\""), "{policy}");
        assert!(policy.contains("path \"secret/metadata/teams/\""), "{policy}");
        assert!(policy.contains("path \"secret/metadata/\""), "{policy}");
        assert_eq!(parse_prefix(" /teams/payments/ ").unwrap(), "teams/payments");
        assert!(parse_prefix("a\"b").unwrap_err().message.contains("'\"'"));
        let everything = trust(&issuer, &login, &kv, "").policy();
        assert!(everything.contains("path \"secret/data/*\""), "{everything}");
    }
}

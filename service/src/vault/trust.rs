//! What an admin runs against Vault (or OpenBao) so its JWT auth method trusts this organization's
//! Wisp tokens: enable the method, point it at Wisp's issuer, write a policy that reads a KV
//! version 2 prefix, and a role bound to the audience and to this organization's subjects (the
//! organization's own, and its automations' runs by glob). Generated from the real values, as
//! `bao` commands (`vault` takes the same ones).
use vocabulary::{
    ids::OrgId,
    token::{Audience, Subject},
    vault::{AuthMount, KvMount, Namespace, VaultAddress, VaultRole},
};

use crate::issuer::url::IssuerUrl;

/// How long the Vault tokens the role hands out live: a kickoff needs seconds, a Test Connection
/// a few calls.
const TOKEN_TTL: &str = "15m";

/// The config's values the commands are filled in with.
pub struct VaultTrust<'a> {
    pub issuer: &'a IssuerUrl,
    pub org: OrgId,
    pub address: &'a VaultAddress,
    pub namespace: Option<&'a Namespace>,
    pub auth_mount: &'a AuthMount,
    pub role: &'a VaultRole,
    pub audience: &'a Audience,
    /// Which KV engine, and which folder of it (empty: all of it), the role's policy reads.
    pub kv_mount: &'a KvMount,
    pub prefix: &'a str,
}

impl VaultTrust<'_> {
    /// The policy's name: the role's, so one Vault can serve several organizations apart.
    pub fn policy_name(&self) -> String {
        format!("{}-read", self.role)
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
            "bound_audiences": [self.audience.as_str()],
            "bound_claims_type": "glob",
            "bound_claims": { "sub": self.bound_subjects() },
            "token_policies": [self.policy_name()],
            "token_ttl": TOKEN_TTL,
        });
        serde_json::to_string_pretty(&role).expect("JSON serializes")
    }

    /// The commands, in order, for a shell with an admin's token in `BAO_TOKEN` (or `VAULT_TOKEN`).
    pub fn commands(&self) -> String {
        let (mount, role, issuer) = (self.auth_mount, self.role, self.issuer.as_str());
        let namespace = self.namespace.map(|n| format!("export BAO_NAMESPACE={n}\n")).unwrap_or_default();
        format!(
            "export BAO_ADDR={address}\n{namespace}\
             bao auth enable -path={mount} jwt\n\
             bao write auth/{mount}/config oidc_discovery_url={issuer} bound_issuer={issuer}\n\
             bao policy write {policy} - <<'EOF'\n{rules}EOF\n\
             bao write auth/{mount}/role/{role} - <<'EOF'\n{body}\nEOF\n",
            address = self.address,
            policy = self.policy_name(),
            rules = self.policy(),
            body = self.role(),
        )
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

    fn trust<'a>(
        parts: &'a (IssuerUrl, VaultAddress, AuthMount, VaultRole, Audience, KvMount),
        prefix: &'a str,
    ) -> VaultTrust<'a> {
        let (issuer, address, auth_mount, role, audience, kv_mount) = parts;
        VaultTrust {
            issuer,
            org: "0f9c2a7e-1111-4222-8333-444455556666".parse().unwrap(),
            address,
            namespace: None,
            auth_mount,
            role,
            audience,
            kv_mount,
            prefix,
        }
    }

    fn parts() -> (IssuerUrl, VaultAddress, AuthMount, VaultRole, Audience, KvMount) {
        (
            IssuerUrl::parse("https://wisp.example.com").unwrap(),
            "https://vault.example.com:8200".parse().unwrap(),
            "jwt".parse().unwrap(),
            "wisp-acme".parse().unwrap(),
            "https://vault.example.com:8200".parse().unwrap(),
            "secret".parse().unwrap(),
        )
    }

    #[test]
    fn the_role_binds_the_audience_and_this_organizations_subjects() {
        let parts = parts();
        let commands = trust(&parts, "").commands();
        assert!(
            commands.starts_with("export BAO_ADDR=https://vault.example.com:8200\nbao auth enable -path=jwt jwt\n")
        );
        assert!(commands.contains("bao write auth/jwt/config oidc_discovery_url=https://wisp.example.com bound_issuer=https://wisp.example.com\n"));
        assert!(commands.contains("bao write auth/jwt/role/wisp-acme - <<'EOF'\n{"), "{commands}");
        let role: serde_json::Value = serde_json::from_str(&trust(&parts, "").role()).unwrap();
        assert_eq!(role["bound_audiences"], serde_json::json!(["https://vault.example.com:8200"]));
        let org = "organization:0f9c2a7e-1111-4222-8333-444455556666";
        assert_eq!(role["bound_claims"]["sub"], serde_json::json!([org, format!("{org}:automation:*")]));
        assert_eq!(role["token_policies"], serde_json::json!(["wisp-acme-read"]));
    }

    #[test]
    fn the_policy_reads_the_prefix_and_lists_the_way_down_to_it() {
        let parts = parts();
        let policy = trust(&parts, "/teams/payments/").policy();
        assert!(policy.contains("path \"secret/data/teams/payments/*\" {\n  capabilities = [\"read\"]\n}"), "{policy}");
        assert!(policy.contains("path \"secret/metadata/teams/payments/*\""), "{policy}");
        assert!(policy.contains("path \"secret/metadata/teams/\""), "{policy}");
        assert!(policy.contains("path \"secret/metadata/\""), "{policy}");
        let everything = trust(&parts, "").policy();
        assert!(everything.contains("path \"secret/data/*\""), "{everything}");
    }
}

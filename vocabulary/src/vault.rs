//! HashiCorp Vault (and OpenBao, which speaks the same API) values an admin types: the server's
//! address, the paths its auth method and KV engine are mounted at, a role's name and a
//! namespace, each parsed once with a message that says what to enter instead.
use std::{fmt, str::FromStr};

use crate::error::FieldError;

/// Where Vault answers: `https://vault.example.com:8200`, or behind a proxy that serves it under
/// a path. No user, query or fragment; a trailing `/` is dropped. Plain `http` is accepted for a
/// Vault on a private network or on this host; Test Connection says what it means.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VaultAddress(String);

const EXAMPLE_ADDRESS: &str = "https://vault.example.com:8200";

impl VaultAddress {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether requests to it travel encrypted.
    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }

    /// The URL of an API path under `/v1/`.
    pub fn api(&self, path: &str) -> String {
        format!("{}/v1/{}", self.0, path.trim_start_matches('/'))
    }
}

impl FromStr for VaultAddress {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = |message: String| FieldError::new("vault_address", message);
        let text = s.trim().trim_end_matches('/');
        if text.is_empty() {
            return Err(invalid(format!("Enter the address Wisp reaches Vault at, such as {EXAMPLE_ADDRESS}.")));
        }
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err(invalid(format!(
                "'{text}' lacks its scheme: write the whole address, such as {EXAMPLE_ADDRESS}."
            )));
        };
        if scheme != "https" && scheme != "http" {
            return Err(invalid(format!("Vault answers over https (or http on a private network), not {scheme}.")));
        }
        if let Some(bad) = text.chars().find(|c| c.is_whitespace() || c.is_control() || "?#@\\".contains(*c)) {
            let shown = if bad.is_whitespace() { "a space".to_owned() } else { format!("'{bad}'") };
            return Err(invalid(format!(
                "The address contains {shown}: give only the scheme, host, port and any path prefix, such as {EXAMPLE_ADDRESS}."
            )));
        }
        let authority = rest.split('/').next().unwrap_or_default();
        let (host, port) = match authority.strip_prefix('[') {
            // An IPv6 literal: `[::1]:8200`.
            Some(literal) => match literal.split_once(']') {
                Some((host, after)) => (host, after.strip_prefix(':')),
                None => return Err(invalid(format!("'{authority}' opens an IPv6 address it does not close."))),
            },
            None => match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            },
        };
        if host.is_empty() {
            return Err(invalid(format!("The address has no host: write it like {EXAMPLE_ADDRESS}.")));
        }
        if let Some(port) = port
            && port.parse::<u16>().map_or(true, |p| p == 0)
        {
            return Err(invalid(format!("'{port}' is not a port: use a number from 1 to 65535, such as 8200.")));
        }
        if text.len() > 512 {
            return Err(invalid("The address is at most 512 characters.".to_owned()));
        }
        if text.ends_with("/v1") || text.contains("/v1/") {
            return Err(invalid(format!(
                "Give Vault's address without /v1 (Wisp adds the API's paths), such as {EXAMPLE_ADDRESS}."
            )));
        }
        Ok(Self(text.to_owned()))
    }
}

impl fmt::Display for VaultAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A path of segments of letters, digits and `_ . -`, as Vault mounts and namespaces are named
/// (`jwt`, `auth/ci-jwt`, `team/a`): surrounding slashes are dropped.
fn vault_path(field: &'static str, what: &str, example: &str, text: &str) -> Result<String, FieldError> {
    let invalid = |message: String| FieldError::new(field, message);
    let path = text.trim().trim_matches('/');
    if path.is_empty() {
        return Err(invalid(format!("Enter the {what}, such as {example}.")));
    }
    if path.len() > 128 {
        return Err(invalid(format!("The {what} is at most 128 characters.")));
    }
    if path.split('/').any(|segment| segment.is_empty() || segment == "." || segment == "..") {
        return Err(invalid(format!("'{path}' has an empty or relative part: write the {what} like {example}.")));
    }
    if let Some(bad) = path.chars().find(|c| !(c.is_ascii_alphanumeric() || "_.-/".contains(*c))) {
        let shown = if bad.is_whitespace() { "a space".to_owned() } else { format!("'{bad}'") };
        return Err(invalid(format!("The {what} contains {shown}: use letters, digits, _ . - and / between parts.")));
    }
    Ok(path.to_owned())
}

macro_rules! vault_path_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $what:literal, $example:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// What an admin gets unless they change it.
            pub const DEFAULT: &'static str = $example;

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = FieldError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                vault_path($field, $what, $example, s).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

vault_path_type!(
    /// Where the JWT auth method is mounted: logins go to `auth/<mount>/login`.
    AuthMount, "auth_mount", "JWT auth mount", "jwt"
);
vault_path_type!(
    /// Where a KV version 2 secrets engine is mounted: secrets are read at `<mount>/data/<path>`.
    KvMount, "kv_mount", "KV mount", "secret"
);
vault_path_type!(
    /// A Vault Enterprise or OpenBao namespace (`X-Vault-Namespace`).
    Namespace, "namespace", "namespace", "team-a"
);

/// A role of the JWT auth method: the bound claims and policies a login gets.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VaultRole(String);

impl VaultRole {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for VaultRole {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = |message: String| FieldError::new("vault_role", message);
        let text = s.trim();
        if text.is_empty() {
            return Err(invalid("Enter the JWT auth role Wisp logs in with, such as wisp-secrets.".to_owned()));
        }
        if text.len() > 128 {
            return Err(invalid("A role name is at most 128 characters.".to_owned()));
        }
        if let Some(bad) = text.chars().find(|c| !(c.is_ascii_alphanumeric() || "_.-".contains(*c))) {
            let shown = if bad.is_whitespace() { "a space".to_owned() } else { format!("'{bad}'") };
            return Err(invalid(format!("The role name contains {shown}: use letters, digits and _ . -.")));
        }
        Ok(Self(text.to_owned()))
    }
}

impl fmt::Display for VaultRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

serde_as_text!(VaultAddress, AuthMount, KvMount, Namespace, VaultRole);

/// Where and as whom Wisp logs in to Vault with the tokens it mints: a workload identity config
/// for Vault.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VaultLogin {
    pub address: VaultAddress,
    pub auth_mount: AuthMount,
    pub role: VaultRole,
    /// The tokens' `aud`: what the role's `bound_audiences` lists (the Vault address by default).
    pub audience: crate::token::Audience,
    pub namespace: Option<Namespace>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_keeps_scheme_host_port_and_prefix() {
        let address: VaultAddress = " https://vault.example.com:8200/ ".parse().unwrap();
        assert_eq!(address.as_str(), "https://vault.example.com:8200");
        assert_eq!(address.api("auth/jwt/login"), "https://vault.example.com:8200/v1/auth/jwt/login");
        assert!(address.is_https());
        let proxied: VaultAddress = "http://127.0.0.1:8200/vault".parse().unwrap();
        assert_eq!(proxied.api("/sys/health"), "http://127.0.0.1:8200/vault/v1/sys/health");
        assert!("https://[::1]:8200".parse::<VaultAddress>().is_ok());
    }

    #[test]
    fn a_bad_address_says_what_to_write() {
        for (text, says) in [
            ("", "Enter the address"),
            ("vault.example.com", "lacks its scheme"),
            ("ftp://vault", "not ftp"),
            ("https://user@vault", "'@'"),
            ("https://vault/?x=1", "'?'"),
            ("https://vault:99999", "not a port"),
            ("https://:8200", "no host"),
            ("https://vault.example.com/v1", "without /v1"),
        ] {
            let error = text.parse::<VaultAddress>().unwrap_err();
            assert_eq!(error.field, "vault_address");
            assert!(error.message.contains(says), "{text}: {}", error.message);
        }
    }

    #[test]
    fn mounts_and_namespaces_are_paths_of_plain_segments() {
        assert_eq!("/ci/jwt/".parse::<AuthMount>().unwrap().as_str(), "ci/jwt");
        assert_eq!(AuthMount::DEFAULT.parse::<AuthMount>().unwrap().as_str(), "jwt");
        assert_eq!(KvMount::DEFAULT, "secret");
        let error = "a//b".parse::<KvMount>().unwrap_err();
        assert_eq!(error.field, "kv_mount");
        assert!(error.message.contains("empty or relative part"), "{}", error.message);
        assert!("../sys".parse::<Namespace>().is_err());
        let error = "team a".parse::<Namespace>().unwrap_err();
        assert!(error.message.contains("a space"), "{}", error.message);
    }

    #[test]
    fn a_role_is_one_plain_name() {
        assert_eq!(" wisp-secrets ".parse::<VaultRole>().unwrap().as_str(), "wisp-secrets");
        let error = "ci/role".parse::<VaultRole>().unwrap_err();
        assert_eq!(error.field, "vault_role");
        assert!(error.message.contains("'/'"), "{}", error.message);
    }
}

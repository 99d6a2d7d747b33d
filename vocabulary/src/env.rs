//! An automation's environment: variable keys, the secrets they name, and how a secret's value
//! reaches a run.
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{error::FieldError, providers::AuthMethod};

/// Longer keys work in a shell but nobody types them; the bound keeps a row readable.
const KEY_MAX: usize = 256;
/// AWS's own limits: a name up to 512 characters, an ARN up to 2048.
const SECRET_NAME_MAX: usize = 512;
const SECRET_ARN_MAX: usize = 2048;
const JSON_KEY_MAX: usize = 256;

/// Prefixes that tools inside a run read on their own: a variable with one of them changes how
/// those tools behave, which is allowed but rarely meant.
const RESERVED_PREFIXES: &[(&str, &str)] = &[
    ("AWS_", "AWS SDKs and the AWS CLI in the run read AWS_ variables (credentials, region, endpoints)"),
    ("WISP_", "the Wisp worker CLI reads WISP_ variables (server, deployment token)"),
];

/// An environment variable's name, as POSIX shells accept it: `[A-Za-z_][A-Za-z0-9_]*`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct EnvKey(String);

impl EnvKey {
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let error = |message: String| FieldError::new("key", message);
        let key = text.trim();
        let mut chars = key.chars();
        match chars.next() {
            None => return Err(error("Enter a key, such as DATABASE_URL.".to_owned())),
            Some(c) if c.is_ascii_digit() => {
                return Err(error(format!("'{key}' starts with a digit: a key starts with a letter or _.")));
            }
            _ => {}
        }
        if let Some(bad) = key.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_')) {
            let shown = if bad.is_whitespace() { "a space".to_owned() } else { format!("'{bad}'") };
            return Err(error(format!(
                "'{key}' contains {shown}: a key has only letters A–Z, digits and _ (for example DATABASE_URL)."
            )));
        }
        if key.len() > KEY_MAX {
            return Err(error(format!("A key is at most {KEY_MAX} characters; this one has {}.", key.len())));
        }
        Ok(Self(key.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Why this key may not do what its author expects, if it may not.
    pub fn warning(&self) -> Option<String> {
        let upper = self.0.to_ascii_uppercase();
        RESERVED_PREFIXES.iter().find(|(prefix, _)| upper.starts_with(prefix)).map(|(prefix, why)| {
            format!("{} starts with {prefix}: {why}, so this value will change how they behave.", self.0)
        })
    }
}

impl fmt::Display for EnvKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for EnvKey {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl<'de> Deserialize<'de> for EnvKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A secret's name in the provider, or its full ARN. AWS names use letters, digits and `/_+=.@-`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct SecretName(String);

impl SecretName {
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let error = |message: String| FieldError::new("secret_name", message);
        let name = text.trim();
        if name.is_empty() {
            return Err(error("Enter the secret's name, or pick one from the suggestions.".to_owned()));
        }
        let arn = name.starts_with("arn:");
        let allowed = |c: char| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c) || (arn && c == ':');
        if let Some(bad) = name.chars().find(|c| !allowed(*c)) {
            let shown = if bad.is_whitespace() { "a space".to_owned() } else { format!("'{bad}'") };
            return Err(error(format!(
                "'{name}' contains {shown}: AWS secret names use only letters, digits and / _ + = . @ -."
            )));
        }
        let max = if arn { SECRET_ARN_MAX } else { SECRET_NAME_MAX };
        if name.len() > max {
            return Err(error(format!("A secret name is at most {max} characters; this one has {}.", name.len())));
        }
        Ok(Self(name.to_owned()))
    }

    /// Whether the name can name a secret of `provider`: a Vault KV path is a secret's path under
    /// the mount, not an ARN, not a folder (`…/`), with no empty part.
    pub fn fits(&self, provider: crate::providers::SecretProvider) -> Result<(), FieldError> {
        let error = |message: String| Err(FieldError::new("secret_name", message));
        let name = self.as_str();
        match provider {
            crate::providers::SecretProvider::AwsSecretsManager => Ok(()),
            crate::providers::SecretProvider::VaultKv2 if name.starts_with("arn:") => error(
                "An ARN names an AWS secret: for Vault, give the secret's path under the KV mount, such as app/db."
                    .to_owned(),
            ),
            crate::providers::SecretProvider::VaultKv2 if name.ends_with('/') => error(format!(
                "'{name}' is a folder: pick a secret in it, such as {name}db (type the folder to see what it holds)."
            )),
            crate::providers::SecretProvider::VaultKv2
                if name.starts_with('/')
                    || name.split('/').any(|part| part.is_empty() || part == "." || part == "..") =>
            {
                error(format!(
                    "'{name}' has an empty or relative part: write the path under the KV mount, such as app/db."
                ))
            }
            crate::providers::SecretProvider::VaultKv2 => Ok(()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for SecretName {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl<'de> Deserialize<'de> for SecretName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// One top-level key of a JSON secret (`password` of `{"username":…,"password":…}`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonKey(String);

impl JsonKey {
    /// `None` for an empty field: the whole secret is the value.
    pub fn parse(text: &str) -> Result<Option<Self>, FieldError> {
        let key = text.trim();
        if key.is_empty() {
            return Ok(None);
        }
        if key.chars().count() > JSON_KEY_MAX {
            return Err(FieldError::new("json_key", format!("A JSON key is at most {JSON_KEY_MAX} characters.")));
        }
        Ok(Some(Self(key.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for JsonKey {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)?.ok_or_else(|| FieldError::new("json_key", "A JSON key is not empty."))
    }
}

impl fmt::Display for JsonKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

text_enum! {
    /// Where a variable's value comes from.
    pub enum SourceKind ("source", "a variable source") {
        Plain = "plain",
        Secret = "secret",
    }
}

impl SourceKind {
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Plain => "Plain value",
            SourceKind::Secret => "Secret",
        }
    }
}

text_enum! {
    /// When a secret's value is read, which decides whether a rotation reaches the next run.
    pub enum Delivery ("delivery", "a delivery") {
        RotationAware = "rotation_aware",
        BakedAtDeploy = "baked_at_deploy",
    }
}

impl Delivery {
    /// Workload identity needs no stored key, so Wisp can read at every kickoff; a static key's
    /// secrets are read once, when the automation is deployed.
    pub fn of(method: AuthMethod) -> Self {
        match method {
            AuthMethod::WorkloadIdentity => Delivery::RotationAware,
            AuthMethod::StaticKeys => Delivery::BakedAtDeploy,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Delivery::RotationAware => "rotation-aware",
            Delivery::BakedAtDeploy => "baked at deploy",
        }
    }

    pub fn explanation(self) -> &'static str {
        match self {
            Delivery::RotationAware => {
                "Read from AWS at every kickoff through Workload Identity: a rotated secret reaches the next run without a redeploy."
            }
            Delivery::BakedAtDeploy => {
                "Read once when the automation is deployed, with a static key: after a rotation, deploy again to pass on the new value."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::SecretProvider;

    #[test]
    fn a_vault_secret_name_is_a_path_to_a_secret() {
        let fits = |name: &str| SecretName::parse(name).unwrap().fits(SecretProvider::VaultKv2);
        assert!(fits("app/db").is_ok());
        assert!(fits("app/").unwrap_err().message.contains("is a folder"));
        assert!(fits("app//db").unwrap_err().message.contains("empty or relative"));
        assert!(fits("/app/db").is_err());
        assert!(fits("arn:aws:secretsmanager:us-east-1:123456789012:secret:x").unwrap_err().message.contains("ARN"));
        assert!(SecretName::parse("app/").unwrap().fits(SecretProvider::AwsSecretsManager).is_ok());
    }

    #[test]
    fn keys_follow_the_shell_rule_and_say_what_is_wrong() {
        assert_eq!(EnvKey::parse(" DATABASE_URL ").unwrap().as_str(), "DATABASE_URL");
        assert_eq!(EnvKey::parse("_x1").unwrap().as_str(), "_x1");
        for (bad, says) in
            [("", "Enter a key"), ("1PASSWORD", "starts with a digit"), ("MY-KEY", "'-'"), ("A B", "a space")]
        {
            let error = EnvKey::parse(bad).unwrap_err();
            assert_eq!(error.field, "key");
            assert!(error.message.contains(says), "{bad}: {error}");
        }
        assert!(EnvKey::parse(&"A".repeat(257)).is_err());
    }

    #[test]
    fn reserved_prefixes_warn_without_refusing() {
        assert!(EnvKey::parse("AWS_REGION").unwrap().warning().unwrap().contains("AWS SDKs"));
        assert!(EnvKey::parse("wisp_server").unwrap().warning().unwrap().contains("WISP_"));
        assert_eq!(EnvKey::parse("DATABASE_URL").unwrap().warning(), None);
    }

    #[test]
    fn secret_names_and_arns() {
        assert!(SecretName::parse("team-1/service-2/db.password@prod+x=y").is_ok());
        assert!(SecretName::parse("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf").is_ok());
        assert!(SecretName::parse("db:password").unwrap_err().message.contains("':'"));
        assert!(SecretName::parse("  ").unwrap_err().message.contains("Enter the secret"));
        assert!(SecretName::parse(&"a".repeat(513)).is_err());
        assert_eq!(JsonKey::parse("  ").unwrap(), None);
        assert_eq!(JsonKey::parse(" password ").unwrap().unwrap().as_str(), "password");
    }

    #[test]
    fn delivery_follows_the_authentication_method() {
        assert_eq!(Delivery::of(AuthMethod::WorkloadIdentity).label(), "rotation-aware");
        assert_eq!(Delivery::of(AuthMethod::StaticKeys).label(), "baked at deploy");
    }
}

//! A credential as the admin typed it, parsed: every field valid, or every field's error at once.
use std::fmt;

use vocabulary::{
    FieldError,
    aws::{AccessKeyId, ExternalId, Region, RoleArn},
    ids::WorkloadIdentityConfigId,
    name::Name,
    providers::{AuthMethod, SecretProvider, SecretStore},
    vault::KvMount,
};

use crate::error::{FormCheck, ServiceResult};

const MAX_NAME: usize = 64;

/// An AWS secret access key as typed; `Debug` never shows it.
#[derive(Clone)]
pub struct SecretAccessKey(String);

impl SecretAccessKey {
    fn parse(text: &str) -> Result<Self, FieldError> {
        let text = text.trim();
        let looks_right = (16..=128).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_graphic());
        if looks_right {
            Ok(Self(text.to_owned()))
        } else {
            Err(FieldError::new(
                "secret_access_key",
                "A secret access key is 16 to 128 characters with no spaces, as AWS showed it when the key was created.",
            ))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretAccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretAccessKey(***)")
    }
}

#[derive(Clone, Debug)]
pub enum AuthInput {
    WorkloadIdentity(WorkloadIdentityConfigId),
    StaticKeys {
        access_key_id: AccessKeyId,
        /// `None` when editing keeps the stored key.
        secret_access_key: Option<SecretAccessKey>,
        role_arn: Option<RoleArn>,
        external_id: Option<ExternalId>,
    },
}

#[derive(Clone, Debug)]
pub struct CredentialInput {
    pub name: Name,
    pub store: SecretStore,
    pub auth: AuthInput,
}

/// The form's fields as text, the way the page sends them; the method decides which count.
#[derive(Clone, Copy, Debug)]
pub struct CredentialForm<'a> {
    pub name: &'a str,
    pub provider: SecretProvider,
    pub auth_method: AuthMethod,
    pub workload_identity_config: Option<WorkloadIdentityConfigId>,
    pub access_key_id: &'a str,
    pub secret_access_key: &'a str,
    pub role_arn: &'a str,
    pub external_id: &'a str,
    pub region: Region,
    /// Vault KV v2: where the engine is mounted; empty is [`KvMount::DEFAULT`].
    pub kv_mount: &'a str,
}

impl CredentialInput {
    pub fn parse(form: CredentialForm<'_>) -> ServiceResult<Self> {
        let mut check = FormCheck::default();
        let name = check.field(Name::parse("name", form.name, MAX_NAME, "aws-secrets"));
        let store = match form.provider {
            SecretProvider::AwsSecretsManager => Some(SecretStore::AwsSecretsManager { region: form.region }),
            SecretProvider::VaultKv2 => {
                let typed = if form.kv_mount.trim().is_empty() { KvMount::DEFAULT } else { form.kv_mount };
                check.field(typed.parse::<KvMount>()).map(|kv_mount| SecretStore::VaultKv2 { kv_mount })
            }
        };
        let auth = match form.auth_method {
            method if !form.provider.auth_methods().contains(&method) => {
                check.refuse(FieldError::new(
                    "auth_method",
                    format!(
                        "{} is read with workload identity only: Wisp stores no Vault token. Choose Workload Identity.",
                        form.provider.label()
                    ),
                ));
                None
            }
            AuthMethod::WorkloadIdentity => {
                let config = form.workload_identity_config.ok_or_else(|| {
                    FieldError::new(
                        "workload_identity_config",
                        "Choose the workload identity configuration this credential signs in with.",
                    )
                });
                check.field(config).map(AuthInput::WorkloadIdentity)
            }
            AuthMethod::StaticKeys => {
                let access_key_id = check.field(form.access_key_id.parse::<AccessKeyId>());
                let secret = if form.secret_access_key.trim().is_empty() {
                    Some(None)
                } else {
                    check.field(SecretAccessKey::parse(form.secret_access_key)).map(Some)
                };
                let role_arn = if form.role_arn.trim().is_empty() {
                    Some(None)
                } else {
                    check.field(form.role_arn.parse::<RoleArn>()).map(Some)
                };
                let external_id = match (form.external_id.trim().is_empty(), form.role_arn.trim().is_empty()) {
                    (true, _) => Some(None),
                    (false, true) => {
                        check.refuse(FieldError::new(
                            "external_id",
                            "An external ID goes with a Role ARN: enter the role to assume, or clear the external ID.",
                        ));
                        None
                    }
                    (false, false) => check.field(form.external_id.parse::<ExternalId>()).map(Some),
                };
                if let Some(Some(arn)) = &role_arn
                    && arn.partition() != form.region.partition()
                {
                    check.refuse(FieldError::new(
                        "region",
                        format!(
                            "{} is in the {} partition but the role is in {}: choose a region of the role's partition.",
                            form.region,
                            form.region.partition(),
                            arn.partition()
                        ),
                    ));
                }
                match (access_key_id, secret, role_arn, external_id) {
                    (Some(access_key_id), Some(secret_access_key), Some(role_arn), Some(external_id)) => {
                        Some(AuthInput::StaticKeys { access_key_id, secret_access_key, role_arn, external_id })
                    }
                    _ => None,
                }
            }
        };
        check.finish(|| Some(Self { name: name?, store: store?, auth: auth? }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form<'a>(method: AuthMethod) -> CredentialForm<'a> {
        CredentialForm {
            name: "aws-secrets",
            provider: SecretProvider::AwsSecretsManager,
            auth_method: method,
            workload_identity_config: None,
            access_key_id: "",
            secret_access_key: "",
            role_arn: "",
            external_id: "",
            region: Region::DEFAULT,
            kv_mount: "",
        }
    }

    #[test]
    fn a_vault_credential_takes_workload_identity_and_a_kv_mount() {
        let config = Some(WorkloadIdentityConfigId::new());
        let vault = |method, kv_mount| CredentialForm {
            provider: SecretProvider::VaultKv2,
            workload_identity_config: config,
            kv_mount,
            ..form(method)
        };
        let parsed = CredentialInput::parse(vault(AuthMethod::WorkloadIdentity, " ")).unwrap();
        assert!(matches!(parsed.store, SecretStore::VaultKv2 { ref kv_mount } if kv_mount.as_str() == "secret"));
        let error = CredentialInput::parse(vault(AuthMethod::StaticKeys, "kv/../x")).unwrap_err();
        assert_eq!(fields(error), ["kv_mount", "auth_method"]);
    }

    fn fields(error: crate::ServiceError) -> Vec<String> {
        error.field_errors().iter().map(|e| e.field.to_string()).collect()
    }

    #[test]
    fn workload_identity_needs_a_config_and_ignores_the_static_fields() {
        let error = CredentialInput::parse(form(AuthMethod::WorkloadIdentity)).unwrap_err();
        assert_eq!(fields(error), ["workload_identity_config"]);
        let id = WorkloadIdentityConfigId::new();
        let parsed = CredentialInput::parse(CredentialForm {
            workload_identity_config: Some(id),
            access_key_id: "garbage",
            ..form(AuthMethod::WorkloadIdentity)
        })
        .unwrap();
        assert!(matches!(parsed.auth, AuthInput::WorkloadIdentity(config) if config == id));
    }

    #[test]
    fn static_keys_report_every_bad_field_at_once() {
        let error = CredentialInput::parse(CredentialForm {
            name: " ",
            access_key_id: "AKIA123",
            secret_access_key: "short",
            role_arn: "my-role",
            external_id: "x",
            ..form(AuthMethod::StaticKeys)
        })
        .unwrap_err();
        assert_eq!(fields(error), ["name", "access_key_id", "secret_access_key", "role_arn", "external_id"]);
        let orphan = CredentialInput::parse(CredentialForm {
            access_key_id: "AKIAIOSFODNN7EXAMPLE",
            external_id: "partner-1234",
            ..form(AuthMethod::StaticKeys)
        })
        .unwrap_err();
        assert_eq!(fields(orphan), ["external_id"]);
    }

    #[test]
    fn an_empty_secret_means_keep_the_stored_one_and_is_never_shown() {
        let parsed = CredentialInput::parse(CredentialForm {
            access_key_id: "AKIAIOSFODNN7EXAMPLE",
            ..form(AuthMethod::StaticKeys)
        })
        .unwrap();
        assert!(matches!(parsed.auth, AuthInput::StaticKeys { secret_access_key: None, .. }));
        let typed = CredentialInput::parse(CredentialForm {
            access_key_id: "AKIAIOSFODNN7EXAMPLE",
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            ..form(AuthMethod::StaticKeys)
        })
        .unwrap();
        assert!(!format!("{typed:?}").contains("wJalr"), "{typed:?}");
    }
}

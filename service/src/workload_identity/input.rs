//! A config as the admin typed it, parsed: every field valid, or every field's error at once.
use vocabulary::{
    FieldError,
    aws::{CloudProvider, Region, RoleArn},
    name::Name,
    providers::{AwsRole, IdentityTarget},
    token::Audience,
    vault::{AuthMount, Namespace, VaultAddress, VaultLogin, VaultRole},
};

use crate::error::{FormCheck, ServiceResult};

const MAX_NAME: usize = 64;

#[derive(Clone, Debug)]
pub struct ConfigInput {
    pub name: Name,
    /// For AWS, session tags are off unless the admin turns them on ([`Self::with_session_tags`]).
    pub target: IdentityTarget,
}

/// The form's fields as the page sends them; the provider decides which count. `provider` and
/// `region` come from pickers, already typed; the rest is typed by hand.
#[derive(Clone, Copy, Debug, Default)]
pub struct ConfigForm<'a> {
    pub name: &'a str,
    pub provider: Option<CloudProvider>,
    pub role_arn: &'a str,
    pub region: Option<Region>,
    pub session_tags: bool,
    pub vault_address: &'a str,
    /// Empty: [`AuthMount::DEFAULT`].
    pub auth_mount: &'a str,
    pub vault_role: &'a str,
    /// Empty: the Vault address.
    pub audience: &'a str,
    /// Empty: none.
    pub namespace: &'a str,
}

impl ConfigInput {
    pub fn parse(form: ConfigForm<'_>) -> ServiceResult<Self> {
        let mut check = FormCheck::default();
        let name = check.field(Name::parse("name", form.name, MAX_NAME, "aws-prod"));
        let target = match form.provider.unwrap_or(CloudProvider::Aws) {
            CloudProvider::Aws => aws_role(&mut check, &form).map(IdentityTarget::Aws),
            CloudProvider::Vault => vault_login(&mut check, &form).map(IdentityTarget::Vault),
        };
        check.finish(|| Some(Self { name: name?, target: target? }))
    }
}

impl<'a> ConfigForm<'a> {
    /// An AWS config's form: a name, a role, its region.
    pub fn aws(name: &'a str, role_arn: &'a str, region: Region) -> Self {
        Self { name, provider: Some(CloudProvider::Aws), role_arn, region: Some(region), ..Self::default() }
    }

    /// The Vault fields alone, for the trust helper that fills its commands in as the admin types.
    pub fn vault_login(&self) -> ServiceResult<VaultLogin> {
        let mut check = FormCheck::default();
        let login = vault_login(&mut check, self);
        check.finish(|| login)
    }
}

fn aws_role(check: &mut FormCheck, form: &ConfigForm<'_>) -> Option<AwsRole> {
    let region = form.region.unwrap_or(Region::DEFAULT);
    let role_arn = check.field(form.role_arn.parse::<RoleArn>())?;
    if role_arn.partition() != region.partition() {
        check.refuse(FieldError::new(
            "region",
            format!(
                "{region} is in the {} partition but the role is in {}: choose a region of the role's partition.",
                region.partition(),
                role_arn.partition()
            ),
        ));
        return None;
    }
    Some(AwsRole { role_arn, region, session_tags: form.session_tags })
}

fn vault_login(check: &mut FormCheck, form: &ConfigForm<'_>) -> Option<VaultLogin> {
    let address = check.field(form.vault_address.parse::<VaultAddress>());
    let auth_mount = check.field(or_default(form.auth_mount, AuthMount::DEFAULT).parse::<AuthMount>());
    let role = check.field(form.vault_role.parse::<VaultRole>());
    let audience = match (form.audience.trim(), &address) {
        ("", Some(address)) => check.field(address.as_str().parse::<Audience>()),
        // With no valid address there is no default to give, and the address's own error says why.
        ("", None) => None,
        (typed, _) => check.field(typed.parse::<Audience>()),
    };
    let namespace = match form.namespace.trim() {
        "" => Some(None),
        typed => check.field(typed.parse::<Namespace>()).map(Some),
    };
    Some(VaultLogin {
        address: address?,
        auth_mount: auth_mount?,
        role: role?,
        audience: audience?,
        namespace: namespace?,
    })
}

fn or_default<'a>(text: &'a str, default: &'a str) -> &'a str {
    if text.trim().is_empty() { default } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(error: crate::ServiceError) -> Vec<String> {
        error.field_errors().iter().map(|e| e.field.to_string()).collect()
    }

    fn aws<'a>(name: &'a str, role_arn: &'a str, region: &str) -> ConfigForm<'a> {
        ConfigForm { name, role_arn, region: Some(region.parse().unwrap()), ..ConfigForm::default() }
    }

    fn vault<'a>(name: &'a str, vault_address: &'a str, vault_role: &'a str) -> ConfigForm<'a> {
        ConfigForm { name, provider: Some(CloudProvider::Vault), vault_address, vault_role, ..ConfigForm::default() }
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let error = ConfigInput::parse(aws(" ", "role/x", "us-east-1")).unwrap_err();
        assert_eq!(fields(error), ["name", "role_arn"]);
        let error = ConfigInput::parse(ConfigForm { namespace: "a b", ..vault("", "vault:8200", "") }).unwrap_err();
        assert_eq!(fields(error), ["name", "vault_address", "vault_role", "namespace"]);
    }

    #[test]
    fn a_region_outside_the_roles_partition_is_refused() {
        let error = ConfigInput::parse(aws("cn", "arn:aws:iam::123456789012:role/r", "cn-north-1")).unwrap_err();
        let errors = error.field_errors();
        assert_eq!(errors[0].field, "region");
        assert!(errors[0].message.contains("aws-cn partition but the role is in aws"), "{}", errors[0].message);
    }

    #[test]
    fn a_valid_form_parses_into_typed_values() {
        let input = ConfigInput::parse(ConfigForm {
            session_tags: true,
            ..aws(" aws-prod ", "arn:aws:iam::123456789012:role/r", "eu-west-1")
        })
        .unwrap();
        assert_eq!(input.name.as_str(), "aws-prod");
        let IdentityTarget::Aws(role) = input.target else { panic!("{:?}", input.target) };
        assert_eq!(role.region.as_str(), "eu-west-1");
        assert!(role.session_tags);
    }

    #[test]
    fn a_vault_login_takes_the_mount_and_audience_defaults() {
        let input = ConfigInput::parse(vault("vault", " https://vault.example.com:8200/ ", "wisp")).unwrap();
        let IdentityTarget::Vault(login) = input.target else { panic!("{:?}", input.target) };
        assert_eq!(login.auth_mount.as_str(), "jwt");
        assert_eq!(login.audience.as_str(), "https://vault.example.com:8200");
        assert_eq!(login.namespace, None);
        let typed = ConfigForm {
            auth_mount: "ci/jwt",
            audience: "wisp",
            namespace: "team-a",
            ..vault("v", "http://10.0.0.5:8200", "r")
        };
        let IdentityTarget::Vault(login) = ConfigInput::parse(typed).unwrap().target else { unreachable!() };
        assert_eq!((login.auth_mount.as_str(), login.audience.as_str()), ("ci/jwt", "wisp"));
        assert_eq!(login.namespace.unwrap().as_str(), "team-a");
    }
}

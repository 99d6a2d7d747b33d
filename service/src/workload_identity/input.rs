//! A config as the admin typed it, parsed: every field valid, or every field's error at once.
use vocabulary::{
    FieldError,
    aws::{CloudProvider, Region, RoleArn},
    name::Name,
    providers::{AwsRole, IdentityTarget},
};

use crate::error::{FormCheck, ServiceResult};

const MAX_NAME: usize = 64;

#[derive(Clone, Debug)]
pub struct ConfigInput {
    pub name: Name,
    /// For AWS, session tags are off unless the admin turns them on ([`Self::with_session_tags`]).
    pub target: IdentityTarget,
}

impl ConfigInput {
    /// `provider` and `region` come from pickers, already typed; the name and ARN are typed by hand.
    pub fn parse(name: &str, provider: CloudProvider, role_arn: &str, region: Region) -> ServiceResult<Self> {
        let mut check = FormCheck::default();
        let name = check.field(Name::parse("name", name, MAX_NAME, "aws-prod"));
        let role_arn = check.field(role_arn.parse::<RoleArn>());
        if let Some(arn) = &role_arn
            && arn.partition() != region.partition()
        {
            check.refuse(FieldError::new(
                "region",
                format!(
                    "{region} is in the {} partition but the role is in {}: choose a region of the role's partition.",
                    region.partition(),
                    arn.partition()
                ),
            ));
        }
        let target = match provider {
            CloudProvider::Aws => {
                role_arn.map(|role_arn| IdentityTarget::Aws(AwsRole { role_arn, region, session_tags: false }))
            }
        };
        check.finish(|| Some(Self { name: name?, target: target? }))
    }

    /// Tokens for runs through this config carry AWS session tags (`wisp-org`, `wisp-automation`).
    pub fn with_session_tags(mut self, on: bool) -> Self {
        match &mut self.target {
            IdentityTarget::Aws(role) => role.session_tags = on,
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(error: crate::ServiceError) -> Vec<String> {
        error.field_errors().iter().map(|e| e.field.to_string()).collect()
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let error = ConfigInput::parse(" ", CloudProvider::Aws, "role/x", Region::DEFAULT).unwrap_err();
        assert_eq!(fields(error), ["name", "role_arn"]);
    }

    #[test]
    fn a_region_outside_the_roles_partition_is_refused() {
        let region = "cn-north-1".parse().unwrap();
        let error =
            ConfigInput::parse("cn", CloudProvider::Aws, "arn:aws:iam::123456789012:role/r", region).unwrap_err();
        let errors = error.field_errors();
        assert_eq!(errors[0].field, "region");
        assert!(errors[0].message.contains("aws-cn partition but the role is in aws"), "{}", errors[0].message);
    }

    #[test]
    fn a_valid_form_parses_into_typed_values() {
        let region = "eu-west-1".parse().unwrap();
        let input =
            ConfigInput::parse(" aws-prod ", CloudProvider::Aws, "arn:aws:iam::123456789012:role/r", region).unwrap();
        assert_eq!(input.name.as_str(), "aws-prod");
        let IdentityTarget::Aws(role) = input.target;
        assert_eq!(role.region.as_str(), "eu-west-1");
    }
}

//! AWS values an admin picks or types: the cloud provider, regions with their partition, and
//! IAM role ARNs, each parsed once with a message that says what to enter instead.
use std::{fmt, str::FromStr};

use crate::error::FieldError;

text_enum! {
    /// A cloud whose roles Wisp's tokens can assume. GCP and Azure may come later.
    pub enum CloudProvider ("provider", "a cloud provider Wisp supports") {
        Aws = "aws",
        /// HashiCorp Vault, or OpenBao, which speaks the same API.
        Vault = "vault",
    }
}

impl CloudProvider {
    pub fn label(self) -> &'static str {
        match self {
            CloudProvider::Aws => "AWS",
            CloudProvider::Vault => "HashiCorp Vault",
        }
    }
}

text_enum! {
    pub enum Partition ("role_arn", "an AWS partition") {
        Aws = "aws",
        AwsCn = "aws-cn",
        AwsUsGov = "aws-us-gov",
    }
}

impl Partition {
    /// The domain AWS endpoints of this partition live under.
    pub fn dns_suffix(self) -> &'static str {
        match self {
            Partition::AwsCn => "amazonaws.com.cn",
            Partition::Aws | Partition::AwsUsGov => "amazonaws.com",
        }
    }
}

/// (code, location) of every region that accepts `AssumeRoleWithWebIdentity`.
const KNOWN_REGIONS: &[(&str, &str)] = &[
    ("us-east-1", "US East (N. Virginia)"),
    ("us-east-2", "US East (Ohio)"),
    ("us-west-1", "US West (N. California)"),
    ("us-west-2", "US West (Oregon)"),
    ("af-south-1", "Africa (Cape Town)"),
    ("ap-east-1", "Asia Pacific (Hong Kong)"),
    ("ap-east-2", "Asia Pacific (Taipei)"),
    ("ap-south-1", "Asia Pacific (Mumbai)"),
    ("ap-south-2", "Asia Pacific (Hyderabad)"),
    ("ap-southeast-1", "Asia Pacific (Singapore)"),
    ("ap-southeast-2", "Asia Pacific (Sydney)"),
    ("ap-southeast-3", "Asia Pacific (Jakarta)"),
    ("ap-southeast-4", "Asia Pacific (Melbourne)"),
    ("ap-southeast-5", "Asia Pacific (Malaysia)"),
    ("ap-southeast-6", "Asia Pacific (New Zealand)"),
    ("ap-southeast-7", "Asia Pacific (Thailand)"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)"),
    ("ap-northeast-2", "Asia Pacific (Seoul)"),
    ("ap-northeast-3", "Asia Pacific (Osaka)"),
    ("ca-central-1", "Canada (Central)"),
    ("ca-west-1", "Canada West (Calgary)"),
    ("eu-central-1", "Europe (Frankfurt)"),
    ("eu-central-2", "Europe (Zurich)"),
    ("eu-west-1", "Europe (Ireland)"),
    ("eu-west-2", "Europe (London)"),
    ("eu-west-3", "Europe (Paris)"),
    ("eu-south-1", "Europe (Milan)"),
    ("eu-south-2", "Europe (Spain)"),
    ("eu-north-1", "Europe (Stockholm)"),
    ("il-central-1", "Israel (Tel Aviv)"),
    ("me-south-1", "Middle East (Bahrain)"),
    ("me-central-1", "Middle East (UAE)"),
    ("mx-central-1", "Mexico (Central)"),
    ("sa-east-1", "South America (São Paulo)"),
    ("cn-north-1", "China (Beijing)"),
    ("cn-northwest-1", "China (Ningxia)"),
    ("us-gov-east-1", "AWS GovCloud (US-East)"),
    ("us-gov-west-1", "AWS GovCloud (US-West)"),
];

/// A region from the list above; anything else is refused at the edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Region(&'static str);

impl Region {
    /// Where a new config starts: AWS's own default region.
    pub const DEFAULT: Region = Region("us-east-1");

    /// Every region, in the order a picker lists them.
    pub fn all() -> impl Iterator<Item = Region> {
        KNOWN_REGIONS.iter().map(|(code, _)| Region(code))
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// Where it is, as AWS names it: "Europe (Ireland)".
    pub fn location(self) -> &'static str {
        KNOWN_REGIONS.iter().find(|(code, _)| *code == self.0).map_or("", |(_, location)| location)
    }

    pub fn partition(self) -> Partition {
        if self.0.starts_with("cn-") {
            Partition::AwsCn
        } else if self.0.starts_with("us-gov-") {
            Partition::AwsUsGov
        } else {
            Partition::Aws
        }
    }
}

impl Default for Region {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl FromStr for Region {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Region::all().find(|region| region.0 == wanted).ok_or_else(|| {
            let message = if wanted.is_empty() {
                "Choose the AWS Region where your secrets live.".to_owned()
            } else {
                format!("'{s}' is not an AWS region Wisp knows. Choose one from the list, such as us-east-1.")
            };
            FieldError::new("region", message)
        })
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

serde_as_text!(Region, RoleArn, AccessKeyId, ExternalId);

const EXAMPLE_ROLE_ARN: &str = "arn:aws:iam::123456789012:role/wisp-secrets-reader";

/// An IAM role ARN, parsed once: `arn:<partition>:iam::<12-digit account>:role/<path/><name>`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RoleArn {
    partition: Partition,
    account: String,
    /// `/` or `/division/team/`: IAM paths start and end with a slash.
    path: String,
    name: String,
}

impl RoleArn {
    pub fn partition(&self) -> Partition {
        self.partition
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

fn invalid_arn(message: String) -> FieldError {
    FieldError::new("role_arn", message)
}

impl FromStr for RoleArn {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        if text.is_empty() {
            return Err(invalid_arn(format!(
                "Enter the ARN of the IAM role Wisp should assume, such as {EXAMPLE_ROLE_ARN}."
            )));
        }
        if !text.starts_with("arn:") {
            return Err(invalid_arn(format!(
                "'{text}' is not an ARN. Copy the role's ARN (not its name) from the IAM console; it looks like {EXAMPLE_ROLE_ARN}."
            )));
        }
        let parts: Vec<&str> = text.splitn(6, ':').collect();
        let [_, partition, service, region, account, resource] = parts[..] else {
            return Err(invalid_arn(format!(
                "'{text}' is not a complete ARN; a role ARN looks like {EXAMPLE_ROLE_ARN}."
            )));
        };
        if service == "sts" && resource.starts_with("assumed-role/") {
            return Err(invalid_arn(format!(
                "This is an assumed-role session ARN. Use the role's own ARN instead: {EXAMPLE_ROLE_ARN} (with your account and role name)."
            )));
        }
        if service != "iam" || !resource.starts_with("role/") {
            let kind = resource.split('/').next().unwrap_or_default();
            return Err(invalid_arn(format!(
                "This ARN names an IAM {kind}, not a role. Wisp needs a role ARN, such as {EXAMPLE_ROLE_ARN}."
            )));
        }
        let partition: Partition = partition.parse()?;
        if !region.is_empty() {
            return Err(invalid_arn(format!(
                "IAM ARNs have no region: remove '{region}' so the ARN reads arn:{partition}:iam::…."
            )));
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid_arn(format!("'{account}' is not an AWS account id; it must be exactly 12 digits.")));
        }
        let path_and_name = &resource["role/".len()..];
        let (path, name) = match path_and_name.rfind('/') {
            Some(i) => (format!("/{}", &path_and_name[..=i]), &path_and_name[i + 1..]),
            None => ("/".to_owned(), path_and_name),
        };
        if name.is_empty() || name.len() > 64 {
            return Err(invalid_arn("The role name must be 1 to 64 characters long.".to_owned()));
        }
        if let Some(bad) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || "+=,.@_-".contains(*c))) {
            return Err(invalid_arn(format!(
                "'{bad}' cannot appear in a role name; use letters, digits and + = , . @ _ -."
            )));
        }
        if path.len() > 512 || path.contains("//") || path.chars().any(|c| !('\u{21}'..='\u{7e}').contains(&c)) {
            return Err(invalid_arn(format!("'{path}' is not a valid IAM path.")));
        }
        Ok(RoleArn { partition, account: account.to_owned(), path, name: name.to_owned() })
    }
}

impl fmt::Display for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "arn:{}:iam::{}:role{}{}", self.partition, self.account, self.path, self.name)
    }
}

/// An AWS access key id: `AKIA…` (a user's long-term key) or `ASIA…` (temporary), 16–128
/// upper-case letters and digits. Not a secret, but shown masked in lists: `AKIA…WXYZ`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AccessKeyId(String);

impl AccessKeyId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first four and the last four characters, as lists show it.
    pub fn masked(&self) -> String {
        format!("{}…{}", &self.0[..4], &self.0[self.0.len() - 4..])
    }
}

impl FromStr for AccessKeyId {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let invalid = |message: String| FieldError::new("access_key_id", message);
        if text.is_empty() {
            return Err(invalid("Enter the access key ID, such as AKIAIOSFODNN7EXAMPLE.".to_owned()));
        }
        if !(text.starts_with("AKIA") || text.starts_with("ASIA")) {
            return Err(invalid(format!(
                "'{text}' is not an AWS access key ID: those start with AKIA (or ASIA for temporary keys)."
            )));
        }
        if !(16..=128).contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
            return Err(invalid(
                "An access key ID is 16 to 128 upper-case letters and digits, such as AKIAIOSFODNN7EXAMPLE.".to_owned(),
            ));
        }
        Ok(Self(text.to_owned()))
    }
}

impl fmt::Display for AccessKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a role's trust policy may require of whoever assumes it (`sts:ExternalId`): 2–1224
/// letters, digits and `+=,.@:/_-`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExternalId(String);

impl ExternalId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ExternalId {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let invalid = |message: String| FieldError::new("external_id", message);
        if !(2..=1224).contains(&text.chars().count()) {
            return Err(invalid("An external ID is 2 to 1224 characters long.".to_owned()));
        }
        if let Some(bad) = text.chars().find(|c| !(c.is_ascii_alphanumeric() || "+=,.@:/_-".contains(*c))) {
            return Err(invalid(format!(
                "'{bad}' cannot appear in an external ID; use letters, digits and + = , . @ : / _ -."
            )));
        }
        Ok(Self(text.to_owned()))
    }
}

impl fmt::Display for ExternalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_key_ids_parse_and_mask_and_say_what_is_wrong() {
        let key: AccessKeyId = " AKIAIOSFODNN7EXAMPLE ".parse().unwrap();
        assert_eq!((key.as_str(), key.masked().as_str()), ("AKIAIOSFODNN7EXAMPLE", "AKIA…MPLE"));
        assert!("ASIAIOSFODNN7EXAMPLE".parse::<AccessKeyId>().is_ok());
        for (bad, says) in [
            ("", "Enter the access key ID"),
            ("wJalrXUtnFEMI/K7MDENG", "not an AWS access key ID"),
            ("AKIA123", "16 to 128"),
            ("AKIAiosfodnn7example", "16 to 128"),
        ] {
            let error = bad.parse::<AccessKeyId>().unwrap_err();
            assert_eq!(error.field, "access_key_id");
            assert!(error.message.contains(says), "{bad}: {}", error.message);
        }
    }

    #[test]
    fn external_ids_take_awss_character_set() {
        assert!("wisp-2026:acme/prod_1".parse::<ExternalId>().is_ok());
        assert!("x".parse::<ExternalId>().unwrap_err().message.contains("2 to 1224"));
        let spaced = "has space".parse::<ExternalId>().unwrap_err();
        assert_eq!((spaced.field.as_ref(), spaced.message.contains("' '")), ("external_id", true));
    }

    #[test]
    fn known_regions_parse_and_carry_their_partition() {
        let region: Region = " EU-West-1 ".parse().unwrap();
        assert_eq!(region.as_str(), "eu-west-1");
        assert_eq!(region.location(), "Europe (Ireland)");
        assert_eq!(region.partition(), Partition::Aws);
        assert_eq!("cn-north-1".parse::<Region>().unwrap().partition(), Partition::AwsCn);
        assert_eq!("us-gov-west-1".parse::<Region>().unwrap().partition(), Partition::AwsUsGov);
        assert_eq!(Region::default().as_str(), "us-east-1");
    }

    #[test]
    fn unknown_or_missing_regions_are_refused_with_what_to_do() {
        let unknown = "us-east-9".parse::<Region>().unwrap_err();
        assert_eq!(unknown.field, "region");
        assert!(unknown.message.contains("'us-east-9' is not an AWS region"), "{unknown}");
        let empty = "".parse::<Region>().unwrap_err().to_string();
        assert!(empty.contains("Choose the AWS Region"), "{empty}");
        let json = serde_json::from_str::<Region>("\"moon-1\"").unwrap_err().to_string();
        assert!(json.contains("'moon-1' is not an AWS region"), "{json}");
    }

    #[test]
    fn region_codes_are_unique() {
        let mut codes: Vec<_> = Region::all().map(Region::as_str).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), KNOWN_REGIONS.len());
    }

    #[test]
    fn a_role_arn_parses_into_its_parts_and_prints_back() {
        let arn: RoleArn = " arn:aws:iam::123456789012:role/wisp-reader ".parse().unwrap();
        assert_eq!(
            (arn.partition(), arn.account(), arn.path(), arn.name()),
            (Partition::Aws, "123456789012", "/", "wisp-reader")
        );
        assert_eq!(arn.to_string(), "arn:aws:iam::123456789012:role/wisp-reader");
        assert_eq!(serde_json::to_value(&arn).unwrap(), "arn:aws:iam::123456789012:role/wisp-reader");

        let nested: RoleArn = "arn:aws-us-gov:iam::000000000001:role/platform/ci/reader".parse().unwrap();
        assert_eq!(
            (nested.partition(), nested.path(), nested.name()),
            (Partition::AwsUsGov, "/platform/ci/", "reader")
        );
        assert_eq!(nested.to_string(), "arn:aws-us-gov:iam::000000000001:role/platform/ci/reader");
    }

    #[test]
    fn common_arn_mistakes_get_a_message_that_says_what_to_paste() {
        for (input, expected) in [
            ("", "Enter the ARN"),
            ("wisp-reader", "not an ARN"),
            ("arn:aws:iam::123456789012", "not a complete ARN"),
            ("arn:aws:sts::123456789012:assumed-role/wisp-reader/session", "assumed-role session ARN"),
            ("arn:aws:iam::123456789012:user/alice", "names an IAM user, not a role"),
            ("arn:aws:iam::123456789012:oidc-provider/wisp.example.com", "names an IAM oidc-provider"),
            ("arn:azure:iam::123456789012:role/r", "not an AWS partition"),
            ("arn:aws:iam:us-east-1:123456789012:role/r", "IAM ARNs have no region"),
            ("arn:aws:iam::12345:role/r", "exactly 12 digits"),
            ("arn:aws:iam::12345678901a:role/r", "exactly 12 digits"),
            ("arn:aws:iam::123456789012:role/", "1 to 64 characters"),
            ("arn:aws:iam::123456789012:role/has space", "' ' cannot appear"),
            ("arn:aws:iam::123456789012:role/a//b", "not a valid IAM path"),
        ] {
            let error = input.parse::<RoleArn>().unwrap_err();
            assert_eq!(error.field, "role_arn");
            assert!(error.message.contains(expected), "{input}: {}", error.message);
        }
    }
}

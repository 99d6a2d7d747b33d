//! An IAM role ARN, parsed once: `arn:<partition>:iam::<12-digit account>:role/<path/><name>`.
use std::{fmt, str::FromStr};

use crate::{ServiceError, aws::region::Partition};

const EXAMPLE: &str = "arn:aws:iam::123456789012:role/wisp-secrets-reader";

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

fn invalid(message: String) -> ServiceError {
    ServiceError::invalid("role_arn", message)
}

impl FromStr for RoleArn {
    type Err = ServiceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        if text.is_empty() {
            return Err(invalid(format!("Enter the ARN of the IAM role Wisp should assume, such as {EXAMPLE}.")));
        }
        if !text.starts_with("arn:") {
            return Err(invalid(format!(
                "'{text}' is not an ARN. Copy the role's ARN (not its name) from the IAM console; it looks like {EXAMPLE}."
            )));
        }
        let parts: Vec<&str> = text.splitn(6, ':').collect();
        let [_, partition, service, region, account, resource] = parts[..] else {
            return Err(invalid(format!("'{text}' is not a complete ARN; a role ARN looks like {EXAMPLE}.")));
        };
        if service == "sts" && resource.starts_with("assumed-role/") {
            return Err(invalid(format!(
                "This is an assumed-role session ARN. Use the role's own ARN instead: {EXAMPLE} (with your account and role name)."
            )));
        }
        if service != "iam" || !resource.starts_with("role/") {
            let kind = resource.split('/').next().unwrap_or_default();
            return Err(invalid(format!(
                "This ARN names an IAM {kind}, not a role. Wisp needs a role ARN, such as {EXAMPLE}."
            )));
        }
        let partition = Partition::parse(partition)
            .ok_or_else(|| invalid(format!("'{partition}' is not an AWS partition; use aws, aws-cn or aws-us-gov.")))?;
        if !region.is_empty() {
            return Err(invalid(format!(
                "IAM ARNs have no region: remove '{region}' so the ARN reads arn:{partition}:iam::…."
            )));
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(format!("'{account}' is not an AWS account id; it must be exactly 12 digits.")));
        }
        let path_and_name = &resource["role/".len()..];
        let (path, name) = match path_and_name.rfind('/') {
            Some(i) => (format!("/{}", &path_and_name[..=i]), &path_and_name[i + 1..]),
            None => ("/".to_owned(), path_and_name),
        };
        if name.is_empty() || name.len() > 64 {
            return Err(invalid("The role name must be 1 to 64 characters long.".to_owned()));
        }
        if let Some(bad) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || "+=,.@_-".contains(*c))) {
            return Err(invalid(format!(
                "'{bad}' cannot appear in a role name; use letters, digits and + = , . @ _ -."
            )));
        }
        if path.len() > 512 || path.contains("//") || path.chars().any(|c| !('\u{21}'..='\u{7e}').contains(&c)) {
            return Err(invalid(format!("'{path}' is not a valid IAM path.")));
        }
        Ok(RoleArn { partition, account: account.to_owned(), path, name: name.to_owned() })
    }
}

impl fmt::Display for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "arn:{}:iam::{}:role{}{}", self.partition, self.account, self.path, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_arn_parses_into_its_parts_and_prints_back() {
        let arn: RoleArn = " arn:aws:iam::123456789012:role/wisp-reader ".parse().unwrap();
        assert_eq!(
            (arn.partition(), arn.account(), arn.path(), arn.name()),
            (Partition::Aws, "123456789012", "/", "wisp-reader")
        );
        assert_eq!(arn.to_string(), "arn:aws:iam::123456789012:role/wisp-reader");

        let nested: RoleArn = "arn:aws-us-gov:iam::000000000001:role/platform/ci/reader".parse().unwrap();
        assert_eq!(
            (nested.partition(), nested.path(), nested.name()),
            (Partition::AwsUsGov, "/platform/ci/", "reader")
        );
        assert_eq!(nested.to_string(), "arn:aws-us-gov:iam::000000000001:role/platform/ci/reader");
    }

    #[test]
    fn common_mistakes_get_a_message_that_says_what_to_paste() {
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
            let ServiceError::Invalid { field, message } = error else { panic!("{input}: {error:?}") };
            assert_eq!(field, "role_arn");
            assert!(message.contains(expected), "{input}: {message}");
        }
    }
}

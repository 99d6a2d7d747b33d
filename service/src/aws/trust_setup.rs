//! What an admin pastes into AWS so a role trusts this organization's Wisp tokens: the trust
//! policy, a permissions policy for Secrets Manager, and the AWS CLI commands that apply them.
//! Generated from the organization's real values, never from placeholders. The trust policy is
//! the organization's (Wisp reading secrets at kickoff) or one automation's (the AWS role for its
//! runs), and allows session tags when the config puts them in its tokens.
use std::collections::BTreeMap;

use serde::Serialize;

use vocabulary::{
    aws::{Region, RoleArn},
    ids::OrgId,
    token::{STS_AUDIENCE, Subject},
};

use crate::{ServiceError, ServiceResult, issuer::url::IssuerUrl};

pub const TRUST_POLICY_FILE: &str = "trust-policy.json";
pub const PERMISSIONS_POLICY_FILE: &str = "permissions-policy.json";
const INLINE_POLICY_NAME: &str = "wisp-secrets-read";

/// Whose tokens a role trusts, and whether they carry session tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrustFor {
    /// `organization:<org>`, or `organization:<org>:automation:<automation>` for one automation's runs.
    pub subject: Subject,
    /// The tokens carry `https://aws.amazon.com/tags`: STS then also needs `sts:TagSession`.
    pub session_tags: bool,
}

impl TrustFor {
    /// The organization's own tokens, without tags: what reading secrets at kickoff needs.
    pub fn organization(org: OrgId) -> Self {
        Self { subject: Subject::Organization(org), session_tags: false }
    }
}

/// What the admin chose for the permissions policy; both optional.
#[derive(Clone, Debug, Default)]
pub struct SecretScope {
    /// Secret names the role may read start with this; empty means every secret in the region.
    pub name_prefix: String,
    /// The customer-managed KMS key encrypting those secrets, if not the AWS-managed one.
    pub kms_key_arn: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrustSetup {
    pub provider_arn: String,
    pub trust_policy: String,
    pub permissions_policy: String,
    pub cli_commands: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyDocument {
    version: &'static str,
    statement: Vec<Statement>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Statement {
    #[serde(skip_serializing_if = "Option::is_none")]
    sid: Option<&'static str>,
    effect: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    principal: Option<BTreeMap<&'static str, String>>,
    action: Actions,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    condition: Option<BTreeMap<&'static str, BTreeMap<String, String>>>,
}

/// One action as a word, several as a list: as IAM writes them back.
#[derive(Serialize)]
#[serde(untagged)]
enum Actions {
    One(&'static str),
    Many(Vec<&'static str>),
}

impl PolicyDocument {
    fn new(statement: Vec<Statement>) -> Self {
        Self { version: "2012-10-17", statement }
    }

    fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a policy document always serializes")
    }
}

/// The ARN IAM gives Wisp's identity provider in the role's account: issuer host and path, no scheme.
pub fn provider_arn(issuer: &IssuerUrl, role: &RoleArn) -> String {
    format!("arn:{}:iam::{}:oidc-provider/{}", role.partition(), role.account(), issuer.host_and_path())
}

pub fn trust_setup(
    issuer: &IssuerUrl,
    trust_for: TrustFor,
    role: &RoleArn,
    region: Region,
    scope: &SecretScope,
) -> ServiceResult<TrustSetup> {
    let prefix = checked_prefix(&scope.name_prefix)?;
    let kms_key = scope.kms_key_arn.as_deref().map(str::trim).filter(|k| !k.is_empty());
    if let Some(key) = kms_key {
        check_kms_key(key, role)?;
    }
    let provider = issuer.host_and_path();
    let partition = role.partition();
    let account = role.account();
    let provider_arn = provider_arn(issuer, role);

    let trust = PolicyDocument::new(vec![Statement {
        sid: None,
        effect: "Allow",
        principal: Some(BTreeMap::from([("Federated", provider_arn.clone())])),
        action: if trust_for.session_tags {
            Actions::Many(vec!["sts:AssumeRoleWithWebIdentity", "sts:TagSession"])
        } else {
            Actions::One("sts:AssumeRoleWithWebIdentity")
        },
        resource: None,
        condition: Some(BTreeMap::from([(
            "StringEquals",
            BTreeMap::from([
                (format!("{provider}:aud"), STS_AUDIENCE.to_owned()),
                (format!("{provider}:sub"), trust_for.subject.to_string()),
            ]),
        )])),
    }]);

    let mut statements = vec![
        // ListSecrets cannot be scoped to resources: IAM only accepts "*" for it.
        Statement {
            sid: Some("ListSecretsForAutocomplete"),
            effect: "Allow",
            principal: None,
            action: Actions::One("secretsmanager:ListSecrets"),
            resource: Some("*".to_owned()),
            condition: None,
        },
        // A secret's ARN is its name plus a random six-character suffix, hence the trailing '*'.
        Statement {
            sid: Some("ReadSecrets"),
            effect: "Allow",
            principal: None,
            action: Actions::One("secretsmanager:GetSecretValue"),
            resource: Some(format!("arn:{partition}:secretsmanager:{region}:{account}:secret:{prefix}*")),
            condition: None,
        },
    ];
    if let Some(key) = kms_key {
        statements.push(Statement {
            sid: Some("DecryptSecrets"),
            effect: "Allow",
            principal: None,
            action: Actions::One("kms:Decrypt"),
            resource: Some(key.to_owned()),
            condition: None,
        });
    }

    let role_name = shell_word(role.name());
    let path = if role.path() == "/" { String::new() } else { format!("  --path {} \\\n", shell_word(role.path())) };
    let cli_commands = format!(
        "# 1. Register Wisp as an OpenID Connect provider (once per AWS account)\n\
         aws iam create-open-id-connect-provider \\\n  --url {url} \\\n  --client-id-list {STS_AUDIENCE}\n\n\
         # 2. Create the role; save the trust policy as {TRUST_POLICY_FILE} first\n\
         aws iam create-role \\\n  --role-name {role_name} \\\n{path}  --assume-role-policy-document file://{TRUST_POLICY_FILE}\n\n\
         # 3. Let the role read secrets; save the permissions policy as {PERMISSIONS_POLICY_FILE} first\n\
         aws iam put-role-policy \\\n  --role-name {role_name} \\\n  --policy-name {INLINE_POLICY_NAME} \\\n  --policy-document file://{PERMISSIONS_POLICY_FILE}\n",
        url = shell_word(issuer.as_str()),
    );

    Ok(TrustSetup {
        provider_arn,
        trust_policy: trust.to_json(),
        permissions_policy: PolicyDocument::new(statements).to_json(),
        cli_commands,
    })
}

fn checked_prefix(prefix: &str) -> ServiceResult<&str> {
    let prefix = prefix.trim();
    if prefix.len() > 512 {
        return Err(ServiceError::invalid("secret_prefix", "A secret name prefix is at most 512 characters."));
    }
    if let Some(bad) = prefix.chars().find(|c| !(c.is_ascii_alphanumeric() || "/_+=.@-".contains(*c))) {
        return Err(ServiceError::invalid(
            "secret_prefix",
            format!("'{bad}' cannot appear in a secret name; use letters, digits and / _ + = . @ -."),
        ));
    }
    Ok(prefix)
}

fn check_kms_key(key: &str, role: &RoleArn) -> ServiceResult<()> {
    let parts: Vec<&str> = key.splitn(6, ':').collect();
    let valid = matches!(parts[..], ["arn", partition, "kms", region, account, resource]
        if partition == role.partition().as_str()
            && !region.is_empty()
            && account.len() == 12
            && (resource.starts_with("key/") || resource.starts_with("alias/")));
    if valid {
        Ok(())
    } else {
        Err(ServiceError::invalid(
            "kms_key_arn",
            format!(
                "Enter the KMS key's ARN, such as arn:{}:kms:us-east-1:{}:key/1234abcd-12ab-34cd-56ef-1234567890ab, or leave it empty when the secrets use the AWS-managed key.",
                role.partition(),
                role.account()
            ),
        ))
    }
}

/// `word` as one shell word: as is when it is plainly safe, else single-quoted.
fn shell_word(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "/_+=.,@:-".contains(c)) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(issuer: &str, role: &str, scope: SecretScope) -> ServiceResult<TrustSetup> {
        let org: OrgId = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f".parse().unwrap();
        trust_setup(
            &IssuerUrl::parse(issuer).unwrap(),
            TrustFor::organization(org),
            &role.parse().unwrap(),
            "eu-west-1".parse().unwrap(),
            &scope,
        )
    }

    #[test]
    fn the_trust_policy_binds_the_provider_the_audience_and_this_organization() {
        let setup =
            setup("https://wisp.example.com", "arn:aws:iam::123456789012:role/wisp-reader", SecretScope::default())
                .unwrap();
        assert_eq!(setup.provider_arn, "arn:aws:iam::123456789012:oidc-provider/wisp.example.com");
        assert_eq!(
            setup.trust_policy,
            r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "Federated": "arn:aws:iam::123456789012:oidc-provider/wisp.example.com"
      },
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "wisp.example.com:aud": "sts.amazonaws.com",
          "wisp.example.com:sub": "organization:6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"
        }
      }
    }
  ]
}"#
        );
    }

    #[test]
    fn an_automations_trust_policy_pins_its_runs_and_allows_their_session_tags() {
        let org: OrgId = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f".parse().unwrap();
        let automation = "0f9c2a7e-1111-4222-8333-444455556666".parse().unwrap();
        let trust_for = TrustFor { subject: Subject::Automation(org, automation), session_tags: true };
        let setup = trust_setup(
            &IssuerUrl::parse("https://wisp.example.com").unwrap(),
            trust_for,
            &"arn:aws:iam::123456789012:role/uploads".parse().unwrap(),
            "eu-west-1".parse().unwrap(),
            &SecretScope::default(),
        )
        .unwrap();
        let trust: serde_json::Value = serde_json::from_str(&setup.trust_policy).unwrap();
        let statement = &trust["Statement"][0];
        assert_eq!(statement["Action"], serde_json::json!(["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]));
        assert_eq!(
            statement["Condition"]["StringEquals"]["wisp.example.com:sub"],
            "organization:6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f:automation:0f9c2a7e-1111-4222-8333-444455556666"
        );
    }

    #[test]
    fn the_permissions_policy_lists_everywhere_and_reads_only_the_prefix() {
        let scope = SecretScope {
            name_prefix: " prod/payments/ ".to_owned(),
            kms_key_arn: Some("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab".to_owned()),
        };
        let setup = setup("https://wisp.example.com", "arn:aws:iam::123456789012:role/wisp-reader", scope).unwrap();
        assert_eq!(
            setup.permissions_policy,
            r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ListSecretsForAutocomplete",
      "Effect": "Allow",
      "Action": "secretsmanager:ListSecrets",
      "Resource": "*"
    },
    {
      "Sid": "ReadSecrets",
      "Effect": "Allow",
      "Action": "secretsmanager:GetSecretValue",
      "Resource": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/payments/*"
    },
    {
      "Sid": "DecryptSecrets",
      "Effect": "Allow",
      "Action": "kms:Decrypt",
      "Resource": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  ]
}"#
        );
    }

    #[test]
    fn the_cli_commands_register_the_provider_and_create_the_role() {
        let setup =
            setup("https://example.com/wisp", "arn:aws:iam::123456789012:role/ci/wisp-reader", SecretScope::default())
                .unwrap();
        assert_eq!(
            setup.cli_commands,
            "# 1. Register Wisp as an OpenID Connect provider (once per AWS account)
aws iam create-open-id-connect-provider \\
  --url https://example.com/wisp \\
  --client-id-list sts.amazonaws.com

# 2. Create the role; save the trust policy as trust-policy.json first
aws iam create-role \\
  --role-name wisp-reader \\
  --path /ci/ \\
  --assume-role-policy-document file://trust-policy.json

# 3. Let the role read secrets; save the permissions policy as permissions-policy.json first
aws iam put-role-policy \\
  --role-name wisp-reader \\
  --policy-name wisp-secrets-read \\
  --policy-document file://permissions-policy.json
"
        );
        assert!(setup.trust_policy.contains(r#""example.com/wisp:sub": "organization:"#));
        assert_eq!(setup.provider_arn, "arn:aws:iam::123456789012:oidc-provider/example.com/wisp");
    }

    #[test]
    fn other_partitions_carry_through_every_arn() {
        let setup =
            setup("https://wisp.example.cn", "arn:aws-cn:iam::123456789012:role/r", SecretScope::default()).unwrap();
        assert!(setup.provider_arn.starts_with("arn:aws-cn:iam::"));
        assert!(setup.permissions_policy.contains("arn:aws-cn:secretsmanager:eu-west-1:123456789012:secret:*"));
    }

    #[test]
    fn a_bad_prefix_or_kms_key_is_refused_naming_its_field() {
        let role = "arn:aws:iam::123456789012:role/r";
        let bad_prefix = SecretScope { name_prefix: "prod secrets".to_owned(), kms_key_arn: None };
        let error = setup("https://w.example", role, bad_prefix).unwrap_err();
        assert_eq!(error.field_errors()[0].field, "secret_prefix");
        let bad_key = SecretScope { name_prefix: String::new(), kms_key_arn: Some("1234abcd".to_owned()) };
        let error = setup("https://w.example", role, bad_key).unwrap_err();
        assert_eq!(error.field_errors()[0].field, "kms_key_arn");
    }

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("wisp-reader"), "wisp-reader");
        assert_eq!(shell_word("/a b/"), "'/a b/'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}

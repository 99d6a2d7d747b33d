//! AWS regions Wisp knows, and the partition each belongs to.
use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::ServiceError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Partition {
    Aws,
    AwsCn,
    AwsUsGov,
}

impl Partition {
    pub fn as_str(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
        }
    }

    /// The domain AWS endpoints of this partition live under.
    pub fn dns_suffix(self) -> &'static str {
        match self {
            Partition::AwsCn => "amazonaws.com.cn",
            Partition::Aws | Partition::AwsUsGov => "amazonaws.com",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Partition::Aws, Partition::AwsCn, Partition::AwsUsGov].into_iter().find(|p| p.as_str() == text)
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// (code, location) of every region that accepts `AssumeRoleWithWebIdentity`.
pub const KNOWN_REGIONS: &[(&str, &str)] = &[
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

/// A region from [`KNOWN_REGIONS`]; anything else is refused at the edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Region(&'static str);

impl Region {
    pub fn as_str(self) -> &'static str {
        self.0
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

impl FromStr for Region {
    type Err = ServiceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        KNOWN_REGIONS.iter().find(|(code, _)| *code == wanted).map(|(code, _)| Region(code)).ok_or_else(|| {
            let message = if wanted.is_empty() {
                "Choose the AWS Region where your secrets live.".to_owned()
            } else {
                format!("'{s}' is not an AWS region Wisp knows. Choose one from the list, such as us-east-1.")
            };
            ServiceError::invalid("region", message)
        })
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_regions_parse_and_carry_their_partition() {
        let region: Region = " EU-West-1 ".parse().unwrap();
        assert_eq!(region.as_str(), "eu-west-1");
        assert_eq!(region.partition(), Partition::Aws);
        assert_eq!("cn-north-1".parse::<Region>().unwrap().partition(), Partition::AwsCn);
        assert_eq!("us-gov-west-1".parse::<Region>().unwrap().partition(), Partition::AwsUsGov);
    }

    #[test]
    fn unknown_or_missing_regions_are_refused_with_what_to_do() {
        let unknown = "us-east-9".parse::<Region>().unwrap_err().to_string();
        assert!(unknown.contains("'us-east-9' is not an AWS region"), "{unknown}");
        let empty = "".parse::<Region>().unwrap_err().to_string();
        assert!(empty.contains("Choose the AWS Region"), "{empty}");
    }

    #[test]
    fn region_codes_are_unique() {
        let mut codes: Vec<_> = KNOWN_REGIONS.iter().map(|(code, _)| code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), KNOWN_REGIONS.len());
    }
}

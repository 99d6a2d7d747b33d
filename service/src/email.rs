//! A normalized e-mail address: the one spelling every lookup and uniqueness check uses.
use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::ServiceError;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Email {
    type Err = ServiceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let normalized = s.trim().to_lowercase();
        let invalid = |why: &str| Err(ServiceError::invalid("email", why.to_owned()));
        if normalized.is_empty() {
            return invalid("Enter an e-mail address.");
        }
        if normalized.len() > 254 {
            return invalid("That e-mail address is longer than 254 characters.");
        }
        let Some((local, domain)) = normalized.split_once('@') else {
            return invalid("An e-mail address needs an '@', as in name@example.com.");
        };
        if local.is_empty() || domain.is_empty() || domain.contains('@') {
            return invalid("An e-mail address looks like name@example.com.");
        }
        if normalized.chars().any(char::is_whitespace) {
            return invalid("An e-mail address cannot contain spaces.");
        }
        Ok(Self(normalized))
    }
}

impl TryFrom<String> for Email {
    type Error = ServiceError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_case_and_space() {
        let email: Email = "  Admin@Example.COM ".parse().unwrap();
        assert_eq!(email.as_str(), "admin@example.com");
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in ["", "   ", "admin", "@example.com", "admin@", "a@b@c", "a b@example.com"] {
            let err = bad.parse::<Email>().unwrap_err();
            assert_eq!(err.field_errors()[0].field, "email", "{bad:?}: {err}");
        }
    }
}

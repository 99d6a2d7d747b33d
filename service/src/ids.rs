//! Identifiers parsed once at the edge, so an organization id can never be passed as a user id.
use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ServiceError;

macro_rules! uuid_id {
    ($name:ident, $what:literal) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                Self(value)
            }
        }

        impl FromStr for $name {
            type Err = ServiceError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self).map_err(|_| {
                    ServiceError::invalid(
                        $what,
                        format!("'{s}' is not a valid {} (expected a UUID such as 3f2c8a1e-…)", $what),
                    )
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(OrgId, "organization id");
uuid_id!(UserId, "user id");
uuid_id!(WorkloadIdentityConfigId, "workload identity config id");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_uuid() {
        let id: OrgId = " 6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f ".parse().unwrap();
        assert_eq!(id.to_string(), "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f");
    }

    #[test]
    fn rejects_garbage_with_field_name() {
        let err = "acme".parse::<OrgId>().unwrap_err();
        assert!(err.to_string().contains("'acme' is not a valid organization id"), "{err}");
    }
}

//! Identifiers, parsed once at the edge, so an organization id can never be passed as a user id.
use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::FieldError;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $field:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh random id; only the server mints ids.
            #[cfg(feature = "server")]
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                Self(value)
            }
        }

        impl FromStr for $name {
            type Err = FieldError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self).map_err(|_| {
                    FieldError::new(
                        $field,
                        format!("'{s}' is not a valid {} (expected a UUID such as 3f2c8a1e-9b4d-4e6f-8a1b-2c3d4e5f6a7b).", $what),
                    )
                })
            }
        }

        // Parsed through `FromStr`, so a request with a malformed id is told which kind of id it is.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        // On the wire an id is its UUID: a string, named for what it identifies.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                    .description(Some(concat!("The ", $what, ", a UUID.")))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

uuid_id!(OrgId, "org_id", "organization id");
uuid_id!(UserId, "user_id", "user id");
uuid_id!(WorkloadIdentityConfigId, "id", "workload identity config id");
uuid_id!(CredentialId, "id", "credential id");
uuid_id!(AutomationId, "id", "automation id");
uuid_id!(VariableId, "id", "environment variable id");
uuid_id!(DeploymentId, "id", "deployment id");
uuid_id!(KickoffId, "kickoff", "kickoff id");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_uuid() {
        let id: OrgId = " 6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f ".parse().unwrap();
        assert_eq!(id.to_string(), "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f");
        assert_eq!(serde_json::to_value(id).unwrap(), "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f");
    }

    #[test]
    fn rejects_garbage_naming_the_kind_of_id() {
        let err = "acme".parse::<OrgId>().unwrap_err();
        assert_eq!(err.field, "org_id");
        assert!(err.message.contains("'acme' is not a valid organization id"), "{err}");
        let err = serde_json::from_str::<UserId>("\"acme\"").unwrap_err().to_string();
        assert!(err.contains("'acme' is not a valid user id"), "{err}");
    }
}

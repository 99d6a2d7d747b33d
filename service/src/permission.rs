//! Roles, resources and actions: the vocabulary casbin decides with (DESIGN §7).
use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::ServiceError;

/// A built-in role, held by a user within one organization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Developer,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Developer, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Developer => "developer",
            Role::Viewer => "viewer",
        }
    }
}

impl FromStr for Role {
    type Err = ServiceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim()).ok_or_else(|| {
            ServiceError::invalid("role", format!("'{s}' is not a role: use owner, admin, developer or viewer."))
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    Organization,
    WorkloadIdentityConfigs,
    SecretProviders,
    Automations,
    Members,
}

impl Resource {
    pub const ALL: [Resource; 5] = [
        Resource::Organization,
        Resource::WorkloadIdentityConfigs,
        Resource::SecretProviders,
        Resource::Automations,
        Resource::Members,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Organization => "organization",
            Resource::WorkloadIdentityConfigs => "workload_identity_configs",
            Resource::SecretProviders => "secret_providers",
            Resource::Automations => "automations",
            Resource::Members => "members",
        }
    }
}

/// `Manage` implies `Read`: the policy model says so, not each caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Read,
    Manage,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Manage => "manage",
        }
    }
}

/// `<resource>: <action>`, as users read it in messages and docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Permission {
    pub resource: Resource,
    pub action: Action,
}

impl Permission {
    pub const fn new(resource: Resource, action: Action) -> Self {
        Self { resource, action }
    }
    pub const fn read(resource: Resource) -> Self {
        Self::new(resource, Action::Read)
    }
    pub const fn manage(resource: Resource) -> Self {
        Self::new(resource, Action::Manage)
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.resource.as_str(), self.action.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_round_trips_through_text() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("superuser".parse::<Role>().unwrap_err().to_string().contains("owner, admin, developer or viewer"));
    }

    #[test]
    fn permission_reads_like_the_docs() {
        assert_eq!(
            Permission::manage(Resource::WorkloadIdentityConfigs).to_string(),
            "workload_identity_configs: manage"
        );
    }
}

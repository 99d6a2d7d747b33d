//! Roles, resources and actions: what casbin decides with, and what the UI shows a member may do.
use serde::{Deserialize, Serialize};

text_enum! {
    /// A built-in role, held by a user within one organization.
    pub enum Role ("role", "a role") {
        Owner = "owner",
        Admin = "admin",
        Developer = "developer",
        Viewer = "viewer",
    }
}

text_enum! {
    pub enum Resource ("resource", "a resource") {
        Organization = "organization",
        WorkloadIdentityConfigs = "workload_identity_configs",
        SecretProviders = "secret_providers",
        Automations = "automations",
        Members = "members",
        AuditLog = "audit_log",
    }
}

text_enum! {
    /// `Manage` implies `Read`: the policy model says so, not each caller.
    pub enum Action ("action", "an action") {
        Read = "read",
        Manage = "manage",
    }
}

/// `<resource>: <action>`, as users read it in messages and in the README's role table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.resource, self.action)
    }
}

/// Every permission a member holds in one organization, as the server's policy decided it, so
/// the UI shows only what can be used. The server checks every call regardless.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PermissionSet(Vec<Permission>);

impl PermissionSet {
    pub fn allows(&self, permission: Permission) -> bool {
        self.0.contains(&permission)
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        let mut permissions: Vec<Permission> = iter.into_iter().collect();
        permissions.sort();
        permissions.dedup();
        Self(permissions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_round_trips_through_text_and_json() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), *role);
            assert_eq!(serde_json::from_value::<Role>(serde_json::to_value(role).unwrap()).unwrap(), *role);
        }
        let error = "superuser".parse::<Role>().unwrap_err();
        assert_eq!(error.field, "role");
        assert!(error.message.contains("owner, admin, developer or viewer"), "{error}");
    }

    #[test]
    fn permission_reads_like_the_docs() {
        assert_eq!(
            Permission::manage(Resource::WorkloadIdentityConfigs).to_string(),
            "workload_identity_configs: manage"
        );
    }

    #[test]
    fn a_permission_set_answers_for_what_it_holds_only() {
        let set: PermissionSet =
            [Permission::read(Resource::Members), Permission::read(Resource::Members)].into_iter().collect();
        assert!(set.allows(Permission::read(Resource::Members)));
        assert!(!set.allows(Permission::manage(Resource::Members)));
        assert_eq!(serde_json::to_value(&set).unwrap(), serde_json::json!([{"resource": "members", "action": "read"}]));
    }
}

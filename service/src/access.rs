//! Every authorization decision goes through [`AccessControl::authorize`].
//!
//! casbin decides with the organization as the domain. The subject is the role the user holds
//! in that organization, read from the memberships table on each request: the table is the one
//! source of truth, so a role change or removal takes effect at once on every replica.
use std::sync::Arc;

use casbin::{CoreApi, DefaultModel, Enforcer, MemoryAdapter, MgmtApi};
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::{
    entity::membership,
    error::{ServiceError, ServiceResult},
    ids::{OrgId, UserId},
    permission::{Action, Permission, Resource, Role},
};

const MODEL: &str = r#"
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.sub == p.sub && (p.dom == "*" || p.dom == r.dom) && r.obj == p.obj && g(p.act, r.act)
"#;

/// The built-in roles, for every organization (`*`). `g` makes `manage` imply `read`.
fn built_in_policies() -> Vec<Vec<String>> {
    use Action::{Manage, Read};
    use Resource::*;
    let grants: [(Role, &[(Resource, Action)]); 4] = [
        (
            Role::Owner,
            &[
                (Organization, Manage),
                (WorkloadIdentityConfigs, Manage),
                (SecretProviders, Manage),
                (Automations, Manage),
                (Members, Manage),
            ],
        ),
        (
            Role::Admin,
            &[
                (Organization, Read),
                (WorkloadIdentityConfigs, Manage),
                (SecretProviders, Manage),
                (Automations, Manage),
                (Members, Manage),
            ],
        ),
        (
            Role::Developer,
            &[
                (Organization, Read),
                (WorkloadIdentityConfigs, Read),
                (SecretProviders, Read),
                (Automations, Manage),
                (Members, Read),
            ],
        ),
        (
            Role::Viewer,
            &[(Organization, Read), (WorkloadIdentityConfigs, Read), (SecretProviders, Read), (Automations, Read)],
        ),
    ];
    grants
        .into_iter()
        .flat_map(|(role, perms)| {
            perms.iter().map(move |(resource, action)| {
                vec![role.as_str().to_owned(), "*".to_owned(), resource.as_str().to_owned(), action.as_str().to_owned()]
            })
        })
        .collect()
}

/// A user acting within one organization, after authorization succeeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    pub user_id: UserId,
    pub org_id: OrgId,
    pub role: Role,
}

#[derive(Clone)]
pub struct AccessControl {
    enforcer: Arc<Enforcer>,
}

impl AccessControl {
    pub async fn new() -> ServiceResult<Self> {
        let internal = |e: casbin::Error| ServiceError::Internal(format!("the access policy failed to load: {e}"));
        let model = DefaultModel::from_str(MODEL).await.map_err(internal)?;
        let mut enforcer = Enforcer::new(model, MemoryAdapter::default()).await.map_err(internal)?;
        enforcer.add_policies(built_in_policies()).await.map_err(internal)?;
        enforcer
            .add_grouping_policy(vec![Action::Manage.as_str().to_owned(), Action::Read.as_str().to_owned()])
            .await
            .map_err(internal)?;
        Ok(Self { enforcer: Arc::new(enforcer) })
    }

    /// Whether `role` grants `permission` in `org`.
    pub fn allows(&self, role: Role, org: OrgId, permission: Permission) -> bool {
        let org = org.to_string();
        self.enforcer
            .enforce((role.as_str(), org.as_str(), permission.resource.as_str(), permission.action.as_str()))
            .unwrap_or(false)
    }

    /// Every permission `role` holds in `org`, for the UI to show only what may be used.
    pub fn permissions_of(&self, role: Role, org: OrgId) -> Vec<Permission> {
        Resource::ALL
            .into_iter()
            .flat_map(|resource| [Permission::read(resource), Permission::manage(resource)])
            .filter(|permission| self.allows(role, org, *permission))
            .collect()
    }

    /// The one entry point every server function and route calls. A user who is not a member
    /// of `org` gets `NotFound`, the same answer as for an organization that does not exist.
    pub async fn authorize(
        &self,
        db: &impl ConnectionTrait,
        user_id: UserId,
        org_id: OrgId,
        permission: Permission,
    ) -> ServiceResult<Member> {
        let membership = membership::Entity::find_by_id((org_id.as_uuid(), user_id.as_uuid()))
            .one(db)
            .await?
            .ok_or(ServiceError::NotFound { what: "The organization" })?;
        let role = membership.role()?;
        if self.allows(role, org_id, permission) {
            Ok(Member { user_id, org_id, role })
        } else {
            Err(ServiceError::Forbidden { permission })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole matrix of DESIGN §7, spelled out so a change to the policy shows here.
    #[tokio::test]
    async fn every_role_and_permission() {
        use Resource::*;
        let access = AccessControl::new().await.unwrap();
        let org = OrgId::new();
        // (role, resource, read, manage)
        let expected = [
            (Role::Owner, Organization, true, true),
            (Role::Owner, WorkloadIdentityConfigs, true, true),
            (Role::Owner, SecretProviders, true, true),
            (Role::Owner, Automations, true, true),
            (Role::Owner, Members, true, true),
            (Role::Admin, Organization, true, false),
            (Role::Admin, WorkloadIdentityConfigs, true, true),
            (Role::Admin, SecretProviders, true, true),
            (Role::Admin, Automations, true, true),
            (Role::Admin, Members, true, true),
            (Role::Developer, Organization, true, false),
            (Role::Developer, WorkloadIdentityConfigs, true, false),
            (Role::Developer, SecretProviders, true, false),
            (Role::Developer, Automations, true, true),
            (Role::Developer, Members, true, false),
            (Role::Viewer, Organization, true, false),
            (Role::Viewer, WorkloadIdentityConfigs, true, false),
            (Role::Viewer, SecretProviders, true, false),
            (Role::Viewer, Automations, true, false),
            (Role::Viewer, Members, false, false),
        ];
        assert_eq!(expected.len(), Role::ALL.len() * Resource::ALL.len());
        for (role, resource, read, manage) in expected {
            assert_eq!(
                access.allows(role, org, Permission::read(resource)),
                read,
                "{role} {}: read",
                resource.as_str()
            );
            assert_eq!(
                access.allows(role, org, Permission::manage(resource)),
                manage,
                "{role} {}: manage",
                resource.as_str()
            );
        }
    }

    #[tokio::test]
    async fn manage_implies_read_but_not_the_reverse() {
        let access = AccessControl::new().await.unwrap();
        let org = OrgId::new();
        for role in Role::ALL {
            for resource in Resource::ALL {
                if access.allows(role, org, Permission::manage(resource)) {
                    assert!(access.allows(role, org, Permission::read(resource)), "{role} {}", resource.as_str());
                }
            }
        }
    }

    #[tokio::test]
    async fn permissions_of_lists_what_the_role_holds() {
        let access = AccessControl::new().await.unwrap();
        let viewer = access.permissions_of(Role::Viewer, OrgId::new());
        assert!(viewer.contains(&Permission::read(Resource::WorkloadIdentityConfigs)));
        assert!(!viewer.iter().any(|p| p.action == Action::Manage));
        assert!(!viewer.contains(&Permission::read(Resource::Members)));
    }
}

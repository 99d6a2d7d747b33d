//! Every authorization decision goes through [`AccessControl::authorize`], which hands back an
//! [`Authorized`] proof naming, in its type, the permission it proves. Only this module builds
//! proofs, and every service function that reads or changes an organization's objects takes
//! one: a call that skipped the check, or checked `read` before a delete, does not compile. A
//! member proven to manage configs may delete one:
//!
//! ```no_run
//! # use service::access::{Authorized, Manage, resource::WorkloadIdentityConfigs};
//! # async fn remove(db: &sea_orm::DatabaseConnection, admin: Authorized<Manage<WorkloadIdentityConfigs>>,
//! #     id: vocabulary::ids::WorkloadIdentityConfigId) -> service::ServiceResult<()> {
//! service::workload_identity::delete(db, &admin, id).await
//! # }
//! ```
//!
//! while the same call with a proof of `read` does not compile:
//!
//! ```compile_fail
//! # use service::access::{Authorized, Read, resource::WorkloadIdentityConfigs};
//! # async fn remove(db: &sea_orm::DatabaseConnection, viewer: Authorized<Read<WorkloadIdentityConfigs>>,
//! #     id: vocabulary::ids::WorkloadIdentityConfigId) -> service::ServiceResult<()> {
//! service::workload_identity::delete(db, &viewer, id).await
//! # }
//! ```
//!
//! casbin decides with the organization as the domain. The subject is the role the user holds in
//! that organization, read from the memberships table on each request: the table is the one
//! source of truth, so a role change or removal takes effect at once on every replica.
use std::{fmt, marker::PhantomData, sync::Arc};

use casbin::{CoreApi, DefaultModel, Enforcer, MemoryAdapter, MgmtApi};
use sea_orm::{ConnectionTrait, EntityTrait};
use vocabulary::{
    access::{Action, Permission, PermissionSet, Resource, Role},
    audit::Actor,
    ids::{OrgId, UserId},
};

use crate::{
    entity::membership,
    error::{ServiceError, ServiceResult},
};

/// The resources of the README's role table, as types, for [`Read`] and [`Manage`].
pub mod resource {
    use vocabulary::access::Resource;

    pub trait Kind: 'static {
        const RESOURCE: Resource;
    }

    macro_rules! kinds {
        ($($name:ident),*) => {$(
            pub enum $name {}
            impl Kind for $name {
                const RESOURCE: Resource = Resource::$name;
            }
        )*};
    }

    kinds!(Organization, WorkloadIdentityConfigs, SecretProviders, Automations, Members, AuditLog);
}

/// A permission, as a type: `Read<resource::Members>`, `Manage<resource::Members>`.
pub trait Grant: 'static {
    const PERMISSION: Permission;
}

pub struct Read<R>(PhantomData<R>);
pub struct Manage<R>(PhantomData<R>);

impl<R: resource::Kind> Grant for Read<R> {
    const PERMISSION: Permission = Permission::read(R::RESOURCE);
}

impl<R: resource::Kind> Grant for Manage<R> {
    const PERMISSION: Permission = Permission::manage(R::RESOURCE);
}

/// Proof that a user holds permission `G` in one organization, at the moment it was checked.
pub struct Authorized<G: Grant> {
    user_id: UserId,
    org_id: OrgId,
    role: Role,
    grant: PhantomData<fn() -> G>,
}

impl<G: Grant> Authorized<G> {
    fn new(user_id: UserId, org_id: OrgId, role: Role) -> Self {
        Self { user_id, org_id, role, grant: PhantomData }
    }

    pub fn user_id(&self) -> UserId {
        self.user_id
    }

    pub fn org_id(&self) -> OrgId {
        self.org_id
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// The member, as the audit log names who made a change.
    pub fn actor(&self) -> Actor {
        Actor::User(self.user_id)
    }

    /// A proof for tests that exercise the rules behind the check.
    #[cfg(any(test, feature = "testing"))]
    pub fn for_tests(user_id: UserId, org_id: OrgId, role: Role) -> Self {
        Self::new(user_id, org_id, role)
    }
}

impl<R: resource::Kind> Authorized<Manage<R>> {
    /// `manage` implies `read`, as the policy says.
    pub fn read(&self) -> Authorized<Read<R>> {
        Authorized::new(self.user_id, self.org_id, self.role)
    }
}

impl<G: Grant> Clone for Authorized<G> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<G: Grant> Copy for Authorized<G> {}

impl<G: Grant> fmt::Debug for Authorized<G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorized")
            .field("permission", &G::PERMISSION.to_string())
            .field("user_id", &self.user_id)
            .field("org_id", &self.org_id)
            .field("role", &self.role)
            .finish()
    }
}

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

/// The built-in roles of the README's table, for every organization (`*`). `g` makes `manage`
/// imply `read`.
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
                (AuditLog, Read),
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
                (AuditLog, Read),
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

    /// Every permission the proven member holds in the organization, for the UI to show only
    /// what may be used.
    pub fn permissions<G: Grant>(&self, proof: &Authorized<G>) -> PermissionSet {
        self.permissions_of(proof.role, proof.org_id)
    }

    fn permissions_of(&self, role: Role, org: OrgId) -> PermissionSet {
        Resource::ALL
            .iter()
            .flat_map(|resource| [Permission::read(*resource), Permission::manage(*resource)])
            .filter(|permission| self.allows(role, org, *permission))
            .collect()
    }

    /// The one entry point every server function and route calls. A user who is not a member
    /// of `org` gets `NotFound`, the same answer as for an organization that does not exist.
    pub async fn authorize<G: Grant>(
        &self,
        db: &impl ConnectionTrait,
        user_id: UserId,
        org_id: OrgId,
    ) -> ServiceResult<Authorized<G>> {
        let membership = membership::Entity::find_by_id((org_id.as_uuid(), user_id.as_uuid()))
            .one(db)
            .await?
            .ok_or(ServiceError::NotFound { what: "The organization" })?;
        self.grant(user_id, org_id, membership.role.0)
    }

    /// Permission `G` for the member `proof` was checked for, by the role read then: a request
    /// that needs two permissions reads the membership once.
    pub fn also<G: Grant, H: Grant>(&self, proof: &Authorized<H>) -> ServiceResult<Authorized<G>> {
        self.grant(proof.user_id, proof.org_id, proof.role)
    }

    fn grant<G: Grant>(&self, user_id: UserId, org_id: OrgId, role: Role) -> ServiceResult<Authorized<G>> {
        if self.allows(role, org_id, G::PERMISSION) {
            Ok(Authorized::new(user_id, org_id, role))
        } else {
            Err(ServiceError::Forbidden { permission: G::PERMISSION })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's role table, spelled out so a change to the policy shows here.
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
            (Role::Owner, AuditLog, true, false),
            (Role::Admin, Organization, true, false),
            (Role::Admin, WorkloadIdentityConfigs, true, true),
            (Role::Admin, SecretProviders, true, true),
            (Role::Admin, Automations, true, true),
            (Role::Admin, Members, true, true),
            (Role::Admin, AuditLog, true, false),
            (Role::Developer, Organization, true, false),
            (Role::Developer, WorkloadIdentityConfigs, true, false),
            (Role::Developer, SecretProviders, true, false),
            (Role::Developer, Automations, true, true),
            (Role::Developer, Members, true, false),
            (Role::Developer, AuditLog, false, false),
            (Role::Viewer, Organization, true, false),
            (Role::Viewer, WorkloadIdentityConfigs, true, false),
            (Role::Viewer, SecretProviders, true, false),
            (Role::Viewer, Automations, true, false),
            (Role::Viewer, Members, false, false),
            (Role::Viewer, AuditLog, false, false),
        ];
        assert_eq!(expected.len(), Role::ALL.len() * Resource::ALL.len());
        for (role, resource, read, manage) in expected {
            assert_eq!(access.allows(role, org, Permission::read(resource)), read, "{role} {resource}: read");
            assert_eq!(access.allows(role, org, Permission::manage(resource)), manage, "{role} {resource}: manage");
        }
    }

    /// The README's role table is the policy: each row is what casbin decides for that resource.
    #[tokio::test]
    async fn the_readme_role_table_is_the_policy() {
        let access = AccessControl::new().await.unwrap();
        let org = OrgId::new();
        let readme = include_str!("../../README.md");
        for resource in Resource::ALL {
            let cells: Vec<&str> = Role::ALL
                .iter()
                .map(|role| {
                    if access.allows(*role, org, Permission::manage(*resource)) {
                        "manage"
                    } else if access.allows(*role, org, Permission::read(*resource)) {
                        "read"
                    } else {
                        "—"
                    }
                })
                .collect();
            let row = format!("| `{resource}` | {} |", cells.join(" | "));
            assert!(readme.contains(&row), "the README's role table lacks {row}");
        }
        let header =
            format!("| permission | {} |", Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" | "));
        assert!(readme.contains(&header), "the README's role table has the roles in policy order: {header}");
    }

    #[tokio::test]
    async fn manage_implies_read_but_not_the_reverse() {
        let access = AccessControl::new().await.unwrap();
        let org = OrgId::new();
        for role in Role::ALL {
            for resource in Resource::ALL {
                if access.allows(*role, org, Permission::manage(*resource)) {
                    assert!(access.allows(*role, org, Permission::read(*resource)), "{role} {resource}");
                }
            }
        }
    }

    #[tokio::test]
    async fn a_proof_names_its_permission_and_lists_what_the_role_holds() {
        let access = AccessControl::new().await.unwrap();
        let proof =
            Authorized::<Read<resource::WorkloadIdentityConfigs>>::for_tests(UserId::new(), OrgId::new(), Role::Viewer);
        assert!(format!("{proof:?}").contains("workload_identity_configs: read"));
        let viewer = access.permissions(&proof);
        assert!(viewer.allows(Permission::read(Resource::WorkloadIdentityConfigs)));
        assert!(!viewer.allows(Permission::manage(Resource::WorkloadIdentityConfigs)));
        assert!(!viewer.allows(Permission::read(Resource::Members)));
    }
}

use serde::{Deserialize, Serialize};

use crate::{
    access::{Permission, PermissionSet, Role},
    ids::OrgId,
};

/// An organization the signed-in user belongs to, with the user's role there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgChoice {
    pub id: OrgId,
    pub name: String,
    pub role: Role,
}

/// Who is signed in, in which organization, and what they may do there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub email: String,
    pub org: OrgChoice,
    pub orgs: Vec<OrgChoice>,
    pub permissions: PermissionSet,
}

impl SessionInfo {
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.allows(permission)
    }
}

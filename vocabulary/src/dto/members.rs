use serde::{Deserialize, Serialize};

use crate::{access::Role, ids::UserId};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: UserId,
    pub email: String,
    pub role: Role,
    pub is_you: bool,
}

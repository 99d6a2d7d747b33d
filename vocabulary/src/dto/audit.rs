//! The Audit Log page.
use serde::{Deserialize, Serialize};

use crate::audit::AuditAction;

/// One change as the Audit Log shows it: never a secret value, key or token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryView {
    pub id: i64,
    /// RFC 3339.
    pub at: String,
    /// A member's e-mail, "Wisp" or "Operator (command line)".
    pub actor: String,
    pub action: AuditAction,
    /// The object, in words ("automation nightly").
    pub object: String,
    /// Where the object is, while it still exists.
    pub href: Option<String>,
    /// What the change set, field by field.
    pub changes: Vec<AuditChange>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditChange {
    pub field: String,
    pub value: String,
}

/// Someone who appears in the log, for the Actor filter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorChoice {
    /// As the filter sends it: `user:<uuid>`, `cli` or `wisp`.
    pub value: String,
    pub label: String,
}

/// A page of entries, newest first; `next` continues after the last one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    pub next: Option<i64>,
    pub actors: Vec<ActorChoice>,
}

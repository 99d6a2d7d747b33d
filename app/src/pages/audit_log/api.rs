//! The Audit Log's one call.
use leptos::prelude::*;
use vocabulary::dto::audit::AuditPage;

use crate::{codec::FormOrJson, error::AppError};

/// A page of the organization's audit log, newest first. `actor` is `user:<uuid>`, `cli` or
/// `wisp`; `action` a word such as `automation.create`; empty means any. `before` is the
/// previous page's `next`.
#[server(endpoint = "audit_log/list", input = FormOrJson)]
pub async fn list_audit_log(
    actor: Option<String>,
    action: Option<String>,
    before: Option<i64>,
) -> Result<AuditPage, AppError> {
    use service::{
        access::{Read, resource::AuditLog},
        audit::{self, Filter},
    };
    use vocabulary::{
        FieldError,
        audit::{Actor, AuditAction},
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Read<AuditLog>>().await?;
    let word = |text: Option<String>| text.filter(|t| !t.trim().is_empty());
    let actor = word(actor).map(|a| a.parse::<Actor>()).transpose();
    let action = word(action).map(|a| a.parse::<AuditAction>()).transpose();
    let (actor, action) = match (actor, action) {
        (Ok(actor), Ok(action)) => (actor, action),
        (actor, action) => {
            let fields: Vec<FieldError> = [actor.err(), action.err()].into_iter().flatten().collect();
            return Err(service::ServiceError::Invalid(fields).into());
        }
    };
    Ok(audit::page(&state.db, &proof, Filter { actor, action }, before).await?)
}

crate::codec::form_or_json!(ListAuditLog);

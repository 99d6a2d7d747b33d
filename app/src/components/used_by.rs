//! What uses an object, said before anyone tries to delete it (the server refuses such a delete).
use leptos::prelude::*;
use vocabulary::used_by::UsedBy;

/// "Used by automations a, b" beneath an object's name, when anything uses it.
#[component]
pub fn UsedBy(used_by: UsedBy) -> impl IntoView {
    (!used_by.is_empty()).then(|| view! { <p class="hint">{format!("Used by {used_by}")}</p> })
}

/// The question a Delete button asks: plain, or warning that the delete will be refused.
pub fn delete_question(name: &str, used_by: &UsedBy) -> String {
    if used_by.is_empty() {
        format!("Delete {name}?")
    } else {
        format!("{name} is used by {used_by}: it cannot be deleted while they use it. Try anyway?")
    }
}

//! Whose tokens a role is to trust: this organization's (Wisp reading secrets at kickoff), or the
//! runs of one of its automations (that automation's AWS role for runs). The Trust policy panel
//! and the IAM assistant both ask.
use leptos::prelude::*;
use vocabulary::ids::AutomationId;

use crate::pages::automations::api::list_automations;

#[component]
pub fn TrustForSelect(id: String, chosen: RwSignal<Option<AutomationId>>) -> impl IntoView {
    // Opened on a click, never rendered by the server: the list is fetched in the browser. A member
    // who may not read automations sees the organization's choice only.
    let automations = LocalResource::new(list_automations);
    view! {
        <div class="field">
            <label for=id.clone()>"Trust policy for"</label>
            <select id=id on:change=move |ev| chosen.set(event_target_value(&ev).parse().ok())>
                <option value="" selected=move || chosen.get().is_none()>
                    "This organization: reading secrets at kickoff"
                </option>
                {move || {
                    automations.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|automation| {
                        let id = automation.id;
                        view! {
                            <option value=id.to_string() selected=move || chosen.get() == Some(id)>
                                {format!("Runs of {} (its AWS role for runs)", automation.name)}
                            </option>
                        }
                    }).collect_view()
                }}
            </select>
        </div>
    }
}

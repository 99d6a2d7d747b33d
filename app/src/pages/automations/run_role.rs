//! **AWS role for runs**: the Workload Identity config whose role the automation's runs assume.
//! `wisp run` then hands the command a web identity token for it, kept fresh for as long as the
//! command runs. A deployment keeps the choice it was deployed with.
use leptos::prelude::*;
use leptos_router::components::A;
use vocabulary::{
    dto::automations::RunRoleChoice,
    ids::{AutomationId, WorkloadIdentityConfigId},
};

use super::api;
use crate::components::error_message::ErrorMessage;

#[component]
pub fn RunRole(
    automation: AutomationId,
    chosen: Option<WorkloadIdentityConfigId>,
    choices: Vec<RunRoleChoice>,
    can_manage: bool,
) -> impl IntoView {
    let save = ServerAction::<api::SetRunRole>::new();
    let current = RwSignal::new(chosen);
    let choose = move |ev| {
        let config = event_target_value(&ev).parse::<WorkloadIdentityConfigId>().ok();
        current.set(config);
        save.dispatch(api::SetRunRole { automation, config });
    };
    let empty = choices.is_empty();
    let options = choices
        .into_iter()
        .map(|choice| {
            let id = choice.id;
            let tags = if choice.session_tags { ", session tags" } else { "" };
            view! {
                <option value=id.to_string() selected=move || current.get() == Some(id)>
                    {format!("{}: {} ({}{tags})", choice.name, choice.role_arn, choice.region)}
                </option>
            }
        })
        .collect_view();
    let status = move || match save.value().get() {
        _ if save.pending().get() => Some(view! { <p role="status" class="muted">"Saving…"</p> }.into_any()),
        Some(Ok(())) => Some(
            view! {
                <p role="status" class="muted">
                    {move || match current.get() {
                        Some(_) => "Saved. The next Deploy gives runs this role; deployments made before keep theirs.",
                        None => "Saved. The next Deploy gives runs no AWS role; deployments made before keep theirs.",
                    }}
                </p>
            }
            .into_any(),
        ),
        Some(Err(error)) => Some(view! { <ErrorMessage error/> }.into_any()),
        None => None,
    };
    view! {
        <div class="field run-role">
            <label for="run-role">"AWS role for runs"</label>
            <select id="run-role" aria-describedby="run-role-help" disabled=!can_manage on:change=choose>
                <option value="" selected=move || current.get().is_none()>"None"</option>
                {options}
            </select>
            <p id="run-role-help" class="help">
                "Runs started by " <code>"wisp run"</code> " assume this role with no stored key: it sets "
                <code>"AWS_ROLE_ARN"</code> " and " <code>"AWS_WEB_IDENTITY_TOKEN_FILE"</code>
                ", and keeps the token fresh for as long as the command runs. The role's trust policy must name this automation (Trust policy on the config)."
            </p>
            {empty.then(|| view! {
                <p class="muted">
                    "This organization has no Workload Identity config yet: "
                    <A href="/settings/workload-identity">"add one"</A> " first."
                </p>
            })}
            {status}
        </div>
    }
}

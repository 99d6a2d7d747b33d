//! Add or edit a config, with every field's error next to it and the AWS setup for the typed role.
use leptos::prelude::*;
use vocabulary::{
    aws::{CloudProvider, Region},
    dto::workload_identity::ConfigView,
};

use super::{
    Configs,
    api::{CreateWorkloadIdentityConfig, UpdateWorkloadIdentityConfig},
    trust_panel::TrustPanel,
};
use crate::components::{
    crud::Editing,
    field::Field,
    form_card::FormCard,
    pickers::{RegionSelect, choose},
};

#[component]
pub fn ConfigForm(target: Editing<ConfigView>, has_aws: bool, crud: Configs) -> impl IntoView {
    let existing = match &target {
        Editing::Existing(config) => Some(config.clone()),
        Editing::New => None,
    };
    let name = RwSignal::new(existing.as_ref().map(|c| c.name.clone()).unwrap_or_default());
    let provider = RwSignal::new(existing.as_ref().map_or(CloudProvider::Aws, |c| c.provider));
    let role_arn = RwSignal::new(existing.as_ref().map(|c| c.role_arn.to_string()).unwrap_or_default());
    let region = RwSignal::new(existing.as_ref().map_or(Region::DEFAULT, |c| c.region));
    // The first AWS config becomes the default unless the admin unticks it.
    let set_default = RwSignal::new(existing.as_ref().map_or(!has_aws, |c| c.is_default));
    let session_tags = RwSignal::new(existing.as_ref().is_some_and(|c| c.session_tags));
    let id = existing.as_ref().map(|c| c.id);
    let heading = match &existing {
        Some(config) => format!("Edit {}", config.name),
        None => "Add Workload Identity Config".to_owned(),
    };
    let error = move || crud.form_error(id.is_some());
    let submit = move |()| {
        let (name, provider, role_arn, region) = (name.get(), provider.get(), role_arn.get(), region.get());
        match id {
            Some(id) => {
                crud.update.dispatch(UpdateWorkloadIdentityConfig {
                    id,
                    name,
                    provider,
                    role_arn,
                    region,
                    set_default: set_default.get(),
                    session_tags: Some(session_tags.get()),
                });
            }
            None => {
                crud.create.dispatch(CreateWorkloadIdentityConfig {
                    name,
                    provider,
                    role_arn,
                    region,
                    set_default: Some(set_default.get()),
                    session_tags: Some(session_tags.get()),
                });
            }
        }
    };
    let field_error = move |field: &'static str| move || error().and_then(|e| e.for_field(field));
    // The form opens where the admin is typing next.
    let name_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = name_input.get() {
            let _ = input.focus();
        }
    });
    view! {
        <FormCard
            heading
            editing_existing=id.is_some()
            pending=Signal::derive(move || crud.saving())
            error=Signal::derive(error)
            on_submit=submit
            on_cancel=move |()| crud.editing.set(None)
            footer=Box::new(move || view! {
                <Show when=move || !role_arn.get().trim().is_empty()>
                    <TrustPanel role_arn=role_arn.into() region=region.into() session_tags=session_tags.into()/>
                </Show>
            }.into_any())
        >
            <Field id="wi-name" label="Name" error=Signal::derive(field_error("name"))>
                <input id="wi-name" type="text" required autocomplete="off" placeholder="aws-prod" node_ref=name_input
                    aria-describedby="wi-name-error" aria-invalid=move || field_error("name")().is_some().to_string()
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            </Field>
            <Field id="wi-provider" label="Cloud Provider" error=Signal::derive(field_error("provider"))>
                <select id="wi-provider" aria-describedby="wi-provider-error" on:change=choose(provider)>
                    {CloudProvider::ALL
                        .iter()
                        .map(|p| view! { <option value=p.as_str() selected=move || provider.get() == *p>{p.label()}</option> })
                        .collect_view()}
                </select>
            </Field>
            <Field id="wi-role-arn" label="AWS Role ARN" error=Signal::derive(field_error("role_arn"))>
                <input id="wi-role-arn" type="text" required autocomplete="off" spellcheck="false"
                    placeholder="arn:aws:iam::123456789012:role/wisp-secrets-reader"
                    aria-describedby="wi-role-arn-error" aria-invalid=move || field_error("role_arn")().is_some().to_string()
                    prop:value=move || role_arn.get() on:input=move |ev| role_arn.set(event_target_value(&ev))/>
            </Field>
            <Field id="wi-region" label="AWS Region" error=Signal::derive(field_error("region"))>
                <RegionSelect id="wi-region" region/>
            </Field>
            <div class="field checkbox">
                <input id="wi-default" type="checkbox" prop:checked=move || set_default.get()
                    on:change=move |ev| set_default.set(event_target_checked(&ev))/>
                <label for="wi-default">{move || format!("Set as default for {}", provider.get().label())}</label>
            </div>
            <div class="field checkbox">
                <input id="wi-session-tags" type="checkbox" aria-describedby="wi-session-tags-help"
                    prop:checked=move || session_tags.get() on:change=move |ev| session_tags.set(event_target_checked(&ev))/>
                <label for="wi-session-tags">"Session tags"</label>
                <p id="wi-session-tags-help" class="help">
                    "Runs' tokens carry the principal tags wisp-org and wisp-automation, for policies that match "
                    <code>"aws:PrincipalTag"</code>"; the trust policy then also allows "<code>"sts:TagSession"</code>"."
                </p>
            </div>
        </FormCard>
    }
}

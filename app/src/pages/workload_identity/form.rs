//! Add or edit a config, with every field's error next to it and the provider's setup for what
//! was typed: the AWS policies for a role, or the `bao` commands for a Vault role.
use leptos::prelude::*;
use vocabulary::{
    aws::{CloudProvider, Region},
    dto::workload_identity::ConfigView,
    providers::IdentityTarget,
    vault::AuthMount,
};

use super::{
    Configs,
    api::{CreateWorkloadIdentityConfig, UpdateWorkloadIdentityConfig},
    trust_panel::TrustPanel,
    vault_trust::{VaultFields, VaultTrustPanel},
};
use crate::components::{crud::Editing, field::Field, form_card::FormCard, pickers::RegionSelect};

#[component]
pub fn ConfigForm(
    target: Editing<ConfigView>,
    /// The providers that have a default config already.
    has_default: Vec<CloudProvider>,
    crud: Configs,
) -> impl IntoView {
    let existing = match &target {
        Editing::Existing(config) => Some(config.clone()),
        Editing::New => None,
    };
    let name = RwSignal::new(existing.as_ref().map(|c| c.name.clone()).unwrap_or_default());
    let start_provider = existing.as_ref().map_or(CloudProvider::Aws, ConfigView::provider);
    let provider = RwSignal::new(start_provider);
    let (aws, vault) = match existing.as_ref().map(|c| &c.target) {
        Some(IdentityTarget::Aws(role)) => (Some(role), None),
        Some(IdentityTarget::Vault(login)) => (None, Some(login)),
        None => (None, None),
    };
    let role_arn = RwSignal::new(aws.map(|r| r.role_arn.to_string()).unwrap_or_default());
    let region = RwSignal::new(aws.map_or(Region::DEFAULT, |r| r.region));
    let session_tags = RwSignal::new(aws.is_some_and(|r| r.session_tags));
    let fields = VaultFields::new(vault);
    // A provider's first config becomes its default unless the admin unticks it.
    let set_default = RwSignal::new(existing.as_ref().map_or(!has_default.contains(&start_provider), |c| c.is_default));
    let is_new = existing.is_none();
    let pick_provider = move |ev: leptos::ev::Event| {
        let Ok(chosen) = event_target_value(&ev).parse::<CloudProvider>() else { return };
        provider.set(chosen);
        if is_new {
            set_default.set(!has_default.contains(&chosen));
        }
    };
    let id = existing.as_ref().map(|c| c.id);
    let heading = match &existing {
        Some(config) => format!("Edit {}", config.name),
        None => "Add Workload Identity Config".to_owned(),
    };
    let error = move || crud.form_error(id.is_some());
    let submit = move |()| {
        let (name, provider) = (name.get(), provider.get());
        // Only the chosen provider's fields travel.
        let (aws, vault) = (provider == CloudProvider::Aws, provider == CloudProvider::Vault);
        let text = |on: bool, signal: RwSignal<String>| on.then(|| signal.get());
        let (role_arn, region, session_tags) =
            (text(aws, role_arn), aws.then(|| region.get()), aws.then(|| session_tags.get()));
        let (vault_address, auth_mount, vault_role, audience, namespace) = (
            text(vault, fields.address),
            text(vault, fields.auth_mount),
            text(vault, fields.role),
            text(vault, fields.audience),
            text(vault, fields.namespace),
        );
        match id {
            Some(id) => {
                crud.update.dispatch(UpdateWorkloadIdentityConfig {
                    id,
                    name,
                    provider: Some(provider),
                    role_arn,
                    region,
                    set_default: set_default.get(),
                    session_tags,
                    vault_address,
                    auth_mount,
                    vault_role,
                    audience,
                    namespace,
                });
            }
            None => {
                crud.create.dispatch(CreateWorkloadIdentityConfig {
                    name,
                    provider: Some(provider),
                    role_arn,
                    region,
                    set_default: Some(set_default.get()),
                    session_tags,
                    vault_address,
                    auth_mount,
                    vault_role,
                    audience,
                    namespace,
                });
            }
        }
    };
    let field_error = move |field: &'static str| move || error().and_then(|e| e.for_field(field));
    let text_field = move |id: &'static str,
                           label: &'static str,
                           field: &'static str,
                           signal: RwSignal<String>,
                           placeholder: &'static str,
                           required: bool,
                           note: &'static str| {
        view! {
            <Field id=id label=label error=Signal::derive(field_error(field))>
                <input id=id type="text" required=required autocomplete="off" spellcheck="false" placeholder=placeholder
                    aria-describedby=format!("{id}-error {id}-note") aria-invalid=move || field_error(field)().is_some().to_string()
                    prop:value=move || signal.get() on:input=move |ev| signal.set(event_target_value(&ev))/>
                <p id=format!("{id}-note") class="field-note">{note}</p>
            </Field>
        }
    };
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
                <Show when=move || provider.get() == CloudProvider::Aws && !role_arn.get().trim().is_empty()>
                    <TrustPanel role_arn=role_arn.into() region=region.into() session_tags=session_tags.into()/>
                </Show>
                <Show when=move || provider.get() == CloudProvider::Vault && fields.filled()>
                    <VaultTrustPanel fields/>
                </Show>
            }.into_any())
        >
            <Field id="wi-name" label="Name" error=Signal::derive(field_error("name"))>
                <input id="wi-name" type="text" required autocomplete="off" placeholder="aws-prod" node_ref=name_input
                    aria-describedby="wi-name-error" aria-invalid=move || field_error("name")().is_some().to_string()
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            </Field>
            <Field id="wi-provider" label="Cloud Provider" error=Signal::derive(field_error("provider"))>
                <select id="wi-provider" aria-describedby="wi-provider-error" on:change=pick_provider>
                    {CloudProvider::ALL
                        .iter()
                        .map(|p| view! { <option value=p.as_str() selected=move || provider.get() == *p>{p.label()}</option> })
                        .collect_view()}
                </select>
            </Field>
            <Show when=move || provider.get() == CloudProvider::Aws>
                <Field id="wi-role-arn" label="AWS Role ARN" error=Signal::derive(field_error("role_arn"))>
                    <input id="wi-role-arn" type="text" required autocomplete="off" spellcheck="false"
                        placeholder="arn:aws:iam::123456789012:role/wisp-secrets-reader"
                        aria-describedby="wi-role-arn-error" aria-invalid=move || field_error("role_arn")().is_some().to_string()
                        prop:value=move || role_arn.get() on:input=move |ev| role_arn.set(event_target_value(&ev))/>
                </Field>
                <Field id="wi-region" label="AWS Region" error=Signal::derive(field_error("region"))>
                    <RegionSelect id="wi-region" region/>
                </Field>
            </Show>
            <Show when=move || provider.get() == CloudProvider::Vault>
                {text_field("wi-vault-address", "Vault Address", "vault_address", fields.address, "https://vault.example.com:8200", true,
                    "Where Wisp reaches Vault or OpenBao, without /v1.")}
                {text_field("wi-auth-mount", "JWT Auth Mount", "auth_mount", fields.auth_mount, AuthMount::DEFAULT, false,
                    "The path the JWT auth method is enabled at; Wisp logs in at auth/<mount>/login.")}
                {text_field("wi-vault-role", "Vault Role", "vault_role", fields.role, "wisp-secrets", true,
                    "The JWT auth role whose bound claims name this organization.")}
                {text_field("wi-audience", "Audience", "audience", fields.audience, "Empty: the Vault address", false,
                    "The tokens' aud; the role's bound_audiences must list it.")}
                {text_field("wi-namespace", "Namespace", "namespace", fields.namespace, "Optional: Vault Enterprise or OpenBao namespace", false,
                    "Leave empty unless Vault uses namespaces.")}
            </Show>
            <div class="field checkbox">
                <input id="wi-default" type="checkbox" prop:checked=move || set_default.get()
                    on:change=move |ev| set_default.set(event_target_checked(&ev))/>
                <label for="wi-default">{move || format!("Set as default for {}", provider.get().label())}</label>
            </div>
            <Show when=move || provider.get() == CloudProvider::Aws>
                <div class="field checkbox">
                    <input id="wi-session-tags" type="checkbox" aria-describedby="wi-session-tags-help"
                        prop:checked=move || session_tags.get() on:change=move |ev| session_tags.set(event_target_checked(&ev))/>
                    <label for="wi-session-tags">"Session tags"</label>
                    <p id="wi-session-tags-help" class="help">
                        "Runs' tokens carry the principal tags wisp-org and wisp-automation, for policies that match "
                        <code>"aws:PrincipalTag"</code>"; the trust policy then also allows "<code>"sts:TagSession"</code>"."
                    </p>
                </div>
            </Show>
        </FormCard>
    }
}

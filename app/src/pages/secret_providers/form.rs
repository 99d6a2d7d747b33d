//! Add or edit a credential. Under Workload Identity only the config and region show; under
//! static keys the key, its secret (never shown back: empty keeps the stored one), an optional
//! role and, with a role, an external ID.
use leptos::prelude::*;
use leptos_router::components::A;
use vocabulary::{
    aws::Region,
    dto::secret_providers::{ConfigChoice, CredentialAuth, CredentialView},
    ids::WorkloadIdentityConfigId,
    providers::{AuthMethod, SecretProvider},
};

use super::{
    Credentials,
    api::{CreateCredential, UpdateCredential},
    preferred,
};
use crate::components::{
    crud::Editing,
    field::Field,
    form_card::FormCard,
    pickers::{RegionSelect, choose},
};

#[component]
pub fn CredentialForm(
    target: Editing<CredentialView>,
    configs: Vec<ConfigChoice>,
    has_default: bool,
    crud: Credentials,
) -> impl IntoView {
    let existing = match &target {
        Editing::Existing(credential) => Some(credential.clone()),
        Editing::New => None,
    };
    let first_config = preferred(&configs).cloned();
    let name = RwSignal::new(existing.as_ref().map(|c| c.name.clone()).unwrap_or_default());
    let provider = RwSignal::new(existing.as_ref().map_or(SecretProvider::AwsSecretsManager, |c| c.provider));
    let method = RwSignal::new(
        existing
            .as_ref()
            .map_or(if first_config.is_some() { AuthMethod::WorkloadIdentity } else { AuthMethod::StaticKeys }, |c| {
                c.auth.method()
            }),
    );
    let (mut config, mut access_key_id, mut role_arn, mut external_id) =
        (first_config.as_ref().map(|c| c.id), String::new(), String::new(), String::new());
    match existing.as_ref().map(|c| &c.auth) {
        Some(CredentialAuth::WorkloadIdentity { config: id, .. }) => config = Some(*id),
        Some(CredentialAuth::StaticKeys { access_key_id: key, role_arn: role, external_id: external }) => {
            access_key_id = key.to_string();
            role_arn = role.as_ref().map(ToString::to_string).unwrap_or_default();
            external_id = external.as_ref().map(ToString::to_string).unwrap_or_default();
        }
        None => {}
    }
    let config = RwSignal::new(config);
    let access_key_id = RwSignal::new(access_key_id);
    let secret_access_key = RwSignal::new(String::new());
    let role_arn = RwSignal::new(role_arn);
    let external_id = RwSignal::new(external_id);
    let region = RwSignal::new(
        existing.as_ref().map(|c| c.region).or(first_config.as_ref().map(|c| c.region)).unwrap_or(Region::DEFAULT),
    );
    let set_default = RwSignal::new(existing.as_ref().map_or(!has_default, |c| c.is_default));
    let id = existing.as_ref().map(|c| c.id);
    let heading = match &existing {
        Some(credential) => format!("Edit {}", credential.name),
        None => "Add Credential".to_owned(),
    };

    let error = move || crud.form_error(id.is_some());
    let field_error = move |field: &'static str| move || error().and_then(|e| e.for_field(field));
    let submit = move |()| {
        let workload_identity = method.get() == AuthMethod::WorkloadIdentity;
        // Only the fields of the chosen method travel; the secret only when one was typed.
        let text = |signal: RwSignal<String>| if workload_identity { String::new() } else { signal.get() };
        let (name, provider, auth_method, region) = (name.get(), provider.get(), method.get(), region.get());
        let workload_identity_config = if workload_identity { config.get() } else { None };
        let (access_key_id, secret_access_key, role_arn) =
            (text(access_key_id), text(secret_access_key), text(role_arn));
        let external_id = if role_arn.trim().is_empty() { String::new() } else { text(external_id) };
        match id {
            Some(id) => {
                crud.update.dispatch(UpdateCredential {
                    id,
                    name,
                    provider,
                    auth_method,
                    workload_identity_config,
                    access_key_id,
                    secret_access_key,
                    role_arn,
                    external_id,
                    region,
                    set_default: set_default.get(),
                });
            }
            None => {
                crud.create.dispatch(CreateCredential {
                    name,
                    provider,
                    auth_method,
                    workload_identity_config,
                    access_key_id,
                    secret_access_key,
                    role_arn,
                    external_id,
                    region,
                    set_default: Some(set_default.get()),
                });
            }
        }
    };
    // A config brings its region: secrets usually live where the role was set up.
    let configs = StoredValue::new(configs);
    let pick_config = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev).parse::<WorkloadIdentityConfigId>().ok();
        config.set(chosen);
        if let Some(choice) = chosen.and_then(|id| configs.with_value(|all| all.iter().find(|c| c.id == id).cloned())) {
            region.set(choice.region);
        }
    };
    let name_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = name_input.get() {
            let _ = input.focus();
        }
    });
    let text_input = move |id: &'static str,
                           field: &'static str,
                           signal: RwSignal<String>,
                           placeholder: &'static str| {
        view! {
            <input id=id type="text" autocomplete="off" spellcheck="false" placeholder=placeholder
                aria-describedby=format!("{id}-error") aria-invalid=move || field_error(field)().is_some().to_string()
                prop:value=move || signal.get() on:input=move |ev| signal.set(event_target_value(&ev))/>
        }
    };

    view! {
        <FormCard
            heading
            editing_existing=id.is_some()
            pending=Signal::derive(move || crud.saving())
            error=Signal::derive(error)
            on_submit=submit
            on_cancel=move |()| crud.editing.set(None)
        >
            <Field id="cr-name" label="Name" error=Signal::derive(field_error("name"))>
                <input id="cr-name" type="text" required autocomplete="off" placeholder="aws-secrets" node_ref=name_input
                    aria-describedby="cr-name-error" aria-invalid=move || field_error("name")().is_some().to_string()
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            </Field>
            <Field id="cr-provider" label="Provider" error=Signal::derive(field_error("provider"))>
                <select id="cr-provider" aria-describedby="cr-provider-error" on:change=choose(provider)>
                    {SecretProvider::ALL
                        .iter()
                        .map(|p| view! { <option value=p.as_str() selected=move || provider.get() == *p>{p.label()}</option> })
                        .collect_view()}
                </select>
            </Field>
            <Field id="cr-method" label="Authentication Method" error=Signal::derive(field_error("auth_method"))>
                <select id="cr-method" aria-describedby="cr-method-error" on:change=choose(method)>
                    {AuthMethod::ALL
                        .iter()
                        .map(|m| view! { <option value=m.as_str() selected=move || method.get() == *m>{m.label()}</option> })
                        .collect_view()}
                </select>
            </Field>
            <Show when=move || method.get() == AuthMethod::WorkloadIdentity>
                {move || {
                    if configs.with_value(Vec::is_empty) {
                        view! {
                            <p class="field-note">
                                "This organization has no workload identity config yet. "
                                <A href="/settings/workload-identity">"Add a Workload Identity config"</A>
                                " first, then come back."
                            </p>
                        }
                        .into_any()
                    } else {
                        view! {
                            <Field id="cr-config" label="Workload Identity Configuration" error=Signal::derive(field_error("workload_identity_config"))>
                                <select id="cr-config" aria-describedby="cr-config-error" on:change=pick_config>
                                    {configs.get_value()
                                        .into_iter()
                                        .map(|c| {
                                            let chosen = c.id;
                                            view! {
                                                <option value=c.id.to_string() selected=move || config.get() == Some(chosen)>
                                                    {if c.is_default { format!("{} (default)", c.name) } else { c.name.clone() }}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            </Field>
                        }
                        .into_any()
                    }
                }}
            </Show>
            <Show when=move || method.get() == AuthMethod::StaticKeys>
                <Field id="cr-access-key-id" label="Access Key ID" error=Signal::derive(field_error("access_key_id"))>
                    {text_input("cr-access-key-id", "access_key_id", access_key_id, "AKIAIOSFODNN7EXAMPLE")}
                </Field>
                <Field id="cr-secret-access-key" label="Secret Access Key" error=Signal::derive(field_error("secret_access_key"))>
                    <input id="cr-secret-access-key" type="password" autocomplete="new-password" spellcheck="false"
                        placeholder=if id.is_some() { "Leave empty to keep the stored key" } else { "" }
                        aria-describedby="cr-secret-access-key-error"
                        aria-invalid=move || field_error("secret_access_key")().is_some().to_string()
                        prop:value=move || secret_access_key.get() on:input=move |ev| secret_access_key.set(event_target_value(&ev))/>
                </Field>
                <Field id="cr-role-arn" label="Role ARN" error=Signal::derive(field_error("role_arn"))>
                    {text_input("cr-role-arn", "role_arn", role_arn, "Optional: a role to assume with this key")}
                </Field>
                <Show when=move || !role_arn.get().trim().is_empty()>
                    <Field id="cr-external-id" label="External ID" error=Signal::derive(field_error("external_id"))>
                        {text_input("cr-external-id", "external_id", external_id, "Optional: what the role's trust policy requires")}
                    </Field>
                </Show>
            </Show>
            <Field id="cr-region" label="AWS Region" error=Signal::derive(field_error("region"))>
                <RegionSelect id="cr-region" region/>
            </Field>
            <div class="field checkbox">
                <input id="cr-default" type="checkbox" prop:checked=move || set_default.get()
                    on:change=move |ev| set_default.set(event_target_checked(&ev))/>
                <label for="cr-default">"Set as default credential for this provider"</label>
            </div>
        </FormCard>
    }
}

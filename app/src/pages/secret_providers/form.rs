//! Add or edit a credential. The provider decides the rest: AWS Secrets Manager offers workload
//! identity (the config and region) or static keys (the key, its secret, never shown back: empty
//! keeps the stored one, an optional role and, with a role, an external ID); Vault KV v2 offers
//! workload identity only, with the KV mount.
use leptos::prelude::*;
use leptos_router::components::A;
use vocabulary::{
    aws::Region,
    dto::secret_providers::{ConfigChoice, CredentialAuth, CredentialView},
    ids::WorkloadIdentityConfigId,
    providers::{AuthMethod, SecretProvider, SecretStore},
    vault::KvMount,
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
    /// The providers that have a default credential already.
    has_default: Vec<SecretProvider>,
    crud: Credentials,
) -> impl IntoView {
    let existing = match &target {
        Editing::Existing(credential) => Some(credential.clone()),
        Editing::New => None,
    };
    let start_provider = existing.as_ref().map_or(SecretProvider::AwsSecretsManager, |c| c.provider());
    let first_config = preferred(&configs, start_provider).cloned();
    let name = RwSignal::new(existing.as_ref().map(|c| c.name.clone()).unwrap_or_default());
    let provider = RwSignal::new(start_provider);
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
    let (mut start_region, mut start_mount) =
        (first_config.as_ref().and_then(|c| c.region), KvMount::DEFAULT.to_owned());
    match existing.as_ref().map(|c| &c.store) {
        Some(SecretStore::AwsSecretsManager { region }) => start_region = Some(*region),
        Some(SecretStore::VaultKv2 { kv_mount }) => start_mount = kv_mount.to_string(),
        None => {}
    }
    let region = RwSignal::new(start_region.unwrap_or(Region::DEFAULT));
    let kv_mount = RwSignal::new(start_mount);
    // A provider's first credential becomes its default unless the admin unticks it.
    let set_default = RwSignal::new(existing.as_ref().map_or(!has_default.contains(&start_provider), |c| c.is_default));
    let is_new = existing.is_none();
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
        let (name, provider, auth_method) = (name.get(), provider.get(), method.get());
        // Only the chosen provider's place travels.
        let vault = provider == SecretProvider::VaultKv2;
        let (region, kv_mount) = if vault { (None, Some(kv_mount.get())) } else { (Some(region.get()), None) };
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
                    kv_mount,
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
                    kv_mount,
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
        if let Some(from_config) =
            chosen.and_then(|id| configs.with_value(|all| all.iter().find(|c| c.id == id).and_then(|c| c.region)))
        {
            region.set(from_config);
        }
    };
    // Another provider: its methods, and its cloud's configs starting from the default.
    let pick_provider = move |ev: leptos::ev::Event| {
        let Ok(chosen) = event_target_value(&ev).parse::<SecretProvider>() else { return };
        provider.set(chosen);
        if is_new {
            set_default.set(!has_default.contains(&chosen));
        }
        if !chosen.auth_methods().contains(&method.get_untracked()) {
            method.set(AuthMethod::WorkloadIdentity);
        }
        let first = configs.with_value(|all| preferred(all, chosen).cloned());
        config.set(first.as_ref().map(|c| c.id));
        if let Some(from_config) = first.and_then(|c| c.region) {
            region.set(from_config);
        }
    };
    let cloud_configs = move || {
        let cloud = provider.get().cloud();
        configs.with_value(|all| all.iter().filter(|c| c.provider == cloud).cloned().collect::<Vec<_>>())
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
                <select id="cr-provider" aria-describedby="cr-provider-error" on:change=pick_provider>
                    {SecretProvider::ALL
                        .iter()
                        .map(|p| view! { <option value=p.as_str() selected=move || provider.get() == *p>{p.label()}</option> })
                        .collect_view()}
                </select>
            </Field>
            <Field id="cr-method" label="Authentication Method" error=Signal::derive(field_error("auth_method"))>
                <select id="cr-method" aria-describedby="cr-method-error" on:change=choose(method)>
                    {move || provider.get().auth_methods()
                        .iter()
                        .map(|m| view! { <option value=m.as_str() selected=move || method.get() == *m>{m.label()}</option> })
                        .collect_view()}
                </select>
            </Field>
            <Show when=move || method.get() == AuthMethod::WorkloadIdentity>
                {move || {
                    let cloud_configs = cloud_configs();
                    if cloud_configs.is_empty() {
                        view! {
                            <p class="field-note">
                                {format!("This organization has no {} workload identity config yet. ", provider.get().cloud().label())}
                                <A href="/settings/workload-identity">"Add a Workload Identity config"</A>
                                " first, then come back."
                            </p>
                            <p class="field-error" role="alert">{field_error("workload_identity_config")}</p>
                        }
                        .into_any()
                    } else {
                        view! {
                            <Field id="cr-config" label="Workload Identity Configuration" error=Signal::derive(field_error("workload_identity_config"))>
                                <select id="cr-config" aria-describedby="cr-config-error" on:change=pick_config>
                                    {cloud_configs
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
            <Show when=move || provider.get() == SecretProvider::AwsSecretsManager>
                <Field id="cr-region" label="AWS Region" error=Signal::derive(field_error("region"))>
                    <RegionSelect id="cr-region" region/>
                </Field>
            </Show>
            <Show when=move || provider.get() == SecretProvider::VaultKv2>
                <Field id="cr-kv-mount" label="KV Mount" error=Signal::derive(field_error("kv_mount"))>
                    <input id="cr-kv-mount" type="text" autocomplete="off" spellcheck="false" placeholder=KvMount::DEFAULT
                        aria-describedby="cr-kv-mount-error cr-kv-mount-note"
                        aria-invalid=move || field_error("kv_mount")().is_some().to_string()
                        prop:value=move || kv_mount.get() on:input=move |ev| kv_mount.set(event_target_value(&ev))/>
                    <p id="cr-kv-mount-note" class="field-note">
                        "Where the KV version 2 secrets engine is mounted; Secret Names are paths under it."
                    </p>
                </Field>
            </Show>
            <div class="field checkbox">
                <input id="cr-default" type="checkbox" prop:checked=move || set_default.get()
                    on:change=move |ev| set_default.set(event_target_checked(&ev))/>
                <label for="cr-default">"Set as default credential for this provider"</label>
            </div>
        </FormCard>
    }
}

//! Add or edit an environment variable: a key, then a plain value (optionally sensitive: never
//! shown back, empty keeps it) or a secret read through a credential.
use leptos::prelude::*;
use leptos_router::components::A;
use vocabulary::{
    dto::automations::{CredentialChoice, SourceView, VariableView},
    env::{EnvKey, SourceKind},
    ids::CredentialId,
};

use super::{
    api::{AddVariable, UpdateVariable},
    secret_name::SecretNameField,
    variables::Variables,
};
use crate::components::{crud::Editing, field::Field, form_card::FormCard, pickers::choose};

#[component]
pub fn VariableForm(
    target: Editing<VariableView>,
    credentials: Vec<CredentialChoice>,
    actions: Variables,
) -> impl IntoView {
    let existing = match &target {
        Editing::Existing(variable) => Some(variable.clone()),
        Editing::New => None,
    };
    let preferred = credentials.iter().find(|c| c.is_default).or(credentials.first()).map(|c| c.id);
    let key = RwSignal::new(existing.as_ref().map(|v| v.key.to_string()).unwrap_or_default());
    let source = RwSignal::new(existing.as_ref().map_or(SourceKind::Plain, |v| v.source.kind()));
    let (mut value, mut sensitive, mut credential, mut secret_name, mut json_key) =
        (String::new(), false, preferred, String::new(), String::new());
    match existing.as_ref().map(|v| &v.source) {
        Some(SourceView::Plain { value: shown, sensitive: hidden }) => {
            value = shown.clone().unwrap_or_default();
            sensitive = *hidden;
        }
        Some(SourceView::Secret { credential: chosen, secret_name: name, json_key: picked, .. }) => {
            credential = Some(*chosen);
            secret_name = name.to_string();
            json_key = picked.as_ref().map(ToString::to_string).unwrap_or_default();
        }
        None => {}
    }
    let was_sensitive = sensitive;
    let value = RwSignal::new(value);
    let sensitive = RwSignal::new(sensitive);
    let credential = RwSignal::new(credential);
    let secret_name = RwSignal::new(secret_name);
    let json_key = RwSignal::new(json_key);
    let id = existing.as_ref().map(|v| v.id);
    let heading = match &existing {
        Some(variable) => format!("Edit {}", variable.key),
        None => "Add Variable".to_owned(),
    };

    let error = move || actions.form_error(id.is_some());
    let field_error = move |field: &'static str| move || error().and_then(|e| e.for_field(field));
    // Said as the key is typed, from the same rule the server applies.
    let key_warning = move || EnvKey::parse(&key.get()).ok().and_then(|k| k.warning());
    let submit = move |()| {
        let secret = source.get() == SourceKind::Secret;
        let (value, sensitive) = if secret { (None, None) } else { (Some(value.get()), Some(sensitive.get())) };
        let (credential, secret_name, json_key) =
            if secret { (credential.get(), Some(secret_name.get()), Some(json_key.get())) } else { (None, None, None) };
        let (key, source) = (key.get(), source.get());
        match id {
            Some(id) => {
                actions.update.dispatch(UpdateVariable {
                    id,
                    key,
                    source,
                    value,
                    sensitive,
                    credential,
                    secret_name,
                    json_key,
                });
            }
            None => {
                actions.add.dispatch(AddVariable {
                    automation: actions.automation,
                    key,
                    source,
                    value,
                    sensitive,
                    credential,
                    secret_name,
                    json_key,
                });
            }
        }
    };
    let credentials = StoredValue::new(credentials);
    let chosen = move || {
        let id = credential.get()?;
        credentials.with_value(|all| all.iter().find(|c| c.id == id).cloned())
    };
    let key_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = key_input.get() {
            let _ = input.focus();
        }
    });

    view! {
        <FormCard
            heading
            editing_existing=id.is_some()
            submit_label="Save"
            pending=Signal::derive(move || actions.saving())
            error=Signal::derive(error)
            on_submit=submit
            on_cancel=move |()| actions.editing.set(None)
        >
            <Field id="var-key" label="Key" error=Signal::derive(field_error("key"))>
                <input id="var-key" type="text" required autocomplete="off" spellcheck="false" placeholder="DATABASE_URL"
                    node_ref=key_input aria-describedby="var-key-error var-key-warning"
                    aria-invalid=move || field_error("key")().is_some().to_string()
                    prop:value=move || key.get() on:input=move |ev| key.set(event_target_value(&ev))/>
                <p id="var-key-warning" class="field-note warning">{key_warning}</p>
            </Field>
            <Field id="var-source" label="Source" error=Signal::derive(field_error("source"))>
                <select id="var-source" aria-describedby="var-source-error" on:change=choose(source)>
                    {SourceKind::ALL
                        .iter()
                        .map(|s| view! { <option value=s.as_str() selected=move || source.get() == *s>{s.label()}</option> })
                        .collect_view()}
                </select>
            </Field>
            <Show when=move || source.get() == SourceKind::Plain>
                <Field id="var-value" label="Value" error=Signal::derive(field_error("value"))>
                    <input id="var-value" type=move || if sensitive.get() { "password" } else { "text" }
                        autocomplete="off" spellcheck="false"
                        placeholder=move || if was_sensitive && sensitive.get() { "Leave empty to keep the stored value" } else { "" }
                        aria-describedby="var-value-error" aria-invalid=move || field_error("value")().is_some().to_string()
                        prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                </Field>
                <div class="field checkbox">
                    <input id="var-sensitive" type="checkbox" aria-describedby="var-sensitive-note" prop:checked=move || sensitive.get()
                        on:change=move |ev| sensitive.set(event_target_checked(&ev))/>
                    <label for="var-sensitive">"Sensitive"</label>
                    <p id="var-sensitive-note" class="field-note">
                        "Encrypted at rest and never shown again, like a secret key: to change it, type a new value."
                    </p>
                </div>
            </Show>
            <Show when=move || source.get() == SourceKind::Secret>
                {move || {
                    if credentials.with_value(Vec::is_empty) {
                        view! {
                            <p class="field-note">
                                "This organization has no credential yet. "
                                <A href="/settings/secret-providers">"Add a Secret Provider Credential"</A>
                                " first, then come back."
                            </p>
                            <p class="field-error" role="alert">{field_error("credential")}</p>
                        }
                        .into_any()
                    } else {
                        view! {
                            <Field id="var-credential" label="Credential" error=Signal::derive(field_error("credential"))>
                                <select id="var-credential" aria-describedby="var-credential-error var-credential-delivery"
                                    on:change=move |ev| credential.set(event_target_value(&ev).parse::<CredentialId>().ok())>
                                    {credentials
                                        .get_value()
                                        .into_iter()
                                        .map(|c| {
                                            let option = c.id;
                                            let label = format!("{}{} ({})", c.name, if c.is_default { " (default)" } else { "" }, c.delivery.label());
                                            view! { <option value=c.id.to_string() selected=move || credential.get() == Some(option)>{label}</option> }
                                        })
                                        .collect_view()}
                                </select>
                                <p id="var-credential-delivery" class="field-note">
                                    {move || chosen().map(|c| view! { <span class="badge delivery" data-delivery=c.delivery.as_str()>{c.delivery.label()}</span> " " {c.delivery.explanation()} })}
                                </p>
                            </Field>
                        }
                        .into_any()
                    }
                }}
                <Field id="var-secret-name" label="Secret Name" error=Signal::derive(field_error("secret_name"))>
                    <SecretNameField
                        id="var-secret-name"
                        credential=Signal::derive(move || credential.get())
                        store=Signal::derive(move || chosen().map(|c| c.store))
                        value=secret_name
                        invalid=Signal::derive(move || field_error("secret_name")().is_some())
                    />
                </Field>
                <Field id="var-json-key" label="JSON Key" error=Signal::derive(field_error("json_key"))>
                    <input id="var-json-key" type="text" autocomplete="off" spellcheck="false"
                        placeholder="Optional: one top-level key of a JSON secret, such as password"
                        aria-describedby="var-json-key-error" aria-invalid=move || field_error("json_key")().is_some().to_string()
                        prop:value=move || json_key.get() on:input=move |ev| json_key.set(event_target_value(&ev))/>
                </Field>
            </Show>
        </FormCard>
    }
}

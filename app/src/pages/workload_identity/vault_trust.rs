//! The Vault side of a config: the `bao` commands (the same with `vault`) that make Vault trust
//! this organization's tokens, generated from its real issuer and UUID, with a copy button.
use leptos::prelude::*;
use vocabulary::vault::{AuthMount, KvMount, VaultLogin};

use super::api::vault_trust_setup;
use crate::components::{copy_button::CopyButton, loading::Loading};

/// A Vault config's fields as typed (or as saved, for a row's panel).
#[derive(Clone, Copy)]
pub struct VaultFields {
    pub address: RwSignal<String>,
    pub auth_mount: RwSignal<String>,
    pub role: RwSignal<String>,
    pub audience: RwSignal<String>,
    pub namespace: RwSignal<String>,
}

impl VaultFields {
    pub fn new(saved: Option<&VaultLogin>) -> Self {
        let text = |value: Option<String>| RwSignal::new(value.unwrap_or_default());
        Self {
            address: text(saved.map(|l| l.address.to_string())),
            auth_mount: RwSignal::new(saved.map_or(AuthMount::DEFAULT.to_owned(), |l| l.auth_mount.to_string())),
            role: text(saved.map(|l| l.role.to_string())),
            audience: text(saved.map(|l| l.audience.to_string())),
            namespace: text(saved.and_then(|l| l.namespace.as_ref().map(ToString::to_string))),
        }
    }

    /// Whether there is enough to fill the commands in: an address and a role.
    pub fn filled(&self) -> bool {
        !self.address.get().trim().is_empty() && !self.role.get().trim().is_empty()
    }
}

#[component]
pub fn VaultTrustPanel(fields: VaultFields) -> impl IntoView {
    let kv_mount = RwSignal::new(KvMount::DEFAULT.to_owned());
    let prefix = RwSignal::new(String::new());
    let setup = Resource::new(
        move || {
            (
                fields.address.get(),
                fields.auth_mount.get(),
                fields.role.get(),
                fields.audience.get(),
                fields.namespace.get(),
                kv_mount.get(),
                prefix.get(),
            )
        },
        |(address, auth_mount, role, audience, namespace, kv_mount, prefix)| {
            vault_trust_setup(
                address,
                Some(auth_mount),
                role,
                Some(audience),
                Some(namespace),
                Some(kv_mount),
                Some(prefix),
            )
        },
    );
    view! {
        <section class="trust-panel" aria-label="Vault setup">
            <h3>"Set up Vault for this role"</h3>
            <p class="hint">
                "Run these with an admin token in BAO_TOKEN (or VAULT_TOKEN; the vault CLI takes the same commands). They enable JWT auth with Wisp as its issuer, write a policy that reads the folder below, and a role bound to this organization's tokens."
            </p>
            <div class="field">
                <label for="vault-trust-kv">"Policy KV mount"</label>
                <input id="vault-trust-kv" type="text" placeholder=KvMount::DEFAULT
                    prop:value=move || kv_mount.get() on:change=move |ev| kv_mount.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="vault-trust-prefix">"Policy path prefix"</label>
                <input id="vault-trust-prefix" type="text" placeholder="teams/payments (empty: the whole mount)"
                    prop:value=move || prefix.get() on:change=move |ev| prefix.set(event_target_value(&ev))/>
            </div>
            <Transition fallback=|| view! { <Loading text="Preparing…"/> }>
                {move || setup.get().map(|result| match result {
                    Ok(setup) => view! {
                        <div class="policy-block">
                            <div class="policy-heading">
                                <h4>"Vault commands"</h4>
                                <CopyButton text=setup.commands.clone() label="Copy vault commands".to_owned()/>
                            </div>
                            <pre aria-label="Vault commands"><code>{setup.commands}</code></pre>
                        </div>
                    }
                    .into_any(),
                    Err(error) => view! { <p class="field-error" role="alert">{error.message.clone()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

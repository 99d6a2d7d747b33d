//! The AWS side of a config, generated from this organization's real values, each with a copy
//! button.
use leptos::prelude::*;
use vocabulary::aws::Region;

use super::{api::workload_identity_trust_setup, trust_for::TrustForSelect};
use crate::components::{copy_button::CopyButton, loading::Loading, warning_list::WarningList};

#[component]
pub fn TrustPanel(role_arn: Signal<String>, region: Signal<Region>, session_tags: Signal<bool>) -> impl IntoView {
    let prefix = RwSignal::new(String::new());
    let kms_key = RwSignal::new(String::new());
    let trust_for = RwSignal::new(None);
    let setup = Resource::new(
        move || (role_arn.get(), region.get(), prefix.get(), kms_key.get(), trust_for.get(), session_tags.get()),
        |(role_arn, region, secret_prefix, kms_key_arn, automation, session_tags)| {
            workload_identity_trust_setup(role_arn, region, secret_prefix, kms_key_arn, automation, Some(session_tags))
        },
    );
    view! {
        <section class="trust-panel" aria-label="AWS setup">
            <h3>"Set up AWS for this role"</h3>
            <p class="hint">
                "Register Wisp as an identity provider, then give the role this trust policy and permissions policy. Every value is this organization's own."
            </p>
            <TrustForSelect id="trust-for".to_owned() chosen=trust_for/>
            <div class="field">
                <label for="trust-prefix">"Secret name prefix"</label>
                <input id="trust-prefix" type="text" placeholder="prod/ (empty: every secret in the region)"
                    prop:value=move || prefix.get() on:change=move |ev| prefix.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="trust-kms">"KMS key ARN (optional)"</label>
                <input id="trust-kms" type="text" placeholder="Only for secrets encrypted with your own KMS key"
                    prop:value=move || kms_key.get() on:change=move |ev| kms_key.set(event_target_value(&ev))/>
            </div>
            <Transition fallback=|| view! { <Loading text="Preparing…"/> }>
                {move || setup.get().map(|result| match result {
                    Ok(setup) => view! {
                        {(!setup.issuer_warnings.is_empty()).then(|| view! { <p>"AWS will refuse this issuer until these are fixed:"</p> })}
                        <WarningList warnings=setup.issuer_warnings label="Issuer warnings"/>
                        <PolicyBlock title="Trust policy" text=setup.trust_policy/>
                        <PolicyBlock title="Permissions policy" text=setup.permissions_policy/>
                        <PolicyBlock title="AWS CLI commands" text=setup.cli_commands/>
                    }
                    .into_any(),
                    Err(error) => view! { <p class="field-error" role="alert">{error.message.clone()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn PolicyBlock(title: &'static str, text: String) -> impl IntoView {
    view! {
        <div class="policy-block">
            <div class="policy-heading">
                <h4>{title}</h4>
                <CopyButton text=text.clone() label=format!("Copy {}", title.to_lowercase())/>
            </div>
            <pre aria-label=title><code>{text}</code></pre>
        </div>
    }
}

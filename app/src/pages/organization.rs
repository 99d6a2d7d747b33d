use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::organization::organization_details,
    components::{copy_button::CopyButton, error_message::ErrorMessage},
};

#[component]
pub fn OrganizationPage() -> impl IntoView {
    let details = Resource::new(|| (), |_| organization_details());
    view! {
        <Title text="Organization"/>
        <h1>"Organization"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || {
                details.get().map(|result| match result {
                    Ok(org) => {
                        let id = org.id.to_string();
                        view! {
                            <dl class="facts">
                                <dt>"Name"</dt>
                                <dd>{org.name}</dd>
                                <dt id="org-uuid-label">"Organization UUID"</dt>
                                <dd>
                                    <code aria-labelledby="org-uuid-label">{id.clone()}</code>
                                    <CopyButton text=id label="Copy organization UUID"/>
                                    <p class="hint">
                                        "Cloud trust policies name this UUID in the token subject "
                                        <code>{format!("organization:{}", org.id)}</code>
                                        ", so only this organization's workers can assume the role."
                                    </p>
                                </dd>
                                <dt>"Issuer URL"</dt>
                                <dd>
                                    {match org.issuer_url {
                                        Some(url) => view! { <code>{url}</code> }.into_any(),
                                        None => view! {
                                            <span class="warning">
                                                "Not configured. The operator sets OIDC_ISSUER to the public https URL of this Wisp."
                                            </span>
                                        }.into_any(),
                                    }}
                                </dd>
                            </dl>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorMessage error/> }.into_any(),
                })
            }}
        </Suspense>
    }
}

//! Organization: its UUID (what trust policies name) and the state of Wisp's issuer.
pub mod api;

use leptos::prelude::*;
use leptos_meta::Title;
use vocabulary::{dto::organization::IssuerView, token::Subject};

use crate::components::{
    column_heads::ColumnHeads, copy_button::CopyButton, error_message::ErrorMessage, loading::Loading,
    warning_list::WarningList,
};

#[component]
pub fn OrganizationPage() -> impl IntoView {
    let details = Resource::new(|| (), |_| api::organization_details());
    view! {
        <Title text="Organization"/>
        <h1>"Organization"</h1>
        <Suspense fallback=|| view! { <Loading/> }>
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
                                        <code>{Subject::Organization(org.id).to_string()}</code>
                                        ", so only this organization's workers can assume the role."
                                    </p>
                                </dd>
                                <dt>"Issuer URL"</dt>
                                <dd>
                                    {match org.issuer.issuer.clone() {
                                        Some(url) => view! { <code>{url}</code> }.into_any(),
                                        None => view! { <span>"Not configured"</span> }.into_any(),
                                    }}
                                </dd>
                            </dl>
                            <IssuerPanel issuer=org.issuer/>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorMessage error/> }.into_any(),
                })
            }}
        </Suspense>
    }
}

/// The issuer's state, so an admin sees what AWS would otherwise report later.
#[component]
fn IssuerPanel(issuer: IssuerView) -> impl IntoView {
    view! {
        <section aria-labelledby="issuer-heading">
            <h2 id="issuer-heading">"OpenID Connect issuer"</h2>
            <WarningList warnings=issuer.warnings label="Issuer warnings"/>
            {match (issuer.discovery_url, issuer.jwks_url) {
                (Some(discovery), Some(jwks)) => view! {
                    <ul class="links">
                        <li><a href=discovery.clone() target="_blank" rel="noopener">"Discovery document"</a>" "<code>{discovery}</code></li>
                        <li><a href=jwks.clone() target="_blank" rel="noopener">"JWKS"</a>" "<code>{jwks}</code></li>
                    </ul>
                }.into_any(),
                _ => ().into_any(),
            }}
            {(!issuer.keys.is_empty()).then(|| view! {
                <table class="list" aria-label="Issuer keys">
                    <ColumnHeads columns=&["Key ID (kid)", "Algorithm", "State"]/>
                    <tbody>
                        {issuer.keys.into_iter().map(|key| view! {
                            <tr>
                                <td><code>{key.kid}</code></td>
                                <td>{key.alg.as_str()}</td>
                                <td>{if key.signing { "signing" } else { "published" }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

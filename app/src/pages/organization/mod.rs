//! Organization: its UUID (what trust policies name) and the state of Wisp's issuer.
pub mod api;

use leptos::prelude::*;
use leptos_meta::Title;
use vocabulary::{
    dto::organization::IssuerView,
    token::{KeyMode, Subject},
};

use crate::components::{
    column_heads::ColumnHeads, copy_button::CopyButton, error_message::ErrorMessage, loading::Loading,
    timestamp::Timestamp, warning_list::WarningList,
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
    let summary = rotation_summary(&issuer);
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
            <p class="hint">{summary}</p>
            {(!issuer.keys.is_empty()).then(|| view! {
                <table class="list" aria-label="Issuer keys">
                    <ColumnHeads columns=&["Key ID (kid)", "Algorithm", "State", "Published", "Signs from", "Stops signing", "Leaves the JWKS"]/>
                    <tbody>
                        {issuer.keys.into_iter().map(|key| view! {
                            <tr>
                                <td><code>{key.kid}</code></td>
                                <td>{key.alg.as_str()}</td>
                                <td>{key.state.describe()}</td>
                                <td><MaybeTime at=key.published_at/></td>
                                <td><MaybeTime at=key.active_from/></td>
                                <td><MaybeTime at=key.retired_at/></td>
                                <td><MaybeTime at=key.removed_after/></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

/// How this issuer's keys change, in a sentence.
fn rotation_summary(issuer: &IssuerView) -> String {
    match (issuer.mode, issuer.rotation_period.as_deref(), issuer.next_rotation.as_deref()) {
        (KeyMode::Pinned, _, _) => {
            "The signing key is pinned by OIDC_PRIVATE_KEY: it changes only when an operator changes it. `wisp keys import` hands it to Wisp, which then rotates keys by itself.".to_owned()
        }
        (KeyMode::Managed, Some("off"), _) | (KeyMode::Managed, None, _) => {
            "Wisp manages the signing keys; automatic rotation is off, so `wisp keys rotate` replaces the active key.".to_owned()
        }
        (KeyMode::Managed, Some(period), Some(next)) => format!(
            "Wisp manages the signing keys and replaces the active one every {period}; the next rotation is at {}. The next key is published well before it signs, so relying parties that cache the JWKS never miss it.",
            next.replace('T', " ").replace('Z', " UTC")
        ),
        (KeyMode::Managed, Some(period), None) => {
            format!("Wisp manages the signing keys and replaces the active one every {period}.")
        }
    }
}

/// A time, or a dash when there is none.
#[component]
fn MaybeTime(at: Option<String>) -> impl IntoView {
    match at {
        Some(at) => view! { <Timestamp at/> }.into_any(),
        None => view! { <span aria-label="none">"–"</span> }.into_any(),
    }
}

//! The frame of every signed-in page (Automations and Settings): the member's organization,
//! navigation by what they may open, and sign-out.
pub mod api;

use leptos::{prelude::*, server_fn::ServerFn, task::spawn_local};
use leptos_router::{
    components::{A, Outlet, Redirect},
    hooks::use_location,
};
use vocabulary::{
    ErrorCode,
    access::{self, Permission},
    dto::session::SessionInfo,
};

use crate::{
    HOME_PATH,
    components::{error_message::ErrorMessage, loading::Loading},
    error::AppError,
    login_path,
    pages::login::api::{Logout, LogoutEverywhere},
};

/// Only for signed-in members (the server redirects anyone else before rendering); shares
/// [`SessionInfo`] with the pages inside.
#[component]
pub fn SignedInLayout() -> impl IntoView {
    let info = Resource::new(|| (), |_| api::current_session());
    let location = use_location();
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || {
                info.get()
                    .map(|result| match result {
                        Ok(info) => view! { <SignedIn info/> }.into_any(),
                        // The session ended while the page was open.
                        Err(error) if error.code == ErrorCode::Unauthenticated => {
                            let here = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
                            view! { <Redirect path=login_path(&here)/> }.into_any()
                        }
                        Err(error) => view! { <main class="page"><ErrorMessage error/></main> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
fn SignedIn(info: SessionInfo) -> impl IntoView {
    provide_context(info.clone());
    let can = |resource| info.can(Permission::read(resource));
    let (automations, workload_identity, credentials, members, audit_log) = (
        can(access::Resource::Automations),
        can(access::Resource::WorkloadIdentityConfigs),
        can(access::Resource::SecretProviders),
        can(access::Resource::Members),
        can(access::Resource::AuditLog),
    );
    view! {
        <header class="topbar">
            <a class="brand" href=HOME_PATH>"Wisp"</a>
            <OrgSwitcher info=info.clone()/>
            // The rarer control waits behind the user's name, so "Sign out" is the only one in view.
            <details class="who">
                <summary>{info.email.clone()}</summary>
                <div class="account-menu">
                    <p class="hint">"Ends your sessions on every device and browser."</p>
                    <form action=LogoutEverywhere::url() method="post">
                        <button type="submit" class="secondary">"Sign out everywhere"</button>
                    </form>
                </div>
            </details>
            // Plain forms: signing out loads the sign-in page afresh, with nothing of the session
            // left in the browser, and the shared bundle carries no form-reading code for them.
            <form action=Logout::url() method="post" class="inline">
                <button type="submit" class="secondary">"Sign out"</button>
            </form>
        </header>
        <div class="layout">
            <div class="sidebar">
            {automations.then(|| view! {
                <nav aria-label="Automations">
                    <ul class="nav-top">
                        <li><A href="/automations">"Automations"</A></li>
                    </ul>
                </nav>
            })}
            <nav aria-label="Settings">
                <p class="nav-title">"Settings"</p>
                <ul>
                    {workload_identity.then(|| view! { <li><A href="/settings/workload-identity">"Workload Identity"</A></li> })}
                    {credentials.then(|| view! { <li><A href="/settings/secret-providers">"Secret Provider Credentials"</A></li> })}
                    {members.then(|| view! { <li><A href="/settings/members">"Members"</A></li> })}
                    <li><A href="/settings/organization">"Organization"</A></li>
                    {audit_log.then(|| view! { <li><A href="/settings/audit-log">"Audit Log"</A></li> })}
                </ul>
            </nav>
            </div>
            <main class="page">
                <Outlet/>
            </main>
        </div>
    }
}

/// Whether the signed-in member holds `permission` in the active organization, for pages to
/// hide what cannot be used.
pub fn member_can(permission: Permission) -> bool {
    use_context::<SessionInfo>().is_some_and(|info| info.can(permission))
}

#[component]
fn OrgSwitcher(info: SessionInfo) -> impl IntoView {
    let (error, set_error) = signal(None::<AppError>);
    let current = info.org.id;
    if info.orgs.len() < 2 {
        return view! { <span class="org-name">{info.org.name}</span> }.into_any();
    }
    let switch = move |ev| {
        let Ok(org_id) = event_target_value(&ev).parse() else { return };
        spawn_local(async move {
            match api::switch_organization(org_id).await {
                // Every page's data belongs to the organization: load them all afresh.
                Ok(()) => {
                    let _ = window().location().assign(HOME_PATH);
                }
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    view! {
        <select class="org-switcher" aria-label="Organization" on:change=switch>
            {info
                .orgs
                .into_iter()
                .map(|org| {
                    view! {
                        <option value=org.id.to_string() selected=org.id == current>
                            {format!("{} ({})", org.name, org.role)}
                        </option>
                    }
                })
                .collect_view()}
        </select>
        {move || error.get().map(|error| view! { <ErrorMessage error/> })}
    }
    .into_any()
}

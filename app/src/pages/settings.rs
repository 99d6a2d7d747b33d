use leptos::{prelude::*, task::spawn_local};
use leptos_router::components::{A, Outlet, Redirect};

use crate::{
    api::session::{Logout, SessionInfo, current_session, switch_organization},
    components::error_message::ErrorMessage,
    error::AppError,
};

/// Frame of every Settings page: only for signed-in members; shares [`SessionInfo`] with them.
#[component]
pub fn SettingsLayout() -> impl IntoView {
    let info = Resource::new(|| (), |_| current_session());
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || {
                info.get()
                    .map(|result| match result {
                        Ok(info) => view! { <SignedIn info/> }.into_any(),
                        Err(AppError::Unauthenticated) => view! { <Redirect path="/login"/> }.into_any(),
                        Err(error) => view! { <main class="page"><ErrorMessage error/></main> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
fn SignedIn(info: SessionInfo) -> impl IntoView {
    provide_context(info.clone());
    let logout = ServerAction::<Logout>::new();
    let can = info.can;
    view! {
        <header class="topbar">
            <a class="brand" href="/settings/organization">"Wisp"</a>
            <OrgSwitcher info=info.clone()/>
            <span class="who">{info.email.clone()}</span>
            <ActionForm action=logout attr:class="inline">
                <button type="submit" class="secondary">"Sign out"</button>
            </ActionForm>
        </header>
        <div class="layout">
            <nav class="sidebar" aria-label="Settings">
                <p class="nav-title">"Settings"</p>
                <ul>
                    <Show when=move || can.workload_identity_read>
                        <li><A href="/settings/workload-identity">"Workload Identity"</A></li>
                    </Show>
                    <Show when=move || can.members_read>
                        <li><A href="/settings/members">"Members"</A></li>
                    </Show>
                    <li><A href="/settings/organization">"Organization"</A></li>
                </ul>
            </nav>
            <main class="page">
                <Outlet/>
            </main>
        </div>
    }
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
            match switch_organization(org_id).await {
                // Every page's data belongs to the organization: load them all afresh.
                Ok(()) => {
                    let _ = window().location().assign("/settings/organization");
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

//! Wisp's user interface: rendered on the server, hydrated in the browser.
#![recursion_limit = "256"]
pub mod api;
#[cfg(feature = "ssr")]
pub mod auth;
mod components;
pub mod error;
mod pages;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    components::{ParentRoute, Redirect, Route, Router, Routes},
    path,
};

use pages::{
    login::LoginPage, members::MembersPage, not_found::NotFound, organization::OrganizationPage,
    settings::SettingsLayout, workload_identity::WorkloadIdentityPage,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser: this marks the moment the page became interactive,
    // which the browser tests wait for.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/wisp.css"/>
        <Title formatter=|page: String| if page.is_empty() { "Wisp".to_owned() } else { format!("{page} · Wisp") }/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=|| view! { <Redirect path="/settings/organization"/> }/>
                <Route path=path!("/login") view=LoginPage/>
                <ParentRoute path=path!("/settings") view=SettingsLayout>
                    <Route path=path!("") view=|| view! { <Redirect path="/settings/organization"/> }/>
                    <Route path=path!("organization") view=OrganizationPage/>
                    <Route path=path!("members") view=MembersPage/>
                    <Route path=path!("workload-identity") view=WorkloadIdentityPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

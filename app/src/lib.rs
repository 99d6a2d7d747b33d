//! Wisp's user interface: rendered on the server, hydrated in the browser.
#![recursion_limit = "256"]
#[cfg(feature = "ssr")]
pub mod access_matrix;
#[cfg(feature = "ssr")]
pub mod auth;
mod codec;
mod components;
pub mod error;
mod pages;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
mod views;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{ParentRoute, Redirect, Route, Router, Routes},
    path,
};

use pages::{
    audit_log::AuditLogPage,
    automations::{AutomationPage, AutomationsPage},
    login::LoginPage,
    members::MembersPage,
    not_found::NotFound,
    organization::OrganizationPage,
    secret_providers::SecretProvidersPage,
    settings::SignedInLayout,
    workload_identity::WorkloadIdentityPage,
};

/// Where a signed-in user starts, and where `/` leads.
pub const HOME_PATH: &str = "/settings/organization";
pub const LOGIN_PATH: &str = "/login";

/// The sign-in page, returning to `next` (a path on this site) afterwards. Slashes stay
/// readable; everything that could end or split the query is escaped.
pub fn login_path(next: &str) -> String {
    let mut escaped = String::with_capacity(next.len());
    for byte in next.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            escaped.push(char::from(byte));
        } else {
            escaped.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("{LOGIN_PATH}?next={escaped}")
}

/// The file name of the site's stylesheet under the package folder: content-hashed by the build,
/// provided by the server through context.
#[derive(Clone, Debug)]
pub struct StylesheetName(pub String);

/// The page's frame, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let name = use_context::<StylesheetName>().map_or_else(|| format!("{}.css", options.output_name), |s| s.0);
    let stylesheet = format!("/{}/{name}", options.site_pkg_dir);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href=stylesheet/>
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
        <Title formatter=|page: String| if page.is_empty() { "Wisp".to_owned() } else { format!("{page} · Wisp") }/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=|| view! { <Redirect path=HOME_PATH/> }/>
                <Route path=path!("/login") view=LoginPage/>
                // In order: each page arrives whole, readable before (or without) the bundle.
                <ParentRoute path=path!("/automations") view=SignedInLayout ssr=SsrMode::InOrder>
                    <Route path=path!("") view=AutomationsPage/>
                    <Route path=path!(":id") view=AutomationPage/>
                </ParentRoute>
                <ParentRoute path=path!("/settings") view=SignedInLayout ssr=SsrMode::InOrder>
                    <Route path=path!("") view=|| view! { <Redirect path=HOME_PATH/> }/>
                    <Route path=path!("organization") view=OrganizationPage/>
                    <Route path=path!("members") view=MembersPage/>
                    <Route path=path!("workload-identity") view=WorkloadIdentityPage/>
                    <Route path=path!("secret-providers") view=SecretProvidersPage/>
                    <Route path=path!("audit-log") view=AuditLogPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

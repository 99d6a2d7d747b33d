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
    Lazy, SsrMode,
    components::{ParentRoute, Redirect, Route, Router, Routes},
    path,
};

use pages::{not_found::NotFound, settings::SignedInLayout};

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

/// The published (content-named) files the page links to, under the package folder; provided by
/// the server through context from what the build wrote.
#[derive(Clone, Debug)]
pub struct Assets {
    pub stylesheet: String,
    /// The sign-in page's one script, which it runs instead of the WebAssembly bundle; without
    /// it (a site cargo-leptos built) the sign-in page loads the bundle like every other page.
    pub sign_in_script: Option<String>,
}

impl Default for Assets {
    /// cargo-leptos's names, for a site built without the workspace's bundler.
    fn default() -> Self {
        Self { stylesheet: "wisp.css".to_owned(), sign_in_script: None }
    }
}

/// The page's frame, rendered on the server only. The sign-in page goes without the bundle: it
/// is the first page of every visit and works as a plain form.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos::either::Either;

    let assets = use_context::<Assets>().unwrap_or_default();
    let pkg = format!("/{}", options.site_pkg_dir);
    let stylesheet = format!("{pkg}/{}", assets.stylesheet);
    let on_sign_in = use_context::<http::request::Parts>().is_some_and(|request| request.uri.path() == LOGIN_PATH);
    let scripts = if let Some(script) = assets.sign_in_script.filter(|_| on_sign_in) {
        Either::Left(view! { <script type="module" src=format!("{pkg}/{script}")></script> })
    } else {
        Either::Right(view! { <HydrationScripts options/> })
    };
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href=stylesheet/>
                {scripts}
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
    view! {
        <Title formatter=|page: String| if page.is_empty() { "Wisp".to_owned() } else { format!("{page} · Wisp") }/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=|| view! { <Redirect path=HOME_PATH/> }/>
                <Route path=path!("/login") view={Lazy::<pages::Login>::new()}/>
                // In order: each page arrives whole, readable before (or without) the bundle.
                <ParentRoute path=path!("/automations") view=SignedInLayout ssr=SsrMode::InOrder>
                    <Route path=path!("") view={Lazy::<pages::Automations>::new()}/>
                    <Route path=path!(":id") view={Lazy::<pages::Automation>::new()}/>
                </ParentRoute>
                <ParentRoute path=path!("/settings") view=SignedInLayout ssr=SsrMode::InOrder>
                    <Route path=path!("") view=|| view! { <Redirect path=HOME_PATH/> }/>
                    <Route path=path!("organization") view={Lazy::<pages::Organization>::new()}/>
                    <Route path=path!("members") view={Lazy::<pages::Members>::new()}/>
                    <Route path=path!("workload-identity") view={Lazy::<pages::WorkloadIdentity>::new()}/>
                    <Route path=path!("secret-providers") view={Lazy::<pages::SecretProviders>::new()}/>
                    <Route path=path!("audit-log") view={Lazy::<pages::AuditLog>::new()}/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

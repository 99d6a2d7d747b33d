//! One folder per page: its view, and in `api` the server functions it calls.
pub mod audit_log;
pub mod automations;
pub mod login;
pub mod members;
pub mod not_found;
pub mod organization;
pub mod secret_providers;
pub mod settings;
pub mod workload_identity;

use leptos::prelude::*;

/// Each page is a lazy route: the build moves its code (view, resources, server-function calls)
/// into a chunk of its own, which the browser loads when the page is first shown. The layout,
/// the navigation and the error pages stay in the shared part.
macro_rules! lazy_pages {
    ($($route:ident => $page:path),* $(,)?) => {$(
        pub struct $route;

        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    )*};
}

lazy_pages! {
    Login => login::LoginPage,
    Organization => organization::OrganizationPage,
    Members => members::MembersPage,
    WorkloadIdentity => workload_identity::WorkloadIdentityPage,
    SecretProviders => secret_providers::SecretProvidersPage,
    AuditLog => audit_log::AuditLogPage,
    Automations => automations::AutomationsPage,
    Automation => automations::AutomationPage,
}

//! Every server function and API route with what a caller needs to get through: the one table
//! the access-matrix test walks as every kind of caller, and the README's route table is checked
//! against. A server function missing here fails `every_registered_server_function_is_listed`.
use vocabulary::access::{
    Permission,
    Resource::{AuditLog, Automations, Members, Organization, SecretProviders, WorkloadIdentityConfigs},
};

/// What a caller needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// Anyone: signing in, the issuer's public documents, the probes.
    Nobody,
    /// A signed-in user, whatever their role: their own session.
    SignedIn,
    /// A member holding every one of these in the active organization.
    All(&'static [Permission]),
    /// A deployment's bearer token (the worker API).
    DeploymentToken,
    /// A deployment's bearer token, or the run token a kickoff handed its run.
    WorkerToken,
}

impl Needs {
    /// A bearer token of the worker API rather than a session.
    pub fn is_bearer(self) -> bool {
        matches!(self, Needs::DeploymentToken | Needs::WorkerToken)
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub needs: Needs,
}

const fn server_fn(endpoint: &'static str, needs: Needs) -> Route {
    Route { method: "POST", path: endpoint, needs }
}

/// Server functions by their path under `/api/`; HTTP routes by their full path.
pub const ROUTES: &[Route] = &[
    server_fn("login", Needs::Nobody),
    server_fn("logout", Needs::Nobody),
    server_fn("logout_everywhere", Needs::SignedIn),
    server_fn("session", Needs::All(&[Permission::read(Organization)])),
    server_fn("switch_organization", Needs::SignedIn),
    server_fn("organization", Needs::All(&[Permission::read(Organization)])),
    server_fn("members/list", Needs::All(&[Permission::read(Members)])),
    server_fn("members/change_role", Needs::All(&[Permission::manage(Members)])),
    server_fn("members/remove", Needs::All(&[Permission::manage(Members)])),
    server_fn("workload_identity/list", Needs::All(&[Permission::read(WorkloadIdentityConfigs)])),
    server_fn("workload_identity/create", Needs::All(&[Permission::manage(WorkloadIdentityConfigs)])),
    server_fn("workload_identity/update", Needs::All(&[Permission::manage(WorkloadIdentityConfigs)])),
    server_fn("workload_identity/make_default", Needs::All(&[Permission::manage(WorkloadIdentityConfigs)])),
    server_fn("workload_identity/delete", Needs::All(&[Permission::manage(WorkloadIdentityConfigs)])),
    server_fn("workload_identity/trust_setup", Needs::All(&[Permission::read(WorkloadIdentityConfigs)])),
    server_fn("workload_identity/vault_trust", Needs::All(&[Permission::read(WorkloadIdentityConfigs)])),
    server_fn("workload_identity/test_connection", Needs::All(&[Permission::read(WorkloadIdentityConfigs)])),
    server_fn("workload_identity/aws_diagnose", Needs::All(&[Permission::manage(WorkloadIdentityConfigs)])),
    server_fn("workload_identity/aws_setup", Needs::All(&[Permission::manage(WorkloadIdentityConfigs)])),
    server_fn(
        "secret_providers/list",
        Needs::All(&[Permission::read(SecretProviders), Permission::read(WorkloadIdentityConfigs)]),
    ),
    server_fn("secret_providers/create", Needs::All(&[Permission::manage(SecretProviders)])),
    server_fn("secret_providers/update", Needs::All(&[Permission::manage(SecretProviders)])),
    server_fn("secret_providers/make_default", Needs::All(&[Permission::manage(SecretProviders)])),
    server_fn("secret_providers/delete", Needs::All(&[Permission::manage(SecretProviders)])),
    server_fn("secret_providers/test_connection", Needs::All(&[Permission::read(SecretProviders)])),
    server_fn("automations/list", Needs::All(&[Permission::read(Automations)])),
    server_fn("automations/create", Needs::All(&[Permission::manage(Automations)])),
    server_fn("automations/rename", Needs::All(&[Permission::manage(Automations)])),
    server_fn("automations/run_role", Needs::All(&[Permission::manage(Automations)])),
    server_fn("automations/delete", Needs::All(&[Permission::manage(Automations)])),
    server_fn("automations/get", Needs::All(&[Permission::read(Automations), Permission::read(SecretProviders)])),
    server_fn("automations/variables/add", Needs::All(&[Permission::manage(Automations)])),
    server_fn("automations/variables/update", Needs::All(&[Permission::manage(Automations)])),
    server_fn("automations/variables/delete", Needs::All(&[Permission::manage(Automations)])),
    server_fn("automations/variables/import", Needs::All(&[Permission::manage(Automations)])),
    server_fn(
        "automations/secret_names",
        Needs::All(&[Permission::manage(Automations), Permission::read(SecretProviders)]),
    ),
    server_fn("automations/deploy", Needs::All(&[Permission::manage(Automations)])),
    server_fn("automations/deployments", Needs::All(&[Permission::read(Automations)])),
    server_fn("automations/revoke_token", Needs::All(&[Permission::manage(Automations)])),
    server_fn("automations/kickoffs", Needs::All(&[Permission::read(Automations)])),
    server_fn("audit_log/list", Needs::All(&[Permission::read(AuditLog)])),
    Route { method: "POST", path: "/api/v1/kickoffs", needs: Needs::DeploymentToken },
    Route { method: "POST", path: "/api/v1/id-tokens", needs: Needs::WorkerToken },
    Route { method: "GET", path: "/api/v1/openapi.json", needs: Needs::Nobody },
    Route { method: "GET", path: "/.well-known/openid-configuration", needs: Needs::Nobody },
    Route { method: "GET", path: "/oauth2/jwks", needs: Needs::Nobody },
    Route { method: "GET", path: "/healthz", needs: Needs::Nobody },
    Route { method: "GET", path: "/readyz", needs: Needs::Nobody },
    Route { method: "GET", path: "/metrics", needs: Needs::Nobody },
];

impl Route {
    /// Where a client sends it: server functions live under `/api/`.
    pub fn url_path(&self) -> String {
        if self.path.starts_with('/') { self.path.to_owned() } else { format!("/api/{}", self.path) }
    }

    /// How the README's route table spells what it needs.
    pub fn needs_text(&self) -> String {
        match self.needs {
            Needs::Nobody => "anyone".to_owned(),
            Needs::SignedIn => "signed in".to_owned(),
            Needs::DeploymentToken => "deployment token".to_owned(),
            Needs::WorkerToken => "deployment token or run token".to_owned(),
            Needs::All(permissions) => permissions.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(" and "),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_registered_server_function_is_listed_and_nothing_else() {
        let registered: BTreeSet<String> =
            leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_owned()).collect();
        let listed: BTreeSet<String> =
            ROUTES.iter().filter(|r| !r.path.starts_with('/')).map(Route::url_path).collect();
        let unlisted: Vec<_> = registered.difference(&listed).collect();
        let stale: Vec<_> = listed.difference(&registered).collect();
        assert!(unlisted.is_empty(), "server functions without a row in ROUTES: {unlisted:?}");
        assert!(stale.is_empty(), "rows in ROUTES for no server function: {stale:?}");
    }

    /// The README's route table is this table, row for row.
    #[test]
    fn the_readme_lists_every_route_with_what_it_needs() {
        let readme = include_str!("../../README.md");
        for route in ROUTES {
            let row = format!("| `{} {}` | {} |", route.method, route.url_path(), route.needs_text());
            assert!(readme.contains(&row), "the README's route table lacks {row}");
        }
    }
}

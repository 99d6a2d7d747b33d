//! The access matrix: every route of `app::access_matrix::ROUTES` called as anonymous, viewer,
//! developer, admin and owner of Acme, and as the owner of another organization, each answer
//! checked against what the route needs and what the role holds (the casbin policy behind the
//! README's role table): 401 without a session, 403 without the permission, 404 for another
//! organization's object, 2xx otherwise. A route without a request here fails the test.
use app::access_matrix::{Needs, ROUTES, Route};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use service::{access::AccessControl, testing::TestDatabase};
use vocabulary::{access::Role, ids::OrgId};

use crate::common::{PASSWORD, Server, add_member, answer, create_org, free_port};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    Anonymous,
    Outsider,
    Member(Role),
}

const CALLERS: [Caller; 6] = [
    Caller::Anonymous,
    Caller::Outsider,
    Caller::Member(Role::Viewer),
    Caller::Member(Role::Developer),
    Caller::Member(Role::Admin),
    Caller::Member(Role::Owner),
];

/// Acme's objects, made by its owner; destructive calls get fresh ones.
struct Acme<'a> {
    server: &'a Server,
    db: &'a TestDatabase,
    org: String,
    owner: Client,
    config: String,
    credential: String,
    automation: String,
    variable: String,
    token: String,
    made: usize,
}

impl Acme<'_> {
    async fn call(&self, endpoint: &str, body: Value) -> Value {
        let (status, answer) = self.server.call_json(&self.owner, endpoint, body).await;
        assert!(status.is_success(), "setting up {endpoint}: {status} {answer}");
        answer
    }

    fn unique(&mut self, prefix: &str) -> String {
        self.made += 1;
        format!("{prefix}-{}", self.made)
    }

    async fn fresh_config(&mut self) -> String {
        let name = self.unique("config");
        let body = json!({ "name": name, "provider": "aws", "role_arn": "arn:aws:iam::123456789012:role/r", "region": "us-east-1" });
        self.call("workload_identity/create", body).await["id"].as_str().unwrap().to_owned()
    }

    async fn fresh_credential(&mut self) -> String {
        let name = self.unique("credential");
        self.call("secret_providers/create", credential(&name)).await["id"].as_str().unwrap().to_owned()
    }

    async fn fresh_automation(&mut self) -> String {
        let name = self.unique("automation");
        self.call("automations/create", json!({ "name": name })).await.as_str().unwrap().to_owned()
    }

    async fn fresh_variable(&mut self) -> String {
        let key = self.unique("KEY").replace('-', "_");
        let body = json!({ "automation": self.automation, "key": key, "source": "plain", "value": "v" });
        self.call("automations/variables/add", body).await["id"].as_str().unwrap().to_owned()
    }

    async fn fresh_deployment(&mut self) -> String {
        let deployed = self.call("automations/deploy", json!({ "automation": self.automation })).await;
        deployed["deployment"]["id"].as_str().unwrap().to_owned()
    }

    fn fresh_member(&mut self) -> String {
        let email = format!("{}@acme.test", self.unique("member"));
        add_member(self.db, &self.org, &email, "viewer");
        email
    }
}

fn credential(name: &str) -> Value {
    json!({
        "name": name, "provider": "aws_secrets_manager", "auth_method": "static_keys",
        "access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "role_arn": "", "external_id": "", "region": "us-east-1",
    })
}

/// The request for `route`, and whether it names one of Acme's objects (another organization
/// then gets 404). Destructive requests get objects of their own.
async fn request(
    acme: &mut Acme<'_>,
    route: &Route,
    own_org: &str,
    user_id: impl AsyncFnOnce(&str) -> String,
) -> (Value, bool) {
    let role_arn = "arn:aws:iam::123456789012:role/r";
    match route.path {
        "login" => (json!({ "email": "owner@acme.test", "password": PASSWORD }), false),
        "logout"
        | "logout_everywhere"
        | "session"
        | "organization"
        | "members/list"
        | "workload_identity/list"
        | "secret_providers/list"
        | "automations/list"
        | "audit_log/list" => (json!({}), false),
        "switch_organization" => (json!({ "org_id": own_org }), false),
        "members/change_role" => {
            let email = acme.fresh_member();
            (json!({ "user_id": user_id(&email).await, "role": "developer" }), true)
        }
        "members/remove" => {
            let email = acme.fresh_member();
            (json!({ "user_id": user_id(&email).await }), true)
        }
        "workload_identity/create" => (
            json!({ "name": acme.unique("new-config"), "provider": "aws", "role_arn": role_arn, "region": "us-east-1" }),
            false,
        ),
        "workload_identity/update" => (
            json!({ "id": acme.config, "name": "config", "provider": "aws", "role_arn": role_arn, "region": "us-east-1", "set_default": false }),
            true,
        ),
        "workload_identity/make_default" | "workload_identity/test_connection" => (json!({ "id": acme.config }), true),
        "workload_identity/delete" => (json!({ "id": acme.fresh_config().await }), true),
        "workload_identity/aws_diagnose" | "workload_identity/aws_setup" => (
            json!({ "id": acme.config, "access_key_id": "ASIAIOSFODNN7EXAMPLE", "secret_access_key": "s",
                "session_token": "t", "apply": false }),
            true,
        ),
        "workload_identity/trust_setup" => {
            (json!({ "role_arn": role_arn, "region": "us-east-1", "secret_prefix": "", "kms_key_arn": "" }), false)
        }
        "workload_identity/vault_trust" => (
            json!({ "vault_address": "https://vault.example.com:8200", "vault_role": "wisp", "prefix": "teams/a" }),
            false,
        ),
        "secret_providers/create" => (credential(&acme.unique("new-credential")), false),
        "secret_providers/update" => {
            let mut body = credential("credential");
            body["id"] = acme.credential.clone().into();
            body["set_default"] = false.into();
            (body, true)
        }
        "secret_providers/make_default" | "secret_providers/test_connection" => {
            (json!({ "id": acme.credential }), true)
        }
        "secret_providers/delete" => (json!({ "id": acme.fresh_credential().await }), true),
        "automations/create" => (json!({ "name": acme.unique("new-automation") }), false),
        "automations/rename" => (json!({ "id": acme.automation, "name": acme.unique("renamed") }), true),
        "automations/delete" => (json!({ "id": acme.fresh_automation().await }), true),
        "automations/get" => (json!({ "id": acme.automation }), true),
        "automations/run_role" => (json!({ "automation": acme.automation, "config": null }), true),
        "automations/variables/add" => {
            let key = acme.unique("ADDED").replace('-', "_");
            (json!({ "automation": acme.automation, "key": key, "source": "plain", "value": "v" }), true)
        }
        "automations/variables/update" => {
            (json!({ "id": acme.variable, "key": "EDITED", "source": "plain", "value": "v" }), true)
        }
        "automations/variables/delete" => (json!({ "id": acme.fresh_variable().await }), true),
        "automations/variables/import" => {
            let key = acme.unique("IMPORTED").replace('-', "_");
            (json!({ "automation": acme.automation, "text": format!("{key}=1") }), true)
        }
        "automations/secret_names" => (json!({ "credential": acme.credential, "query": "a" }), true),
        "automations/deploy" | "automations/deployments" | "automations/kickoffs" => {
            (json!({ "automation": acme.automation }), true)
        }
        "automations/revoke_token" => (json!({ "deployment": acme.fresh_deployment().await }), true),
        "/api/v1/kickoffs" => (json!({}), false),
        "/api/v1/id-tokens" => (json!({ "audience": "https://vault.example.com" }), false),
        "/api/v1/openapi.json"
        | "/.well-known/openid-configuration"
        | "/oauth2/jwks"
        | "/healthz"
        | "/readyz"
        | "/metrics" => (Value::Null, false),
        other => panic!("{other} is in ROUTES but this test has no request for it: add one"),
    }
}

/// What `caller` should get from `route`.
fn expected(access: &AccessControl, route: &Route, caller: Caller, names_acme_object: bool) -> Result<(), StatusCode> {
    match (route.needs, caller) {
        (Needs::Nobody, _) => Ok(()),
        // The worker API ignores sessions: a token opens it, and the test always sends Acme's.
        (Needs::DeploymentToken | Needs::WorkerToken, Caller::Anonymous) => Err(StatusCode::UNAUTHORIZED),
        (Needs::DeploymentToken | Needs::WorkerToken, _) => Ok(()),
        (_, Caller::Anonymous) => Err(StatusCode::UNAUTHORIZED),
        (Needs::SignedIn, _) => Ok(()),
        (Needs::All(_), Caller::Outsider) if names_acme_object => Err(StatusCode::NOT_FOUND),
        (Needs::All(_), Caller::Outsider) => Ok(()),
        (Needs::All(permissions), Caller::Member(role)) => {
            // The organization does not matter to the built-in roles' policy.
            let org = OrgId::from(uuid::Uuid::nil());
            if permissions.iter().all(|p| access.allows(role, org, *p)) { Ok(()) } else { Err(StatusCode::FORBIDDEN) }
        }
    }
}

#[tokio::test]
async fn every_route_answers_every_caller_as_the_access_table_says() {
    let db = TestDatabase::new().await;
    let org = create_org(&db, "acme");
    let other_org = create_org(&db, "other");
    for role in ["admin", "developer", "viewer"] {
        add_member(&db, &org, &format!("{role}@acme.test"), role);
    }
    let key = crate::issuer::keygen(&db, "es256");
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let server =
        Server::start_on(&db, port, &[("OIDC_ISSUER", issuer.as_str()), ("OIDC_PRIVATE_KEY", key.as_str())]).await;
    let access = AccessControl::new().await.unwrap();

    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let mut acme = Acme {
        server: &server,
        db: &db,
        org: org.clone(),
        owner,
        config: String::new(),
        credential: String::new(),
        automation: String::new(),
        variable: String::new(),
        token: String::new(),
        made: 0,
    };
    acme.config = acme.fresh_config().await;
    acme.credential = acme.fresh_credential().await;
    acme.automation = acme.fresh_automation().await;
    acme.variable = acme.fresh_variable().await;
    acme.token = acme.call("automations/deploy", json!({ "automation": acme.automation })).await["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut checked = 0;
    let mut wrong = Vec::new();
    for caller in CALLERS {
        let (email, own_org) = match caller {
            Caller::Anonymous => (None, org.clone()),
            Caller::Outsider => (Some("owner@other.test".to_owned()), other_org.clone()),
            Caller::Member(role) => (Some(format!("{role}@acme.test")), org.clone()),
        };
        for route in ROUTES {
            // A session-ending call gets a session of its own, so the caller's stays for the rest.
            let client = match &email {
                Some(email) => server.signed_in(email, PASSWORD).await,
                None => server.client(),
            };
            let owner_client = acme.owner.clone();
            let user_id = async |email: &str| {
                let (_, members) = server.call_json(&owner_client, "members/list", json!({})).await;
                let member = members.as_array().unwrap().iter().find(|m| m["email"] == email).unwrap();
                member["user_id"].as_str().unwrap().to_owned()
            };
            let (body, names_acme_object) = request(&mut acme, route, &own_org, user_id).await;
            let response = match route.method {
                "GET" => client.get(format!("{}{}", server.base, route.url_path())).send().await.unwrap(),
                _ if route.needs.is_bearer() => {
                    let request =
                        reqwest::Client::new().post(format!("{}{}", server.base, route.url_path())).json(&body);
                    let request = if caller == Caller::Anonymous { request } else { request.bearer_auth(&acme.token) };
                    request.send().await.unwrap()
                }
                _ => server.post(&client, route.path).json(&body).send().await.unwrap(),
            };
            let (status, answer) = answer(response).await;
            if route.path == "logout_everywhere" && caller == Caller::Member(Role::Owner) {
                // It ended the owner's set-up session too.
                acme.owner = server.signed_in("owner@acme.test", PASSWORD).await;
            }
            let verdict = match expected(&access, route, caller, names_acme_object) {
                Ok(()) if status.is_success() => None,
                Err(expected) if status == expected => None,
                expected => Some(format!(
                    "{} {} as {caller:?}: expected {expected:?}, got {status} {answer}",
                    route.method, route.path
                )),
            };
            wrong.extend(verdict);
            checked += 1;
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {checked} answers differ from the access table:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(checked, ROUTES.len() * CALLERS.len());
}

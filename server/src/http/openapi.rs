//! The worker API's OpenAPI 3.1 document, served at [`PATH`]. Its paths come from the handlers'
//! `#[utoipa::path]` attributes, registered with the same router that serves them, and its schemas
//! from the vocabulary's wire types (`ToSchema`): a route or a field cannot change without the
//! document changing with it.
use axum::{
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

pub const PATH: &str = "/api/v1/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Wisp worker API",
        description = "What a deployment's worker calls to start a run (`POST /api/v1/kickoffs`, with the deployment token shown at deploy time) and what a run calls for ID tokens (`POST /api/v1/id-tokens`, with the run token its kickoff handed it, or the deployment token). Every refusal is the error envelope `{\"error\": {\"code\", \"message\", \"hint\", \"fields\"}}` with the status its `code` implies; `secrets_unresolved` adds `failures`, one per variable whose secret could not be read.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    modifiers(&BearerTokens),
    tags((name = "worker", description = "Deployments' workers and their runs")),
)]
pub struct WorkerApi;

/// The bearer schemes the handlers' `security` name: a deployment token and a run token.
struct BearerTokens;

impl Modify for BearerTokens {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = |what: &str| {
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some(what.to_owned())).build(),
            )
        };
        components.add_security_scheme(
            "deployment_token",
            bearer("The deployment token shown once at deploy time, `wisp_dt_…`."),
        );
        components.add_security_scheme(
            "run_token",
            bearer("A run's token, `wisp_rt_…`: `WISP_ID_TOKEN_REQUEST_TOKEN` inside `wisp run`, or `id_token_request_token` of the kickoff."),
        );
    }
}

/// The document as served: built once, at start-up.
#[derive(Clone)]
pub struct Document(axum::body::Bytes);

impl Document {
    pub fn new(openapi: &utoipa::openapi::OpenApi) -> Self {
        Self(serde_json::to_vec_pretty(openapi).expect("an OpenAPI document serializes").into())
    }

    pub fn respond(&self) -> Response {
        ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], self.0.clone()).into_response()
    }
}
